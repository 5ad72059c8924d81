"""What to draw: every Value of a small graph, or a folded summary of a big one.

A big graph (more than ``max_nodes`` Values) is folded three ways, each noted:
Values made inside a model are collapsed into one box per top-level scope
(``layer1: 16 neurons``); an item with many inputs shows the first few and a
``+N more`` box; items further than ``max_depth`` from the root are cut. A graph
whose drawing would not ``fit`` (see ``viz.layout``) is folded the same way and
then cut closer to the root until it does. The drawing, the text view and the
explorer all show the same plan, with the same unique ``names``.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from engine import Value, topological_order

from .style import printable

FAN_IN = 8  # an item with more drawn inputs than this shows the first FAN_SHOWN of them
FAN_SHOWN = 3


@dataclass(eq=False)
class Item:
    """One box of the drawing: a Value, a collapsed scope, or a placeholder for what is hidden."""

    id: str
    kind: str  # "value", "scope", "more" or "deep"
    value: Optional[Value] = None
    text: str = ""
    parents: List["Item"] = field(default_factory=list)
    members: int = 1  # Values it stands for
    first: int = -1  # the topological position of its first Value: the drawing's order
    inputs: int = 0  # how many inputs it has, drawn or not


@dataclass
class Plan:
    items: List[Item]  # parents before children; the root last
    root: Item
    order: List[Value]  # every Value of the graph, topologically
    notes: List[str]  # what was folded, for the caption

    @property
    def folded(self) -> bool:
        return bool(self.notes)


def plan(root: Value, max_nodes: Optional[int] = 300, max_depth: Optional[int] = None,
         fits: Optional[Callable[[Plan], bool]] = None, too_big: str = "to fit") -> Plan:
    """Decide what ``draw_dot`` shows for ``root``'s graph: items, their inputs, and what was folded.

    With ``fits``, a plan it rejects is folded (scopes and wide inputs) and then cut after
    fewer and fewer items from the root, the cut's note ending in ``too_big``, until it fits.

    >>> from engine import Value
    >>> [item.id for item in plan(Value(1.0) * 2).items]
    ['v0', 'v1', 'v2']
    """
    order = topological_order(root)
    index = _Index(order)
    collapse = max_nodes is not None and len(order) > max_nodes
    p = _plan(index, root, collapse, max_depth, max_nodes if collapse else None, "to stay within max_nodes")
    if fits is None or fits(p):
        return p
    cap = len(p.items) if max_nodes is None else min(max_nodes, len(p.items))
    p = _plan(index, root, True, max_depth, cap, too_big)
    if fits(p):
        return p
    # The largest cut that fits: doubling from one item, then bisection. Each try walks as many items as it
    # keeps, so the search costs about what the drawing holds, not what the graph does.
    best, fitting, failing = _plan(index, root, True, max_depth, 1, too_big), 1, cap
    size = 2
    while size < failing:
        attempt = _plan(index, root, True, max_depth, size, too_big)
        if not fits(attempt):
            failing = size
            break
        best, fitting, size = attempt, size, size * 2
    while failing - fitting > 1:
        middle = (fitting + failing) // 2
        attempt = _plan(index, root, True, max_depth, middle, too_big)
        if fits(attempt):
            best, fitting = attempt, middle
        else:
            failing = middle
    return best


def _plan(index: "_Index", root: Value, collapse: bool, max_depth: Optional[int], limit: Optional[int],
          why: str) -> Plan:
    notes: List[str] = []
    owners = _Owners(index, collapse, notes)
    reached = _fold_and_cut(owners, owners.of(root), collapse, max_depth, notes, limit, why)
    shown = sum(i.members for i in reached)
    if shown < len(index.order):
        notes.append(f"{len(index.order) - shown} of {len(index.order)} values not drawn")
    reached.sort(key=lambda i: i.first)
    if owners.boxes:  # a box sorts by its first member, which can come before the box's inputs
        reached = _parents_first(reached)
    return Plan(reached, owners.of(root), index.order, notes)


def _parents_first(items: List[Item]) -> List[Item]:
    """``items`` reordered so that each comes after its inputs, otherwise keeping their order (a cycle of
    boxes, scopes that use each other in turn, goes on from its earliest item)."""
    position = {item: n for n, item in enumerate(items)}
    inputs = {item: {p for p in item.parents if p in position} for item in items}  # drawn, each once
    waiting = {item: len(drawn) for item, drawn in inputs.items()}
    users: Dict[Item, List[Item]] = {item: [] for item in items}
    for item, drawn in inputs.items():
        for p in drawn:
            users[p].append(item)
    ready = [n for n, item in enumerate(items) if waiting[item] == 0]
    placed: List[Item] = []
    done = set()
    while len(placed) < len(items):
        if not ready:
            ready = [next(n for n, item in enumerate(items) if item not in done)]
        item = items[heapq.heappop(ready)]
        if item in done:
            continue
        done.add(item)
        placed.append(item)
        for user in users[item]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, position[user])
    return placed


def unique_names(items: List[Item], in_clusters: bool = False) -> Dict[Value, str]:
    """Each labelled Value's name as drawn: its label, or, when distinct Values share it, the label and
    its id, so that two inputs both labelled x0 can be told apart. ``in_clusters``: Values are drawn in
    boxes named by their scope, so a label need only be unique within its scope (each neuron's w0).

    >>> from engine import Value
    >>> y = Value(1.0, label="x") * Value(2.0, label="x")
    >>> sorted(unique_names(plan(y).items).values())
    ['x (v0)', 'x (v1)']
    """
    labelled = [i for i in items if i.kind == "value" and i.value.label]
    count: Dict[tuple, int] = {}

    def key(i: Item) -> tuple:
        return (i.value.scope if in_clusters else "", i.value.label)

    for i in labelled:
        count[key(i)] = count.get(key(i), 0) + 1
    # Shown through printable: a label with a NUL or a lone surrogate still draws (see viz.style.printable).
    return {i.value: printable(i.value.label) if count[key(i)] == 1 else f"{printable(i.value.label)} ({i.id})"
            for i in labelled}


class _Index:
    """What every try at a plan shares, found once: each Value's position, and the top-level scopes
    (a box's members and outside inputs), so that cutting again costs no walk over the whole graph."""

    def __init__(self, order: List[Value]) -> None:
        self.order = order
        self.position = {v: i for i, v in enumerate(order)}
        self._boxes: Optional[Dict[str, List[Value]]] = None
        self._inputs: Dict[str, List[object]] = {}
        self._parts: Dict[str, int] = {}

    def boxes(self) -> Dict[str, List[Value]]:
        """top-level scope -> its Values, in topological order (scopes in order of their first Value)."""
        if self._boxes is None:
            self._boxes = {}
            for v in self.order:
                if v.scope:
                    self._boxes.setdefault(v.scope.split(".")[0], []).append(v)
        return self._boxes

    def parts(self, top: str) -> int:
        """How many scopes inside a top-level scope (a layer's neurons)."""
        if top not in self._parts:
            self._parts[top] = len({v.scope for v in self._boxes[top]} - {top})
        return self._parts[top]

    def box_inputs(self, top: str) -> List[object]:
        """The outside inputs of a box's members, in order, each once: a Value, or another box's name."""
        if top not in self._inputs:
            seen, found = set(), []
            for v in self._boxes[top]:
                for p in v._prev:
                    key = p.scope.split(".")[0] if p.scope else p
                    if key != top and key not in seen:
                        seen.add(key)
                        found.append(key)
            self._inputs[top] = found
        return self._inputs[top]


class _Owners:
    """Phases 1 and 2, on demand (a big graph is mostly not drawn): the item each Value is drawn as,
    its own or its top-level scope's box when collapsing, and each item's inputs in argument order
    (a box's are the outside inputs of its members)."""

    def __init__(self, index: _Index, collapse: bool, notes: List[str]) -> None:
        self.index = index
        self.items: Dict[Value, Item] = {}
        self.boxes: Dict[str, Item] = {}
        self.tops: Dict[Item, str] = {}
        if not collapse:
            return
        for top, members in index.boxes().items():
            parts = index.parts(top)
            shown = printable(top)  # a scope is user data too: it names the box and a note
            values = f"{len(members)} value{'s' * (len(members) != 1)}"
            text = f"{shown}: {parts} neuron{'s' * (parts != 1)}, {values}" if parts else f"{shown}: {values}"
            self.boxes[top] = Item(f"scope_{len(self.boxes)}", "scope", text=text, members=len(members),
                                   first=index.position[members[0]])
            self.tops[self.boxes[top]] = top
            notes.append(f"{shown} collapsed ({values})")

    def of(self, v: Value) -> Item:
        if self.boxes and v.scope:
            return self.boxes[v.scope.split(".")[0]]
        item = self.items.get(v)
        if item is None:
            i = self.index.position[v]
            item = self.items[v] = Item(f"v{i}", "value", v, first=i)
        return item

    def link(self, item: Item, shown: Optional[int] = None) -> None:
        """Set the item's inputs; with ``shown``, only the first few of a long list are made."""
        if item.kind == "value":
            prev = item.value._prev
            item.parents = [self.of(p) for p in (prev if shown is None or len(prev) <= FAN_IN else prev[:shown])]
            item.inputs = len(prev)
            return
        item.parents = [self.boxes[key] if isinstance(key, str) else self.of(key)
                        for key in self.index.box_inputs(self.tops[item])]
        item.inputs = len(item.parents)


def _fold_and_cut(owners: _Owners, root: Item, collapse: bool, max_depth: Optional[int], notes: List[str],
                  limit: Optional[int] = None, why: str = "to stay within max_nodes") -> List[Item]:
    """Phase 3: walking out from the root, fold wide fan-in (when collapsing) and cut at ``max_depth``,
    and past ``limit`` items (a long chain has no scopes to fold); returns the items reached."""
    depth = {root: 0}
    reached = [root]
    cut_at_limit = cut_at_depth = False
    for item in reached:  # breadth-first; the list grows as we go
        if item.kind in ("value", "scope"):
            owners.link(item, FAN_SHOWN if collapse else None)
        if limit is not None and len(reached) >= limit and item.parents and item.kind == "value":
            item.parents = [Item(f"{item.id}_deep", "deep", text="... more", members=0)]  # reached below
            if not cut_at_limit:
                cut_at_limit = True
                notes.append(f"cut after {limit} items from the root {why}")
        else:
            if collapse and item.inputs > FAN_IN:
                extra = item.inputs - FAN_SHOWN
                more = Item(f"{item.id}_more", "more", text=f"+{extra} more inputs", members=0)
                notes.append(f"{extra} of the {item.inputs} inputs of {_name(item)} folded")
                item.parents = item.parents[:FAN_SHOWN] + [more]
            if max_depth is not None and depth[item] >= max_depth and item.parents:
                cut = Item(f"{item.id}_deep", "deep", text=f"... deeper than {max_depth}", members=0)
                cut_at_depth = True
                item.parents = [cut]
        for p in item.parents:  # every parent kept, a fold's or a cut's box included, is drawn
            if p not in depth:
                depth[p] = depth[item] + 1
                reached.append(p)
    if cut_at_depth:
        notes.append(f"cut at depth {max_depth} from the root")
    return reached


def _name(item: Item) -> str:
    if item.kind == "value":
        return printable(item.value.label or item.value._op or item.id)
    return item.text.split(":")[0]
