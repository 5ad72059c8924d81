"""The generated two-moons data."""

import math

import pytest

from nn.data import moons


def test_moons_is_seeded_balanced_and_noisy() -> None:
    X, y = moons(100, noise=0.1, seed=3)
    assert (X, y) == moons(100, noise=0.1, seed=3)
    assert X != moons(100, noise=0.1, seed=4)[0]
    assert len(X) == len(y) == 100 and y.count(0) == y.count(1) == 50


def test_noiseless_moons_lie_on_their_half_circles() -> None:
    X, y = moons(41, noise=0.0, seed=0)
    for (px, py), label in zip(X, y):
        cx, cy = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.isclose(math.hypot(px - cx, py - cy), 1.0)
        assert (py >= -1e-12) if label == 0 else (py <= 0.5 + 1e-12)


@pytest.mark.parametrize("kwargs", [{"n": 1}, {"n": 2.5}, {"noise": -0.1}])
def test_bad_arguments(kwargs) -> None:
    with pytest.raises(ValueError):
        moons(**kwargs)


def test_circles_lie_on_two_radii() -> None:
    from nn.data import circles

    X, y = circles(40, noise=0.0, factor=0.3, seed=0)
    for (px, py), label in zip(X, y):
        assert math.isclose(math.hypot(px, py), 0.3 if label else 1.0)


def test_spirals_xor_and_blobs() -> None:
    from nn.data import blobs, spirals, xor

    X, y = spirals(90, classes=3, noise=0.0, seed=0)
    assert [y.count(c) for c in range(3)] == [30, 30, 30] and max(math.hypot(*p) for p in X) <= 1.0 + 1e-12
    assert xor() == ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    Xn, yn = xor(40, noise=0.1, seed=1)
    assert all((round(a) ^ round(b)) == t for (a, b), t in zip(Xn, yn))
    Xb, yb = blobs(60, centers=2, std=0.1, dim=3, seed=0)
    assert len(Xb[0]) == 3 and sorted(set(yb)) == [0, 1]


def test_train_test_split_is_a_seeded_partition() -> None:
    from nn.data import train_test_split

    X, y = [[i] for i in range(50)], list(range(50))
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, seed=3)
    assert len(Xte) == 10 and sorted(ytr + yte) == y and all(x[0] == t for x, t in zip(Xtr + Xte, ytr + yte))
    assert train_test_split(X, y, seed=3) == (Xtr, Xte, ytr, yte)
    with pytest.raises(ValueError, match="test_size"):
        train_test_split(X, y, test_size=1.5)


def test_digits_from_scikit_learn_or_a_clear_message(without) -> None:
    from nn.data import digits

    pytest.importorskip("sklearn")
    X, y = digits()
    assert len(X) == 1797 and len(X[0]) == 64 and sorted(set(y)) == list(range(10))
    assert 0.0 <= min(min(r) for r in X) and max(max(r) for r in X) <= 1.0
    without("sklearn")
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[data\]'"):
        digits()
