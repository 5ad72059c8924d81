"""The Value: a scalar that remembers how it was made, so its gradient can flow back."""

from __future__ import annotations

import itertools
import numbers
from collections import deque
from operator import attrgetter
from typing import Any, Iterable, Iterator, Tuple, Union

from . import ops
from .arithmetic import Arithmetic
from .checks import as_float, data_of, zero_dimensional
from .closures import BackwardAttribute, OpName
from .graph import topological_order
from .modes import TraceError, creation_site, site_of, state
from .reverse import BackwardStep, check_gradient, check_unchanged, last_write, on_values, reverse_pass

Number = Union[int, float]
_ids = itertools.count()  # creation order, which is always a topological order


def _set_data(v: "Value", x: Any) -> None:
    if x.__class__ is float and x - x == 0.0:  # the common case, a finite float, checked in one step
        v._data = x
    elif isinstance(x, float) and x - x == 0.0:  # NumPy's float64 is a float too: kept as a plain one
        v._data = float(x)
    else:  # after backward(create_graph=True) the grad is a Value too, and its number is p.grad.data
        update = "p.data += -0.1 * p.grad.data" if isinstance(v._grad, Value) else "p.data += -0.1 * p.grad"
        v._data = _number(x, "data", update)
    v._written = last_write[0] = next(_ids)  # when: backward checks no node read the old number


def _get_data(v: "Value") -> float:
    traced = state.tracing
    if traced and (v._prev or v._id < traced[0]):  # only the trace's own constants may be read
        raise TraceError(_read_while_tracing(v, *traced))
    return v._data


def _read_while_tracing(v: "Value", first_constant: int, start: int) -> str:
    kind = "a result" if v._prev else "an input of f" if v._id > start else "a parameter (made before the trace)"
    return (f"compile: f reads .data of {v._describe()}, {kind}, at {creation_site()} while being traced: the "
            f"compiled program would replay that number as a constant, wrong at other inputs or once the "
            f"parameters change. Compute with Values instead (relu, abs and leaky_relu choose per call; detach() "
            f"stops the gradient and is replayed; a node made by hand needs @engine.op(derivative=...)), or run "
            f"f eagerly")


def _set_grad(v: "Value", g: Any) -> None:
    if g.__class__ is float:
        v._grad = g
    elif isinstance(g, float):  # NumPy's float64
        v._grad = float(g)
    elif g.__class__ is v._grad.__class__:
        v._grad = g  # a Value in place of a Value, as backward(create_graph=True) leaves grads
    else:
        v._grad = _number(g, "grad", "p.grad = v.data", finite=False)


