"""The computation graph as a Graphviz ``Digraph``: a table per Value, a small node per op."""

from __future__ import annotations

import html
from typing import Dict, Iterable, Optional, Tuple

import graphviz

from engine import Value
from engine.checks import data_of
from engine.transforms.explain import local_terms

from . import style
from .plan import Plan, plan
from .text import text_view

RANKDIRS = ("LR", "TB", "BT", "RL")


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that shows itself in Jupyter with whatever renderer there is.

    With the system ``dot`` or ``graphviz-pure`` it displays as SVG; with neither it
    shows the text view instead of a traceback.
    """

    text_view = ""

    def _repr_mimebundle_(self, include=None, exclude=None, **_):  # noqa: ANN001 (IPython's protocol)
        from .renderer import RenderError, render

        try:
            svg = render(self.source, "svg")
        except RenderError:
            return {"text/plain": self.text_view or self.source}
        return {"image/svg+xml": svg.decode(), "text/plain": self.text_view or "<chainrule graph>"}


def _num(x: float) -> str:
    return f"{data_of(x):.4g}"


def _table(v: Value, fill: str, border: str = "1") -> str:
    cells = [f"<B>{html.escape(v.label)}</B>"] if v.label else []
    cells += [f"data {_num(v.data)}", f"grad {_num(v.grad)}"]
    tds = "".join(f"<TD>{c}</TD>" for c in cells)
    return (f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{fill}">'
            f"<TR>{tds}</TR></TABLE>>")


def _edge_labels(node: Value, names: Dict[Value, str]) -> Iterable[Tuple[str, str]]:
    """For each input of ``node``: the local derivative as formula = number, and what backward sent."""
    try:
        terms = local_terms(node, [names[p] for p in node._prev])
    except (ArithmeticError, ValueError):  # sqrt at 0, say: no finite local derivative
        return [("undefined", "")] * len(node._prev)
    if terms is None:
        return [("hand-written _backward", "")] * len(node._prev)
    g = data_of(node.grad)
    out = []
    for rhs, d in terms:
        label = rhs if rhs == _num(d) else f"{rhs} = {_num(d)}"
        out.append((label, f"sends {_num(d * g)}" if g != 0.0 else ""))
    return out


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR", color_by: Optional[str] = "kind",
             log_scale: bool = False, show_local: bool = False, max_nodes: Optional[int] = 300,
             max_depth: Optional[int] = None, parameters: Iterable[Value] = (), legend: bool = True,
             clusters: bool = True) -> Graph:
    """The graph behind ``root``: each Value as a table (label | data | grad), each op as a small node.

    - ``color_by='kind'`` fills inputs, parameters, constants and the output in their
      own colours; ``'grad'`` uses a diverging red/blue scale on the gradient
      (``log_scale=True`` for magnitudes spanning decades); zero grads are grey and
      nan or inf magenta; ``None`` for no colour. A legend explains the colours.
    - ``show_local=True`` labels each edge with the local derivative, as formula and
      number, and after ``backward()`` with what the edge carried.
    - Values made inside a model are drawn in a dashed cluster named by their scope.
    - Graphs of more than ``max_nodes`` Values are folded (see ``viz.plan``), with a
      caption saying what was; ``max_depth`` cuts at that distance from the root.
    - ``parameters`` marks leaves as parameters (a model's own are found by scope).

    Edges run input -> op -> result in argument order, so ``a*a`` shows two edges;
    node ids are topological positions (v0, v1, ...), the same from run to run.

    >>> from engine import Value
    >>> a = Value(2.0, label="a"); b = a * a
    >>> draw_dot(b).source.count("->")
    3
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if format not in graphviz.FORMATS:
        raise ValueError(f"format {format!r} is not one Graphviz knows; try 'svg' or 'png'")
    if color_by not in ("kind", "grad", None):
        raise ValueError(f"color_by must be 'kind', 'grad' or None, got {color_by!r}")
    for what, n in (("max_nodes", max_nodes), ("max_depth", max_depth)):
        if n is not None and (not isinstance(n, int) or n < 1):
            raise ValueError(f"{what} must be a positive whole number or None, got {n!r}")
    p = plan(root, max_nodes, max_depth)
    graph = Graph(format=format, graph_attr={"rankdir": rankdir, "fontsize": "11"},
                  node_attr={"fontname": "Helvetica", "fontsize": "11"}, edge_attr={"fontsize": "9"})
    _draw(graph, p, root, color_by, log_scale, show_local, set(parameters), clusters)
    if legend and color_by is not None:
        rows = "".join(f'<TR><TD BGCOLOR="{c}">  </TD><TD ALIGN="LEFT">{m}</TD></TR>'
                       for c, m in style.legend_rows(color_by))
        graph.node("legend", label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">{rows}</TABLE>>',
                   shape="note", fontsize="9")
    if p.notes:
        graph.attr(label="folded: " + "; ".join(p.notes), labelloc="b", fontsize="10")
    graph.text_view = text_view(root) if len(p.order) <= 2000 else "; ".join(p.notes)
    return graph


def _draw(graph: Graph, p: Plan, root: Value, color_by: Optional[str], log_scale: bool, show_local: bool,
          parameters: set, clusters: bool) -> None:
    largest = style.largest_grad(p.order) if color_by == "grad" else 0.0
    names = {item.value: item.value.label or item.id for item in p.items if item.kind == "value"}
    by_scope: Dict[str, list] = {}
    for item in p.items:
        target = graph
        if item.kind == "value":
            v = item.value
            if color_by == "grad":
                fill = style.grad_colour(data_of(v.grad), largest, log_scale)
            elif color_by == "kind":
                fill = style.KIND_COLOURS[style.kind(v, root, parameters)]
            else:
                fill = "#ffffff"
            spec = (item.id, {"label": _table(v, fill), "shape": "plain"})
            if clusters and v.scope and not p.folded:
                by_scope.setdefault(v.scope, []).append(spec)
            else:
                graph.node(spec[0], **spec[1])
            if v._prev:
                op = {"label": html.escape(v._op), "shape": "ellipse", "fontsize": "10", "height": "0.3",
                      "margin": "0.02"}
                if clusters and v.scope and not p.folded:
                    by_scope[v.scope].append((f"{item.id}_op", op))
                else:
                    target.node(f"{item.id}_op", **op)
                # Folding can shorten the inputs; then the labels would not line up, so skip them.
                labels = _edge_labels(v, names) if show_local and len(item.parents) == len(v._prev) else None
                for k, parent in enumerate(item.parents):
                    attrs = {}
                    if labels:
                        local, sent = labels[k]
                        attrs["label"] = local + (f"\n{sent}" if sent else "")
                    graph.edge(parent.id, f"{item.id}_op", **attrs)
                graph.edge(f"{item.id}_op", item.id)
        else:
            shape = {"scope": "box3d", "more": "note", "deep": "note"}[item.kind]
            graph.node(item.id, label=item.text, shape=shape, style="dashed" if item.kind == "scope" else "",
                       fontsize="10")
            for parent in item.parents:
                graph.edge(parent.id, item.id, style="dashed")
    for i, (scope, specs) in enumerate(by_scope.items()):
        with graph.subgraph(name=f"cluster_{i}") as c:
            c.attr(label=scope, style="dashed", fontsize="10", color="#888888")
            for node_id, attrs in specs:
                c.node(node_id, **attrs)
