"""Forward or reverse mode for a Jacobian, chosen by counting the work of each on the traced graph.

The Jacobian of m outputs of n inputs is built from the trace's local derivatives (one per edge, each from its
op's rule) in one of two orders. Forward mode pushes a tangent from the inputs to the outputs, one sweep per input:
it evaluates every edge's local derivative once, then each sweep does one multiply-add per edge in its input's
forward cone. Reverse mode pulls an adjoint back from the outputs, one pass per output: each pass evaluates the
local derivatives of its output's backward cone and does one multiply-add per edge there. Which is cheaper depends
on the graph's shape, not on n and m alone (a fused sum of a thousand terms is a thousand edges), so
:func:`jacobian_plan` counts both on the trace, before doing either: with bit masks of which inputs reach each node
and which outputs each node reaches, one pass over the edges counts every sweep's work.

Backpropagation Calculus for Deep Learning, §6 Computational Complexity Analysis, asks for a system that chooses
by itself; ``jacobian(f, mode="auto")`` is that system. It does not mix the two (cross-country elimination, which
can beat both on some graphs): each Jacobian is wholly forward or wholly reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Dict, List, Sequence

from ..graph import topological_order
from ..reverse import check_unchanged, leading_to, local_partials, on_values

# What each unit of work costs, in Value operations, by mode: a forward sweep folds one product into a tangent per
# edge it crosses and keeps one tangent per node it visits; a reverse pass makes a product and adds it to the parent's
# adjoint per edge, and walks every ancestor of its output once. A local derivative costs nothing extra: for most ops
# it is an operand or a constant already (a product's partials are its factors, a sum's are 1). The weights were
# checked on `python -m demos forward_vs_reverse --timing`, which prints how often the count picks the faster mode.
FORWARD_EDGE, FORWARD_VISIT, REVERSE_EDGE, REVERSE_VISIT = 1, 1, 2, 1
_SEED = 1.0  # an input's own tangent: a local derivative times it is the local derivative itself


@dataclass(frozen=True)
class JacobianPlan:
    """What :func:`jacobian_plan` counted on a function's trace, and the mode it chose: ``"fwd"`` or ``"rev"``.

    ``edges`` is the number of local derivatives between the inputs and the outputs; ``forward_multiply_adds``
    and ``reverse_multiply_adds`` the edges crossed by all n forward sweeps and by all m reverse passes, and the
    ``_visits`` the nodes they walk; ``forward_ops`` and ``reverse_ops`` each mode's whole count in Value
    operations, which decides.
    """

    mode: str
    inputs: int
    outputs: int
    nodes: int
    edges: int
    forward_multiply_adds: int
    reverse_multiply_adds: int
    forward_visits: int
    reverse_visits: int

    @property
    def forward_ops(self) -> int:
        """The n sweeps' work: a product per edge crossed, a tangent per node visited."""
        return FORWARD_EDGE * self.forward_multiply_adds + FORWARD_VISIT * self.forward_visits

    @property
    def reverse_ops(self) -> int:
        """The m passes' work: a product and an accumulation per edge, a visit per ancestor."""
        return REVERSE_EDGE * self.reverse_multiply_adds + REVERSE_VISIT * self.reverse_visits

    def __str__(self) -> str:
        why = ("forward mode does less work" if self.mode == "fwd" else
               "reverse mode does no more work")
        return (f"{self.mode}: {why} for {self.outputs} output(s) of {self.inputs} input(s) through {self.nodes} "
                f"node(s) and {self.edges} edge(s).\n"
                f"  forward: {self.inputs} sweep(s) cross {self.forward_multiply_adds} edges and visit "
                f"{self.forward_visits} nodes = {self.forward_ops} ops\n"
                f"  reverse: {self.outputs} pass(es) cross {self.reverse_multiply_adds} edges and visit "
                f"{self.reverse_visits} nodes = {self.reverse_ops} ops")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # IPython shows the text, not the dataclass fields
        p.text(str(self))


