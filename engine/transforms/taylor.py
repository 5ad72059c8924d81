"""Taylor mode: every derivative of f up to order k in one forward pass, by truncated Taylor series.

A :class:`Series` ``c0 + c1 t + ... + ck t^k`` stands for a number moving along a curve; pushed through f, the
coefficients of the result are f's derivatives along that curve divided by factorials. Each op's series comes from
its one local-derivative rule: for ``y = op(u, ...)``, ``y' = Σ op'(u, ...) u'``, so the coefficient ``y[n+1]`` is
a convolution of the rule's series (evaluated on the inputs and ``y`` cut to degree n, which are known by then)
with the inputs' derivatives. Division alone has a closed form here, ``q[n] = (a[n] - Σ q[j] b[n-j]) / b[0]``: its
rule, ``1 / b``, is itself a division, and evaluating it the generic way at every degree would nest. A rule that applies other ops (sin's
cos) meets them again at each degree: within one ``taylor`` call each op's series is kept by its inputs, so the
cost stays about k³ operations an op, where ``k`` nested ``grad`` calls build a graph that grows with every order.

Backpropagation Calculus for Deep Learning asks how third-order derivatives can be computed efficiently (its
extension questions, line 442); ``taylor(f, x, order=3)`` is one answer.
"""

from __future__ import annotations

import math
import threading
from typing import Any, Callable, List, Optional, Sequence

from .. import ops
from ..arithmetic import Arithmetic
from ..checks import as_float, data_of


_memo = threading.local()  # .table: each op's series by its inputs' coefficients, during one taylor() call


class Series(Arithmetic):
    """A truncated Taylor series ``c[0] + c[1] t + ... + c[k] t^k`` of floats; ops apply through their rules.

    >>> y = Series([2.0, 1.0, 0.0]) ** 3    # x^3 at x = 2 along t: 8 + 12 t + 6 t^2
    >>> y.c
    [8.0, 12.0, 6.0]
    """

    __slots__ = ("c",)
    _rank = 2.5  # above Dual's and Value's (a Value f closes over is a constant to it), below symbols

    def __init__(self, coefficients: Sequence[float]) -> None:
        self.c = list(coefficients)

    @property
    def data(self) -> float:
        """The value, ``c[0]``: what kinked rules (relu, abs) and error messages read."""
        return self.c[0]

    def cut(self, degree: int) -> "Series":
        return Series(self.c[:degree + 1])

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None, mixed: bool = True) -> "Series":
        k = max(len(a.c) for a in args if isinstance(a, Series)) - 1
        # anything else is a constant along the curve: a number, or a Value f closes over (its data)
        series = [a if isinstance(a, Series) else Series([as_float(data_of(a), f"{op.name} operand")] + [0.0] * k)
                  for a in args]
        memo = _memo.__dict__.get("table")  # inside taylor(): a rule's inner ops (sin's cos) are met again
        key = (op, param, *(tuple(s.c) for s in series)) if memo is not None else None
        if key is not None and key in memo:
            return memo[key]
        out = _divided(series[0], series[1], k) if op is ops.DIV else _propagated(op, series, param, k)
        if key is not None:
            memo[key] = out
        return out

    def __repr__(self) -> str:
        return f"Series({self.c!r})"


def _propagated(op: ops.Op, series: List[Series], param: Any, k: int) -> Series:
    """``op``'s series to degree k from its rule: ``y[n+1] = Σ_i Σ_j rule_i[j] (n+1-j) u_i[n+1-j] / (n+1)``."""
    floats = [s.c[0] for s in series]
    out = [op.evaluate(floats, param)]
    for n in range(k):
        cut = [s.cut(n) for s in series]
        partials = op.local_derivatives(cut, Series(out), param)
        total = 0.0
        for p, s in zip(partials, series):
            pc = p.c if isinstance(p, Series) else [p]
            for j in range(min(len(pc), n + 1)):
                total += pc[j] * (n + 1 - j) * s.c[n + 1 - j]
        out.append(_finite(total / (n + 1), op, n + 1))
    return Series(out)




def _divided(a: Series, b: Series, k: int) -> Series:
    q = [ops.DIV.evaluate([a.c[0], b.c[0]])]
    for n in range(1, k + 1):
        q.append(_finite((a.c[n] - sum(q[j] * b.c[n - j] for j in range(n))) / b.c[0], ops.DIV, n))
    return Series(q)


def _finite(x: float, op: ops.Op, n: int) -> float:
    if x - x != 0.0:
        kind = ValueError if x != x else OverflowError
        raise kind(f"taylor: the degree-{n} coefficient of {op.name} is {x}: a derivative of that order "
                   f"overflows (or is undefined) here")
    return x


def taylor(f: Callable[..., Any], x: Any, order: int, direction: Optional[Sequence[float]] = None) -> List[float]:
    """``[f(x), f'(x), ..., f^(order)(x)]`` in one forward pass (Taylor mode). For ``x`` a list, the derivatives of
    ``t -> f(x + t v)`` at ``t = 0`` along ``direction`` v: the directional derivatives of every order
    (order 2 is ``v^T H v``).

    >>> taylor(lambda t: t ** 3, 2.0, order=4)
    [8.0, 12.0, 12.0, 6.0, 0.0]
    >>> taylor(lambda v: v[0] * v[1], [2.0, 3.0], order=2, direction=[1.0, 1.0])   # (2 + t)(3 + t)
    [6.0, 5.0, 2.0]
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise ValueError(f"taylor: order must be a whole number >= 0, got {order!r}")
    if order > 170:
        raise ValueError(f"taylor: order {order} is past 170, whose factorial is the largest a float holds")
    many = isinstance(x, (list, tuple))
    if many != (direction is not None):
        raise ValueError("taylor: a list x needs a direction of the same length (and a number x none), got "
                         f"x={x!r}, direction={direction!r}")
    outer, _memo.table = _memo.__dict__.get("table"), {}  # a taylor() inside f keeps its own
    try:
        out = _run(f, x, order, direction)
    finally:
        _memo.table = outer
    if isinstance(out, Series):
        coefficients = out.c
    else:  # f does not depend on x: a constant (a number, or a Value f closes over)
        coefficients = [as_float(data_of(out), "taylor: f's result")] + [0.0] * order
    derivatives = [c * math.factorial(n) for n, c in enumerate(coefficients)]
    for n, d in enumerate(derivatives):
        if not math.isfinite(d):  # a coefficient fits a float but times n! does not: an error, never an inf
            raise OverflowError(f"taylor: the derivative of order {n} is too large for a float "
                                f"(its coefficient {coefficients[n]!r} times {n}!)")
    return derivatives


def _run(f: Callable[..., Any], x: Any, order: int, direction: Optional[Sequence[float]]) -> Any:
    if isinstance(x, (list, tuple)):
        if len(direction) != len(x):
            raise ValueError(f"taylor: direction has {len(direction)} entries for {len(x)} inputs")
        point = [Series([as_float(a, "taylor: x"), as_float(v, "taylor: direction")] + [0.0] * (order - 1))
                 if order else Series([as_float(a, "taylor: x")]) for a, v in zip(x, direction)]
        return f(point)
    return f(Series([as_float(x, "taylor: x"), 1.0][:order + 1] + [0.0] * (order - 1)))
