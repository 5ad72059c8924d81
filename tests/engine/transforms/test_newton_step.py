"""newton_step: x - H^-1 grad f(x) against the same step with the Hessian and gradient written out by hand
(NumPy's solve), exact in one step on quadratics, and a clear error where the Hessian is singular."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engine import newton_step


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] * p[0]) ** 2


@settings(max_examples=60, deadline=None)
@given(st.floats(-2, 2), st.floats(-1, 3))
def test_a_rosenbrock_step_is_the_hand_newton_step(x, y) -> None:
    g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    H = np.array([[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200.0]])
    if abs(np.linalg.det(H)) < 1e-6:
        return
    want = np.array([x, y]) - np.linalg.solve(H, g)
    assert newton_step(rosenbrock, [x, y]) == pytest.approx(want.tolist(), rel=1e-9, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.lists(st.floats(-3, 3), min_size=3, max_size=3))
def test_a_quadratic_is_minimised_in_one_step(centre, start) -> None:
    A = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])  # positive definite
    c = np.array(centre)
    f = lambda p: sum(A[i][j] * (p[i] - c[i]) * (p[j] - c[j]) for i in range(3) for j in range(3))  # noqa: E731
    assert newton_step(f, start) == pytest.approx(centre, abs=1e-9)


def test_a_singular_hessian_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="newton_step: the Hessian is singular at x \\(no pivot in column 1\\)"):
        newton_step(lambda p: p[0] * p[0] + 0.0 * p[1], [1.0, 2.0])
    with pytest.raises(ValueError, match="newton_step: x must not be nan"):
        newton_step(lambda p: p[0] * p[0], [float("nan")])
