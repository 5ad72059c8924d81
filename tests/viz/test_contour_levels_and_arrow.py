"""plot_contour as a learner reads it: where the contours are traced and at which levels (even or logarithmic),
how they are labelled, the gradient arrow and its label (also where the gradient is zero or small), the box's
limits and aspect, and where the legend of paths and marks sits."""

import math

import matplotlib
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import BoxStyle

import viz


def contours(ax):
    (cs,) = ax.collections
    return cs


def labels(ax):
    return [t.get_text() for t in ax.texts if not isinstance(t, matplotlib.text.Annotation)]


def test_contours_are_traced_on_sixty_rows_and_broken_under_their_labels() -> None:
    ax = viz.plot_contour(lambda x, y: x, (0.0, 4.0), (0.0, 2.0)).axes[0]
    cs = contours(ax)
    assert list(cs.levels) == pytest.approx([0.2 * i for i in range(21)])  # evenly spaced, not by powers
    assert labels(ax) == ["0", "0.2", "0.4", "0.6", "0.8", "1", "1.2", "1.4", "1.6", "1.8", "2", "2.2", "2.4", "2.6",
                          "2.8", "3", "3.2", "3.4", "3.6", "3.8"]  # every level labelled, as a person writes it
    for level, path in zip(cs.levels[:-1], cs.get_paths()):
        # x = level is a straight contour: its points lie on the grid's rows, 2/59 apart from 0 to 2
        rows = [y * 59 / 2 for y in path.vertices[:, 1]]
        assert sum(abs(r - round(r)) < 1e-9 for r in rows) >= len(rows) - 2  # all but the two ends of the gap
        assert {round(r) for r in rows if abs(r - round(r)) < 1e-9} >= {0, 1, 58, 59}
        assert path.vertices[:, 0] == pytest.approx(level)
        assert list(path.codes).count(path.MOVETO) == 2  # the label sits in a gap of its line


def test_contours_are_viridis_whatever_the_readers_default_colour_map() -> None:
    with matplotlib.rc_context({"image.cmap": "plasma"}):
        cs = contours(viz.plot_contour(lambda x, y: x + y, (0.0, 1.0), (0.0, 1.0)).axes[0])
    assert cs.get_cmap().name == "viridis"


def test_log_contours_run_by_powers_from_the_smallest_positive_value_to_the_largest() -> None:
    ax = viz.plot_contour(lambda x, y: x + y + 1, (0.0, 4.0), (0.0, 4.0), log=True).axes[0]
    cs = contours(ax)
    assert list(cs.levels) == pytest.approx([9 ** (i / 19) for i in range(20)])  # 1 to 9, twenty levels
    # every second level is labelled (the lowest and highest corners are too small for a label)
    written = {f"{9 ** (i / 19):.3g}" for i in range(0, 20, 2)}
    assert set(labels(ax)) <= written and len(labels(ax)) >= 8
    # the smallest positive value sampled, here 4/59 on the grid next to x = 0, starts the levels
    cs = contours(viz.plot_contour(lambda x, y: x, (0.0, 4.0), (0.0, 4.0), log=True, levels=5).axes[0])
    assert list(cs.levels) == pytest.approx([(4 / 59) * (59 ** (i / 4)) for i in range(5)])
    # levels that are not a count are replaced by twenty powers
    cs = contours(viz.plot_contour(lambda x, y: x + y + 1, (0.0, 4.0), (0.0, 4.0), log=True, levels=[2, 4]).axes[0])
    assert list(cs.levels) == pytest.approx([9 ** (i / 19) for i in range(20)])


def test_log_contours_need_a_positive_value_and_say_so() -> None:
    with pytest.raises(ValueError) as caught:
        viz.plot_contour(lambda x, y: x * 0, (0.0, 1.0), (0.0, 1.0), log=True)
    assert str(caught.value) == ("plot_contour: log=True spaces contours by powers, which needs f > 0 somewhere in "
                                 "the box; f is nowhere positive here")


def test_a_function_giving_plain_floats_is_contoured_too() -> None:
    cs = contours(viz.plot_contour(lambda x, y: x.data + y.data, (0.0, 1.0), (0.0, 1.0)).axes[0])
    assert list(cs.levels) == pytest.approx([0.1 * i for i in range(21)])


def arrow_and_label(ax):
    arrow = next(t for t in ax.texts if isinstance(t, matplotlib.text.Annotation) and t.get_text() == "")
    label = next(t for t in ax.texts if t.get_text().startswith("gradient"))
    return arrow, label


def test_no_arrow_is_drawn_where_the_gradient_is_zero() -> None:
    arrow, label = arrow_and_label(viz.plot_contour(lambda x, y: x * x + y * y, (-1.0, 1.0), (-1.0, 1.0),
                                                    at=(0.0, 0.0)).axes[0])
    assert arrow.xyann == (0.0, 0.0) and tuple(arrow.xy) == (0.0, 0.0)
    assert label.get_text() == "gradient (0, 0)"


