"""viz.layout._boxes_and_edges: the nodes and edges ``draw_dot`` makes for a plan, each node with its (width,
height) in points, from which the drawing's size is estimated before Graphviz runs. Checked against the dot source
``draw_dot`` really writes (its node ids, edges and texts), the sizes Graphviz gives those nodes (an estimate may
be larger, never smaller), and by hand."""

from __future__ import annotations

import html
import json
import random
import re
from collections import Counter
from typing import Callable, Dict, List, Tuple

import pytest

import viz
from engine import Value
from nn import MLP
from viz import draw_dot
from viz.layout import _boxes_and_edges, drawing_plan, text_width
from viz.options import DrawOptions

needs_renderer = pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer")


# The sizing rule, per kind of node draw_dot writes, from the texts it holds:
def table_size(cells: List[Tuple[str, bool]]) -> Tuple[float, float]:
    # each cell its text, 4 pt of padding and a 1 pt border a side (the name cell bold), and the table's border
    return sum(text_width(text, bold=bold) + 10 for text, bold in cells) + 2, 26.0


def op_size(text: str) -> Tuple[float, float]:
    return max(54.0, (text_width(text, 10) + 3) * 1.42), 22.0  # an ellipse 0.3 in high, at least 0.75 in wide


def ref_size(text: str) -> Tuple[float, float]:
    return max(90.0, text_width(text, 9) + 16), 36.0  # a box with dot's margins, at least 0.5 in high


def placeholder_size(text: str) -> Tuple[float, float]:
    return text_width(text, 10) + 30, 40.0


def label_size(lines: List[str]) -> Tuple[float, float]:
    return max(text_width(t, 9) for t in lines) + 4, 24.0


def unquote(text: str) -> str:
    return text[1:-1].replace('\\"', '"') if text.startswith('"') else text


def from_source(source: str) -> Tuple[Dict[str, Tuple[float, float]], List[Tuple[str, str]]]:
    """The nodes (with their sizes by the rule above) and edges of ``source`` as ``_boxes_and_edges`` counts
    them: an edge label is a node of its own between the edge's ends (dot gives it a place), named
    ``<op>_label_<k>`` for the k-th edge into that op."""
    boxes: Dict[str, Tuple[float, float]] = {}
    for node_id, attrs in re.findall(r"^\t+(\w+) \[(.*?)\]$", source, re.M | re.S):
        if node_id in ("graph", "node", "edge"):
            continue
        shape = re.search(r" shape=(\w+)", attrs).group(1)
        if shape == "plain":
            cells = re.findall(r"<TD>(<B>)?(.*?)(?:</B>)?</TD>", attrs)
            boxes[node_id] = table_size([(html.unescape(text), bool(b)) for b, text in cells])
            continue
        text = unquote(re.match(r'label=("(?:[^"\\]|\\.)*"|[^\s\]]+)', attrs).group(1))
        if shape == "ellipse":
            boxes[node_id] = op_size(text)
        elif "dashed,rounded" in attrs:
            boxes[node_id] = ref_size(text)
        else:
            boxes[node_id] = placeholder_size(text)
    edges: List[Tuple[str, str]] = []
    into: Counter = Counter()
    for a, b, attrs in re.findall(r"^\t+(\w+) -> (\w+)(?: \[(.*?)\])?$", source, re.M | re.S):
        label = re.match(r'label=("(?:[^"\\]|\\.)*")', attrs or "")
        if label:
            name = f"{b[:-len('_op')]}_label_{into[b]}"
            boxes[name] = label_size(unquote(label.group(1)).split("\n"))
            edges += [(a, name), (name, b)]
        else:
            edges.append((a, b))
        into[b] += 1
    return boxes, edges


def expression() -> Value:
    a, b = Value(2.0, label="bound"), Value(-3.0, label="WMt")  # names in bold: b, d, n, o, u, t are wider
    y = (a * b + a).tanh()
    y.backward()
    return y


def shared_loop() -> Value:
    """22 Values (more than SHARED_GRAPH) and w used 20 times (more than SHARED_USES): references from its 2nd use."""
    w, h = Value(0.5, label="weight"), Value(1.0, label="h0")
    for _ in range(20):
        h = h * w
    h.backward()
    return h


