"""Backprop in other number systems, emulated: fixed point, and a logarithmic number system.

A number kind here holds a float that is always on its system's grid: every op's result (its value by the op's
float function, then rounded to the grid) is one of the system's numbers. :func:`gradients_in` runs a traced
graph's forward pass again in the system (``carry``) and its backward pass there too (each op's one rule, applied
to the system's numbers, so every local derivative, product and sum of adjoints is rounded as hardware would), and
gives the gradients. Backpropagation Calculus for Deep Learning asks what becomes of gradients in fixed-point and
logarithmic arithmetic (its research questions, line 449).

- :class:`FixedPoint`: ``fraction`` bits after the point and ``integer`` bits before it (two's complement):
  a resolution of 2^-fraction, and saturation at the range's ends. Small gradients round to 0.
- :class:`Logarithmic`: a sign and log2|x| rounded to ``fraction`` bits. A product of two of its numbers is exact
  (logs add), a sum is rounded: the relative error is the same at every magnitude, so nothing underflows early.
"""

from __future__ import annotations

import math
from typing import Any, Callable, List, Sequence

from .. import ops
from ..arithmetic import Arithmetic
from ..checks import data_of
from ..graph import topological_order
from ..reverse import carry, isolated_gradients


class _OnGrid(Arithmetic):
    """A number on a grid; subclasses say how a float is rounded onto it (``rounded``)."""

    __slots__ = ("data",)
    _rank = 2.5

    def __init__(self, x: float) -> None:
        self.data = self.rounded(x)

    @classmethod
    def rounded(cls, x: float) -> float:
        raise NotImplementedError

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None, mixed: bool = True) -> "_OnGrid":
        return cls(op.evaluate([data_of(a) if isinstance(a, _OnGrid) else cls.rounded(float(data_of(a)))
                                for a in args], param))

    def if_positive(self, then: Any, otherwise: Any) -> Any:
        return then if self.data > 0 else otherwise

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r})"


def FixedPoint(fraction: int, integer: int = 15) -> type:
    """The kind of fixed-point numbers with ``fraction`` bits after the point and ``integer`` before it (and a sign).

    >>> Q8 = FixedPoint(8)
    >>> (Q8(0.1) * Q8(3.0)).data      # 0.1 is 26/256 on this grid; times 3 is 78/256
    0.3046875
    """
    step, top = 2.0 ** -fraction, 2.0 ** integer - 2.0 ** -fraction

    class Fixed(_OnGrid):
        __slots__ = ()
        bits = (fraction, integer)

        @classmethod
        def rounded(cls, x: float) -> float:
            return max(-top - step, min(top, round(x / step) * step))  # saturates at the ends, as DSPs do

    Fixed.__name__ = Fixed.__qualname__ = f"FixedPoint{integer}.{fraction}"
    return Fixed


def Logarithmic(fraction: int) -> type:
    """The kind of logarithmic numbers: a sign and log2|x| with ``fraction`` bits after the point (0 is kept).

    >>> L4 = Logarithmic(4)
    >>> L4(3.0).data, (L4(2.0) * L4(8.0)).data     # 3 is 2^(25/16) on this grid; a product adds the logs exactly
    (2.9536522918789987, 16.0)
    """
    scale = 2.0 ** fraction

    class Log(_OnGrid):
        __slots__ = ()
        bits = (fraction,)

        @classmethod
        def rounded(cls, x: float) -> float:
            if x == 0.0:
                return 0.0
            return math.copysign(2.0 ** (round(math.log2(abs(x)) * scale) / scale), x)

    Log.__name__ = Log.__qualname__ = f"Logarithmic{fraction}"
    return Log


def gradients_in(kind: type, root: Any, wrt: Sequence[Any]) -> List[float]:
    """d root / d each of ``wrt`` (Values of a traced graph) with the forward and backward pass computed again in
    the number system ``kind`` (``FixedPoint(8)``, ``Logarithmic(6)``): every value, local derivative and adjoint
    on its grid.

    >>> from engine import Value
    >>> x = Value(0.3); y = (x * x).tanh()
    >>> [round(g, 4) for g in gradients_in(FixedPoint(8), y, [x])], round(2 * 0.3 * (1 - math.tanh(0.09) ** 2), 4)
    ([0.5938], 0.5952)
    """
    def leaf(v: Any) -> Any:
        return kind(v._data)  # a weight or an input, rounded onto the grid

    nodes = [n for n in topological_order(root) if n._prev]
    carried = carry(nodes, leaf, f"gradients_in({kind.__name__})")
    grads = isolated_gradients(root, list(wrt), number_of=lambda v: carried[v] if v in carried else leaf(v))
    return [data_of(g) for g in grads]
