"""Assertions for tests of derivatives: a hand derivative against the engine and finite differences,
and JAX-style ``check_grads`` over every combination of forward and reverse mode.

Both raise :class:`DerivativeError` with a table of what disagreed, the function as a
formula and the engine's graph of the failing example (the pytest plugin prints it).
"""

from __future__ import annotations

import inspect
import io
import random
from typing import Any, Callable, List, NamedTuple, Optional, Sequence, Tuple

from ..checks import data_of
from ..symbolic import Sym
from ..transforms import differences
from ..transforms.explain import table
from ..transforms.forward import jvp
from ..reductions import dot
from ..transforms.functional import grad
from ..transforms.gradcheck import first_gradient, relative_error, step, value_at
from ..value import Value

FORMULA_WIDTH = 120  # longer formulas are cut: the graph of the failing example shows them whole


class DerivativeError(AssertionError):
    """A derivative disagreed with its reference. ``rows`` hold the numbers, ``formula`` the function
    and ``graph`` the engine's table of the failing example's nodes."""

    def __init__(self, message: str, rows: Sequence[Any] = (), formula: str = "", graph: str = "") -> None:
        super().__init__(message)
        self.rows, self.formula, self.graph = list(rows), formula, graph


class DerivativeRow(NamedTuple):
    """One partial derivative at one point: the hand value, the engine's, the numeric one."""

    input: str
    hand: float
    engine: float
    numeric: float
    rel_error: float
    verdict: str  # "ok", or which of the three disagree


def close(actual: float, expected: float, rel: float, floor: float = 1.0) -> bool:
    """``|actual - expected| <= rel * max(|expected|, floor)``: relative, with a floor near zero.

    >>> close(1.0 + 1e-10, 1.0, rel=1e-9), close(1e-12, 0.0, rel=1e-9)
    (True, True)
    """
    return abs(actual - expected) <= rel * max(abs(expected), floor)


def input_names(n: int) -> List[str]:
    """What the toolkit calls a function's inputs: x for one, x0, x1, ... for several.

    >>> input_names(1), input_names(2)
    (['x'], ['x0', 'x1'])
    """
    return ["x"] if n == 1 else [f"x{i}" for i in range(n)]


def formula_of(f: Callable[..., Any], n: int) -> str:
    """``f`` written as a formula, by applying it to symbols: ``exp(sin(x^2))``; its name if it cannot be.

    >>> formula_of(lambda x: (x ** 2).sin().exp(), 1)
    'exp(sin(x^2))'
    """
    try:
        text = str(f(*[Sym(name) for name in input_names(n)]))
    except Exception:  # noqa: BLE001 (a function of models or lists: no formula, only a name)
        return getattr(f, "__name__", repr(f))
    return text if len(text) <= FORMULA_WIDTH else text[:FORMULA_WIDTH - 1] + "…"


def _floats(xs: Any) -> Tuple[float, ...]:
    return tuple(float(x) for x in xs) if isinstance(xs, (list, tuple)) else (float(xs),)


def _graph(f: Callable[..., Any], xs: Sequence[float]) -> str:
    leaves = [Value(x, label=name) for x, name in zip(xs, input_names(len(xs)))]
    out = f(*leaves)
    if not isinstance(out, Value):
        return ""
    out.backward()
    text = io.StringIO()
    table(out, file=text)  # a hand-made node shows "hand-written" for its local derivatives
    return text.getvalue().rstrip()


def _takes(f: Callable[..., Any], n: int) -> None:
    """A clear error when a point has the wrong number of coordinates for ``f``."""
    try:
        inspect.signature(f).bind(*range(n))
    except TypeError:
        raise TypeError(f"assert_derivative: f does not take {n} input{'s' * (n != 1)}, as a point of {n} number"
                        f"{'s' * (n != 1)} needs; give each point of a function of several inputs as a tuple: "
                        f"at=[(0.5, 2.0), ...] (a list is several points)") from None
    except ValueError:  # a builtin with no signature to read: let the call say
        pass


