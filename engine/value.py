"""The Value: a scalar that remembers how it was made, so its gradient can flow back."""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any, Iterable, Iterator, Tuple, Union

from . import ops
from .arithmetic import Arithmetic
from .checks import as_float, data_of
from .closures import BackwardAttribute, OpName
from .graph import topological_order
from .modes import TraceError, creation_site, site_of, state
from .reverse import BackwardStep, check_gradient, on_values, reverse_pass

Number = Union[int, float]
_ids = itertools.count()  # creation order, which is always a topological order


class Value(Arithmetic):
    """A scalar in a computation graph, as in micrograd: ``Value(data, _children=(), _op='', label='')``.

    ``data`` is the float and ``grad`` the derivative of the ``backward()`` roots with
    respect to it (leaves add up over calls, see ``backward``). ``_prev`` holds the
    parents in argument order, ``_op`` the operation's symbol and ``_backward`` the
    node's step of the backward pass, made from its op's rule (print it to read it).
    Operators and functions come from ``Arithmetic``. A Value takes attributes of
    your own too (``p.m = 0.0`` for an optimizer's moment).

    >>> x = Value(3.0, label="x")
    >>> y = x * x + 2 * x
    >>> y.backward()
    >>> y.data, x.grad
    (15.0, 8.0)

    As in the lecture, a node can be made by hand, with a ``_backward`` of your own:

    >>> import math
    >>> def tanh(v):
    ...     out = Value(math.tanh(v.data), (v,), "tanh")
    ...     def _backward():
    ...         v.grad += (1 - out.data ** 2) * out.grad
    ...     out._backward = _backward
    ...     return out
    >>> x = Value(0.5); y = tanh(x) * 2; y.backward(); round(x.grad, 6)
    1.572895
    """

    __slots__ = ("data", "grad", "label", "scope", "_prev", "_fn", "_param", "_id", "__dict__")
    _rank = 1
    _op = OpName()
    _backward = BackwardAttribute()

    def __init__(self, data: Number, _children: Iterable["Value"] = (), _op: str = "", label: str = "") -> None:
        if isinstance(_children, str):
            raise TypeError(f"Value(data, _children=(), _op='', label=''): the second argument is the parents, "
                            f"a tuple of Values, got the str {_children!r}; pass a name as label={_children!r}")
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} {label!r}")
        if not isinstance(_op, str):
            raise TypeError(f"Value _op must be a str such as 'tanh', got {type(_op).__name__} {_op!r}")
        children = tuple(_children)
        for c in children:
            if not isinstance(c, Value):
                raise TypeError(f"Value _children must be Values, got {type(c).__name__} {c!r}. A node made by "
                                f"hand (with its own _backward) works in eager backward() only; to use an op "
                                f"in jvp, grad of grad or compile, define it with @engine.op(derivative=...)")
        _init(self, as_float(data), children)
        self.label = label
        if _op:
            self._op = _op  # kept on the instance: a hand-made node has no op to name it

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None, mixed: bool = True) -> "Value":
        """Compute, then record: the one place a Value is made by an op. Plain numbers among
        ``args`` (``mixed``) become constant leaves."""
        parents = tuple(a if a.__class__ is Value else _coerce(a, f"{op.name} operand", CONSTANT) for a in args) \
            if mixed else args
        try:
            data = op.evaluate([p.data for p in parents], param)
        except (ArithmeticError, ValueError) as e:
            if not state.anomaly:
                raise
            sites = "".join(dict.fromkeys(site_of(p) for p in parents))  # two leaves of one line: said once
            raise type(e)(f"{e}{sites}; computed at {creation_site()}") from None
        out = _new(Value)
        recording = state.recording  # one read of the per-thread switch on this hot path
        if not (recording or state.tracing):  # no_grad(): a constant leaf
            _init(out, data)
            return out
        _init(out, data, parents, op, param)
        if not recording:  # no_grad() inside a traced function: replayed afresh, no gradient through it
            stopped = _new(Value)
            _init(stopped, data, (out,), ops.STOP)
            return stopped
        return out

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
        deque(reverse_pass(order, on_values if create_graph else None), maxlen=0)
        for node in order:
            if not node._prev:
                check_gradient(node, node.grad)
                if create_graph and node.grad.__class__ is not Value:
                    node.grad = Value(data_of(node.grad))  # a constant gradient (of a + a, say) is a Value too

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

    # -- the rest ----------------------------------------------------------------

    def detach(self) -> "Value":
        """A new leaf with the same data and label: gradients stop here.

        >>> x = Value(2.0); y = x.detach() * x; y.backward(); x.grad
        2.0
        """
        if state.tracing:  # engine.compile: recorded, so a replay recomputes it rather than freezing it
            return ops.STOP(self)
        return Value(self.data, label=self.label)

    def _describe(self) -> str:
        name = f" '{self.label}'" if self.label else ""
        if self._fn is not None:
            return f"{self._fn.name}{name} with {self._fn.operands([p.data for p in self._prev], self._param)}"
        if self._prev:
            return f"hand-made '{self._op or '?'}' node{name} with data={self.data!r}"
        return f"leaf{name} with data={self.data!r}"

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        grad = self.grad if self.grad.__class__ is float else f"Value({self.grad.data!r})"
        return f"Value(data={self.data!r}, grad={grad}{label})"

    def _compared(self, use: str) -> float:
        # While engine.compile traces, a branch on a Value's data would be frozen into the tape.
        if state.tracing:
            raise TraceError(f"compile: f uses a Value in {use} while being traced, so its Python control flow "
                             f"depends on values and one trace cannot stand for every input. Use relu, abs or "
                             f"leaky_relu for data-dependent choices, or run f eagerly")
        return self.data


_new = object.__new__


def _init(v: Value, data: float, prev: Tuple[Value, ...] = (), fn: Any = None, param: Any = None) -> None:
    """Fill a new Value's slots: the one place they are set, for leaves and op results alike."""
    v.data = data
    v.grad = 0.0
    v.label = v.scope = ""
    v._prev = prev
    v._fn = fn
    v._param = param
    v._id = next(_ids)
    if state.anomaly:
        state.sites[v] = creation_site()


# A leaf's _param (an op's parameter otherwise) marks a number written into an expression, `x * 3`'s 3, which
# the operator turned into a leaf: drawings show it as a constant, not as a Value the user made. Set only where
# numbers are coerced, so the all-Values path costs nothing more.
CONSTANT = type("Constant", (), {"__repr__": lambda self: "CONSTANT", "__slots__": ()})()


def _coerce(x: Any, what: str = "operand", mark: Any = None) -> Value:
    """A Value for x: itself, or a leaf for a plain number (``what`` names it in errors; ``mark``,
    ``CONSTANT`` for an operator's operand, goes in its ``_param``)."""
    if isinstance(x, Value):
        return x
    out = _new(Value)
    _init(out, as_float(x, what), (), None, mark)
    return out

