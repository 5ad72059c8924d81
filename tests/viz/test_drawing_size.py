"""A default drawing fits a notebook cell: its longest side, measured on what the renderer draws, is at most
2000 px (96 dpi), folding further when needed; distinct Values never share a drawn name; no "-0"; and the
text view (the terminal's fallback) folds as the picture does."""

import random
import re
import struct
from pathlib import Path

import pytest

import engine
import viz
from engine import Value
from nn import MLP
from tests.viz.drawn import drawn_cells
from viz import draw_dot

pytestmark = pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer")
LIMIT = 2000


def rendered_px(graph) -> tuple:
    """(width, height) in pixels of the SVG the renderer makes (points * 4/3)."""
    svg = viz.render(graph.source, "svg").decode()
    w, h = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    return float(w) * 4 / 3, float(h) * 4 / 3


def notebook_batch_loss() -> Value:
    """Notebook 02's big graph: an MLP 2-16-16-1 over 20 samples, summed by Python's sum (was 7067 x 1021 px)."""
    random.seed(0)
    big = MLP(2, [16, 16, 1])
    return sum((big([0.1 * i, -0.2 * i]) for i in range(20)), Value(0.0))


def loop(steps: int = 30) -> Value:
    """Notebook 02's loop over a reused weight (was 4423 x 10453 px top to bottom)."""
    w, c = Value(0.9, label="w"), Value(0.1, label="c")
    h = Value(1.0, label="h0")
    for _ in range(steps):
        h = h * w + c
    h.backward()
    return h


def test_the_notebooks_batch_loss_fits_with_unique_names_and_no_minus_zero(tmp_path: Path) -> None:
    loss = notebook_batch_loss()
    graph = draw_dot(loss, max_nodes=100)
    assert max(rendered_px(graph)) <= LIMIT
    png = viz.save(loss, tmp_path / "loss.png", max_nodes=100).read_bytes()  # the size a notebook's PNG has
    assert max(struct.unpack(">II", png[16:24])) <= LIMIT
    svg = viz.render(graph.source, "svg").decode()
    cells = drawn_cells(svg)
    names = [texts[0] for texts in cells.values() if not texts[0].startswith(("data ", "grad "))]
    assert len(names) == len(set(names)) and any(n.startswith("x0 (v") for n in names)  # two x0s, told apart
    numbers = [t for texts in cells.values() for t in texts if t.startswith(("data ", "grad "))]
    assert numbers and not any(re.fullmatch(r"(data|grad) -0", t) for t in numbers)
    assert any(t == "data 0" for t in numbers)  # x1 = -0.2 * 0 = -0.0, drawn as 0
    assert max(rendered_px(draw_dot(loss, max_nodes=100, max_size=None))) > 3 * LIMIT  # what it was


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_a_thirty_step_loop_fits_either_way(rankdir: str) -> None:
    graph = draw_dot(loop(), rankdir=rankdir)
    width, height = rendered_px(graph)
    assert max(width, height) <= LIMIT and "to fit 2000 px" in graph.source
    assert max(rendered_px(draw_dot(loop(), rankdir=rankdir, max_size=None))) > 2 * LIMIT  # it needed folding


@pytest.mark.parametrize("case", ["moons_loss", "mlp_tb", "wide_sum", "labels"])
def test_other_big_drawings_fit(case: str) -> None:
    random.seed(1)
    model = MLP(2, [3, 1])
    if case == "moons_loss":
        from demos.moons import data, svm_loss

        X, y = data()
        root = svm_loss(MLP(2, [16, 16, 1]), X, y)[0]
        root.backward()
        options = {}
    elif case == "mlp_tb":
        root, options = model([1.0, -2.0]), {"rankdir": "TB"}  # three neurons side by side
    elif case == "wide_sum":
        root, options = engine.sum([Value(float(i), label=f"x{i}") for i in range(200)]), {}
    else:
        root, options = model([0.5, 0.25]), {"show_local": True}
        root.backward()
    assert max(rendered_px(draw_dot(root, **options))) <= LIMIT