def _check_point(f: Callable[..., Any], df: Callable[..., Any], xs: Tuple[float, ...], scheme: str,
                 eps: Optional[float], rtol: float, atol: float, numeric_rtol: float, numeric_atol: float
                 ) -> List[DerivativeRow]:
    n = len(xs)
    _takes(f, n)
    engine = first_gradient(f, xs)  # the float pass: hand-written _backward closures run too
    hand = df(*xs)
    hand = list(hand) if isinstance(hand, (list, tuple)) else [hand]
    if len(hand) != n:
        raise TypeError(f"assert_derivative: the hand derivative returned {len(hand)} values for a function of "
                        f"{n} inputs; return one partial derivative per input")
    names = input_names(n)
    where = ", ".join(f"{name}={x:.6g}" for name, x in zip(names, xs))
    rows = []
    for j in range(n):
        hj, ej = float(data_of(hand[j])), engine[j]
        nj = differences.partial_derivative(lambda *p: value_at(f, p), xs, j, scheme, step(eps, xs[j]))
        label = f"d/d{names[j]} at {where}"
        verdict = _verdict(abs(hj - ej) <= atol + rtol * abs(ej),
                           abs(ej - nj) <= numeric_atol + numeric_rtol * abs(nj),
                           abs(hj - nj) <= numeric_atol + numeric_rtol * abs(nj))
        rows.append(DerivativeRow(label, hj, ej, nj, relative_error(hj, ej), verdict))
    return rows


def _verdict(hand_engine: bool, engine_numeric: bool, hand_numeric: bool) -> str:
    """Which of the three disagrees: the one the other two agree against."""
    if hand_engine and engine_numeric:
        return "ok"
    if engine_numeric:
        return "hand differs"
    if hand_numeric:
        return "engine differs (an op's derivative rule, or a hand-written _backward?)"
    return "all three differ (not smooth here?)"


def _table(rows: Sequence[DerivativeRow]) -> str:
    width = max(len(r.input) for r in rows)
    lines = [f"{'input':<{width}}  {'hand':>14}  {'engine':>14}  {'numeric':>14}  {'rel. error':>10}  verdict"]
    lines += [f"{r.input:<{width}}  {r.hand:>14.8g}  {r.engine:>14.8g}  {r.numeric:>14.8g}  {r.rel_error:>10.2e}  "
              f"{r.verdict}" for r in rows]
    return "\n".join(lines)


def assert_derivative(f: Callable[..., Any], df: Callable[..., Any], at: Any, *, scheme: str = "central",
                      eps: Optional[float] = None, rtol: float = 1e-7, atol: float = 1e-9,
                      numeric_rtol: float = 1e-3, numeric_atol: float = 1e-5) -> None:
    """Check a hand-derived derivative ``df`` of ``f`` against the engine and finite differences.

    ``f`` takes numbers as Values (write ``x.sin()``); ``df`` takes the same numbers as
    floats and returns f'(x), or one partial per input. ``at`` is a point (a number or
    a tuple), a list of points, or a hypothesis strategy drawing them (the failing
    example is then shrunk). The hand value must match the engine's within
    ``atol + rtol * |engine|``, and the engine's the ``scheme``'s finite difference within
    ``numeric_atol + numeric_rtol * |numeric|`` (finite differences are good to a few
    digits). ``eps`` is the finite-difference step before scaling by max(1, |x|), as in
    ``gradcheck``. On a mismatch :class:`DerivativeError` shows the table and the formula.
    The engine's derivative comes from the plain backward pass, so a node with a
    hand-written ``_backward`` (as in the lecture) is checked as it is.

    >>> assert_derivative(lambda x: x.sin() * x, lambda x: x * __import__("math").cos(x) + __import__("math").sin(x),
    ...                   at=[0.5, 2.0])
    """
    differences.scheme(scheme)
    tolerances = (rtol, atol, numeric_rtol, numeric_atol)
    strategy = _strategy(at)
    if strategy is not None:
        from hypothesis import given

        def assert_derivative_at(point: Any) -> None:  # the name hypothesis shows for a failing case
            _assert_points(f, df, [point], scheme, eps, tolerances)

        given(strategy)(assert_derivative_at)()
        return
    points = at if isinstance(at, list) else [at]
    _assert_points(f, df, points, scheme, eps, tolerances)


def _strategy(at: Any) -> Any:
    try:
        from hypothesis.strategies import SearchStrategy
    except ImportError:
        return None
    return at if isinstance(at, SearchStrategy) else None


def _assert_points(f, df, points, scheme, eps, tolerances) -> None:  # noqa: ANN001
    for point in points:
        xs = _floats(point)
        rows = _check_point(f, df, xs, scheme, eps, *tolerances)
        if any(r.verdict != "ok" for r in rows):
            formula = formula_of(f, len(xs))
            graph = _graph(f, xs)
            raise DerivativeError(f"the derivative of {formula} disagrees ({scheme} differences):\n{_table(rows)}",
                                  rows, formula, graph)


