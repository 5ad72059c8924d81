"""Small seeded data sets, generated here so nothing is downloaded and no scikit-learn is needed."""

from __future__ import annotations

import math
import random
from typing import List, Sequence, Tuple


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Tuple[List[List[float]], List[int]]:
    """Two interleaving half circles, as scikit-learn's ``make_moons``: points and 0/1 labels.

    >>> X, y = moons(100, noise=0.1, seed=0)
    >>> len(X), sorted(set(y))
    (100, [0, 1])
    """
    _check(n, noise, "moons")
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    points = []
    for i in range(n_outer):
        t = math.pi * i / max(n_outer - 1, 1)
        points.append(([math.cos(t), math.sin(t)], 0))
    for i in range(n_inner):
        t = math.pi * i / max(n_inner - 1, 1)
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1))
    rng.shuffle(points)
    X = [[px + rng.gauss(0.0, noise), py + rng.gauss(0.0, noise)] for (px, py), _ in points]
    y = [label for _, label in points]
    return X, y


def _check(n: int, noise: float, who: str, least: int = 2) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or n < least:
        raise ValueError(f"{who} needs n >= {least} points, got {n!r}")
    if not noise >= 0:
        raise ValueError(f"{who} needs noise >= 0, got {noise!r}")


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0
            ) -> Tuple[List[List[float]], List[int]]:
    """A small circle (label 1) inside a large one (label 0), as scikit-learn's ``make_circles``.

    >>> X, y = circles(10, seed=1); len(X), sum(y)
    (10, 5)
    """
    _check(n, noise, "circles")
    if not 0 < factor < 1:
        raise ValueError(f"circles needs 0 < factor < 1, got {factor!r}")
    rng = random.Random(seed)
    n_outer = n // 2
    points = []
    for count, radius, label in ((n_outer, 1.0, 0), (n - n_outer, factor, 1)):
        for i in range(count):
            t = 2 * math.pi * i / count
            points.append(([radius * math.cos(t), radius * math.sin(t)], label))
    rng.shuffle(points)
    return [[px + rng.gauss(0.0, noise), py + rng.gauss(0.0, noise)] for (px, py), _ in points], [c for _, c in points]


def spirals(n: int = 100, classes: int = 2, noise: float = 0.1, seed: int = 0
            ) -> Tuple[List[List[float]], List[int]]:
    """``classes`` interleaved spiral arms from the centre, n points in all, labels 0..classes-1.

    >>> X, y = spirals(9, classes=3, seed=0); sorted(set(y))
    [0, 1, 2]
    """
    _check(n, noise, "spirals")
    if not isinstance(classes, int) or not 2 <= classes <= n:
        raise ValueError(f"spirals needs 2 <= classes <= n, got {classes!r}")
    rng = random.Random(seed)
    points = []
    for i in range(n):
        label, k = i % classes, i // classes
        per_class = (n - label + classes - 1) // classes
        r = (k + 1) / per_class
        t = label * 2 * math.pi / classes + 1.75 * 2 * math.pi * r / 2
        points.append(([r * math.cos(t) + rng.gauss(0.0, noise * r), r * math.sin(t) + rng.gauss(0.0, noise * r)], label))
    rng.shuffle(points)
    return [p for p, _ in points], [c for _, c in points]


def xor(n: int = 4, noise: float = 0.0, seed: int = 0) -> Tuple[List[List[float]], List[int]]:
    """The XOR truth table (n = 4, no noise), or n noisy copies of its corners.

    >>> xor()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    _check(n, noise, "xor", least=4)
    rng = random.Random(seed)
    corners = [([0.0, 0.0], 0), ([0.0, 1.0], 1), ([1.0, 0.0], 1), ([1.0, 1.0], 0)]
    picked = [corners[i % 4] for i in range(n)]
    if n > 4:
        rng.shuffle(picked)
    X = [[a + rng.gauss(0.0, noise) if noise else a, b + rng.gauss(0.0, noise) if noise else b] for (a, b), _ in picked]
    return X, [c for _, c in picked]


def blobs(n: int = 100, centers: int = 3, std: float = 0.5, dim: int = 2, seed: int = 0
          ) -> Tuple[List[List[float]], List[int]]:
    """Gaussian clusters around ``centers`` random centres in [-5, 5]^dim, labels by cluster.

    >>> X, y = blobs(30, centers=3, seed=0); len(X[0]), sorted(set(y))
    (2, [0, 1, 2])
    """
    _check(n, std, "blobs")
    if not isinstance(centers, int) or not 1 <= centers <= n:
        raise ValueError(f"blobs needs 1 <= centers <= n, got {centers!r}")
    rng = random.Random(seed)
    means = [[rng.uniform(-5, 5) for _ in range(dim)] for _ in range(centers)]
    labels = [i % centers for i in range(n)]
    rng.shuffle(labels)
    return [[m + rng.gauss(0.0, std) for m in means[c]] for c in labels], labels


def digits() -> Tuple[List[List[float]], List[int]]:
    """The 8x8 handwritten digits scikit-learn ships (1,797 images, offline), pixels scaled to [0, 1].

    Needs the optional extra: ``pip install 'chainrule[data]'``.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError("digits() reads the digits data shipped with scikit-learn, which is not installed; "
                          "install it with: pip install 'chainrule[data]'  (or pip install scikit-learn)") from None
    bunch = load_digits()
    return [[float(v) / 16.0 for v in row] for row in bunch.data], [int(t) for t in bunch.target]


def train_test_split(X: Sequence, y: Sequence, test_size: float = 0.2, seed: int = 0
                     ) -> Tuple[list, list, list, list]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test``, as scikit-learn's.

    >>> Xtr, Xte, ytr, yte = train_test_split(list(range(10)), list(range(10)), test_size=0.3)
    >>> len(Xtr), len(Xte), sorted(Xtr + Xte) == list(range(10))
    (7, 3, True)
    """
    if len(X) != len(y):
        raise ValueError(f"train_test_split: {len(X)} inputs but {len(y)} labels")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be between 0 and 1, got {test_size!r}")
    order = list(range(len(X)))
    random.Random(seed).shuffle(order)
    n_test = max(1, round(len(X) * test_size))
    test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]
