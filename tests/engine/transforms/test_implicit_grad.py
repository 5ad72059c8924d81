"""implicit_grad: dy*/dx through an argmin by the implicit function theorem, against closed forms, NumPy's
linear algebra and differentiating through an unrolled inner solver."""

import math

import numpy as np
import pytest

from engine import Value, grad, implicit_grad


def test_a_scalar_quadratic_against_its_closed_form() -> None:
    # g = (y - a x)^2 + c y^2: y* = a x / (1 + c), so dy*/dx = a / (1 + c) at every x
    a, c = 2.0, 0.5
    g = lambda x, y: (y - a * x) ** 2 + c * y ** 2  # noqa: E731
    for x in (-1.0, 0.0, 3.0):
        assert implicit_grad(g, x, a * x / (1 + c)) == pytest.approx(a / (1 + c), rel=1e-14)


def test_a_vector_quadratic_against_numpys_solve() -> None:
    # g = 1/2 y^T A y - y^T B x (A symmetric positive definite): y* = A^-1 B x, dy*/dx = A^-1 B
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    B = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 4.0]])

    def g(x, y):
        quad = sum(0.5 * A[i, j] * y[i] * y[j] for i in range(2) for j in range(2))
        return quad - sum(B[i, j] * y[i] * x[j] for i in range(2) for j in range(3))

    x = [0.3, -1.0, 2.0]
    y = np.linalg.solve(A, B @ np.array(x)).tolist()
    got = implicit_grad(g, x, y)
    assert np.allclose(got, np.linalg.solve(A, B), rtol=1e-13, atol=1e-15)


def test_it_matches_differentiating_through_an_unrolled_inner_solver() -> None:
    # g = (y - sin x)^2 + 0.1 y^4: no closed form. Gradient descent on y, 300 steps on Values, is differentiable
    # end to end; its derivative in x approaches the implicit one as the inner solve converges.
    g = lambda x, y: (y - x.sin()) ** 2 + 0.1 * y ** 4  # noqa: E731
    dg = grad(g, 1)

    def unrolled(x):
        y = x * 0.0
        for _ in range(300):
            y = y - 0.2 * dg(x, y)
        return y

    x = 0.8
    y = unrolled(Value(x)).data
    assert implicit_grad(g, x, y) == pytest.approx(grad(unrolled)(x).data, rel=1e-9)
    # and the chapter's formula by hand: d2g/dy2 = 2 + 1.2 y^2, d2g/dxdy = -2 cos x
    assert implicit_grad(g, x, y) == pytest.approx(2 * math.cos(x) / (2 + 1.2 * y * y), rel=1e-12)


def test_a_point_that_is_not_a_minimiser_or_a_flat_curvature_is_refused() -> None:
    g = lambda x, y: (y - 2.0 * x) ** 2  # noqa: E731
    with pytest.raises(ValueError, match=r"implicit_grad: y is not a minimiser of g\(x, \.\): the gradient in y there "
                                         r"is \[2\.0\] \(more than tolerance=1e-06 times the curvature 2\.0\)"):
        implicit_grad(g, 1.0, 3.0)
    flat = lambda x, y: (y[0] + y[1] - x) ** 2  # noqa: E731  (every y on a line is a minimiser)
    with pytest.raises(ValueError, match=r"^implicit_grad: d2g/dy2 is singular at y, so y\*\(x\) is not defined by "
                                         r"the first-order condition there$"):
        implicit_grad(flat, 1.0, [0.5, 0.5])
    with pytest.raises(ValueError, match=r"^implicit_grad: y must not be nan, got nan$"):
        implicit_grad(g, 1.0, math.nan)
    with pytest.raises(ValueError, match=r"^implicit_grad: x must not be nan, got nan$"):
        implicit_grad(g, [math.nan], 2.0)
    with pytest.raises(TypeError, match=r"^implicit_grad: f must return a scalar"):
        implicit_grad(lambda x, y: [y, x], 1.0, 1.0)


def test_the_stationarity_tolerance_is_relative_to_the_curvature_and_its_edge_is_allowed() -> None:
    g = lambda x, y: (y - x) ** 2  # noqa: E731  curvature 2: the gradient 2 (y - x) may be up to 2 tolerance
    assert implicit_grad(g, 0.0, 0.5, tolerance=0.5) == 1.0  # gradient 1.0, exactly the limit: allowed
    with pytest.raises(ValueError, match=r"the gradient in y there is \[1\.0\]"):
        implicit_grad(g, 0.0, 0.5, tolerance=0.49)
    shallow = lambda x, y: 0.25 * (y - x) ** 2  # noqa: E731  curvature 0.5 < 1: the limit is tolerance itself
    assert implicit_grad(shallow, 0.0, 1.9e-6) == pytest.approx(1.0)  # gradient 0.95e-6
    with pytest.raises(ValueError, match=r"the gradient in y there is \[1\.5e-06\]"):
        implicit_grad(shallow, 0.0, 3e-6)


def test_a_number_x_and_a_vector_y_give_a_column() -> None:
    # g = (y0 - x)^2 + (y1 - 2 x)^2 + y0 y1 / 2: y* linear in x; differentiate the first-order conditions by hand
    g = lambda x, y: (y[0] - x) ** 2 + (y[1] - 2.0 * x) ** 2 + 0.5 * y[0] * y[1]  # noqa: E731
    H = np.array([[2.0, 0.5], [0.5, 2.0]])
    B = np.array([2.0, 4.0])  # -d2g/dy dx
    y = np.linalg.solve(H, B * 1.5).tolist()  # at x = 1.5
    got = implicit_grad(g, 1.5, y)
    assert np.allclose(got, np.linalg.solve(H, B)[:, None], rtol=1e-13, atol=0) and len(got) == 2 and len(got[0]) == 1
