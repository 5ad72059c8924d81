"""Second-order tools on top of ``grad``, ``jvp`` and ``jacobian``: the Hessian-vector product and the
Gauss-Newton approximation of a least-squares Hessian.

Chapter 002 (``../shared/chapters/002_dede87141e9fc4a0.txt``, lines 262-271) names the two
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
from .functional import grad, jacobian

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
        product = grad(along, name="hvp")(list(x) if many else x)
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
    J = [[d.data for d in row] for row in jacobian(residuals)(point)]
    values = [as_float(getattr(ri, "data", ri), "gauss_newton: a residual") for ri in r]
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


def _solve(A: List[List[float]], b: List[float]) -> List[float]:
    """A d = b by Gaussian elimination with partial pivoting; a clear error when A is singular."""
    n = len(b)
    M = [list(row) + [bi] for row, bi in zip(A, b)]
    scale = max((abs(a) for row in A for a in row), default=0.0)
    for k in range(n):
        pivot = max(range(k, n), key=lambda i: abs(M[i][k]))
        if abs(M[pivot][k]) <= 1e-12 * scale or scale == 0.0:
            raise ValueError(f"gauss_newton_step: J^T J is singular (the residuals do not depend on parameter {k} "
                             f"independently of the others here); pass damping > 0 (Levenberg-Marquardt)")
        M[k], M[pivot] = M[pivot], M[k]
        for i in range(k + 1, n):
            factor = M[i][k] / M[k][k]
            M[i] = [a - factor * c for a, c in zip(M[i], M[k])]
    d = [0.0] * n
    for k in range(n - 1, -1, -1):
        d[k] = (M[k][n] - math.fsum(M[k][j] * d[j] for j in range(k + 1, n))) / M[k][k]
    return d