# -- check_grads: JAX's semantics ------------------------------------------------------------------


def _outputs(y: Any) -> List[Any]:
    return list(y) if isinstance(y, (list, tuple)) else [y]


def _as_floats(ys: Sequence[Any]) -> List[float]:
    return [float(data_of(y)) for y in ys]


def check_grads(f: Callable[..., Any], args: Sequence[float], order: int = 2, modes: Sequence[str] = ("fwd", "rev"),
                *, scheme: str = "central", eps: Optional[float] = None, atol: float = 1e-5, rtol: float = 1e-5,
                seed: int = 0) -> None:
    """Check ``f``'s derivatives up to ``order`` in random directions, in every combination of modes.

    As JAX's ``check_grads``: "fwd" compares ``jvp`` along a random direction with a
    finite difference along it; "rev" compares the vector-Jacobian product with it by
    the identity <u, J v> = <J^T u, v>; for order > 1 each check runs again on the
    derivative function (the jvp, or the vjp with the output as cotangent), so order 2
    covers JVP of JVP, VJP of JVP, JVP of VJP and VJP of VJP. ``f`` maps numbers to a
    number or a list of them. Raises :class:`DerivativeError` naming the failing combination.

    >>> check_grads(lambda x, y: (x * y).sin() + x ** 3, [0.5, -1.2], order=2)
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"check_grads: order must be a whole number >= 1, got {order!r}")
    unknown = set(modes) - {"fwd", "rev"}
    if unknown or not modes:
        raise ValueError(f"check_grads: modes must be some of 'fwd' and 'rev', got {modes!r}")
    differences.scheme(scheme)
    rng = random.Random(seed)
    _check(f, [float(a) for a in args], order, modes, "", rng, scheme, eps, atol, rtol)


def _check(f, args, order, modes, what, rng, scheme, eps, atol, rtol) -> None:  # noqa: ANN001
    n = len(args)

    def numeric(v: Sequence[float]) -> List[float]:
        return differences.directional(lambda *p: _as_floats(_outputs(f(*[Value(x) for x in p]))), args, v,
                                       scheme, step(eps, max(abs(x) for x in args)))

    if "fwd" in modes:
        label = f"JVP of {what}" if what else "JVP"
        v = [rng.gauss(0, 1) for _ in range(n)]
        _, tangent = jvp(f, args, v)
        _compare(label, _as_floats(_outputs(tangent)), numeric(v), f, args, atol, rtol)
        if order > 1:
            def f_jvp(*a: Any) -> List[Any]:
                out, t = jvp(f, a[:n], a[n:])
                return _outputs(out) + _outputs(t)
            _check(f_jvp, args + v, order - 1, modes, label, rng, scheme, eps, atol, rtol)
    if "rev" in modes:
        label = f"VJP of {what}" if what else "VJP"
        v = [rng.gauss(0, 1) for _ in range(n)]
        m = len(_outputs(f(*[Value(x) for x in args])))
        u = [rng.gauss(0, 1) for _ in range(m)]
        cotangent = grad(lambda *a: dot(u, _outputs(f(*a))), argnums=tuple(range(n)))(*args)
        jtu = _as_floats(cotangent)
        _compare(label, [sum(a * b for a, b in zip(jtu, v))], [sum(a * b for a, b in zip(u, numeric(v)))],
                 f, args, atol, rtol)
        if order > 1:
            def half_square(*b: Any) -> Any:
                y = _outputs(f(*b))
                return dot(y, y) * 0.5

            def f_vjp(*a: Any) -> List[Any]:  # the vjp with the output as cotangent: J^T f
                return list(grad(half_square, argnums=tuple(range(n)))(*a))
            _check(f_vjp, args, order - 1, modes, label, rng, scheme, eps, atol, rtol)


def _compare(label, got, want, f, args, atol, rtol) -> None:  # noqa: ANN001
    rows = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if abs(g - w) > atol + rtol * abs(w)]
    if rows:
        lines = [f"output {i}: analytic {g:.10g}, numeric {w:.10g}, rel. error {relative_error(g, w):.2e}"
                 for i, g, w in rows]
        formula = formula_of(f, len(args))
        raise DerivativeError(f"check_grads: {label} of {formula} at {args} disagrees with finite differences:\n"
                              + "\n".join(lines), rows, formula, "")