def model() -> Value:
    random.seed(0)
    out = MLP(2, [3, 1])([1.0, -2.0])  # each neuron's w0, w1 and b: in clusters their names need no id
    out.backward()
    return out


def long_op() -> Value:
    a = Value(1.5, label="a")
    return Value(3.0, (a,), "a_long_custom_op") + a  # an op name wider than dot's least ellipse


def long_shared_name() -> Value:
    w, h = Value(0.5, label="a_rather_long_weight_name"), Value(1.0)
    for _ in range(20):
        h = h * w
    return h


CASES: Dict[str, Tuple[Callable[[], Value], dict]] = {
    "expression": (expression, {}),
    "show_local": (expression, {"show_local": True}),
    "shared": (shared_loop, {"max_size": None}),
    "shared_show_local": (shared_loop, {"max_size": None, "show_local": True, "rankdir": "TB"}),
    "long_shared_name": (long_shared_name, {"max_size": None}),
    "clusters": (model, {}),
    "no_clusters": (model, {"clusters": False}),
    "folded": (model, {"max_nodes": 10}),
    "folded_show_local": (model, {"max_nodes": 10, "show_local": True}),
    "cut": (shared_loop, {"max_depth": 3}),
    "long_op": (long_op, {}),
}


def estimated_and_drawn(case: str):
    build, overrides = CASES[case]
    root = build()
    options = DrawOptions.of(None, legend=False, **overrides)
    return _boxes_and_edges(drawing_plan(root, options), options), draw_dot(root, options)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_boxes_and_edges_are_those_draw_dot_writes_sized_from_their_texts(case: str) -> None:
    (boxes, edges), graph = estimated_and_drawn(case)
    want_boxes, want_edges = from_source(graph.source)
    assert sorted(boxes) == sorted(want_boxes)
    assert Counter(edges) == Counter(want_edges)  # a*a has its edge twice
    assert boxes == {node: pytest.approx(size, abs=1e-9) for node, size in want_boxes.items()}


def test_each_case_shows_what_it_is_for() -> None:
    # the cases above reach each kind of node: a check that they still do, as the drawing's defaults change
    kinds = {case: "".join(sorted({k for node in from_source(estimated_and_drawn(case)[1].source)[0]
                                   for k, mark in (("u", "_use"), ("l", "_label_"), ("s", "scope_"), ("d", "_deep"))
                                   if mark in node})) for case in CASES}
    assert kinds == {"expression": "", "show_local": "l", "shared": "u", "shared_show_local": "lu",
                     "long_shared_name": "u", "clusters": "", "no_clusters": "", "folded": "s",
                     "folded_show_local": "s", "cut": "d", "long_op": ""}
    (boxes, _), graph = estimated_and_drawn("clusters")
    assert "<B>w0</B>" in graph.source and "w0 (v" not in graph.source  # each neuron's w0, named once in its box
    assert "w0 (v" in estimated_and_drawn("no_clusters")[1].source  # no boxes: told apart by id


def test_a_small_graphs_boxes_by_hand() -> None:
    a = Value(2.0, label="bound")
    y = a * 3
    options = DrawOptions(legend=False)
    boxes, edges = _boxes_and_edges(drawing_plan(y, options), options)
    # Helvetica-Bold "bound": b o u n d 611 each; "data 2": d 556 a 556 t 278 a 556 space 278 2 556;
    # "grad 0": g 556 r 333 a 556 d 556 space 278 0 556 (per 1000 of 11 pt), each cell + 10, the table + 2
    name, data2, grad0 = 5 * 611 * 0.011, 2780 * 0.011, 2835 * 0.011
    data3, data6 = data2, data2
    assert boxes == {
        "v0": pytest.approx((name + 10 + data2 + 10 + grad0 + 10 + 2, 26.0)),
        "v1": pytest.approx((data3 + 10 + grad0 + 10 + 2, 26.0)),  # the constant 3: no name
        "v2": pytest.approx((data6 + 10 + grad0 + 10 + 2, 26.0)),
        "v2_op": (54.0, 22.0),  # "*" is narrow: dot's least ellipse, 0.75 in
    }
    assert edges == [("v2_op", "v2"), ("v0", "v2_op"), ("v1", "v2_op")]
    op = Value(1.0, (a,), "mmmmmmmm")  # eight m's, 833 each at 10 pt: 66.64, and 3 of margin, times 1.42
    boxes, _ = _boxes_and_edges(drawing_plan(op, options), options)
    assert boxes["v1_op"] == pytest.approx((69.64 * 1.42, 22.0))


