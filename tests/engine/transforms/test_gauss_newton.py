"""gauss_newton and gauss_newton_step: J^T J and J^T r against a hand-written Jacobian, the exact Hessian
where the residuals vanish, and NumPy's least squares for linear residuals."""

import math

import numpy as np
import pytest

import engine
from engine import gauss_newton, gauss_newton_step, hessian

T = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]


def decay(p, ys):
    """Residuals of the model a e^(-b t) against ys."""
    return [p[0] * (-p[1] * t).exp() - y for t, y in zip(T, ys)]


def test_the_matrix_and_gradient_are_j_transposed_j_and_r_by_a_hand_jacobian() -> None:
    ys = [2.1, 1.3, 0.8, 0.45, 0.3, 0.1]
    a, b = 1.8, 0.9
    J = np.array([[math.exp(-b * t), -a * t * math.exp(-b * t)] for t in T])  # d/da, d/db by hand
    r = np.array([a * math.exp(-b * t) - y for t, y in zip(T, ys)])
    gn = gauss_newton(lambda p: decay(p, ys), [a, b])
    assert np.allclose(gn.matrix, J.T @ J, rtol=1e-14, atol=0) and np.allclose(gn.gradient, J.T @ r, rtol=1e-14)
    assert gn.loss == pytest.approx(0.5 * float(r @ r), rel=1e-14)


def test_where_the_residuals_vanish_it_is_the_hessian_of_the_loss() -> None:
    a, b = 2.0, 0.7
    ys = [a * math.exp(-b * t) for t in T]  # an exact fit: every r_i r_i'' term is 0
    gn = gauss_newton(lambda p: decay(p, ys), [a, b])
    H = hessian(lambda p: 0.5 * engine.sum([r * r for r in decay(p, ys)]))([a, b])
    assert np.allclose(gn.matrix, [[h.data for h in row] for row in H], rtol=1e-12, atol=1e-15)
    assert gn.gradient == pytest.approx([0.0, 0.0], abs=1e-15)


def test_one_step_solves_linear_least_squares_as_numpy_does() -> None:
    rng = np.random.default_rng(0)
    A, y = rng.standard_normal((7, 3)), rng.standard_normal(7)
    residuals = lambda p: [engine.sum([float(A[i, j]) * p[j] for j in range(3)]) - float(y[i]) for i in range(7)]  # noqa: E731
    step = gauss_newton_step(residuals, [0.3, -1.0, 2.0])
    want = np.linalg.lstsq(A, y, rcond=None)[0]
    assert step == pytest.approx(want.tolist(), rel=1e-12, abs=1e-14)


def test_steps_converge_on_the_decay_fit_and_damping_shortens_them() -> None:
    ys = [2.0 * math.exp(-0.7 * t) for t in T]
    p = [1.0, 0.2]
    for _ in range(8):
        p = gauss_newton_step(lambda q: decay(q, ys), p)
    assert p == pytest.approx([2.0, 0.7], rel=1e-12)
    plain = gauss_newton_step(lambda q: decay(q, ys), [1.0, 0.2])
    damped = gauss_newton_step(lambda q: decay(q, ys), [1.0, 0.2], damping=10.0)
    assert math.dist(damped, [1.0, 0.2]) < math.dist(plain, [1.0, 0.2])


def test_bad_input_says_what_and_with_which_value() -> None:
    ys = [1.0] * len(T)
    cases = [
        (lambda: gauss_newton(lambda p: decay(p, ys), 1.0), TypeError, "gauss_newton: x must be a non-empty list of numbers, got 1.0"),
        (lambda: gauss_newton(lambda p: p[0] * p[1], [1.0, 2.0]), TypeError,
         "gauss_newton: residuals must return a non-empty list, got Value"),
        (lambda: gauss_newton(lambda p: decay(p, ys), [math.nan, 1.0]), ValueError, "gauss_newton: x must not be nan, got nan"),
        (lambda: gauss_newton_step(lambda p: decay(p, ys), [1.0, 1.0], damping=-1.0), ValueError,
         "gauss_newton_step: damping must be >= 0, got -1.0"),
        (lambda: gauss_newton_step(lambda p: [p[0] + p[1] - 1.0, 2.0 * (p[0] + p[1])], [1.0, 1.0]), ValueError,
         "gauss_newton_step: J^T J is singular (the residuals do not depend on parameter 1 independently of the "
         "others here); pass damping > 0 (Levenberg-Marquardt)"),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind) as caught:
            call()
        assert str(caught.value) == message
    # damping makes the singular step well defined: it moves along the one direction the residuals see
    # (J^T J + I) d = -J^T r with J = [[1, 1], [2, 2]], r = [1, 4]: d = -(9, 9) / 11
    step = gauss_newton_step(lambda p: [p[0] + p[1] - 1.0, 2.0 * (p[0] + p[1])], [1.0, 1.0], damping=1.0)
    assert step == pytest.approx([1.0 - 9.0 / 11.0, 1.0 - 9.0 / 11.0], rel=1e-14)