def _number(x: Any, name: str, instead: str, finite: bool = True) -> float:
    """The float to store for ``p.data = x`` (``name`` "data") or ``p.grad = x``; TypeError for anything that
    is not a real number, with what to write ``instead``; ValueError for nan or inf data, as ``Value(x)``."""
    what = f"Value.{name}"
    if isinstance(x, Value) and name == "data":
        raise TypeError(f"{what} must be a real number, got a Value ({x!r}). p.data is the plain number inside "
                        f"the Value p: to update a parameter write {instead}; to copy another Value's number "
                        f"write p.data = v.data")
    if isinstance(x, Value):
        raise TypeError(f"{what} must be a real number, got a Value ({x!r}): write {instead} to give p that "
                        f"Value's number as its gradient (a grad holds a Value only after "
                        f"backward(create_graph=True), and then takes a Value in its place)")
    # True is an int, but here surely a slip; a 0-d NumPy array holds one number
    if x.__class__ is bool or not (isinstance(x, numbers.Real) or zero_dimensional(x)):
        hint = ""
        if isinstance(x, str):
            try:
                hint = f"; write p.{name} = float({x!r}) to convert the text" if float(x) == float(x) else ""
            except ValueError:
                pass
        elif x.__class__ is bool:
            hint = f"; write p.{name} = {float(x)!r} if you mean the number"
        elif x is None and name == "grad":  # PyTorch's way to clear a gradient
            hint = "; write p.grad = 0.0 to clear it, as zero_grad() does"
        elif getattr(x, "shape", None) == () and hasattr(x, "item"):  # a 0-d NumPy array or tensor
            hint = f"; write p.{name} = x.item() for its number"
        raise TypeError(f"{what} must be a real number (an int or a float), got {type(x).__name__} {x!r}{hint}")
    if finite:
        return as_float(x, what)
    try:
        return float(x)  # a grad may be inf or nan: backward and the optimizers say where one arose
    except OverflowError:
        return as_float(x, what)  # its message for an int beyond float's range


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

    # The numbers live in _data and _grad, which the engine's own code reads and writes directly; the public
    # data and grad are properties that check what is assigned (_set_data and _set_grad, above).
    # __weakref__: detect_anomaly remembers where each Value was made without keeping it alive (modes.state.sites).
    __slots__ = ("_data", "_grad", "label", "scope", "_prev", "_fn", "_param", "_id", "__dict__", "__weakref__")
    _rank = 1
    # The grad's getter is in C (attrgetter), so reading p.grad costs little more than reading a slot; data's
    # checks that engine.compile is not tracing (about 0.1 µs: the engine's own code reads _data).
    data = property(_get_data, _set_data,
                    doc="The number: a real number only (``p.data += -0.1 * p.grad``); TypeError otherwise.")
    grad = property(attrgetter("_grad"), _set_grad,
                    doc="d(root)/d(this) after ``backward()``: a real number, or a Value after "
                        "``backward(create_graph=True)``.")
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
        if data.__class__ is bool:
            raise TypeError(f"Value data must be a real number, got bool {data!r}; write Value({float(data)!r}) "
                            f"if you mean the number")
        if isinstance(_children, numbers.Number):  # Value(1, 0): a second number, perhaps meant as the grad
            raise TypeError(f"Value(data, _children=(), _op='', label=''): the second argument is the node's "
                            f"parents (micrograd's _children, a tuple of Values), got {type(_children).__name__} "
                            f"{_children!r}. A Value holds one number: write Value({data!r}), then "
                            f"v.grad = {_children!r} if you meant its gradient")
        if isinstance(_children, Arithmetic):
            raise TypeError(f"Value(data, _children=(), _op='', label=''): the second argument is a tuple of "
                            f"parents, got one {type(_children).__name__} {_children!r}: write (v,) for a single parent")
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
            data = op.evaluate([p._data for p in parents], param)
        except (ArithmeticError, ValueError) as e:
            if not state.anomaly:
                raise
            sites = "".join(dict.fromkeys(site_of(p) for p in parents))  # two leaves of one line: said once
            raise type(e)(f"{e}{sites}; computed at {creation_site()}") from None
        out = _new(Value)
        if state.usual:  # recording, not tracing, no anomaly detection: one read of the per-thread switches
            _fill(out, data, parents, op, param)
            return out
        recording = state.recording
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
                check_gradient(node, node._grad)
                if create_graph and node._grad.__class__ is not Value:
                    node._grad = Value(data_of(node._grad))  # a constant gradient (of a + a, say) is a Value too

    def _seed(self) -> list:
        # Intermediate nodes start from zero; leaves keep what they have; the root gets 1.
        order = topological_order(self)
        check_unchanged(order)  # before any grad changes
        for node in order:
            if node._prev:
                node._grad = 0.0
        self._grad += 1.0
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
            return f"{self._fn.name}{name} with {self._fn.operands([p._data for p in self._prev], self._param)}"
        if self._prev:
            return f"hand-made '{self._op or '?'}' node{name} with data={self._data!r}"
        return f"leaf{name} with data={self._data!r}"

    def __setstate__(self, state: Any) -> None:
        """Unpickling (and copying) makes the Value now: it takes a fresh creation number, so that creation
        order stays a topological order and a loaded model's weights are older than anything traced after
        the load (``compile`` tells parameters by that order). Parents are loaded before their children, so
        a loaded graph keeps its order."""
        attributes, slots = state if isinstance(state, tuple) else (state, None)
        for name, value in (slots or {}).items():
            object.__setattr__(self, name, value)
        if attributes:
            self.__dict__.update(attributes)
        self._id = next(_ids)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        grad = self._grad if self._grad.__class__ is float else f"Value({self._grad._data!r})"
        return f"Value(data={self._data!r}, grad={grad}{label})"

    def _compared(self, use: str) -> float:
        # While engine.compile traces, a branch on a Value's data would be frozen into the tape.
        if state.tracing:
            raise TraceError(f"compile: f uses a Value in {use} while being traced, so its Python control flow "
                             f"depends on values and one trace cannot stand for every input. Use relu, abs or "
                             f"leaky_relu for data-dependent choices, or run f eagerly")
        return self._data


_new = object.__new__


def _init(v: Value, data: float, prev: Tuple[Value, ...] = (), fn: Any = None, param: Any = None) -> None:
    """Fill a new Value's slots, and note where it was made under ``detect_anomaly``."""
    _fill(v, data, prev, fn, param)
    if state.anomaly:
        state.sites[v] = creation_site()


def _fill(v: Value, data: float, prev: Tuple[Value, ...], fn: Any, param: Any) -> None:
    """A new Value's slots: the one place they are set, for leaves and op results alike."""
    v._data = data
    v._grad = 0.0
    v.label = v.scope = ""
    v._prev = prev
    v._fn = fn
    v._param = param
    v._id = next(_ids)


# A leaf's _param (an op's parameter otherwise) marks a number written into an expression, `x * 3`'s 3, which
# the operator turned into a leaf: drawings show it as a constant, not as a Value the user made. Set only where
# numbers are coerced, so the all-Values path costs nothing more.
class _Constant:
    """The one marker (a singleton: pickling and copying give it back itself, so a copy's constants stay constants)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "CONSTANT"

    def __reduce__(self) -> str:
        return "CONSTANT"  # pickle (and copy) find the module's own instance by name


CONSTANT = _Constant()


def as_value(x: Any, what: str = "operand") -> Value:
    """``x`` itself if it is a Value, else a new leaf holding the number ``x`` (any real number; a clear error
    naming ``what`` otherwise), as every op treats its operands.

    >>> as_value(2).data, as_value(Value(1.5)).data
    (2.0, 1.5)
    """
    return _coerce(x, what)


def _coerce(x: Any, what: str = "operand", mark: Any = None) -> Value:
    """A Value for x: itself, or a leaf for a plain number (``what`` names it in errors; ``mark``,
    ``CONSTANT`` for an operator's operand, goes in its ``_param``)."""
    if isinstance(x, Value):
        return x
    out = _new(Value)
    _init(out, as_float(x, what), (), None, mark)
    return out

