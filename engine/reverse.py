"""Reverse mode: send each node's adjoint to its parents, children before parents.

One pass serves every caller: ``Value.backward`` (adjoints into ``.grad``),
``Value.backward_steps`` (one node at a time, for stepping through in a REPL),
and the functional ``grad`` family (``.grad`` put back afterwards).
With ``create_graph`` the local derivatives are computed on Values instead of
floats, so the adjoints are Values that can be differentiated again.
"""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from typing import Any, Iterator, List, NamedTuple, Sequence, Tuple

from .graph import topological_order
from .modes import site_of, state


def _finite(x: Any) -> bool:
    data = getattr(x, "data", x)
    return data - data == 0.0


def check_gradient(node: Any, g: Any) -> None:
    """OverflowError (or ValueError for nan) if the gradient reaching ``node`` is not finite."""
    if not _finite(g):
        data = getattr(g, "data", g)
        kind = ValueError if data != data else OverflowError
        raise kind(f"backward: the gradient reaching {node._describe()} is {data}{site_of(node)}")


def contributions(node: Any, g: Any, create_graph: bool = False) -> List[Tuple[Any, Any]]:
    """What ``node`` sends each parent: its adjoint ``g`` times the local derivative.

    >>> from engine import Value
    >>> a, b = Value(2.0), Value(5.0)
    >>> [c for _, c in contributions(a * b, 1.0)]
    [5.0, 2.0]
    """
    fn, prev = node._fn, node._prev
    try:
        if create_graph:  # on Values, so the derivative is itself a graph
            partials = fn.local_derivatives(prev, node, node._param)
        else:
            partials = fn.local_derivatives([p.data for p in prev], node.data, node._param)
    except (ArithmeticError, ValueError) as e:
        if not state.anomaly:
            raise
        raise type(e)(f"{e}{site_of(node)}") from e
    sent = [(p, d * g) for p, d in zip(prev, partials)]
    if state.anomaly:
        for p, c in sent:
            if not _finite(c):
                raise OverflowError(f"backward: {node._describe()} sends {getattr(c, 'data', c)} "
                                    f"to its input {p._describe()}{site_of(node)}")
    return sent


def reverse_pass(order: Sequence[Any], create_graph: bool = False
                 ) -> Iterator[Tuple[Any, Any, List[Tuple[Any, Any]]]]:
    """Propagate adjoints, held in ``.grad``, back through ``order`` (parents before children).

    The caller seeds the grads first (the root's to 1, the others to where they
    should start). Yields ``(node, adjoint, contributions)`` for each node that sends
    anything, after adding the contributions to its parents' grads.
    """
    for node in reversed(order):
        if not node._prev:
            continue
        g = node.grad
        check_gradient(node, g)
        if g.__class__ is float and g == 0.0:
            continue  # nothing to send: a dead relu, say
        sent = contributions(node, g, create_graph)
        for parent, c in sent:
            parent.grad += c
        yield node, g, sent


@contextmanager
def fresh_grads(order: Sequence[Any]) -> Iterator[None]:
    """Every grad in ``order`` starts at 0 inside the block and is put back as it was afterwards."""
    saved = [node.grad for node in order]
    try:
        for node in order:
            node.grad = 0.0
        yield
    finally:
        for node, g in zip(order, saved):
            node.grad = g


def isolated_gradients(root: Any, wrt: Sequence[Any], create_graph: bool = True) -> List[Any]:
    """d root / d w for each w in ``wrt``, leaving every ``.grad`` as it was.

    The pass runs in ``.grad`` like ``backward()``, then each grad is put back, so
    nested calls (``grad(grad(f))``) and a user's own grads are undisturbed.
    """
    order = topological_order(root)
    in_graph = set(order)
    with fresh_grads(order):
        root.grad = 1.0
        deque(reverse_pass(order, create_graph), maxlen=0)
        found = [w.grad if w in in_graph else 0.0 for w in wrt]
    for w, g in zip(wrt, found):
        check_gradient(w, g)
    return found


class BackwardStep(NamedTuple):
    """One node's turn in the backward pass: its adjoint and what it sent to each parent."""

    node: Any
    adjoint: Any
    sent: List[Tuple[Any, Any]]

    def __str__(self) -> str:
        name = self.node.label or self.node._op
        parts = ", ".join(f"{p.label or p._op or 'leaf'} += {_num(c)}" for p, c in self.sent)
        return f"{name}: adjoint {_num(self.adjoint)} -> {parts}"


def _num(x: Any) -> str:
    return f"{getattr(x, 'data', x):.6g}"
