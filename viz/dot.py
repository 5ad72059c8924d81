"""The computation graph as a Graphviz ``Digraph``: a box per Value, a small node per op."""

from __future__ import annotations

import graphviz

from engine import Value, topological_order

RANKDIRS = ("LR", "TB", "BT", "RL")
_RECORD_SPECIALS = str.maketrans({c: "\\" + c for c in '{}|<>"\\'})


def _record_text(text: str) -> str:
    # Record labels give {, }, |, <, > a meaning of their own; escape them.
    return text.translate(_RECORD_SPECIALS).replace("\n", "\\n")


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR") -> graphviz.Digraph:
    """The graph behind ``root``: each Value with its label, data and grad; each op as a small node.

    Edges run parent -> op -> result, in argument order, so ``a*a`` shows two edges.
    Node ids are the topological positions (v0, v1, ...), stable from run to run.

    >>> from engine import Value
    >>> a = Value(2.0, label="a"); b = a * a
    >>> print(draw_dot(b).source.count("->"))
    3
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if format not in graphviz.FORMATS:
        raise ValueError(f"format {format!r} is not one Graphviz knows; try 'svg' or 'png'")
    graph = graphviz.Digraph(format=format, graph_attr={"rankdir": rankdir})
    order = topological_order(root)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    for node in order:
        nid = ids[node]
        fields = [node.label] if node.label else []
        fields += [f"data {node.data:.4g}", f"grad {node.grad:.4g}"]
        label = " | ".join(_record_text(f) for f in fields)
        graph.node(nid, label=f"{{ {label} }}", shape="record")
        if node._prev:
            graph.node(f"{nid}_op", label=node._op, shape="ellipse", fontsize="10", height="0.3")
            for parent in node._prev:
                graph.edge(ids[parent], f"{nid}_op")
            graph.edge(f"{nid}_op", nid)
    return graph
