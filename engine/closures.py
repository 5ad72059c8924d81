"""micrograd's view of a node: ``_op`` and a ``_backward`` closure, made from the op's one rule.

micrograd writes a closure per op by hand (``self.grad += other.data * out.grad``).
chainrule keeps each op's local derivative once, in ``engine.ops``, and builds the
closure from it on demand: calling ``out._backward()`` sends the node's grad times
each local derivative to its parents, and printing it shows that step as micrograd
would write it, printed by applying the same rule to symbols.

>>> from engine import Value
>>> a, b = Value(2.0), Value(-3.0)
>>> out = a * b
>>> print(out._backward)
def _backward():
    self.grad += other.data * out.grad
    other.grad += self.data * out.grad
>>> out.grad = 1.0; out._backward(); a.grad, b.grad
(-3.0, 2.0)
"""

from __future__ import annotations

from typing import Any

from . import ops
from .reverse import check_gradient, contributions
from .symbolic import Dialect, Sym

SHOWN = 8  # lines shown for a node with many inputs; the rest are counted


class Lecture(Dialect):
    """Formulas as the lecture writes them: ``(1 - out.data**2)``; numbers short but exact."""

    mul, pow = " * ", "**"

    def num(self, x: float) -> str:
        short = f"{x:g}"
        return short if float(short) == x else repr(float(x))


LECTURE = Lecture()


def backward_source(op: ops.Op, n_inputs: int, param: Any = None) -> str:
    """The ``_backward`` closure of an op as micrograd would write it, from the op's rule.

    >>> print(backward_source(ops.TANH, 1))
    def _backward():
        self.grad += (1 - out.data**2) * out.grad
    """
    names = ["self"] if op.arity == 1 else ["self", "other"] if op.arity == 2 else \
        [f"xs[{i}]" for i in range(n_inputs)]
    syms = [Sym(f"{name}.data", dialect=LECTURE) for name in names]
    partials = op.local_derivatives(syms, Sym("out.data", dialect=LECTURE), param)
    lines = [_line(name, d) for name, d in zip(names, partials)]
    lines = [line for line in lines if line] or ["pass  # every local derivative is 0"]
    if len(lines) > SHOWN:
        lines = lines[:SHOWN - 1] + [f"...  # and {len(lines) - SHOWN + 1} more lines like these, one per input"]
    head = "def _backward():" + ("  # xs = out._prev, in argument order" if op.arity is None else "")
    return "\n".join([head] + ["    " + line for line in lines])


def _line(name: str, d: Any) -> str:
    if not isinstance(d, Sym):
        if d == 0:
            return ""  # nothing flows this way: a constant's derivative, say
        if d == 1:
            return f"{name}.grad += out.grad"
        if d == -1:
            return f"{name}.grad -= out.grad"
        return f"{name}.grad += {LECTURE.num(d)} * out.grad"
    return f"{name}.grad += {d._wrap(2)} * out.grad"


class RuleBackward:
    """One node's step of the backward pass, from its op's rule: call it, or print it to read it."""

    __slots__ = ("out",)

    def __init__(self, out: Any) -> None:
        self.out = out

    def __call__(self) -> None:
        """Add ``out.grad`` times each local derivative to the parents' grads, as micrograd's does."""
        out = self.out
        check_gradient(out, out._grad)
        for parent, c in contributions(out, out._grad):
            parent._grad += c

    @property
    def source(self) -> str:
        out = self.out
        return backward_source(out._fn, len(out._prev), out._param)

    __str__ = source.fget  # type: ignore[assignment]

    def __repr__(self) -> str:
        try:
            body = "; ".join(line.strip() for line in self.source.splitlines()[1:])
        except (ArithmeticError, ValueError) as e:  # a rule undefined for this parameter: (-2) ** x
            body = f"no derivative here ({e})"
        return f"<_backward of {self.out._fn.name}: {body}>"


class LeafBackward:
    """A leaf's backward step (micrograd's ``lambda: None``): it has no parents to send anything to.

    An object rather than a function so that printing it says so, as an op's step prints its rule:

    >>> print(LEAF)
    def _backward():
        pass  # a leaf: no inputs to pass anything on to
    """

    __slots__ = ()

    def __call__(self) -> None:
        pass

    def __str__(self) -> str:
        return "def _backward():\n    pass  # a leaf: no inputs to pass anything on to"

    def __repr__(self) -> str:
        return "<_backward of a leaf: nothing to pass on>"


LEAF = LeafBackward()


class BackwardAttribute:
    """``value._backward``: the closure made from the op's rule, or one you set by hand.

    Setting it (the lecture's ``out._backward = _backward``) makes the node hand-made:
    eager ``backward()`` calls your closure, and the modes that need a rule refuse it.
    """

    def __get__(self, node: Any, owner: Any = None) -> Any:
        if node is None:
            return self
        if node._fn is not None:  # made once and kept, so that o._backward is o._backward, as in micrograd
            rule = node.__dict__.get("_rule")
            if rule is None or rule.out is not node:  # a copy's __dict__ holds its original's: make its own
                rule = node.__dict__["_rule"] = RuleBackward(node)
            return rule
        closure = node.__dict__.get("_backward")
        if closure is not None:
            return closure
        if node._prev:
            raise AttributeError(
                f"{node._describe()} has parents but no _backward: set "
                f"out._backward = _backward (a function adding out.grad times each local derivative to the "
                f"parents' grads), or make the node with an op so its rule is used")
        return LEAF

    def __set__(self, node: Any, closure: Any) -> None:
        if not callable(closure):
            raise TypeError(f"_backward must be a function of no arguments, got {type(closure).__name__} {closure!r}")
        if not node._prev:
            raise ValueError(f"{node._describe()} has no parents, so its _backward would never be called; make "
                             f"the node with its children first: Value(data, (a, b), 'op')")
        if node._fn is not None:  # replacing an op's rule: the node is hand-made from now on
            node.__dict__["_op"] = node._op
            node.__dict__.pop("_rule", None)
            node._fn = node._param = None
        node.__dict__["_backward"] = closure


class OpName:
    """``value._op``: the op's symbol as micrograd shows it ('+', '*', '**2', 'ReLU'); '' for a leaf.

    Not a data descriptor, so a hand-made node (``Value(t, (x,), 'tanh')``) keeps its own name.
    """

    def __get__(self, node: Any, owner: Any = None) -> Any:
        if node is None:
            return self
        fn = node._fn
        if fn is None:
            return ""
        if fn is ops.POW:
            return f"**{node._param:g}"
        return fn.symbol

