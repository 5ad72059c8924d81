"""Second-order tools on top of ``grad``, ``jvp`` and ``jacobian``: the Hessian-vector product, the
Gauss-Newton approximation of a least-squares Hessian, and differentiation through an argmin.

Backpropagation Calculus for Deep Learning (§9, Second-Order Methods, lines 262-271) names the two
ways to differentiate a gradient, forward-over-reverse and reverse-over-reverse, and the
Jacobian-free product Hv ~ (grad f(x + eps v) - grad f(x)) / eps. ``hvp`` computes Hv
exactly either way, without forming H; ``gauss_newton`` gives J^T J, the same chapter's
approximation of the Hessian of a sum of squared residuals (line 267). No derivative is
written here, only compositions of the engine's own transforms.
"""

from __future__ import annotations

import math
from typing import Any, Callable, List, NamedTuple, Sequence, Union

from ..checks import as_float
from ..modes import no_grad
from ..reductions import dot
from ..value import Value
from .forward import jvp
from .functional import grad, hessian, jacobian

Point = Union[float, Sequence[float]]
MODES = ("forward-over-reverse", "reverse-over-reverse")


def hvp(f: Callable[[Any], Any], x: Point, v: Point, *, mode: str = "forward-over-reverse") -> Union[float, List[float]]:
    """H v: the Hessian of a scalar ``f`` at ``x`` times ``v``, without forming H.

    ``x`` is a number or a list of numbers, as ``f`` takes it, and ``v`` is shaped like it.
    ``mode="forward-over-reverse"`` (the default, as JAX's ``jvp(grad(f), ...)``) pushes ``v``
    through the gradient's computation in one forward sweep of dual numbers and one reverse
    pass; ``"reverse-over-reverse"`` differentiates grad f(x) . v with a second reverse pass
    over the first one's graph. Both give the same numbers to rounding.

    >>> hvp(lambda v: v[0] ** 2 * v[1], [3.0, 2.0], [1.0, 0.0])
    [4.0, 6.0]
    >>> hvp(lambda x: x ** 3, 2.0, 1.0, mode="reverse-over-reverse")
    12.0
    """
    if mode not in MODES:
        raise ValueError(f"hvp: mode must be {MODES[0]!r} or {MODES[1]!r}, got {mode!r}")
    many = isinstance(x, (list, tuple))
    if many != isinstance(v, (list, tuple)) or many and len(x) != len(v):
        raise ValueError(f"hvp: v must be shaped like x; x is {_shape(x)} and v is {_shape(v)}")
    vs = [as_float(t, "hvp: v") for t in (v if many else [v])]
    gradient = grad(f, name="hvp")
    if mode == "reverse-over-reverse":
        def along(xs: Any) -> Any:  # grad f(x) . v, whose gradient in x is H v
            g = gradient(xs)
            return dot(list(g), vs) if many else g * vs[0]
        product = grad(along)(x)
        return [p.data for p in product] if many else product.data
    if many:
        tangents = jvp(lambda *xs: gradient(list(xs)), list(x), vs)[1]
        return [_number(t) for t in tangents]
    return _number(jvp(gradient, (x,), (vs[0],))[1])


def _shape(a: Any) -> str:
    return f"a list of {len(a)} number{'s' * (len(a) != 1)}" if isinstance(a, (list, tuple)) else "one number"


def _number(t: Any) -> float:
    """A tangent as a float: jvp gives 0.0 for a component that does not depend on x, else a number."""
    return float(t.data if hasattr(t, "data") else t)


class GaussNewton(NamedTuple):
    """J^T J and J^T r at a point, for residuals r with Jacobian J: the Gauss-Newton approximation of the
    Hessian of L = 1/2 sum r_i^2, and L's exact gradient."""

    matrix: List[List[float]]
    gradient: List[float]
    loss: float


def gauss_newton(residuals: Callable[[List[Any]], Sequence[Any]], x: Sequence[float]) -> GaussNewton:
    """J^T J (``matrix``), J^T r (``gradient``) and 1/2 sum r^2 (``loss``) for a list of ``residuals`` of the
    parameters ``x``: J^T J is the Hessian of the loss but for the terms r_i times r_i's own second
    derivatives, which vanish as the residuals do.

    >>> gn = gauss_newton(lambda p: [p[0] * 2.0 - 1.0, p[0] + p[1]], [1.0, 0.0])
    >>> gn.matrix, gn.gradient, gn.loss
    ([[5.0, 1.0], [1.0, 1.0]], [3.0, 1.0], 1.0)
    """
    if not isinstance(x, (list, tuple)) or not x:
        raise TypeError(f"gauss_newton: x must be a non-empty list of numbers, got {x!r}")
    point = [as_float(a, "gauss_newton: x") for a in x]
    with no_grad():  # the residuals' values (jacobian makes its own leaves for their derivatives)
        r = residuals([Value(a) for a in point])
    if not isinstance(r, (list, tuple)) or not r:
        raise TypeError(f"gauss_newton: residuals must return a non-empty list, got {type(r).__name__}")
    values = [as_float(getattr(ri, "data", ri), "gauss_newton: a residual") for ri in r]
    J = [[d.data for d in row] for row in jacobian(residuals)(point)]
    n = len(point)
    matrix = [[math.fsum(row[i] * row[j] for row in J) for j in range(n)] for i in range(n)]
    gradient = [math.fsum(row[i] * ri for row, ri in zip(J, values)) for i in range(n)]
    return GaussNewton(matrix, gradient, 0.5 * math.fsum(ri * ri for ri in values))


