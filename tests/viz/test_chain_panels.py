"""plot_chain as a learner sees it: the figure's three panels side by side, their titles, axis labels, legends,
grids and the dashed mark at ``at``; and the graph panel's nodes, arrows and labels, where each sits and how it is
drawn (sizes and colours are the picture's own, not taken from the reader's matplotlib defaults)."""

import math
import warnings

import matplotlib
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import ArrowStyle, BoxStyle

import viz

LINKS = [("u", "h", lambda t: t * t), ("v", "g", lambda t: t.sin()), ("J", "f", lambda t: t.exp())]
XS = [0.0, 0.5, 1.0, 1.5, 2.0]


def graph_parts(ax):
    """The graph panel's texts, sorted into node boxes, arrows, function names and local derivatives."""
    nodes = [t for t in ax.texts if t.get_bbox_patch() is not None]
    arrows = [t for t in ax.texts if isinstance(t, matplotlib.text.Annotation)]
    rest = [t for t in ax.texts if t not in nodes and t not in arrows]
    names = [t for t in rest if "=" not in t.get_text()]
    slopes = [t for t in rest if "=" in t.get_text()]
    return nodes, arrows, names, slopes


def test_the_three_panels_sit_side_by_side_with_their_titles_and_labels() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # drawing the chain warns of nothing
        fig = viz.plot_chain(LINKS, XS, at=1.5)
    left, middle, right = fig.axes
    assert tuple(fig.get_size_inches()) == (15.0, 4.6)
    boxes = [ax.get_position() for ax in fig.axes]
    assert boxes[0].y0 == boxes[1].y0 == boxes[2].y0 and boxes[0].x1 < boxes[1].x0 and boxes[1].x1 < boxes[2].x0
    assert (left.get_title(), left.get_xlabel(), left.get_ylabel()) == ("forward: each link's value", "x", "value")
    assert (middle.get_title(), middle.get_xlabel(), middle.get_ylabel()) == \
        ("each link's local derivative", "x", "local derivative")
    assert fig._suptitle is None  # no title asked, none drawn
    for ax in (left, middle):
        assert [t.get_fontsize() for t in ax.get_legend().get_texts()] == [8.0] * 4
        assert all(line.get_visible() and line.get_alpha() == 0.3
                   for line in ax.xaxis.get_gridlines() + ax.yaxis.get_gridlines())
        mark = ax.get_lines()[-1]
        assert (mark.get_label(), list(mark.get_xdata())) == ("x = 1.5", [1.5, 1.5])
        assert (mark.get_linestyle(), to_rgba(mark.get_color()), mark.get_alpha()) == ("--", to_rgba("black"), 0.5)
    # each link in its own colour, the same in both panels; the values drawn against x
    for k, (line, slope) in enumerate(zip(left.get_lines()[:3], middle.get_lines()[:3])):
        assert to_rgba(line.get_color()) == to_rgba(slope.get_color()) == to_rgba(f"C{k}")
        assert list(line.get_xdata()) == list(slope.get_xdata()) == XS
    hand = [[x * x for x in XS], [math.sin(x * x) for x in XS], [math.exp(math.sin(x * x)) for x in XS]]
    assert [list(line.get_ydata()) for line in left.get_lines()[:3]] == [pytest.approx(h, rel=1e-15) for h in hand]
    assert (right.get_xlim(), right.get_ylim()) == ((0.0, 1.0), (0.0, 1.0))
    assert right.get_title() == "the graph at x = 1.5 (red: local derivatives)" and not right.axison


def test_a_title_is_written_above_the_three_panels() -> None:
    assert viz.plot_chain(LINKS, XS, at=1.5, title="J = f(g(h(x)))")._suptitle.get_text() == "J = f(g(h(x)))"