def test_small_drawings_are_not_folded() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = (a * b + a * a).tanh()
    random.seed(0)
    out = MLP(2, [3, 1])([1.0, -2.0])  # notebook 02's model, drawn whole with its clusters
    for root in (y, out):
        graph = draw_dot(root)
        assert "folded" not in graph.source and max(rendered_px(graph)) <= LIMIT


def test_the_terminal_shows_the_folded_text_view(monkeypatch) -> None:
    from IPython.core.formatters import DisplayFormatter

    loss = notebook_batch_loss()
    graph = draw_dot(loss, max_nodes=100)
    lines = graph.text_view.splitlines()
    boxes = [n for n in re.findall(r"^\t(\w+) \[label=", graph.source, re.M) if not n.endswith("_op") and n != "legend"]
    assert [line.split()[0] for line in lines[:-1]] == boxes and lines[-1].startswith("folded: ")
    assert viz.text_view(loss, max_nodes=100) == graph.text_view
    shown, _ = DisplayFormatter().format(graph)  # what terminal IPython prints: text/plain
    assert shown["text/plain"] == graph.text_view and len(lines) < 40  # it was 1,699 lines
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: None)  # no renderer at all: the same text
    shown, _ = DisplayFormatter().format(graph)
    assert shown == {"text/plain": graph.text_view}


def test_the_quick_no_of_the_size_fit_is_a_true_lower_bound() -> None:
    # fits() says no without estimating when the items' least area passes max_size squared: that must never
    # refuse a plan whose boxes would fit, so every item's box is at least MIN_ITEM_AREA.
    from viz.layout import MIN_ITEM_AREA, _boxes_and_edges
    from viz.options import DrawOptions
    from viz.plan import plan

    x = Value(0.0, label="")
    graphs = [x * 0.0, notebook_batch_loss(), engine.sum(Value(float(i)) for i in range(500))]
    for y in graphs:
        for options in (DrawOptions(), DrawOptions(max_nodes=10), DrawOptions(show_local=True)):
            p = plan(y, options.max_nodes)
            boxes, _ = _boxes_and_edges(p, options)
            assert min(boxes[item.id][0] * boxes[item.id][1] for item in p.items) >= MIN_ITEM_AREA


def test_a_graph_drawn_whole_on_request_costs_what_the_fitted_drawing_holds() -> None:
    # max_nodes=None on a 20,000-step chain: the fit to max_size tries plans of a few items, never the size
    # estimate of the whole graph (which took most of a minute on a 1e5 chain); counted, not timed.
    from viz import layout

    y = Value(0.5)
    for _ in range(20_000):
        y = y * 0.999 + 0.001
    estimated = []
    real_size = layout.size
    try:
        layout.size = lambda p, *rest: estimated.append(len(p.items)) or real_size(p, *rest)
        graph = draw_dot(y, max_nodes=None)
    finally:
        layout.size = real_size
    assert max(estimated) < 1000 and graph.source.count("<TABLE") < 50


def test_edges_passing_through_a_rank_widen_it_by_their_room(monkeypatch) -> None:
    """viz.layout.size: a rank is as wide as its nodes side by side, their gaps, and EDGE_ROOM for each edge
    that passes through it without a node there (two edges a -> c here, past b's rank), all times ACROSS."""
    from types import SimpleNamespace

    from viz import layout
    from viz.options import DrawOptions

    boxes = {name: (10.0, 10.0) for name in "abc"}
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("a", "c")]
    monkeypatch.setattr(layout, "_boxes_and_edges", lambda p, o: (boxes, edges))
    width, height = layout.size(SimpleNamespace(folded=False, notes=[]), DrawOptions(legend=False, rankdir="TB", clusters=False))
    widest = 10.0 + 2 * layout.EDGE_ROOM  # b's rank, by hand: its one node and the two edges beside it
    long = 3 * 10.0 + 2 * layout.RANKSEP  # three ranks of 10 pt and the two gaps between them
    assert width == pytest.approx((widest * layout.ACROSS + 2 * layout.MARGIN) * layout.PT_TO_PX, rel=1e-12)
    assert height == pytest.approx((long * layout.ALONG + 2 * layout.MARGIN) * layout.PT_TO_PX, rel=1e-12)
    notes = ["x" * 40, "y"]  # a caption wider than the graph: the drawing is as wide as its longest note
    width, height = layout.size(SimpleNamespace(folded=False, notes=notes),
                                DrawOptions(legend=False, rankdir="TB", clusters=False))
    assert width == pytest.approx((40 * 5.56 + 60 + 2 * layout.MARGIN) * layout.PT_TO_PX, rel=1e-12)
    assert height == pytest.approx((long * layout.ALONG + 14.0 * 3 + 2 * layout.MARGIN) * layout.PT_TO_PX, rel=1e-12)