def test_a_small_gradient_still_gets_an_arrow_a_fifth_of_the_box_long() -> None:
    # gradient (0.1, 0.2), shorter than 1; a box 4 wide and 4 high, off the origin
    arrow, label = arrow_and_label(viz.plot_contour(lambda x, y: 0.1 * x + 0.2 * y, (-3.0, 1.0), (-1.0, 3.0),
                                                    at=(0.0, 1.0)).axes[0])
    (x0, y0), (x1, y1) = arrow.xyann, arrow.xy
    assert (x0, y0) == (0.0, 1.0)
    assert (x1 - x0, y1 - y0) == pytest.approx((0.8 * 0.1 / math.hypot(0.1, 0.2), 0.8 * 0.2 / math.hypot(0.1, 0.2)))
    assert label.get_text() == "gradient (0.1, 0.2)"


def test_the_gradient_label_sits_below_right_of_the_point_in_red_on_a_pale_box() -> None:
    # even under a style that draws an edge on every patch
    with matplotlib.rc_context({"patch.force_edgecolor": True, "patch.edgecolor": "green"}):
        ax = viz.plot_contour(lambda x, y: x * x + y ** 3, (0.0, 4.0), (0.0, 4.0), at=(2.0, 3.0)).axes[0]
    _, label = arrow_and_label(ax)
    assert (label.xy, label.xyann, label.anncoords) == ((2.0, 3.0), (8, -14), "offset points")
    assert (to_rgba(label.get_color()), label.get_fontsize()) == (to_rgba("red"), 9.0)
    box = label.get_bbox_patch()
    assert isinstance(box.get_boxstyle(), BoxStyle.Round) and box.get_boxstyle().pad == 0.2
    assert box.get_facecolor() == (1.0, 1.0, 1.0, 0.85) and box.get_edgecolor()[3] == 0.0


def test_the_box_is_the_one_asked_for_even_when_a_path_leaves_it() -> None:
    ax = viz.plot_contour(lambda x, y: x + y, (0.0, 4.0), (0.0, 4.0), paths={"out": [(1.0, 1.0), (6.0, 7.0)]},
                          marks={"peak (2, 3)": (2.0, 3.0)}).axes[0]
    assert (ax.get_xlim(), ax.get_ylim()) == ((0.0, 4.0), (0.0, 4.0))
    star = next(line for line in ax.get_lines() if line.get_label() == "peak (2, 3)")
    assert (list(star.get_xdata()), list(star.get_ydata())) == ([2.0], [3.0])


@pytest.mark.parametrize("xlim, ylim, equal", [((-3.0, 1.0), (-1.0, 3.0), True), ((0.0, 4.0), (-3.0, 1.0), True),
                                               ((0.0, 1.0), (0.0, 4.0), True), ((0.0, 4.0), (0.0, 1.0), True),
                                               ((0.0, 4.5), (0.0, 1.0), False)])
def test_the_box_keeps_equal_scales_unless_it_is_more_than_four_times_wider_or_taller(xlim: tuple, ylim: tuple,
                                                                                     equal: bool) -> None:
    ax = viz.plot_contour(lambda x, y: x + y, xlim, ylim).axes[0]
    assert ax.get_aspect() == (1.0 if equal else "auto")


def legend_box(paths):
    ax = viz.plot_contour(lambda x, y: x + y, (0.0, 4.0), (0.0, 4.0), paths=paths).axes[0]
    ax.figure.canvas.draw()
    return ax.get_legend().get_window_extent(), ax.get_window_extent()


def test_the_legend_is_centred_below_the_box_in_one_row_or_one_column() -> None:
    three = {"a": [(1.0, 1.0), (2.0, 2.0)], "b": [(1.0, 2.0), (2.0, 1.0)], "c": [(3.0, 1.0), (3.0, 3.0)]}
    legend, box = legend_box(three)
    # its top just under a point a tenth of the box's height below the box (by the legend's own padding), its
    # middle under the box's middle
    assert box.y0 - 0.1 * box.height - 10 < legend.y1 < box.y0 - 0.1 * box.height
    assert (legend.x0 + legend.x1) / 2 == pytest.approx((box.x0 + box.x1) / 2, abs=1.0)
    one, _ = legend_box({"a": three["a"]})  # one entry (entries all as wide: one-letter names)
    # up to three entries side by side in one row; four or more one below another in one column
    assert legend.height == pytest.approx(one.height) and legend.width > 2.5 * one.width
    four, _ = legend_box(dict(three, d=[(0.5, 3.5), (1.0, 3.0)]))
    assert four.width == pytest.approx(one.width) and four.height > 3 * one.height
