"""Third order and beyond, efficiently: Taylor mode against nested ``grad`` for f(x) = exp(sin(x^2)).

Backpropagation Calculus for Deep Learning asks how to compute third-order derivatives efficiently (its extension
questions, line 442). Nesting ``grad`` k times differentiates the graph of the (k-1)-th derivative, which grows with
every order; ``engine.taylor(f, x, order=k)`` pushes a truncated Taylor series through f once, each op's series
from its one local-derivative rule, and reads every derivative up to k off the coefficients. For k = 1 to 8 the
demo times both, counts their operations (Value ops of nested grad, recorded by ``engine.profile()``; series ops
of Taylor mode), checks both against sympy, and draws the times in ``out/taylor.png``. Then it takes the
derivatives of every order along a direction, for a function of two inputs.
"""

from __future__ import annotations

import math
from typing import List, Optional, Tuple

import engine
from engine import Series, grad, taylor
from viz import plot_scaling

from .common import best_time, common_args

X = 1.5
ORDERS = range(1, 9)


def f(x):
    return (x * x).sin().exp()


def nested(k: int) -> float:
    """The k-th derivative by k nested grads."""
    df = f
    for _ in range(k):
        df = grad(df)
    return df(X).data


def exact(k: int) -> List[float]:
    import sympy as sp

    x = sp.symbols("x", real=True)
    expr = sp.exp(sp.sin(x ** 2))
    return [float(sp.N(sp.diff(expr, x, n).subs(x, sp.Rational(X)), 30)) for n in range(k + 1)]


def series_ops(k: int) -> int:
    """How many ops Taylor mode applies to series, nested rule evaluations included."""
    count = [0]
    apply = Series.__dict__["_apply"]

    def counted(cls, *args, **kwargs):
        count[0] += 1
        return apply.__func__(cls, *args, **kwargs)

    Series._apply = classmethod(counted)
    try:
        taylor(f, X, order=k)
    finally:
        Series._apply = apply
    return count[0]


def value_ops(k: int) -> int:
    with engine.profile() as prof:
        nested(k)
    return prof.total().count


def rows() -> List[Tuple[int, float, float, int, int, float, float]]:
    truth = exact(max(ORDERS))
    found = []
    for k in ORDERS:
        series = taylor(f, X, order=k)
        by_grad = nested(k)
        scale = max(1.0, abs(truth[k]))
        found.append((k, best_time(lambda: taylor(f, X, order=k)), best_time(lambda: nested(k), 1 if k > 6 else 3),
                      series_ops(k), value_ops(k), abs(series[k] - truth[k]) / scale, abs(by_grad - truth[k]) / scale))
    return found


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("taylor", __doc__).parse_args(argv)
    print(f"f(x) = exp(sin(x^2)) at x = {X}: the k-th derivative by Taylor mode (one pass) and by k nested grads\n")
    print(f"{'k':>2}{'Taylor ms':>11}{'nested ms':>11}{'series ops':>12}{'Value ops':>11}{'Taylor err':>12}"
          f"{'nested err':>12}")
    found = rows()
    for k, tt, tg, so, vo, et, eg in found:
        print(f"{k:>2}{tt * 1e3:>11.3f}{tg * 1e3:>11.3f}{so:>12,}{vo:>11,}{et:>12.1e}{eg:>12.1e}")
    print("errors: relative to sympy's exact derivative (40 digits)")
    k, tt, tg = found[-1][:3]
    print(f"At order {k}, Taylor mode took {tt * 1e3:.2f} ms and nested grad {tg * 1e3:.0f} ms ({tg / tt:.0f}x): the "
          f"nested graphs grow with each order, the series by one coefficient.")
    every = taylor(f, X, order=8)
    print("Taylor mode gives every order at once: " + ", ".join(f"f^({n}) = {d:.6g}" for n, d in enumerate(every[:5]))
          + ", ...")
    g = lambda v: (v[0] * v[1]).sin() + v[0] ** 3  # noqa: E731
    along = taylor(g, [0.4, -1.1], order=4, direction=[0.6, 0.8])
    print(f"\nAlong a direction: g(x, y) = sin(xy) + x^3 at (0.4, -1.1) along v = (0.6, 0.8): d^n/dt^n g(p + t v) = "
          + ", ".join(f"{d:.6g}" for d in along) + f" for n = 0..4 (n = 2 is v^T H v)")
    path = plot_scaling({"order k": {"Taylor mode": [(r[0], r[1]) for r in found],
                                     "nested grad": [(r[0], r[2]) for r in found]}},
                        args.out / "taylor.png", title="the k-th derivative of exp(sin(x^2)): time against k")
    print(f"plot: {path}")
    return 0
