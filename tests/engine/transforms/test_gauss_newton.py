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


def test_a_damped_step_solves_the_damped_normal_equations() -> None:
    ys = [2.1, 1.3, 0.8, 0.45, 0.3, 0.1]
    p = [1.8, 0.9]
    J = np.array([[math.exp(-p[1] * t), -p[0] * t * math.exp(-p[1] * t)] for t in T])
    r = np.array([p[0] * math.exp(-p[1] * t) - y for t, y in zip(T, ys)])
    want = np.array(p) + np.linalg.solve(J.T @ J + 0.5 * np.eye(2), -J.T @ r)
    assert gauss_newton_step(lambda q: decay(q, ys), p, damping=0.5) == pytest.approx(want.tolist(), rel=1e-13)


def test_residuals_may_include_plain_numbers_and_a_bad_one_is_named() -> None:
    gn = gauss_newton(lambda p: [p[0] - 1.0, 2.0], [3.0])  # a constant residual: no derivative, in the loss
    assert (gn.matrix, gn.gradient, gn.loss) == ([[1.0]], [2.0], 0.5 * (4.0 + 4.0))
    with pytest.raises(ValueError, match=r"^gauss_newton: a residual must not be nan, got nan$"):
        gauss_newton(lambda p: [p[0], math.nan], [1.0])
    with pytest.raises(ValueError, match=r"^gauss_newton_step: damping must not be nan, got nan$"):
        gauss_newton_step(lambda p: [p[0]], [1.0], damping=math.nan)


def test_the_solver_pivots_and_calls_a_pivot_of_1e_12_of_the_largest_entry_singular() -> None:
    from engine.transforms.second_order import _solve

    assert _solve([[2.0, 1.0], [0.0, 3.0]], [4.0, 3.0]) == [1.5, 1.0]  # the first row is the first pivot
    assert _solve([[0.0, 2.0], [3.0, 0.0]], [2.0, 6.0]) == [2.0, 1.0]  # a zero on the diagonal: rows swapped
    assert _solve([[1.0, 0.5], [0.5, 1.0]], [1.5, 1.5]) == pytest.approx([1.0, 1.0], rel=1e-15)
    for A in ([[4.0, 0.0], [0.0, 4e-12]], [[1.0, 0.0], [0.0, 1e-12]]):  # exactly at the limit: singular
        with pytest.raises(ValueError, match="parameter 1"):
            _solve(A, [1.0, 1.0])
    assert _solve([[4.0, 0.0], [0.0, 8e-12]], [4.0, 8e-12]) == pytest.approx([1.0, 1.0])  # just past it: solved
