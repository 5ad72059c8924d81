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
    owner = _owners(order, collapse, notes)
    _link(order, owner)
    reached = _fold_and_cut(owner[root], collapse, max_depth, notes)
    shown = sum(i.members for i in reached)
    if shown < len(order):
        notes.append(f"{len(order) - shown} of {len(order)} values not drawn")
    first = {owner[v]: i for i, v in reversed(list(enumerate(order)))}
    reached.sort(key=lambda i: first.get(i, -1))
    return Plan(reached, owner[root], order, notes)


def _owners(order: List[Value], collapse: bool, notes: List[str]) -> Dict[Value, Item]:
    """Phase 1: the item each Value is drawn as: its own, or its top-level scope's box when collapsing."""
    owner: Dict[Value, Item] = {}
    boxes: Dict[str, Item] = {}
    neurons: Dict[str, set] = {}
    for i, v in enumerate(order):
        top = v.scope.split(".")[0] if collapse and v.scope else ""
        if not top:
            owner[v] = Item(f"v{i}", "value", v)
            continue
        if top not in boxes:
            boxes[top] = Item(f"scope_{len(boxes)}", "scope", text=top, members=0)
            neurons[top] = set()
        box = boxes[top]
        box.members += 1
        neurons[top].add(v.scope)
        owner[v] = box
    for top, box in boxes.items():
        parts = len(neurons[top] - {top})
        box.text = f"{top}: {parts} neuron{'s' * (parts != 1)}, {box.members} values" if parts else f"{top}: {box.members} values"
        notes.append(f"{top} collapsed ({box.members} values)")
    return owner


def _link(order: List[Value], owner: Dict[Value, Item]) -> None:
    """Phase 2: each item's inputs, in argument order; a box's are the outside inputs of its members."""
    for v in order:
        item = owner[v]
        parents = [owner[p] for p in v._prev]
        if item.kind == "value":
            item.parents = parents
        else:
            for p in parents:
                if p is not item and p not in item.parents:
                    item.parents.append(p)


def _fold_and_cut(root: Item, collapse: bool, max_depth: Optional[int], notes: List[str]) -> List[Item]:
    """Phase 3: walking out from the root, fold wide fan-in (when collapsing) and cut at ``max_depth``;
    returns the items reached."""
    depth = {root: 0}
    reached = [root]
    hidden_beyond = 0
    for item in reached:  # breadth-first; the list grows as we go
        if collapse and len(item.parents) > FAN_IN:
            extra = len(item.parents) - FAN_SHOWN
            more = Item(f"{item.id}_more", "more", text=f"+{extra} more inputs", members=0)
            notes.append(f"{extra} of the {len(item.parents)} inputs of {_name(item)} folded")
            item.parents = item.parents[:FAN_SHOWN] + [more]
        if max_depth is not None and depth[item] >= max_depth and item.parents:
            cut = Item(f"{item.id}_deep", "deep", text=f"... deeper than {max_depth}", members=0)
            hidden_beyond += 1
            item.parents = [cut]
        for p in item.parents:
            if p not in depth:
                depth[p] = depth[item] + 1
                reached.append(p)
    if hidden_beyond:
        notes.append(f"cut at depth {max_depth} from the root")
    return reached


def _name(item: Item) -> str:
    if item.kind == "value":
        return item.value.label or item.value._op or item.id
    return item.text.split(":")[0]
