"""An interactive backprop explorer: one self-contained HTML file that works offline.

The page embeds the graph's SVG and the backward pass as data; buttons step
through the pass node by node (children before parents), highlighting the node
being processed, showing the adjoint it sends to each input, and updating every
grad in place. Hovering a node shows its label, op, data, grad and local derivatives.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any, Dict, Iterable, Optional, Union

from engine import Value, topological_order
from engine.reverse import fresh_grads
from engine.transforms.explain import local_terms
from engine.files import write_atomic

from .dot import draw_dot
from .options import DrawOptions
from .plan import Item, unique_names
from .style import kind, printable
from .renderer import RenderError, render

MAX_VALUES = 500
TEMPLATE = Path(__file__).with_name("explorer.html")
# The explorer as a component, shared with the browser playground: its controls, its look and its stepping.
CONTROLS, STYLE, SCRIPT = (Path(__file__).with_name(f"explorer{part}") for part in ("_controls.html", ".css", ".js"))


def explorer_data(root: Value, parameters: Iterable[Value] = ()) -> Dict[str, object]:
    """The nodes and the backward steps the page replays, computed by the engine itself.

    Each node has its name as drawn (a label shared by several Values gets its id) and its
    role (``viz.style.kind``: input, parameter, constant, ...). The steps come from a
    backward pass on a detached copy of the grads: every ``.grad`` is put back afterwards.
    """
    order = topological_order(root)
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    names = unique_names([Item(ids[v], "value", v) for v in order])  # every Value is drawn, without clusters
    parameters = set(parameters)
    nodes = {}
    for v in order:
        locals_ = []
        for p, (rhs, d) in zip(v._prev, local_terms(v, [names.get(p) or ids[p] for p in v._prev]) or ()):
            if not math.isfinite(d):  # backward never needed it (no gradient flowed there); the page shows them all
                raise ValueError(f"explorer: the local derivative of {v._op} {names.get(v) or ids[v]!r} by its input "
                                 f"{names.get(p) or ids[p]!r}, {rhs}, is {d} here, which a page cannot show")
            locals_.append([ids[p], rhs, d])
        nodes[ids[v]] = {"label": names.get(v, ""), "op": printable(v._op), "kind": kind(v, root, parameters),
                         "data": v.data, "locals": locals_}
    with fresh_grads(order):
        steps = [{"node": ids[s.node], "adjoint": s.adjoint, "sent": [[ids[p], c] for p, c in s.sent]}
                 for s in root.backward_steps()]
    return {"root": ids[root], "nodes": nodes, "steps": steps}


# Inside a <script> element, "</script" ends it, and "<!--" followed by "<script" makes the parser swallow
# everything up to a second "</script>" (the page's code with it). JSON may write any character as \uXXXX,
# so <, > and & never appear as themselves; U+2028/U+2029, line ends to older JavaScript, go the same way.
_IN_SCRIPT = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                            "\u2029": "\\u2029"})


def script_json(data: object) -> str:
    """``data`` as JSON that can sit inside a ``<script>`` element whatever its strings hold.

    >>> script_json({"label": "<!--<script>"})
    '{"label": "\\\\u003c!--\\\\u003cscript\\\\u003e"}'
    """
    try:  # JSON has no nan or inf (json.dumps would write NaN, which the page's JSON.parse refuses: a dead page)
        return json.dumps(data, allow_nan=False).translate(_IN_SCRIPT)
    except ValueError:
        raise ValueError("explorer: the graph holds nan or inf, which a page cannot show; the engine refuses "
                         "them where they arise (see engine.detect_anomaly)") from None


class ExplorerPage(type(Path())):  # type: ignore[misc]
    """The path of an explorer page; in a notebook it shows the page itself, inline."""

    height = 560

    def _repr_html_(self) -> str:
        page = html.escape(self.read_text(encoding="utf-8"), quote=True)
        return (f'<iframe srcdoc="{page}" title="chainrule explorer: {html.escape(self.name)}" '
                f'style="width: 100%; height: {self.height}px; border: 1px solid #ccc"></iframe>')


def explorer(root: Value, path: Union[str, Path], options: Optional[DrawOptions] = None, **overrides: Any
             ) -> ExplorerPage:
    """Write the explorer for ``root``'s graph to ``path`` (an .html file) and return its path.

    The drawing takes ``draw_dot``'s options (``viz.DrawOptions``; every Value is drawn,
    at any size, and there are no clusters, so that each step can be shown). In a notebook the
    returned path displays the page inline. Needs a Graphviz renderer for the drawing
    (``graphviz-pure`` comes with chainrule).

    >>> from engine import Value
    >>> import tempfile, os
    >>> x = Value(2.0, label="x"); y = (x * x).tanh()
    >>> explorer(y, os.path.join(tempfile.mkdtemp(), "e.html")).suffix
    '.html'
    """
    if not isinstance(root, Value):
        raise TypeError(f"explorer needs a Value, got {type(root).__name__}")
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"explorer writes an .html file; got {str(path)!r}")
    size = len(topological_order(root))
    if size > MAX_VALUES:
        raise ValueError(f"explorer steps through graphs of up to {MAX_VALUES} values; this one has {size}. "
                         f"Draw it with viz.draw_dot, which folds big graphs")
    options = DrawOptions.of(options, **{"max_nodes": None, "max_size": None, "clusters": False, **overrides})
    data = explorer_data(root, options.parameters)
    graph = draw_dot(root, options)
    try:
        svg = render(graph.source, "svg", options.timeout).decode()
    except RenderError as e:
        raise RenderError(f"explorer needs a renderer for its drawing: {e}") from None
    svg = svg[svg.index("<svg"):]  # drop the XML prologue and doctype: the SVG sits inside HTML
    payload = script_json(data)
    # Both slots are filled in one pass: a label reading "__DATA__" inside the SVG must not take the data's place.
    template = (TEMPLATE.read_text(encoding="utf-8").replace("__STYLE__", STYLE.read_text(encoding="utf-8"))
                .replace("__CONTROLS__", CONTROLS.read_text(encoding="utf-8")))
    head, rest = template.split("__SVG__", 1)
    middle, tail = rest.split("__DATA__", 1)
    page = head + svg + middle + payload + tail.replace("__SCRIPT__", SCRIPT.read_text(encoding="utf-8"))
    return ExplorerPage(write_atomic(path, page.encode()))
