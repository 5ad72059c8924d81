"""Reverse mode: send each node's adjoint to its parents, children before parents.

One pass serves every caller: ``Value.backward`` (adjoints into ``.grad``),
``Value.backward_steps`` (one node at a time, for stepping through in a REPL),
and the functional ``grad`` family (``.grad`` put back afterwards).

Each op's rule is applied to floats by default. A ``number_of`` applies it to other
kinds instead: to the Values themselves (:func:`on_values`, for ``create_graph``),
so the adjoints are Values that can be differentiated again; or to dual numbers,
for forward-over-reverse. A node made by hand runs its own ``_backward`` closure,
which only the float pass can do.
"""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, NamedTuple, Optional, Sequence, Tuple

from .checks import data_of
from .graph import topological_order
from .modes import site_of, state


NumberOf = Optional[Callable[[Any], Any]]


def _finite(x: Any) -> bool:
    data = data_of(x)
    return data - data == 0.0 if isinstance(data, float) else True  # a symbol has no number to check


def check_gradient(node: Any, g: Any) -> None:
    """OverflowError (or ValueError for nan) if the gradient reaching ``node`` is not finite."""
    if not _finite(g):
        data = data_of(g)
        kind = ValueError if data != data else OverflowError
        raise kind(f"backward: the gradient reaching {node._describe()} is {data}{site_of(node)}")


def needs_rule(node: Any, mode: str) -> TypeError:
    """The error for a hand-made node (its own ``_backward``) reached by a mode that needs the op's rule."""
    return TypeError(f"{mode} needs each op's derivative rule, but {node._describe()} has a hand-written "
                     f"_backward closure, which only eager backward() can run. Define the op with "
                     f"@engine.op(derivative=...) to use it in every mode")


def local_partials(node: Any, number_of: NumberOf = None) -> Sequence[Any]:
    """d node / d each parent, by its op's rule: on the floats, or on ``number_of`` of each node (see
    :func:`contributions`).

    >>> from engine import Value
    >>> a, b = Value(2.0), Value(5.0)
    >>> local_partials(a * b)
    (5.0, 2.0)
    """
    fn, prev = node._fn, node._prev
    if fn is None:
        raise needs_rule(node, "differentiating again (create_graph, grad, hessian, jacobian, jvp of grad)")
    try:
        if number_of is None:
            return fn.local_derivatives([p._data for p in prev], node._data, node._param)
        return fn.local_derivatives([number_of(p) for p in prev], number_of(node), node._param)
    except (ArithmeticError, ValueError) as e:
        if not state.anomaly:
            raise
        raise type(e)(f"{e}{site_of(node)}") from e


def contributions(node: Any, g: Any, number_of: NumberOf = None) -> List[Tuple[Any, Any]]:
    """What ``node`` sends each parent: its adjoint ``g`` times the local derivative.

    The rule is applied to the nodes' floats, or to ``number_of(node)`` for each node when
    given: the Values themselves for ``create_graph``, dual numbers for forward-over-reverse.

    >>> from engine import Value
    >>> a, b = Value(2.0), Value(5.0)
    >>> [c for _, c in contributions(a * b, 1.0)]
    [5.0, 2.0]
    """
    sent = [(p, d * g) for p, d in zip(node._prev, local_partials(node, number_of))]
    if state.anomaly:
        for p, c in sent:
            if not _finite(c):
                raise OverflowError(f"backward: {node._describe()} sends {data_of(c)} "
                                    f"to its input {p._describe()}{site_of(node)}")
    return sent


def carry(nodes: Sequence[Any], outside: Callable[[Any], Any], mode: str) -> dict:
    """Each of ``nodes`` (parents first) computed again on other kinds of number: a node's counterpart
    is its op applied to its parents' counterparts (``outside(p)`` for a parent not among ``nodes``),
    a leaf's is its float. Dual numbers for forward-over-reverse, say; ``mode`` names the caller
    in the error for a hand-made node, which has no op to apply.

    >>> from engine import Value
    >>> x = Value(3.0); y = x * x
    >>> carry([y], {x: 0.5}.__getitem__, "carry")[y]
    0.25
    """
    carried: dict = {}
    for n in nodes:
        if not n._prev:
            carried[n] = n._data
        elif n._fn is None:
            raise needs_rule(n, mode)
        else:
            carried[n] = n._fn(*[carried[p] if p in carried else outside(p) for p in n._prev], param=n._param)
    return carried


def _run_by_hand(node: Any) -> List[Tuple[Any, Any]]:
    """Call a hand-made node's own ``_backward``; what it sent is read off its parents' grads."""
    parents = list(dict.fromkeys(node._prev))  # a + a: one parent, counted once
    before = [p._grad for p in parents]
    node._backward()
    return [(p, p._grad - b) for p, b in zip(parents, before)]


# When data was last assigned, on the creation clock (engine.value._ids): a node made before that may have
# read the old number, which backward checks (see check_unchanged). Assigning is rare next to making nodes,
# so the clock is read in backward once, and each node looked at only when something was assigned since the
# graph began.
last_write = [0]


