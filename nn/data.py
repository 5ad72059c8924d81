"""Small seeded data sets, generated here so nothing is downloaded and no scikit-learn is needed."""

from __future__ import annotations

import math
import random
from typing import List, Tuple


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Tuple[List[List[float]], List[int]]:
    """Two interleaving half circles, as scikit-learn's ``make_moons``: points and 0/1 labels.

    >>> X, y = moons(100, noise=0.1, seed=0)
    >>> len(X), sorted(set(y))
    (100, [0, 1])
    """
    if not isinstance(n, int) or n < 2:
        raise ValueError(f"moons needs n >= 2 points, got {n!r}")
    if noise < 0:
        raise ValueError(f"moons needs noise >= 0, got {noise!r}")
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
