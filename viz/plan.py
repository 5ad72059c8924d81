"""What to draw: every Value of a small graph, or a folded summary of a big one.

A big graph (more than ``max_nodes`` Values) is folded three ways, each noted:
Values made inside a model are collapsed into one box per top-level scope
(``layer1: 16 neurons``); an item with many inputs shows the first few and a
``+N more`` box; items further than ``max_depth`` from the root are cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from engine import Value, topological_order

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


def plan(root: Value, max_nodes: Optional[int] = 300, max_depth: Optional[int] = None) -> Plan:
    """Decide what ``draw_dot`` shows for ``root``'s graph: items, their inputs, and what was folded."""
    order = topological_order(root)
    collapse = max_nodes is not None and len(order) > max_nodes
    notes: List[str] = []
    owners = _Owners(order, collapse, notes)
    reached = _fold_and_cut(owners, owners.of(root), collapse, max_depth, notes, max_nodes if collapse else None)
    shown = sum(i.members for i in reached)
    if shown < len(order):
        notes.append(f"{len(order) - shown} of {len(order)} values not drawn")
    reached.sort(key=lambda i: i.first)
    return Plan(reached, owners.of(root), order, notes)


class _Owners:
    """Phases 1 and 2, on demand (a big graph is mostly not drawn): the item each Value is drawn as,
    its own or its top-level scope's box when collapsing, and each item's inputs in argument order
    (a box's are the outside inputs of its members)."""

    def __init__(self, order: List[Value], collapse: bool, notes: List[str]) -> None:
        self.position = {v: i for i, v in enumerate(order)}
        self.items: Dict[Value, Item] = {}
        self.members: Dict[Item, List[Value]] = {}
        if not collapse:
            return
        boxes: Dict[str, Item] = {}
        neurons: Dict[str, set] = {}
        for i, v in enumerate(order):
            if not v.scope:
                continue
            top = v.scope.split(".")[0]
            if top not in boxes:
                boxes[top] = Item(f"scope_{len(boxes)}", "scope", text=top, members=0, first=i)
                neurons[top] = set()
                self.members[boxes[top]] = []
            box = boxes[top]
            box.members += 1
            neurons[top].add(v.scope)
            self.members[box].append(v)
            self.items[v] = box
        for top, box in boxes.items():
            parts = len(neurons[top] - {top})
            box.text = f"{top}: {parts} neuron{'s' * (parts != 1)}, {box.members} values" if parts else f"{top}: {box.members} values"
            notes.append(f"{top} collapsed ({box.members} values)")

    def of(self, v: Value) -> Item:
        item = self.items.get(v)
        if item is None:
            i = self.position[v]
            item = self.items[v] = Item(f"v{i}", "value", v, first=i)
        return item

    def link(self, item: Item, shown: Optional[int] = None) -> None:
        """Set the item's inputs; with ``shown``, only the first few of a long list are made."""
        if item.kind == "value":
            prev = item.value._prev
            item.parents = [self.of(p) for p in (prev if shown is None or len(prev) <= FAN_IN else prev[:shown])]
            item.inputs = len(prev)
            return
        for v in self.members.get(item, []):
            for p in v._prev:
                owner = self.of(p)
                if owner is not item and owner not in item.parents:
                    item.parents.append(owner)
        item.inputs = len(item.parents)


def _fold_and_cut(owners: _Owners, root: Item, collapse: bool, max_depth: Optional[int], notes: List[str],
                  limit: Optional[int] = None) -> List[Item]:
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
                notes.append(f"cut after {limit} items from the root to stay within max_nodes")
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
        return item.value.label or item.value._op or item.id
    return item.text.split(":")[0]
