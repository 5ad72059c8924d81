"""The operators and functions that every number-like kind shares: Value, Dual, Sym.

A kind says only how to apply an op to its arguments (``_apply``); every operator
and function below is the op itself, so ``x.tanh()`` and ``x * y`` mean the same
thing whether x is a Value being recorded, a dual number carrying a tangent, or a
symbol being printed. ``_rank`` settles mixed arguments: the highest kind applies
the op (a Dual may hold Values; a Value never holds a Dual).
"""

from __future__ import annotations

import numbers
from typing import Any

from . import ops
from .checks import as_float, data_of


class Arithmetic:
    """Mix-in: Python's operators and the engine's functions, all through ``ops``.

    >>> from engine import Value
    >>> (Value(2.0) ** 3 - 1).data
    7.0
    """

    __slots__ = ()
    _rank = 0

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None, mixed: bool = True) -> Any:
        """Apply ``op`` to ``args`` (``mixed``: not all of this kind) and return a number of this kind."""
        raise NotImplementedError

    # -- functions ---------------------------------------------------------------

    def exp(self) -> Any:
        """e**x. ``Value(0.0).exp().data == 1.0``"""
        return ops.EXP(self)

    def log(self) -> Any:
        """Natural log; ValueError for x <= 0. ``Value(1.0).log().data == 0.0``"""
        return ops.LOG(self)

    def sqrt(self) -> Any:
        """Square root; ValueError for x < 0. ``Value(4.0).sqrt().data == 2.0``"""
        return ops.SQRT(self)

    def sin(self) -> Any:
        """Sine. ``Value(0.0).sin().data == 0.0``"""
        return ops.SIN(self)

    def cos(self) -> Any:
        """Cosine. ``Value(0.0).cos().data == 1.0``"""
        return ops.COS(self)

    def tanh(self) -> Any:
        """Hyperbolic tangent. ``Value(0.0).tanh().data == 0.0``"""
        return ops.TANH(self)

    def sigmoid(self) -> Any:
        """1 / (1 + e**-x), stable for any finite x. ``Value(0.0).sigmoid().data == 0.5``"""
        return ops.SIGMOID(self)

    def softplus(self) -> Any:
        """log(1 + e**x), stable for any finite x. ``Value(-1e3).softplus().data == 0.0``"""
        return ops.SOFTPLUS(self)

    def relu(self) -> Any:
        """max(x, 0), with relu'(0) = 0. ``Value(-2.0).relu().data == 0.0``"""
        return ops.RELU(self)

    def leaky_relu(self, slope: float = 0.01) -> Any:
        """x for x > 0, else slope * x. ``Value(-2.0).leaky_relu(0.1).data == -0.2``"""
        return ops.LEAKY_RELU(self, param=as_float(slope, "leaky_relu slope"))

    def round(self) -> Any:
        """The nearest whole number (halves to even), as a number of this kind; its gradient is 0.
        ``Value(2.5).round().data == 2.0``"""
        return ops.ROUND(self)

    def floor(self) -> Any:
        """The largest whole number <= x; its gradient is 0. ``Value(-0.5).floor().data == -1.0``"""
        return ops.FLOOR(self)

    def sign(self) -> Any:
        """-1, 0 or 1; its gradient is 0. ``Value(-3.0).sign().data == -1.0``"""
        return ops.SIGN(self)

    def step(self) -> Any:
        """1 where x > 0, else 0 (Heaviside's step); its gradient is 0. ``Value(0.5).step().data == 1.0``"""
        return ops.STEP(self)

    def abs(self) -> Any:
        """|x|, with abs'(0) = 0. ``abs(Value(-2.0)).data == 2.0``"""
        return ops.ABS(self)

    __abs__ = abs

    # -- operators (a plain number on either side becomes a constant of the op) ------

    def __add__(self, other: Any) -> Any:
        return ops.ADD(self, other)

    def __radd__(self, other: Any) -> Any:
        return ops.ADD(other, self)

    def __sub__(self, other: Any) -> Any:
        return ops.SUB(self, other)

    def __rsub__(self, other: Any) -> Any:
        return ops.SUB(other, self)

    def __mul__(self, other: Any) -> Any:
        return ops.MUL(self, other)

    def __rmul__(self, other: Any) -> Any:
        return ops.MUL(other, self)

    def __truediv__(self, other: Any) -> Any:
        return ops.DIV(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return ops.DIV(other, self)

    def __pow__(self, other: Any) -> Any:
        """``x ** 2`` (number exponent) or ``x ** y`` (Value exponent, gradient to both)."""
        if isinstance(other, numbers.Real) and not isinstance(other, Arithmetic):
            return ops.POW(self, param=as_float(other, "exponent"))
        return ops.VPOW(self, other)

    def __rpow__(self, other: Any) -> Any:
        """``2 ** x``: the base is a constant, the gradient flows to the exponent."""
        if isinstance(other, numbers.Real) and not isinstance(other, Arithmetic):
            return ops.RPOW(self, param=as_float(other, "base"))
        return ops.VPOW(other, self)

    def __neg__(self) -> Any:
        return ops.NEG(self)

    def __pos__(self) -> Any:
        return self

    # -- comparisons and conversions -----------------------------------------------
    # Comparisons look at the data and give bools, so max(), sorted() and hand-written
    # branches work. Equality stays identity: these are graph nodes, kept in sets and
    # dicts. Turning one into a plain number (float(), math.exp(), round(), an index)
    # would silently cut the gradient, so those refuse with a message saying what to use.

    def __lt__(self, other: Any) -> bool:
        return _plain(self._compared("<") < data_of(other))

    def __le__(self, other: Any) -> bool:
        return _plain(self._compared("<=") <= data_of(other))

    def __gt__(self, other: Any) -> bool:
        return _plain(self._compared(">") > data_of(other))

    def __ge__(self, other: Any) -> bool:
        return _plain(self._compared(">=") >= data_of(other))

    def __bool__(self) -> bool:
        """True unless the data is 0, as for a number (and a one-element tensor)."""
        return self._compared("bool()") != 0.0

    def _compared(self, use: str) -> float:
        """The float a comparison or ``bool`` looks at; kinds that cannot branch refuse here."""
        return self.data

    def __float__(self) -> float:
        raise TypeError(_converted(self, "float() (which math.exp, math.sin and the rest call)", "v.data"))

    def __int__(self) -> int:
        raise TypeError(_converted(self, "int()", "int(v.data)"))

    def __index__(self) -> int:
        raise TypeError(_converted(self, "an index or range()", "int(v.data)"))

    def __round__(self, ndigits: Any = None) -> Any:
        raise TypeError(_converted(self, "round()", "round(v.data)"))

    def __complex__(self) -> complex:
        raise TypeError(_converted(self, "complex()", "v.data"))

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats the data; an empty spec gives the repr."""
        return format(self.data, spec) if spec else repr(self)


def _plain(outcome: Any) -> Any:
    """A comparison's outcome as Python's bool (a NumPy number compares to a NumPy bool); an array's, as NumPy gives it."""
    return outcome if outcome.__class__ is bool or getattr(outcome, "shape", ()) != () else bool(outcome)


def _converted(x: Any, use: str, instead: str) -> str:
    kind = type(x).__name__
    return (f"{use} on a {kind} ({x!r}) would give a plain number and silently cut the gradient. "
            f"Use the {kind}'s own functions (v.exp(), v.sin(), v.tanh(), ...) to stay in the graph, "
            f"or {instead} to read the number on purpose")