def gauss_newton_step(residuals: Callable[[List[Any]], Sequence[Any]], x: Sequence[float],
                      damping: float = 0.0) -> List[float]:
    """x + d, where (J^T J + damping I) d = -J^T r: one Gauss-Newton step (Levenberg-Marquardt with
    ``damping`` > 0), solved exactly (a small dense system, by elimination with partial pivoting).

    >>> step = gauss_newton_step(lambda p: [p[0] * 2.0 - 1.0, p[0] + p[1]], [1.0, 0.0])
    >>> [round(a, 12) for a in step]   # linear residuals: their least-squares solution in one step
    [0.5, -0.5]
    """
    damping = as_float(damping, "gauss_newton_step: damping")
    if damping < 0:
        raise ValueError(f"gauss_newton_step: damping must be >= 0, got {damping!r}")
    gn = gauss_newton(residuals, x)
    A = [[a + (damping if i == j else 0.0) for j, a in enumerate(row)] for i, row in enumerate(gn.matrix)]
    d = _solve(A, [-g for g in gn.gradient])
    return [float(a) + b for a, b in zip(x, d)]


def newton_step(f: Callable[[List[Any]], Any], x: Sequence[float]) -> List[float]:
    """x - H^-1 grad f(x): one step of Newton's method (Backpropagation: The Engine of Deep Learning,
    Second-Order Methods, lines 1220-1226), with the Hessian from
    ``engine.hessian``, solved exactly; a singular Hessian is a clear error.

    >>> [round(a, 12) for a in newton_step(lambda p: (p[0] - 3.0) ** 2 + 2.0 * (p[0] - p[1]) ** 2, [0.0, 0.0])]
    [3.0, 3.0]
    """
    xs = [as_float(a, "newton_step: x") for a in x]
    H = [[h.data for h in row] for row in hessian(f)(xs)]
    g = [d.data for d in grad(f)(xs)]
    d = _solve(H, [-gi for gi in g], "newton_step: the Hessian is singular at x (no pivot in column {k}), so "
                                     "Newton's step is not defined there; take a gradient step, or damp it")
    return [a + b for a, b in zip(xs, d)]


SINGULAR = ("gauss_newton_step: J^T J is singular (the residuals do not depend on parameter {k} independently of "
            "the others here); pass damping > 0 (Levenberg-Marquardt)")


def _solve(A: List[List[float]], b: List[float], singular: str = SINGULAR) -> List[float]:
    """A d = b by Gaussian elimination with partial pivoting; the ``singular`` message (``{k}``: the column
    that has no pivot) when A is singular."""
    n = len(b)
    M = [list(row) + [bi] for row, bi in zip(A, b)]
    scale = max(abs(a) for row in A for a in row)
    for k in range(n):
        pivot = max(range(k, n), key=lambda i: abs(M[i][k]))
        if abs(M[pivot][k]) <= 1e-12 * scale or scale == 0.0:
            raise ValueError(singular.format(k=k))
        M[k], M[pivot] = M[pivot], M[k]
        for i in range(k + 1, n):
            factor = M[i][k] / M[k][k]
            M[i] = [a - factor * c for a, c in zip(M[i], M[k])]
    d = [0.0] * n
    for k in range(n - 1, -1, -1):
        d[k] = (M[k][n] - math.fsum(M[k][j] * d[j] for j in range(k + 1, n))) / M[k][k]
    return d


def implicit_grad(g: Callable[[Any, Any], Any], x: Point, y: Point, tolerance: float = 1e-6
                  ) -> Union[float, List[List[float]]]:
    """dy*/dx for y*(x) = argmin_y g(x, y), at a minimiser ``y`` of g(x, .), without differentiating the solver
    that found it: by the implicit function theorem (Backpropagation Calculus for Deep Learning, §9),
    dy*/dx = -(d2g/dy2)^-1 d2g/dx dy.

    ``x`` and ``y`` are numbers or lists of numbers, as ``g`` takes them; the result is a number for two
    numbers, else a matrix with a row per entry of y and a column per entry of x. ``y`` must be a stationary
    point: a gradient in y larger than ``tolerance`` (relative to the curvature) is an error.

    >>> g = lambda x, y: (y - 2.0 * x) ** 2 + 0.5 * y ** 2      # y* = 4x/3
    >>> round(implicit_grad(g, 1.0, 4.0 / 3.0), 12)
    1.333333333333
    """
    xs, ys = (list(a) if isinstance(a, (list, tuple)) else [a] for a in (x, y))
    xs = [as_float(a, "implicit_grad: x") for a in xs]
    ys = [as_float(a, "implicit_grad: y") for a in ys]
    call = lambda a, b: g(a if isinstance(x, (list, tuple)) else a[0], b if isinstance(y, (list, tuple)) else b[0])  # noqa: E731
    slope = grad(call, 1, name="implicit_grad")
    held = [Value(a) for a in xs]  # x as Values where it is held fixed, so that g may call x.sin() and the like
    H_yy = [[d.data for d in row] for row in jacobian(slope, 1)(held, ys)]
    H_yx = [[d.data for d in row] for row in jacobian(slope)(xs, ys)]  # in x, the first argument
    at = [d.data for d in slope(held, ys)]
    scale = max([1.0] + [abs(h) for row in H_yy for h in row])
    if max(abs(s) for s in at) > tolerance * scale:
        raise ValueError(f"implicit_grad: y is not a minimiser of g(x, .): the gradient in y there is {at} "
                         f"(more than tolerance={tolerance} times the curvature {scale}); solve for y first")
    columns = [_solve(H_yy, [-row[j] for row in H_yx], "implicit_grad: d2g/dy2 is singular at y, so y*(x) is not "
                      "defined by the first-order condition there") for j in range(len(xs))]
    matrix = [[columns[j][i] for j in range(len(xs))] for i in range(len(ys))]
    return matrix[0][0] if not isinstance(x, (list, tuple)) and not isinstance(y, (list, tuple)) else matrix
