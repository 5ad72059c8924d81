"""Second-order tools on top of ``grad`` and ``jvp``: the Hessian-vector product.

Chapter 002 (``../shared/chapters/002_dede87141e9fc4a0.txt``, lines 262-271) names the two
ways to differentiate a gradient, forward-over-reverse and reverse-over-reverse, and the
Jacobian-free product Hv ~ (grad f(x + eps v) - grad f(x)) / eps. ``hvp`` computes Hv
exactly either way, without forming H: no derivative is written here, only compositions
of the engine's own transforms.
"""

from __future__ import annotations

from typing import Any, Callable, List, Sequence, Union

from ..checks import as_float
from ..reductions import dot
from .forward import jvp
from .functional import grad

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
