"""The Value: a scalar that remembers how it was made, so its gradient can flow back."""

from __future__ import annotations

import itertools
import numbers
from typing import Any, Callable, Tuple, Union

from . import ops
from .checks import as_float, evaluate, operands
from .graph import topological_order

Number = Union[int, float]
_ids = itertools.count()  # creation order, which is always a topological order


class Value:
    """A scalar in a computation graph, as in micrograd.

    ``data`` is the float, ``grad`` the derivative of the last ``backward()`` root
    with respect to it, ``_prev`` the parents in argument order and ``_op`` the
    operation that made it.

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 2 * x
    >>> y.backward()
    >>> y.data, x.grad
    (15.0, 8.0)
    """

    __slots__ = ("data", "grad", "label", "_prev", "_fn", "_param", "_id")

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} {label!r}")
        self.data = as_float(data)
        self.grad = 0.0
        self.label = label
        self._prev: Tuple[Value, ...] = ()
        self._fn: ops.Op | None = None  # the op that made this Value; None for a leaf
        self._param: Any = None  # the op's parameter: the k of x**k, the slope of leaky_relu
        self._id = next(_ids)

    # -- the graph ---------------------------------------------------------------

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None) -> "Value":
        """Apply ``op`` to Values and plain numbers: the generic entry used by ``Op.__call__``."""
        return _node(op, tuple(_coerce(a) for a in args), param)

    @property
    def _op(self) -> str:
        """The operation's symbol as micrograd shows it: '+', '*', '**2', 'tanh'; '' for a leaf."""
        if self._fn is ops.POW:
            return f"**{self._param:g}"
        return self._fn.symbol if self._fn is not None else ""

    def _backward(self) -> None:
        """Send this node's grad to its parents, each times its local derivative."""
        g = self.grad
        if g - g != 0.0:
            raise OverflowError(f"backward: the gradient reaching {self._describe()} is {g}")
        prev = self._prev
        if not prev or g == 0.0:
            return
        try:
            partials = self._fn.local_derivatives([p.data for p in prev], self.data, self._param)
        except (ArithmeticError, ValueError) as e:  # e.g. sqrt'(0) is infinite
            raise type(e)(f"backward through {self._describe()}: the local derivative is undefined ({e})") from e
        for parent, d in zip(prev, partials):
            parent.grad += d * g

    def backward(self) -> None:
        """Fill in ``grad`` for every Value this one depends on, by reverse-mode AD.

        Leaves (Values with no parents) accumulate across calls, as in PyTorch;
        intermediate nodes are recomputed each call, so calling twice adds exactly
        one more copy of the gradient to each leaf. Call ``zero_grad`` in between
        to start afresh.

        >>> a = Value(2.0); b = a * a; b.backward(); b.backward(); a.grad
        8.0
        """
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            node._backward()

    def _describe(self) -> str:
        name = f" '{self.label}'" if self.label else ""
        if self._fn is None:
            return f"leaf{name} with data={self.data!r}"
        return f"{self._fn.name}{name} with {operands(self._fn, [p.data for p in self._prev], self._param)}"

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- functions ---------------------------------------------------------------

    def exp(self) -> "Value":
        """e**self. ``Value(0.0).exp().data == 1.0``"""
        return _node(ops.EXP, (self,))

    def log(self) -> "Value":
        """Natural log; ValueError for data <= 0. ``Value(1.0).log().data == 0.0``"""
        return _node(ops.LOG, (self,))

    def sqrt(self) -> "Value":
        """Square root; ValueError for data < 0. ``Value(4.0).sqrt().data == 2.0``"""
        return _node(ops.SQRT, (self,))

    def sin(self) -> "Value":
        """Sine. ``Value(0.0).sin().data == 0.0``"""
        return _node(ops.SIN, (self,))

    def cos(self) -> "Value":
        """Cosine. ``Value(0.0).cos().data == 1.0``"""
        return _node(ops.COS, (self,))

    def tanh(self) -> "Value":
        """Hyperbolic tangent. ``Value(0.0).tanh().data == 0.0``"""
        return _node(ops.TANH, (self,))

    def sigmoid(self) -> "Value":
        """1 / (1 + e**-x), stable for any finite x. ``Value(0.0).sigmoid().data == 0.5``"""
        return _node(ops.SIGMOID, (self,))

    def softplus(self) -> "Value":
        """log(1 + e**x), stable for any finite x. ``Value(-1e3).softplus().data == 0.0``"""
        return _node(ops.SOFTPLUS, (self,))

    def relu(self) -> "Value":
        """max(x, 0), with relu'(0) = 0. ``Value(-2.0).relu().data == 0.0``"""
        return _node(ops.RELU, (self,))

    def leaky_relu(self, slope: float = 0.01) -> "Value":
        """x for x > 0, else slope * x. ``Value(-2.0).leaky_relu(0.1).data == -0.2``"""
        return _node(ops.LEAKY_RELU, (self,), as_float(slope, "leaky_relu slope"))

    def abs(self) -> "Value":
        """|x|, with abs'(0) = 0. ``abs(Value(-2.0)).data == 2.0``"""
        return _node(ops.ABS, (self,))

    __abs__ = abs

    # -- operators ---------------------------------------------------------------

    def __pow__(self, other: Union["Value", Number]) -> "Value":
        """``x ** 2`` (number exponent) or ``x ** y`` (Value exponent, gradient to both)."""
        if isinstance(other, numbers.Real) and not isinstance(other, Value):
            return _node(ops.POW, (self,), as_float(other, "exponent"))
        other = _coerce(other)
        return other if other is NotImplemented else _node(ops.VPOW, (self, other))

    def __rpow__(self, other: Number) -> "Value":
        """``2 ** x``: the base is a constant, the gradient flows to the exponent."""
        other = _coerce(other)
        return other if other is NotImplemented else _node(ops.VPOW, (other, self))

    def __neg__(self) -> "Value":
        return _node(ops.NEG, (self,))

    def __pos__(self) -> "Value":
        return self

    # Comparisons look at data and give bools, so max() and sorted() work. Equality
    # stays identity: Values are graph nodes and live in sets and dicts.
    def __lt__(self, other: Any) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data(other)

    def __float__(self) -> float:
        return self.data