def check_unchanged(order: list) -> None:
    """RuntimeError if a Value's data was assigned after a node in ``order`` read it (``y = (x * w).tanh();
    w.data = 3.0; y.backward()`` would mix the old and the new number, a gradient of neither), as PyTorch's
    version counters refuse an in-place change."""
    first = next((n._id for n in order if n._prev), None)  # the graph's oldest node: order is by creation
    if first is None or last_write[0] < first:
        return  # nothing assigned since the graph began: the usual case, one comparison
    for node in order:
        if not node._prev:
            continue
        for read in (node, *node._prev):  # a rule reads its inputs' data, and some (tanh, exp) its own
            if getattr(read, "_written", -1) > node._id:
                raise RuntimeError(
                    f"backward: the data of {read._describe()} was assigned after {node._describe()} was computed "
                    f"from it, so the graph holds both the old and the new number and no gradient is right. "
                    f"Compute the forward pass again after changing data (as a training loop does), or change it "
                    f"after backward()")


def reverse_pass(order: Sequence[Any], number_of: NumberOf = None, reached: Optional[set] = None
                 ) -> Iterator[Tuple[Any, Any, List[Tuple[Any, Any]]]]:
    """Propagate adjoints, held in ``.grad``, back through ``order`` (parents before children).

    The caller seeds the grads first (the root's to 1, the others to where they
    should start). Yields ``(node, adjoint, contributions)`` for each node that sends
    anything, after adding the contributions to its parents' grads. ``number_of`` is as
    for :func:`contributions`; without it, hand-made nodes run their own closures.
    ``reached`` (from :func:`leading_to`) is given when ``order`` was cut to the nodes that
    lead to some wanted Values: a checkpoint's recomputed nodes are cut the same way.
    """
    kept: dict = {}  # what an op that recomputes keeps during this pass (a checkpoint's results, by segment)
    watch = _recomputing[0]  # read once: until such an op is first used, no node needs the test below
    for node in reversed(order):
        if not node._prev:
            continue
        g = node._grad
        if g.__class__ is not float or g - g != 0.0:
            check_gradient(node, g)  # a Value or dual adjoint, or a float that is not finite
        fn = node._fn
        if watch and fn is not None and fn.recomputes:
            # An op that dropped its inner graph (engine.checkpoint): it says what to go on through, if anything.
            passes = fn.continue_backward(node, order, number_of, kept)
            if passes is not None:
                for inner, inner_number_of in passes:
                    yield from reverse_pass(inner if reached is None else leading_to(inner, (), reached),
                                            inner_number_of, reached)
                continue
        if g == 0.0 and g.__class__ is float:
            continue  # nothing to send: a dead relu, say
        if fn is None and number_of is None:
            yield node, g, _run_by_hand(node)
            continue
        sent = contributions(node, g, number_of)
        for parent, c in sent:
            parent._grad += c  # the engine's own sums: a float, or a Value or dual number with number_of
        yield node, g, sent


@contextmanager
def fresh_grads(order: Sequence[Any]) -> Iterator[None]:
    """Every grad in ``order`` starts at 0 inside the block and is put back as it was afterwards."""
    saved = [node._grad for node in order]
    try:
        for node in order:
            node._grad = 0.0
        yield
    finally:
        for node, g in zip(order, saved):
            node._grad = g


def isolated_gradients(root: Any, wrt: Sequence[Any], create_graph: bool = True, number_of: NumberOf = None) -> List[Any]:
    """d root / d w for each w in ``wrt``, leaving every ``.grad`` as it was.

    The pass runs in ``.grad`` like ``backward()``, then each grad is put back, so
    nested calls (``grad(grad(f))``) and a user's own grads are undisturbed. ``number_of``
    (see :func:`contributions`) overrides ``create_graph``. Only nodes that lead to a
    ``w`` pass their adjoint on: a branch that does not (a training target's ``t ** 0.5``,
    whose derivative at 0 does not exist) is not differentiated at all.
    """
    order = topological_order(root)
    check_unchanged(order)
    in_graph = set(order)
    if number_of is None and create_graph:
        number_of = on_values
    reached: set = set()
    with fresh_grads(order):
        root._grad = 1.0
        deque(reverse_pass(leading_to(order, wrt, reached), number_of, reached), maxlen=0)
        found = [w._grad if w in in_graph else 0.0 for w in wrt]
    for w, g in zip(wrt, found):
        check_gradient(w, g)
    return found


def leading_to(order: Sequence[Any], wanted: Sequence[Any], reached: Optional[set] = None) -> List[Any]:
    """The nodes of ``order`` (parents first) that depend on a node in ``wanted``: those that must pass
    their adjoint back for the gradients of ``wanted``. ``reached``, if given, is a set that collects
    them (with ``wanted``), and may hold some already.

    >>> from engine import Value
    >>> x, t = Value(2.0), Value(0.0)
    >>> y = x * t ** 0.5
    >>> [v._op for v in leading_to(topological_order(y), [x])]
    ['*']
    """
    reached = set() if reached is None else reached
    reached.update(wanted)
    kept = []
    for node in order:
        if any(map(reached.__contains__, node._prev)):
            reached.add(node)
            kept.append(node)
    return kept


_recomputing = [False]  # set by expect_recomputing(), the first time an op that recomputes makes a node


def expect_recomputing() -> None:
    """From now on, reverse passes ask ops that recompute (``Op.recomputes``) how to go on: ``engine.checkpoint``
    calls this when it first keeps a segment. Such an op has ``continue_backward(node, order, number_of, kept)``,
    which gives None (treat the node as any other), or the (nodes, number_of) passes to run through in its place
    (none: nothing to do here); ``kept`` is a dict for it to keep things in during one pass."""
    _recomputing[0] = True


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
    return f"{data_of(x):.6g}"


def on_values(v: Any) -> Any:
    """The ``number_of`` for ``create_graph``: apply the rules to the Values themselves, recording a graph."""
    return v