def test_the_estimate_for_a_shared_leaf_and_an_edge_label_by_hand() -> None:
    options = DrawOptions(legend=False, max_size=None, show_local=True)
    boxes, edges = _boxes_and_edges(drawing_plan(shared_loop(), options), options)
    # "weight (shared)" at 9 pt is 63 pt wide: a reference is 90 at least, and dot's least height, 0.5 in;
    # one for each use after the first, 2 to 20
    assert boxes["v0_use2"] == (90.0, 36.0)
    assert sorted(n for n in boxes if "_use" in n) == sorted(f"v0_use{n}" for n in range(2, 21))
    # the first multiply h0 * weight: each input's edge through its label's box; the later uses of weight
    # start at its references, each through a label too
    labels = [e for e in edges if "v2_label" in e[0] + e[1]]
    assert labels == [("v1", "v2_label_0"), ("v2_label_0", "v2_op"), ("v0", "v2_label_1"), ("v2_label_1", "v2_op")]
    assert ("v0_use2", "v3_label_1") in edges
    long = _boxes_and_edges(drawing_plan(long_shared_name(), options), options)[0]["v0_use2"]
    assert long == pytest.approx((text_width("a_rather_long_weight_name (shared)", 9) + 16, 36.0))


def rendered_nodes(source: str) -> Dict[str, Tuple[float, float]]:
    """node -> (width, height) in points, as Graphviz lays it out."""
    plain = viz.render(source, "plain").decode()
    return {p[1].strip('"'): (float(p[4]) * 72, float(p[5]) * 72)
            for p in (line.split() for line in plain.splitlines()) if p and p[0] == "node"}


@needs_renderer
@pytest.mark.parametrize("case", sorted(CASES))
def test_no_box_is_estimated_smaller_than_graphviz_draws_it_nor_much_larger(case: str) -> None:
    (boxes, _), graph = estimated_and_drawn(case)
    real = rendered_nodes(graph.source)
    assert set(real) == {n for n in boxes if "_label_" not in n}
    slack = 0.05  # the plain format gives inches to 4 places
    for node, (w, h) in real.items():
        est_w, est_h = boxes[node]
        assert w - slack <= est_w <= 1.6 * w and h - slack <= est_h <= 1.2 * h + 6, (node, boxes[node], (w, h))
    # an edge label's texts, as the renderer measures them, fit the width estimated for its box
    js = json.loads(viz.render(graph.source, "json"))
    name = {o["_gvid"]: o["name"] for o in js["objects"]}
    into: Counter = Counter()
    for edge in js.get("edges", []):
        head = name[edge["head"]]
        texts = [op["width"] for op in edge.get("_ldraw_", []) if op["op"] == "T"]
        if texts:
            label = f"{head[:-len('_op')]}_label_{into[head]}"
            assert max(texts) <= boxes[label][0] <= max(texts) * 1.3 + 4
        into[head] += 1


def test_helvetica_bold_is_never_wider_than_its_estimate() -> None:
    # Helvetica-Bold's widths per 1000 points (Adobe's AFM file), for the names drawn bold in a table
    bold = dict(zip("abcdefghijklmnopqrstuvwxyz", [556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889,
                                                   611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500]))
    bold |= dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
                                                    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611]))
    bold |= dict(zip("0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
                     [556] * 10 + [278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 333,
                                   333, 584, 584, 584, 611, 975, 333, 278, 333, 584, 556, 333, 389, 280, 389, 584]))
    assert {c: w for c, w in bold.items() if text_width(c, 1000, bold=True) < w} == {}
    regular = dict(zip("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", [278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584,
                                                               278, 333, 278, 278, 278, 278, 584, 584, 584, 556, 1015,
                                                               278, 278, 278, 469, 556, 222, 334, 260, 334, 584]))
    assert {c: w for c, w in regular.items() if text_width(c, 1000) < w} == {}  # 1e+06, "=" in edge labels
    assert text_width("b", 10, bold=True) == pytest.approx(6.11) and text_width("b", 10) == pytest.approx(5.56)