def test_ranks_put_each_node_at_its_longest_path_from_the_top_and_break_cycles() -> None:
    from viz import layout

    boxes = {name: (1.0, 1.0) for name in "abcd"}  # a -> b -> c and a -> c; the leaf d beside c, as dot puts it
    assert layout._ranks(boxes, [("a", "b"), ("b", "c"), ("a", "c"), ("d", "c")]) == {"a": 0, "b": 1, "d": 1, "c": 2}
    cycle = {name: (1.0, 1.0) for name in "xyz"}  # x -> y -> x: the first node left is ranked from what is known
    assert layout._ranks(cycle, [("x", "y"), ("y", "x"), ("y", "z")]) == {"y": 0, "x": 1, "z": 1}
    tangled = [("a", "c"), ("a", "d"), ("b", "d"), ("c", "b"), ("d", "a"), ("d", "b"), ("e", "b"), ("e", "d")]
    ranks = layout._ranks(dict.fromkeys("abcde", (1.0, 1.0)), tangled)  # cycles through each other: a node met twice
    assert sorted(ranks) == list("abcde") and min(ranks.values()) == 0  # every node ranked, from the top


# Helvetica's widths per 1000 points, from Adobe's AFM file for it: an estimate may be wider, never narrower
HELVETICA = dict(zip("abcdefghijklmnopqrstuvwxyz", [556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
                                                    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500]))
HELVETICA |= dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", [667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
                                                     722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611]))


def test_text_width_never_runs_short_of_helveticas_and_follows_its_rule() -> None:
    from viz.layout import text_width

    short = {c: (text_width(c, 1000), w) for c, w in HELVETICA.items() if text_width(c, 1000) < w}
    assert short == {}
    # a letter not listed: 556 in lower case, a capital's 722 in upper case and past ASCII (127 is DEL, still ASCII)
    assert [text_width(c, 10) for c in ("b", "B", "\x7f", "\x80", "é")] == pytest.approx([5.56, 7.22, 5.56, 7.22, 7.22])
    assert text_width("mW", 10) == pytest.approx(8.33 + 9.44)



def _estimate(monkeypatch, boxes, edges, folded=False, **options):
    """viz.layout.size of a drawing of ``boxes`` (name -> (width, height) in points) and ``edges``, in points,
    without the margins: what the rules below are worked in."""
    from types import SimpleNamespace

    from viz import layout
    from viz.options import DrawOptions

    monkeypatch.setattr(layout, "_boxes_and_edges", lambda p, o: (dict(boxes), list(edges)))
    settings = dict(legend=False, rankdir="TB", clusters=False) | options
    w, h = layout.size(SimpleNamespace(folded=folded, notes=[]), DrawOptions(**settings))
    return w / layout.PT_TO_PX - 2 * layout.MARGIN, h / layout.PT_TO_PX - 2 * layout.MARGIN


