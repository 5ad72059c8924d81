"""The computation graph as a Graphviz ``Digraph``: a table per Value, a small node per op.

``draw_dot`` works in phases: plan what to show (``viz.plan``), then draw each item
(a Value's table, its op, its edges; or a folded box), then the scope clusters and
the legend. A leaf used many times (a weight reused in a loop, as in an RNN) is
drawn in full once and as a small reference at each further use, so no edge runs
across the whole graph: long edges are what makes a layout take minutes.
"""

from __future__ import annotations

import html
from typing import Any, Dict, List, Optional, Set, Tuple

from graphviz import escape as plain

from engine import Value
from engine.checks import data_of

from . import style
from .digraph import Graph
from .options import DrawOptions
from .layout import drawing_plan, edge_labels, shared_leaves
from .plan import Item, Plan, unique_names
from .text import plan_text

MAX_LINES = 2000  # an unfolded text view longer than this is summed up in one line in the notebook


def draw_dot(root: Value, options: Optional[DrawOptions] = None, **overrides: Any) -> Graph:
    """The graph behind ``root``: each Value as a table (label | data | grad), each op as a small node.

    Options (see :class:`viz.DrawOptions`) come as keywords or as a ``DrawOptions``:

    - ``color_by='kind'`` fills inputs, parameters, constants and the output in their
      own colours; ``'grad'`` uses a diverging red/blue scale on the gradient
      (``log_scale=True`` for magnitudes spanning decades); zero grads are grey and
      nan or inf magenta; ``None`` for no colour. A legend explains the colours.
    - ``show_local=True`` labels each edge with the local derivative, as formula and
      number, and after ``backward()`` with what the edge carried.
    - Values made inside a model are drawn in a dashed cluster named by their scope.
    - Graphs of more than ``max_nodes`` Values are folded (see ``viz.plan``), with a
      caption saying what was; ``max_depth`` cuts at that distance from the root; a
      drawing whose longest side would pass ``max_size`` pixels (2000: a notebook
      cell) is folded and cut further until it fits.
    - Distinct Values with the same label are told apart by their ids: ``x0 (v3)``.
    - ``parameters`` marks leaves as parameters (a model's own are found by scope).
    - ``precision`` digits for numbers; ``timeout`` seconds for the notebook's render.

    Edges run input -> op -> result in argument order, so ``a*a`` shows two edges;
    node ids are topological positions (v0, v1, ...), the same from run to run.

    >>> from engine import Value
    >>> a = Value(2.0, label="a"); b = a * a
    >>> draw_dot(b).source.count("->")
    3
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value, got {type(root).__name__}")
    options = DrawOptions.of(options, **overrides)
    p = drawing_plan(root, options)
    font = "Helvetica"  # one face for tables, scope titles and edge labels (graphviz's default is a serif)
    graph = Graph(format=options.format, graph_attr={"rankdir": options.rankdir, "fontsize": "11", "fontname": font},
                  node_attr={"fontname": font, "fontsize": "11"}, edge_attr={"fontname": font, "fontsize": "9"})
    graph.options = options
    drawing = _Drawing(graph, p, root, options)
    drawing.draw()
    if options.legend and options.color_by is not None:
        rows = "".join(f'<TR><TD BGCOLOR="{c}">  </TD><TD ALIGN="LEFT">{m}</TD></TR>'
                       for c, m in style.legend_rows(options.color_by, drawing.kinds))
        graph.node("legend", label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">{rows}</TABLE>>',
                   shape="note", fontsize="9")
    if p.notes:  # a note a line, left-aligned: one long line would widen the whole drawing
        notes = "\\l".join(n.replace("\\", "\\\\") for n in p.notes)  # a scope's own backslash stays text
        graph.attr(label="folded: " + notes + "\\l", labelloc="b", fontsize="10", fontname="Helvetica")
    # What a notebook without a renderer (or terminal IPython) shows: the folded text view, or for a graph
    # drawn unfolded on request, a line saying so rather than a million lines.
    graph.text_view = plan_text(p, root, options) if len(p.items) <= MAX_LINES else (
        f"a graph of {len(p.order)} values, drawn unfolded (max_nodes=None, max_size=None): too long to list here; "
        f"fold it with the default max_nodes and max_size, or print it with viz.text")
    return graph


def in_html(text: str) -> str:
    r"""``text`` as the text of an HTML-like label: markup escaped, and each backslash doubled, since graphviz
    reads ``\N`` there as the node's name and ``\\`` as one backslash.

    >>> in_html(r"<b> \N")
    '&lt;b&gt; \\\\N'
    """
    return html.escape(text).replace("\\", "\\\\")


class _Drawing:
    """One drawing in progress: the plan's items become nodes and edges, phase by phase."""

    def __init__(self, graph: Graph, p: Plan, root: Value, options: DrawOptions) -> None:
        self.graph, self.plan, self.root, self.options = graph, p, root, options
        self.largest = style.largest_grad(p.order) if options.color_by == "grad" else 0.0
        self.labels = unique_names(p.items, options.clusters and not p.folded)  # as clusters are drawn, below
        self.names = {item.value: self.labels.get(item.value) or item.id for item in p.items if item.kind == "value"}
        self.by_scope: Dict[str, List[Tuple[str, dict]]] = {}
        self.shared = shared_leaves(p)
        self.uses: Dict[str, int] = {}
        self.kinds: Set[str] = set()  # the kinds drawn, for a legend that lists only what the picture holds

    def draw(self) -> None:
        for item in self.plan.items:
            if item.kind == "value":
                self.value(item)
            else:
                self.placeholder(item)
        self.clusters()

    def node(self, scope: str, node_id: str, attrs: dict) -> None:
        """A node, inside its scope's cluster when clusters are drawn."""
        if self.options.clusters and scope and not self.plan.folded:
            self.by_scope.setdefault(scope, []).append((node_id, attrs))
        else:
            self.graph.node(node_id, **attrs)

    def value(self, item: Item) -> None:
        v = item.value
        self.node(v.scope, item.id, {"label": self.table(v, self.fill(v)), "shape": "plain"})
        if not v._prev:
            return
        self.node(v.scope, f"{item.id}_op", {"label": in_html(style.printable(v._op)), "shape": "ellipse",
                                             "fontsize": "10", "height": "0.3", "margin": "0.02"})
        # Folding can shorten the inputs; then the labels would not line up, so skip them.
        whole = len(item.parents) == len(v._prev) and all(q.kind == "value" for q in item.parents)
        labels = self.edge_labels(v) if self.options.show_local and whole else None
        for k, parent in enumerate(item.parents):
            attrs = {}
            if labels:
                local, sent = labels[k]
                attrs["label"] = plain(local + (f"\n{sent}" if sent else ""))
            self.graph.edge(self.use_of(parent), f"{item.id}_op", **attrs)
        self.graph.edge(f"{item.id}_op", item.id)

    def use_of(self, parent: Item) -> str:
        """The node an edge from ``parent`` starts at: itself, or a small reference for a shared leaf's later uses."""
        if parent.id not in self.shared:
            return parent.id
        n = self.uses[parent.id] = self.uses.get(parent.id, 0) + 1
        if n == 1:
            return parent.id
        ref = f"{parent.id}_use{n}"
        name = self.names.get(parent.value, parent.id)
        # Plain labels: graphviz quotes them, and plain() keeps a backslash (\N, say) and <...> as text.
        self.graph.node(ref, label=plain(f"{name} (shared)"), shape="box", style="dashed,rounded", fontsize="9",
                        tooltip=plain(f"{name} again: the shared value drawn in full once"))
        return ref

    def placeholder(self, item: Item) -> None:
        shape = {"scope": "box3d", "more": "note", "deep": "note"}[item.kind]
        self.graph.node(item.id, label=plain(item.text), shape=shape, style="dashed" if item.kind == "scope" else "",
                        fontsize="10")
        for parent in item.parents:
            self.graph.edge(self.use_of(parent), item.id, style="dashed")

    def clusters(self) -> None:
        for i, (scope, specs) in enumerate(self.by_scope.items()):
            with self.graph.subgraph(name=f"cluster_{i}") as c:
                c.attr(label=plain(style.printable(scope)), style="dashed", fontsize="10", color="#888888")
                for node_id, attrs in specs:
                    c.node(node_id, **attrs)

    def fill(self, v: Value) -> str:
        if self.options.color_by == "grad":
            return style.grad_colour(data_of(v.grad), self.largest, self.options.log_scale)
        if self.options.color_by == "kind":
            what = style.kind(v, self.root, self.options.parameters)
            self.kinds.add(what)
            return style.KIND_COLOURS[what]
        return "#ffffff"

    def table(self, v: Value, fill: str, border: str = "1") -> str:
        name = self.labels.get(v)
        cells = [f"<B>{in_html(name)}</B>"] if name else []
        cells += [f"data {self.options.number(v.data)}", f"grad {self.options.number(v.grad)}"]
        tds = "".join(f"<TD>{c}</TD>" for c in cells)
        return (f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{fill}">'
                f"<TR>{tds}</TR></TABLE>>")

    def edge_labels(self, node: Value) -> List[Tuple[str, str]]:
        """For each input of ``node``: the local derivative as formula = number, and what backward sent."""
        return edge_labels(node, self.names, self.options)
