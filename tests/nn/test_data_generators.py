"""The seeded data sets: noise-free geometry against scikit-learn and the formulas, fixed seeds, errors word for word."""

import math

import pytest

from nn import data

sklearn_datasets = pytest.importorskip("sklearn.datasets")


def as_set(X, y, digits=9):
    return sorted((round(a, digits) + 0.0, round(b, digits) + 0.0, c) for (a, b), c in zip(X, y))


@pytest.mark.parametrize("n", [2, 7, 10])
def test_noise_free_moons_and_circles_are_scikit_learns(n) -> None:
    X, y = data.moons(n, noise=0.0, seed=3)
    Xs, ys = sklearn_datasets.make_moons(n, noise=None, shuffle=False)
    assert as_set(X, y) == as_set(Xs.tolist(), ys.tolist())
    X, y = data.circles(n, noise=0.0, factor=0.3, seed=3)
    Xs, ys = sklearn_datasets.make_circles(n, noise=None, factor=0.3, shuffle=False)
    assert as_set(X, y) == as_set(Xs.tolist(), ys.tolist())


def test_noise_free_spirals_follow_their_formula() -> None:
    # class c has ceil((n - c) / classes) points at radii (k + 1) / count, angle 2 pi c / classes + 1.75 pi r
    for n, classes in [(10, 3), (11, 2), (9, 3), (7, 4)]:
        X, y = data.spirals(n, classes=classes, noise=0.0, seed=1)
        for c in range(classes):
            count = -(-(n - c) // classes)
            points = [p for p, label in zip(X, y) if label == c]
            assert len(points) == count
            want = []
            for k in range(count):
                r = (k + 1) / count
                t = 2 * math.pi * c / classes + 1.75 * math.pi * r
                want.append((round(r * math.cos(t), 9) + 0.0, round(r * math.sin(t), 9) + 0.0, c))
            assert as_set(points, [c] * count) == sorted(want)


def test_noise_free_blobs_sit_on_their_centres() -> None:
    X, y = data.blobs(12, centers=3, std=0.0, dim=3, seed=5)
    assert sorted(y) == [0] * 4 + [1] * 4 + [2] * 4
    centres = {c: X[y.index(c)] for c in range(3)}
    for x, c in zip(X, y):
        assert x == centres[c]
        assert all(-5 <= v <= 5 for v in x)
    assert len(set(tuple(v) for v in centres.values())) == 3


def test_noise_is_centred_on_the_clean_points() -> None:
    # the same seed draws the same shuffle, so a noisy set pairs with its noise-free twin
    X0, y0 = data.blobs(400, centers=1, std=0.0, dim=2, seed=4)
    X1, y1 = data.blobs(400, centers=1, std=0.5, dim=2, seed=4)
    assert y0 == y1
    dx = [a[0] - b[0] for a, b in zip(X1, X0)]
    mean = sum(dx) / len(dx)
    sd = math.sqrt(sum((d - mean) ** 2 for d in dx) / len(dx))
    assert abs(mean) < 0.1 and 0.4 < sd < 0.6
    X0, y0 = data.spirals(200, noise=0.0, seed=2)
    X1, y1 = data.spirals(200, noise=0.1, seed=2)
    assert y0 == y1
    for (a, b), (c, d) in zip(X0, X1):
        r = math.hypot(a, b)
        assert abs(c - a) < 0.5 * r and abs(d - b) < 0.5 * r  # the noise shrinks with the radius
    X0, y0 = data.xor(400, noise=0.0, seed=2)
    X1, y1 = data.xor(400, noise=0.2, seed=2)
    assert y0 == y1
    for axis in (0, 1):
        dev = [q[axis] - p[axis] for p, q in zip(X0, X1)]
        mean = sum(dev) / len(dev)
        assert abs(mean) < 0.05 and 0.15 < math.sqrt(sum((d - mean) ** 2 for d in dev) / len(dev)) < 0.25
        assert any(d > 0 for d in dev) and any(d < 0 for d in dev)


GOLDEN = {  # a seeded data set is the same on every machine and every version
    "moons": (lambda: data.moons(4, noise=0.1, seed=1),
              ([[1.9962752884452761, 0.6169072372311744], [0.8620356092700456, 0.045315606272344044],
                [0.010696137854395662, 0.45690925036341473], [-0.812930339155201, 0.03367630689683461]], [1, 0, 1, 0])),
    "circles": (lambda: data.circles(4, noise=0.1, seed=1),
                ([[-0.5037247115547239, 0.11690723723117455], [0.8620356092700456, 0.045315606272344044],
                  [0.5106961378543957, -0.04309074963658527], [-0.812930339155201, 0.03367630689683461]],
                 [1, 0, 1, 0])),
    "spirals": (lambda: data.spirals(5, classes=2, noise=0.1, seed=1),
                ([[0.46525655670255633, -0.2295688987311268], [-0.04333352326232477, 0.3702901290530151],
                  [-0.6501618168632353, -0.331244365544552], [0.7270379788349227, -0.6937693207206872],
                  [-0.809317098187634, 0.5634238366762954]], [1, 0, 0, 0, 1])),
    "xor": (lambda: data.xor(6, noise=0.1, seed=1),
            ([[0.8907826784895858, 0.003133451683171687], [0.8977896829989127, 0.856317055489747],
              [0.019931197648375386, 1.0133374604658605], [0.05464683003382316, -0.09139709437353127],
              [0.0005005283626572445, -0.0064741760372687895], [-0.1505829001260742, 1.0537997178661034]],
             [1, 0, 1, 0, 0, 1])),
    "blobs": (lambda: data.blobs(4, centers=2, std=0.1, dim=2, seed=1),
              ([[-3.758567875877075, 3.3306544248620735], [-3.6364263612276124, 3.487674829838187],
                [2.6923930197999635, -2.5407068369793144], [2.638246718128798, -2.4557839186430517]], [0, 0, 1, 1])),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_seeded_data_sets_are_reproducible(name) -> None:
    make, want = GOLDEN[name]
    assert make() == make()
    X, y = make()
    assert y == want[1]
    assert X == [pytest.approx(row, rel=1e-12) for row in want[0]]


def test_defaults() -> None:
    for make, n, kwargs in [(data.moons, 100, dict(noise=0.1)), (data.circles, 100, dict(noise=0.05, factor=0.5)),
                            (data.spirals, 100, dict(classes=2, noise=0.1)), (data.xor, 4, dict(noise=0.0)),
                            (data.blobs, 100, dict(centers=3, std=0.5, dim=2))]:
        assert make() == make(n, seed=0, **kwargs)
    X, y = data.xor(5)  # more than the four corners: shuffled
    assert X != [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]] and sorted(y) == [0, 0, 0, 1, 1]
    X, y = data.xor(8, seed=3)
    assert X != [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 2 and sorted(y) == [0, 0, 0, 0, 1, 1, 1, 1]
    assert data.xor(8, seed=3) != data.xor(8, seed=4)
    assert data.xor(8) == data.xor(8, seed=0) and data.xor(8) != data.xor(8, seed=1)
    assert data.spirals(10, seed=3) != data.spirals(10, seed=4)
    parts = data.train_test_split(list(range(10)), list(range(10)))
    assert parts == data.train_test_split(list(range(10)), list(range(10)), test_size=0.2, seed=0)
    assert parts != data.train_test_split(list(range(10)), list(range(10)), test_size=0.2, seed=1)
    assert len(parts[1]) == 2


def test_train_test_split_sizes() -> None:
    X = list(range(10))
    assert [len(part) for part in data.train_test_split(X, X, test_size=0.01)] == [9, 1, 9, 1]
    assert [len(part) for part in data.train_test_split(X, X, test_size=0.99)] == [0, 10, 0, 10]
    assert [len(part) for part in data.train_test_split(X, X, test_size=0.14)] == [9, 1, 9, 1]
    assert [len(part) for part in data.train_test_split(X, X, test_size=0.16)] == [8, 2, 8, 2]


def test_smallest_allowed_sizes() -> None:
    assert len(data.moons(2)[0]) == 2 and len(data.circles(2)[0]) == 2 and len(data.spirals(2)[0]) == 2
    assert data.spirals(3, classes=3, noise=0.0)[1] != [] and len(data.xor(4)[0]) == 4
    assert sorted(data.spirals(4, classes=4, noise=0.0)[1]) == [0, 1, 2, 3]
    assert data.blobs(3, centers=1)[1] == [0, 0, 0] and sorted(data.blobs(3, centers=3)[1]) == [0, 1, 2]
    assert len(data.moons(3, noise=0)[0]) == 3


@pytest.mark.parametrize("call, message", [
    (lambda: data.moons(1), "moons needs n >= 2 points, got 1"),
    (lambda: data.moons(2.0), "moons needs n >= 2 points, got 2.0"),
    (lambda: data.moons(True), "moons needs n >= 2 points, got True"),
    (lambda: data.moons(10, noise=-0.1), "moons needs noise >= 0, got -0.1"),
    (lambda: data.moons(10, noise=float("nan")), "moons needs noise >= 0, got nan"),
    (lambda: data.circles(1), "circles needs n >= 2 points, got 1"),
    (lambda: data.circles(10, noise=-1), "circles needs noise >= 0, got -1"),
    (lambda: data.circles(10, factor=1), "circles needs 0 < factor < 1, got 1"),
    (lambda: data.circles(10, factor=0), "circles needs 0 < factor < 1, got 0"),
    (lambda: data.spirals(1), "spirals needs n >= 2 points, got 1"),
    (lambda: data.spirals(10, noise=-1), "spirals needs noise >= 0, got -1"),
    (lambda: data.spirals(10, classes=1), "spirals needs 2 <= classes <= n, got 1"),
    (lambda: data.spirals(3, classes=4), "spirals needs 2 <= classes <= n, got 4"),
    (lambda: data.spirals(10, classes=2.0), "spirals needs 2 <= classes <= n, got 2.0"),
    (lambda: data.xor(3), "xor needs n >= 4 points, got 3"),
    (lambda: data.xor(4, noise=-1), "xor needs noise >= 0, got -1"),
    (lambda: data.blobs(1), "blobs needs n >= 2 points, got 1"),
    (lambda: data.blobs(10, std=-1), "blobs needs noise >= 0, got -1"),
    (lambda: data.blobs(10, centers=0), "blobs needs 1 <= centers <= n, got 0"),
    (lambda: data.blobs(3, centers=4), "blobs needs 1 <= centers <= n, got 4"),
    (lambda: data.blobs(10, centers=2.0), "blobs needs 1 <= centers <= n, got 2.0"),
    (lambda: data.train_test_split([1, 2], [1]), "train_test_split: 2 inputs but 1 labels"),
    (lambda: data.train_test_split([1, 2], [1, 2], test_size=0), "test_size must be between 0 and 1, got 0"),
    (lambda: data.train_test_split([1, 2], [1, 2], test_size=1), "test_size must be between 0 and 1, got 1"),
])
def test_data_errors(call, message) -> None:
    with pytest.raises(ValueError) as e:
        call()
    assert str(e.value) == message


def test_digits_pixels_and_the_message_without_scikit_learn(without) -> None:
    X, y = data.digits()
    raw = sklearn_datasets.load_digits()
    assert X[5] == [v / 16.0 for v in raw.data[5].tolist()]
    assert max(max(row) for row in X) == 1.0 and y[:10] == list(range(10))
    without("sklearn")
    with pytest.raises(ImportError) as e:
        data.digits()
    assert str(e.value) == ("digits() reads the digits data shipped with scikit-learn, which is not installed; "
                            "install it with: pip install 'chainrule[data]'  (or pip install scikit-learn)")
