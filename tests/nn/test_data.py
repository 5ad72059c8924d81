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
