"""Walking the graph without recursion, so a million-node chain is as easy as a small one."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, List

_creation_order = attrgetter("_id")


def topological_order(root: Any, *more: Any) -> List[Any]:
    """Every Value that ``root`` (and ``more`` roots, if given) depends on, each once, parents before children.

    A node is always created after its parents, so sorting the reachable nodes
    by creation number is a topological order; no depth-first search needed.

    >>> from engine import Value
    >>> a = Value(2.0, label="a"); b = a * a
    >>> [v.label or v._op for v in topological_order(b)]
    ['a', '*']
    """
    nodes = list(dict.fromkeys((root, *more)))
    seen = set(nodes)
    for node in nodes:  # the list grows as we go: a breadth-first sweep
        for parent in node._prev:
            if parent not in seen:
                seen.add(parent)
                nodes.append(parent)
    nodes.sort(key=_creation_order)
    return nodes