def test_the_size_estimates_rules_worked_by_hand(monkeypatch) -> None:
    """Each rule of viz.layout.size on a drawing small enough to work by hand (ranks counted from the top; TB)."""
    from viz.layout import ACROSS, ALONG, EDGE_ROOM, NODESEP, RANKSEP

    approx = lambda x: pytest.approx(x, rel=1e-12)  # noqa: E731
    # a and e feed b, then c, then d, and a long edge a -> d passes b's and c's ranks
    edges = [("a", "b"), ("e", "b"), ("b", "c"), ("c", "d"), ("a", "d")]
    def ranked(**wide):  # every node 1 x 1 but those given
        return {n: wide.get(n, (1.0, 1.0)) for n in "abcde"}
    two = _estimate(monkeypatch, ranked(a=(100.0, 1.0), e=(100.0, 1.0)), edges)  # two nodes side by side, a gap
    assert two == (approx((200 + NODESEP) * ACROSS), approx((4 * 1 + 3 * RANKSEP) * ALONG))
    passed = _estimate(monkeypatch, ranked(c=(50.0, 1.0)), edges)  # c's rank: the long edge beside c
    assert passed[0] == approx((50 + EDGE_ROOM) * ACROSS)
    past = _estimate(monkeypatch, ranked(d=(60.0, 1.0)), edges)  # d's rank: the long edge ends there, none beside
    assert past[0] == approx(60 * ACROSS)
    tangled = [("a", "b"), ("a", "c"), ("b", "c"), ("c", "a"), ("c", "b")]  # boxes used in turn: a cycle
    within = _estimate(monkeypatch, {"a": (10.0, 1.0), "b": (10.0, 1.0), "c": (1.0, 1.0)}, tangled)
    assert within[0] == approx((20 + NODESEP) * ACROSS)  # a -> b joins two nodes of one rank: no room beside them
    tiny = _estimate(monkeypatch, {"a": (0.5, 0.25)}, [])  # however small, the drawing is its one node
    assert tiny == (approx(0.5 * ACROSS), approx(0.25 * ALONG))

    # along the ranks: a node's height top to bottom (TB), its width left to right (LR, RL)
    chain = {"a": (30.0, 10.0), "b": (20.0, 50.0)}
    assert _estimate(monkeypatch, chain, [("a", "b")]) == (approx(30 * ACROSS), approx((10 + 50 + RANKSEP) * ALONG))
    for rankdir in ("LR", "RL"):
        assert _estimate(monkeypatch, chain, [("a", "b")], rankdir=rankdir) == (
            approx((30 + 20 + RANKSEP) * ALONG), approx(50 * ACROSS))

    # a rank holding only edge labels sits closer: dot halves the gaps around it (one RANKSEP for two gaps)
    labelled = {"a": (10.0, 10.0), "b_label_0": (10.0, 10.0), "b": (10.0, 10.0)}
    assert _estimate(monkeypatch, labelled, [("a", "b_label_0"), ("b_label_0", "b")])[1] == approx((30 + RANKSEP) * ALONG)

    # scopes drawn as dashed boxes widen the drawing by 15%, unless the plan was folded (no boxes then)
    grow = {"a": (10.0, 10.0), "b": (50.0, 30.0)}
    plain = _estimate(monkeypatch, grow, [("a", "b")])
    assert _estimate(monkeypatch, grow, [("a", "b")], clusters=True)[0] == approx(plain[0] * 1.15)
    assert _estimate(monkeypatch, grow, [("a", "b")], clusters=True, folded=True) == plain

    # the legend, 110 x 80 (four rows at most), is a node without edges: dot puts it in the first rank
    legend = _estimate(monkeypatch, grow, [("a", "b")], legend=True, color_by="kind")
    assert legend == (approx((10 + 110 + NODESEP) * ACROSS), approx((80 + 30 + RANKSEP) * ALONG))
    assert _estimate(monkeypatch, grow, [("a", "b")], legend=True, color_by=None) == plain  # no colours: no legend


def test_a_drawing_exactly_max_size_fits(monkeypatch) -> None:
    from viz import layout
    from viz.options import DrawOptions

    y = engine.sum([Value(float(i)) for i in range(5)])
    monkeypatch.setattr(layout, "size", lambda p, options: (2000.0, 10.0))  # every plan estimated at the limit
    assert layout.drawing_plan(y, DrawOptions()).notes == []  # at most max_size: drawn whole, not cut
    monkeypatch.setattr(layout, "size", lambda p, options: (2000.5, 10.0))
    assert layout.drawing_plan(y, DrawOptions()).notes[0] == "cut after 1 items from the root to fit 2000 px"
