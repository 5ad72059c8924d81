"""The Value: a scalar that remembers how it was made, so its gradient can flow back."""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any, Iterator, Tuple, Union

from . import ops
from .arithmetic import Arithmetic
from .checks import as_float, evaluate, operands
from .graph import topological_order
from .modes import creation_site, site_of, state
from .reverse import BackwardStep, check_gradient, contributions, reverse_pass

Number = Union[int, float]
_ids = itertools.count()  # creation order, which is always a topological order


class Value(Arithmetic):
    """A scalar in a computation graph, as in micrograd.

    ``data`` is the float, ``grad`` the derivative of the last ``backward()`` root
    with respect to it, ``_prev`` the parents in argument order and ``_op`` the
    operation that made it. Operators and functions come from ``Arithmetic``.

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 2 * x
    >>> y.backward()
    >>> y.data, x.grad
    (15.0, 8.0)
    """

    __slots__ = ("data", "grad", "label", "scope", "_prev", "_fn", "_param", "_id")
    _rank = 1

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} {label!r}")
        self.data = as_float(data)
        self.grad: Any = 0.0
        self.label = label
        self.scope = ""  # where a model made it: "layer1.neuron3"; viz groups by it
        self._prev: Tuple[Value, ...] = ()
        self._fn: ops.Op | None = None  # the op that made this Value; None for a leaf
        self._param: Any = None  # the op's parameter: the k of x**k, the slope of leaky_relu
        self._id = next(_ids)
        if state.anomaly:
            state.sites[self] = creation_site()

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None) -> "Value":
        """Apply ``op`` to Values and plain numbers (numbers become constant leaves)."""
        return _node(op, tuple(_coerce(a, f"{op.name} operand") for a in args), param)

    @property
    def _op(self) -> str:
        """The operation's symbol as micrograd shows it: '+', '*', '**2', 'tanh'; '' for a leaf."""
        if self._fn is ops.POW:
            return f"**{self._param:g}"
        return self._fn.symbol if self._fn is not None else ""

    # -- backward ----------------------------------------------------------------

    def backward(self, create_graph: bool = False) -> None:
        """Fill in ``grad`` for every Value this one depends on, by reverse-mode AD.

        Leaves (Values with no parents) accumulate across calls, as in PyTorch;
        intermediate nodes are recomputed each call, so calling twice adds exactly
        one more copy of the gradient to each leaf. With ``create_graph=True`` the
        grads are Values with graphs of their own, to differentiate again.

        >>> a = Value(2.0); b = a * a; b.backward(); b.backward(); a.grad
        8.0
        """
        order = self._seed()
        deque(reverse_pass(order, create_graph), maxlen=0)
        for node in order:
            if not node._prev:
                check_gradient(node, node.grad)

    def _seed(self) -> list:
        # Intermediate nodes start from zero; leaves keep what they have; the root gets 1.
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0
        return order

    def backward_steps(self) -> Iterator[BackwardStep]:
        """The backward pass one node at a time: each step updates the grads and says what it did.

        >>> x = Value(3.0, label="x"); y = x * x + x; y.label = "y"
        >>> for step in y.backward_steps():
        ...     print(step)
        y: adjoint 1 -> * += 1, x += 1
        *: adjoint 1 -> x += 3, x += 3
        >>> x.grad
        7.0
        """
        for node, g, sent in reverse_pass(self._seed()):
            yield BackwardStep(node, g, sent)

    def _backward(self) -> None:
        """micrograd's per-node step: add this node's grad, times each local derivative, to its parents."""
        check_gradient(self, self.grad)
        if self._prev and self.grad != 0.0:
            for parent, c in contributions(self, self.grad):
                parent.grad += c

    # -- the rest ----------------------------------------------------------------

    def detach(self) -> "Value":
        """A new leaf with the same data and label: gradients stop here.

        >>> x = Value(2.0); y = x.detach() * x; y.backward(); x.grad
        2.0
        """
        return Value(self.data, self.label)

    def _describe(self) -> str:
        name = f" '{self.label}'" if self.label else ""
        if self._fn is None:
            return f"leaf{name} with data={self.data!r}"
        return f"{self._fn.name}{name} with {operands(self._fn, [p.data for p in self._prev], self._param)}"

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        grad = self.grad if self.grad.__class__ is float else f"Value({self.grad.data!r})"
        return f"Value(data={self.data!r}, grad={grad}{label})"

    # Comparisons look at data and give bools, so max() and sorted() work. Equality
    # stays identity: Values are graph nodes and live in sets and dicts. While
    # engine.compile traces, a branch on a Value's data would be frozen into the tape,
    # so comparing (or converting to float or bool) is an error there.
    def __lt__(self, other: Any) -> bool:
        return _data(self, "<") < _data(other)

    def __le__(self, other: Any) -> bool:
        return _data(self, "<=") <= _data(other)

    def __gt__(self, other: Any) -> bool:
        return _data(self, ">") > _data(other)

    def __ge__(self, other: Any) -> bool:
        return _data(self, ">=") >= _data(other)

    def __float__(self) -> float:
        return _data(self, "float()")

    def __bool__(self) -> bool:
        _data(self, "bool()")
        return True


_new = object.__new__


def _node(op: ops.Op, parents: Tuple[Value, ...], param: Any = None) -> Value:
    """Compute, then record: the one place a non-leaf Value is made."""
    try:
        data = evaluate(op, [p.data for p in parents], param)
    except (ArithmeticError, ValueError) as e:
        if not state.anomaly:
            raise
        raise type(e)(f"{e}{''.join(site_of(p) for p in parents)}; computed at {creation_site()}") from None
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = out.scope = ""
    if state.recording:
        out._prev = parents
        out._fn = op
        out._param = param
    else:  # no_grad(): a constant leaf
        out._prev = ()
        out._fn = out._param = None
    out._id = next(_ids)
    if state.anomaly:
        state.sites[out] = creation_site()
    return out


def _coerce(x: Any, what: str = "operand") -> Value:
    """A Value for x: itself, or a constant leaf for a plain number (``what`` names it in errors)."""
    if isinstance(x, Value):
        return x
    return Value(as_float(x, what))


def _data(x: Any, use: str = "") -> float:
    if state.tracing and use:
        from .tape import TraceError

        raise TraceError(f"compile: f uses a Value in {use} while being traced, so its Python control flow "
                         f"depends on values and one trace cannot stand for every input. Use relu, abs or "
                         f"leaky_relu for data-dependent choices, or run f eagerly")
    return x.data if isinstance(x, Value) else as_float(x, "comparison operand")