def test_two_points_are_enough_and_one_is_refused_with_its_count() -> None:
    fig = viz.plot_chain(LINKS[:1], [0.0, 1.0], at=0.5)
    assert list(fig.axes[0].get_lines()[0].get_ydata()) == [0.0, 1.0]
    with pytest.raises(ValueError) as caught:
        viz.plot_chain(LINKS, [1.0], at=1.0)
    assert str(caught.value) == "plot_chain needs at least two points and one link, got 1 points"


def test_the_graph_spreads_its_nodes_evenly_with_arrows_and_labels_between() -> None:
    right = viz.plot_chain(LINKS, XS, at=1.5).axes[2]
    nodes, arrows, names, slopes = graph_parts(right)
    spots = [0.12 + 0.76 * i / 3 for i in range(4)]  # x, u, v, J from 0.12 to 0.88 of the panel
    assert [t.get_text() for t in nodes] == ["x = 1.5", "u = 2.25", "v = 0.778", "J = 2.18"]
    assert [t.get_position() for t in nodes] == [pytest.approx((s, 0.55)) for s in spots]
    # each arrow runs from 0.1 right of a node to 0.1 left of the next, at the nodes' height
    assert [(t.get_text(), t.xyann, t.xy) for t in arrows] == \
        [("", pytest.approx((a + 0.1, 0.55)), pytest.approx((b - 0.1, 0.55))) for a, b in zip(spots, spots[1:])]
    middles = [(a + b) / 2 for a, b in zip(spots, spots[1:])]
    assert [t.get_text() for t in names] == ["h", "g", "f"]
    assert [t.get_position() for t in names] == [pytest.approx((m, 0.64)) for m in middles]  # above the arrow
    assert [t.get_text() for t in slopes] == ["h' = 3", "g' = -0.628", "f' = 2.18"]
    assert [t.get_position() for t in slopes] == [pytest.approx((m, 0.43)) for m in middles]  # below it


def test_a_one_link_graph_spans_the_panel() -> None:
    nodes, arrows, names, slopes = graph_parts(viz.plot_chain(LINKS[:1], XS, at=0.5).axes[2])
    assert [(t.get_text(), t.get_position()) for t in nodes] == [("x = 0.5", (0.12, 0.55)), ("u = 0.25", (0.88, 0.55))]
    assert [(t.xyann, t.xy) for t in arrows] == [(pytest.approx((0.22, 0.55)), pytest.approx((0.78, 0.55)))]
    assert [(t.get_text(), t.get_position()) for t in names + slopes] == \
        [("h", pytest.approx((0.5, 0.64))), ("h' = 1", pytest.approx((0.5, 0.43)))]


def test_the_graph_is_drawn_in_its_own_sizes_and_colours_whatever_the_readers_defaults() -> None:
    # a reader with a larger default font and other patch colours sees the same graph
    with matplotlib.rc_context({"font.size": 14, "patch.edgecolor": "green", "patch.facecolor": "yellow"}):
        right = viz.plot_chain(LINKS, XS, at=1.5).axes[2]
    nodes, arrows, names, slopes = graph_parts(right)
    for t in nodes:
        box = t.get_bbox_patch()
        assert (t.get_fontsize(), t.get_ha(), t.get_va()) == (9.0, "center", "center")
        assert isinstance(box.get_boxstyle(), BoxStyle.Round) and box.get_boxstyle().pad == 0.35
        assert (box.get_facecolor(), box.get_edgecolor()) == (to_rgba("#e8f1fb"), to_rgba("#4a78b0"))
    for t in arrows:
        arrow = t.arrow_patch
        assert isinstance(arrow.get_arrowstyle(), ArrowStyle.CurveB)  # "->"
        assert (arrow.get_edgecolor(), arrow.get_linewidth()) == (to_rgba("black"), 1.2)
    for t in names:
        assert (t.get_fontsize(), t.get_ha()) == (10.0, "center")
    for t in slopes:
        assert (t.get_fontsize(), t.get_ha(), to_rgba(t.get_color())) == (9.0, "center", to_rgba("#b03030"))