def plan(outputs: Sequence[Any], inputs: Sequence[Any]) -> JacobianPlan:
    """Count each mode's work for the Jacobian of traced ``outputs`` (Values) with respect to ``inputs``; ties go to
    reverse mode, the engine's own.

    >>> from engine import Value
    >>> xs = [Value(0.1 * k) for k in range(8)]
    >>> y = sum(xs).tanh().exp().tanh()
    >>> plan([y], xs).mode      # one output of eight inputs, each reaching every node: one reverse pass
    'rev'
    >>> plan([xs[0] * 2, xs[0] * 3, xs[0] * 4], [xs[0]]).mode
    'fwd'
    """
    if not outputs:  # f returned an empty list: nothing to sweep either way
        return JacobianPlan("rev", len(inputs), 0, 0, 0, 0, 0, 0, 0)
    order = topological_order(*outputs)
    active = leading_to(order, inputs)
    reaching = _reaching(active, inputs)
    reached: Dict[Any, int] = {}  # node -> bit i set if it reaches output i
    for i, y in enumerate(outputs):
        reached[y] = reached.get(y, 0) | 1 << i
    for node in reversed(order):
        outs = reached.get(node, 0)
        for p in node._prev:
            reached[p] = reached.get(p, 0) | outs
    # A reverse pass walks all its output's ancestors (to find those that lead to an input), then evaluates every
    # partial of those that do; a forward sweep walks its input's cone and crosses the edges its tangent reaches.
    edges = sum(len(node._prev) for node in active)
    forward = sum(reaching.get(p, 0).bit_count() for node in active for p in node._prev)
    reverse = sum(len(node._prev) * reached[node].bit_count() for node in active)
    forward_visits = sum(reaching[node].bit_count() for node in active)
    reverse_visits = sum(mask.bit_count() for mask in reached.values())
    counts = JacobianPlan("", len(inputs), len(outputs), len(active), edges, forward, reverse, forward_visits,
                          reverse_visits)
    return replace(counts, mode="fwd" if counts.forward_ops < counts.reverse_ops else "rev")


def _reaching(active: Sequence[Any], inputs: Sequence[Any]) -> Dict[Any, int]:
    """Each input's bit (1 << j) on every node of ``active`` (parents first) that it reaches."""
    own: Dict[Any, int] = {}
    for j, x in enumerate(inputs):
        own[x] = own.get(x, 0) | 1 << j
    reaching = dict(own)
    for node in active:
        mask = own.get(node, 0)  # an input that depends on another keeps its own bit too
        for p in node._prev:
            mask |= reaching.get(p, 0)
        reaching[node] = mask
    return reaching


def forward_rows(outputs: Sequence[Any], inputs: Sequence[Any]) -> List[List[Any]]:
    """The Jacobian, one row per output, by forward sweeps over the trace: each edge's local derivative is
    evaluated once (on the Values, so the entries can be differentiated again), then one sweep per input carries
    its tangent from parents to children. An entry is a Value, or a number where it does not depend on the input.

    >>> from engine import Value
    >>> from engine.checks import data_of
    >>> x, y = Value(2.0), Value(5.0)
    >>> [[data_of(d) for d in row] for row in forward_rows([x * y, x + 3 * y], [x, y])]
    [[5.0, 2.0], [1.0, 3.0]]
    """
    if not outputs:
        return []
    order = topological_order(*outputs)
    check_unchanged(order)
    active = leading_to(order, inputs)
    partials = {node: local_partials(node, on_values) for node in active}
    cones: List[List[Any]] = [[] for _ in inputs]  # each input's sweep visits only the nodes it reaches
    for node, mask in _reaching(active, inputs).items():
        while mask:
            low = mask & -mask
            cones[low.bit_length() - 1].append(node)
            mask ^= low
    columns = []
    for x, cone in zip(inputs, cones):
        tangent: Dict[Any, Any] = {x: _SEED}
        for node in cone:
            if node is x:
                continue
            terms = [d if t is _SEED else d * t for p, d in zip(node._prev, partials[node])
                     for t in (tangent.get(p),) if t is not None]
            if terms:
                tangent[node] = sum(terms[1:], terms[0])
        columns.append([tangent.get(y, 0.0) for y in outputs])
    return [list(row) for row in zip(*columns)] if columns else [[] for _ in outputs]

