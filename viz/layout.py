"""How big a drawing will be, estimated from its plan before any layout runs, so that a default drawing
can be folded to fit a notebook cell; and the plan every view of a graph shares.

The estimate follows Graphviz's ``dot``: nodes sit in ranks along ``rankdir``, each as
long as its longest node and ``RANKSEP`` apart; across, a rank holds its nodes
``NODESEP`` apart, and an edge crossing a rank takes room in it too. Node sizes come
from the texts drawn, at a width per character a little above Helvetica's average,
so that the estimate errs on the large side.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from engine import Value
from engine.checks import data_of
from engine.transforms.explain import local_terms

from .options import DrawOptions
from .plan import Item, Plan, plan, unique_names

PT_TO_PX = 96 / 72  # a notebook and a PNG show one point as 4/3 of a pixel
# Helvetica's widths in thousandths of the font size (its font metrics, grouped): the narrow letters and
# signs, the wide ones, capitals; anything else (digits, most lower case) is 556.
_NARROW = dict.fromkeys("ijlft.,:;!'|/\\[] I", 278) | dict.fromkeys("r-()", 333) | {"*": 389}
_WIDE = {"m": 833, "w": 722, "M": 833, "W": 944, "%": 889, "G": 778, "O": 778, "Q": 778, "&": 667, "@": 1015}
_WIDE |= dict.fromkeys("+=<>~", 584)  # in 1e+06 and in show_local's labels
# Helvetica-Bold's widths where they pass the above (a table's name cell is bold)
_BOLD = dict.fromkeys("bdghnopqu?", 611) | dict.fromkeys("ft!:;[]", 333) | {"r": 389, "m": 889, "w": 778, "&": 722,
                                                                              "^": 584, "|": 280}
RANKSEP, NODESEP, EDGE_ROOM = 36.0, 18.0, 24.0  # dot's defaults (0.5 and 0.25 inch); an edge's share of a rank
ACROSS = 1.2  # dot spreads a rank wider than its nodes side by side, to keep edges straight
ALONG = 1.03  # and ranks a little further apart than their widest nodes: the estimate errs on the large side
MARGIN = 8.0
SHARED_USES = 3  # a leaf with more uses than this, in a graph of more than SHARED_GRAPH Values, gets references
SHARED_GRAPH = 15
MIN_ITEM_AREA = 40.0 * 26.0  # the least an item takes: a value's table is 26 high, and wider than 40 with its cells


def drawing_plan(root: Value, options: DrawOptions) -> Plan:
    """The plan ``draw_dot``, ``text_view`` and ``explorer`` share for these options: folded past
    ``max_nodes`` Values, and further until the drawing fits ``max_size`` pixels.

    >>> from engine import Value
    >>> y = Value(1.0)
    >>> for _ in range(100):
    ...     y = y.tanh()
    >>> p = drawing_plan(y, DrawOptions())
    >>> max(size(p, DrawOptions())) <= 2000, p.notes[0]
    (True, 'cut after 5 items from the root to fit 2000 px')
    """
    fits = None
    if options.max_size is not None:
        def fits(p: Plan) -> bool:
            # A quick no for a plan of many items, before the estimate that costs a pass over each: their
            # boxes alone (each at least MIN_ITEM_AREA) would cover more than the square of max_size.
            if len(p.items) * MIN_ITEM_AREA > options.max_size ** 2:
                return False
            return max(size(p, options)) <= options.max_size
    return plan(root, options.max_nodes, options.max_depth, fits, f"to fit {options.max_size} px")


def shared_leaves(p: Plan) -> set:
    """Ids of the leaves whose uses would send long edges across a big drawing: each use after the
    first is drawn as a small reference instead.

    >>> from engine import Value
    >>> a, h = Value(0.5), Value(1.0)
    >>> for _ in range(20):
    ...     h = h * a
    >>> shared_leaves(plan(h))
    {'v0'}
    """
    if sum(1 for item in p.items if item.kind == "value") <= SHARED_GRAPH:
        return set()
    uses: Dict[str, int] = {}
    for item in p.items:
        for parent in item.parents:
            uses[parent.id] = uses.get(parent.id, 0) + 1
    return {item.id for item in p.items
            if item.kind == "value" and not item.value._prev and uses.get(item.id, 0) > SHARED_USES}


def size(p: Plan, options: DrawOptions) -> Tuple[float, float]:
    """The estimated (width, height) in pixels of ``p`` drawn with ``options``.

    >>> from engine import Value
    >>> y = Value(2.0, label="a") * 3
    >>> [round(px) for px in size(plan(y), DrawOptions(legend=False))]
    [447, 150]
    """
    boxes, edges = _boxes_and_edges(p, options)
    if options.legend and options.color_by is not None:
        boxes["legend"] = (110.0, 24.0 + 14.0 * 4)  # at most four rows
    rank = _ranks(boxes, edges)
    if "legend" in rank:
        rank["legend"] = 0  # dot puts a node without edges in the first rank
    ranks = max(rank.values()) + 1
    along = [0.0] * ranks
    across = [0.0] * ranks
    count = [0] * ranks
    labelled = [0] * ranks
    lr = options.rankdir in ("LR", "RL")
    for node, (w, h) in boxes.items():
        r = rank[node]
        along[r] = max(along[r], w if lr else h)
        across[r] += h if lr else w
        count[r] += 1
        labelled[r] += "_label_" in node
    crossing = [0] * (ranks + 1)  # edges passing through a rank without a node there: a difference array
    for a, b in edges:
        low, high = sorted((rank[a], rank[b]))
        if high - low > 1:
            crossing[low + 1] += 1
            crossing[high] -= 1
    passing, widest = 0, 0.0
    for r in range(ranks):
        passing += crossing[r]
        widest = max(widest, across[r] + NODESEP * (count[r] - 1) + EDGE_ROOM * passing)
    widest *= ACROSS * (1.15 if options.clusters and not p.folded else 1.0)  # scopes' dashed boxes take room too
    labels_only = sum(1 for r in range(ranks) if count[r] and count[r] == labelled[r])  # dot halves their gaps
    length = (sum(along) + RANKSEP * (ranks - 1 - labels_only)) * ALONG
    width, height = (length, widest) if lr else (widest, length)
    if p.notes:  # the caption below, one note a line
        width = max(width, max(text_width(n, 10) for n in p.notes) + 60)
        height += 14.0 * (len(p.notes) + 1)
    return ((width + 2 * MARGIN) * PT_TO_PX, (height + 2 * MARGIN) * PT_TO_PX)


def text_width(text: str, points: float = 11, bold: bool = False) -> float:
    """The width in points of ``text`` in Helvetica, or Helvetica-Bold if ``bold`` (a capital's width for any
    letter not listed: no estimate runs short for a label in another script).

    >>> round(text_width("data 0.5"), 1), round(text_width("bound"), 1), round(text_width("bound", bold=True), 1)
    (39.8, 30.6, 33.6)
    """
    return points / 1000 * sum((bold and _BOLD.get(c)) or _NARROW.get(c) or _WIDE.get(c)
                               or (722 if c.isupper() or ord(c) > 127 else 556) for c in text)


def edge_labels(node: Value, names: Dict[Value, str], options: DrawOptions) -> List[Tuple[str, str]]:
    """For each input of ``node`` (named by ``names``): the local derivative as formula = number, and
    what backward sent along the edge (``show_local``'s edge labels).

    >>> from engine import Value
    >>> a = Value(2.0); y = a * 3; y.backward()
    >>> edge_labels(y, {a: "a", y._prev[1]: "k"}, DrawOptions())
    [('k = 3', 'sends 3'), ('a = 2', 'sends 2')]
    """
    try:
        terms = local_terms(node, [names[p] for p in node._prev])
    except (ArithmeticError, ValueError):  # sqrt at 0, say: no finite local derivative
        return [("undefined", "")] * len(node._prev)
    if terms is None:
        return [("hand-written _backward", "")] * len(node._prev)
    g = data_of(node.grad)
    num = options.number
    return [(rhs if rhs == num(d) else f"{rhs} = {num(d)}", f"sends {num(d * g)}" if g != 0.0 else "")
            for rhs, d in terms]


def _boxes_and_edges(p: Plan, options: DrawOptions) -> Tuple[Dict[str, Tuple[float, float]], List[Tuple[str, str]]]:
    """The nodes ``draw_dot`` makes for ``p``, with their (width, height) in points, and its edges."""
    boxes: Dict[str, Tuple[float, float]] = {}
    edges: List[Tuple[str, str]] = []
    shared = shared_leaves(p)
    uses: Dict[str, int] = {}
    num = options.number
    names = unique_names(p.items, options.clusters and not p.folded)
    called = {i.value: names.get(i.value) or i.id for i in p.items if i.kind == "value"}

    def use(parent: Item) -> str:
        if parent.id not in shared:
            return parent.id
        n = uses[parent.id] = uses.get(parent.id, 0) + 1
        if n == 1:
            return parent.id
        # "name (shared)" at 9 pt in a box of dot's margins (0.11 in a side), as tall as dot's least node (0.5 in)
        boxes[f"{parent.id}_use{n}"] = (max(90.0, text_width(f"{called[parent.value]} (shared)", 9) + 16), 36.0)
        return f"{parent.id}_use{n}"

    for item in p.items:
        if item.kind != "value":
            boxes[item.id] = (text_width(item.text, 10) + 30, 40.0)
            edges.extend((use(q), item.id) for q in item.parents)
            continue
        v = item.value
        name = names.get(v)
        # each cell its text, 4 pt of padding and a 1 pt border a side; the name in bold; the table's own border
        width = sum(text_width(c) + 10 for c in (f"data {num(v.data)}", f"grad {num(v.grad)}"))
        boxes[item.id] = (width + (text_width(name, bold=True) + 10 if name else 0) + 2, 26.0)
        if not v._prev:
            continue
        op = f"{item.id}_op"
        # an ellipse: dot's least width (0.75 in), or its text with margins widened by at most the square root of 2
        boxes[op] = (max(54.0, (text_width(v._op, 10) + 3) * 1.42), 22.0)
        edges.append((op, item.id))
        whole = len(item.parents) == len(v._prev) and all(q.kind == "value" for q in item.parents)
        labels = edge_labels(v, called, options) if options.show_local and whole else None
        for k, q in enumerate(item.parents):
            if labels:  # dot gives each edge label a place of its own between the ranks
                label = f"{item.id}_label_{k}"
                boxes[label] = (max(text_width(t, 9) for t in labels[k]) + 4, 24.0)
                edges.extend([(use(q), label), (label, op)])
            else:
                edges.append((use(q), op))
    return boxes, edges


def _ranks(boxes: Dict[str, Tuple[float, float]], edges: List[Tuple[str, str]]) -> Dict[str, int]:
    """Each node's rank, as its longest path to a sink counted back from the deepest: a leaf sits next to
    the op that uses it, as dot places it. Edges closing a cycle (boxes of scopes used in turn) are left out."""
    children: Dict[str, List[str]] = {n: [] for n in boxes}
    waiting = {n: 0 for n in boxes}  # children not yet ranked
    for a, b in edges:
        children[a].append(b)
        waiting[a] += 1
    parents: Dict[str, List[str]] = {n: [] for n in boxes}
    for a, b in edges:
        parents[b].append(a)
    height = {}
    ready = [n for n, k in waiting.items() if k == 0]
    while len(height) < len(boxes):
        if not ready:  # a cycle: rank what is left from the children already ranked
            ready = [next(n for n in boxes if n not in height)]
        node = ready.pop()
        if node in height:
            continue
        height[node] = max((height[c] + 1 for c in children[node] if c in height), default=0)
        for q in parents[node]:
            waiting[q] -= 1
            if waiting[q] == 0:
                ready.append(q)
    top = max(height.values())
    return {n: top - h for n, h in height.items()}