def _binary(op: ops.Op, reflected: bool = False) -> Callable[[Value, Any], Value]:
    def method(self: Value, other: Any) -> Value:
        other = _coerce(other)
        if other is NotImplemented:
            return NotImplemented
        return _node(op, (other, self) if reflected else (self, other))

    method.__name__ = f"__{'r' if reflected else ''}{op.name.replace('div', 'truediv')}__"
    return method


for _op in (ops.ADD, ops.SUB, ops.MUL, ops.DIV):
    for _reflected in (False, True):
        _method = _binary(_op, _reflected)
        setattr(Value, _method.__name__, _method)


_new = object.__new__


def _node(op: ops.Op, parents: Tuple[Value, ...], param: Any = None) -> Value:
    """Compute, then record: the one place a non-leaf Value is made."""
    data = evaluate(op, [p.data for p in parents], param)
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._prev = parents
    out._fn = op
    out._param = param
    out._id = next(_ids)
    return out


def _coerce(x: Any) -> Value:
    """A Value for x: itself, or a constant leaf for a plain number."""
    cls = x.__class__
    if cls is Value:
        return x
    if cls is float or cls is int:  # the common case, before the slower checks below
        return Value(x)
    if isinstance(x, Value):
        return x
    if not isinstance(x, numbers.Real) and hasattr(type(x), "_apply"):
        return NotImplemented  # another number-like kind (a dual number, say) takes over
    return Value(as_float(x, "operand"))


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else as_float(x, "comparison operand")
