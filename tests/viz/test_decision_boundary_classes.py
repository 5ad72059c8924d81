"""Which classes a decision-boundary picture (viz.plot_decision_boundary) shows and how: labels of -1 and 1 read a
negative score as class -1 (and only those labels do), every class of the labels or the predictions gets its own
colour C0, C1, ... in order, the points' size by how many there are, the legend up to ten classes and out of the
data's way."""

import matplotlib
import pytest
from matplotlib.colors import to_rgba

import viz
from engine import Value


def positive_right_of_the_diagonal(p):
    return Value(p[0] - p[1])  # one score: class 1 where x > y


def first_coordinate_decides(p):
    return [Value(-p[0]), Value(p[0]), Value(0.0)]  # three scores: 0 left of x = 0, 1 right of it


def always(label, outputs):
    return lambda p: [Value(1.0 if k == label else 0.0) for k in range(outputs)]


def region_colours(ax):
    return [to_rgba(c) for c in ax.collections[0].get_facecolor()]


def points(ax):
    return {c.get_label(): c for c in ax.collections if c.get_label().startswith("class ")}


def test_labels_of_minus_one_and_one_paint_the_negative_side_as_class_minus_one() -> None:
    X = [(0.0, 1.0), (1.0, 0.0)]
    for y in ([-1, 1], [-1, -1]):
        (ax,) = viz.plot_decision_boundary(positive_right_of_the_diagonal, X, y, resolution=9).axes
        # two regions, class -1 in C0 and class 1 in C1, each on its own side of the diagonal
        assert region_colours(ax) == [to_rgba("C0", 0.25), to_rgba("C1", 0.25)]
        minus, plus = ax.collections[0].get_paths()
        assert minus.contains_point((-0.2, 1.2)) and not minus.contains_point((1.2, -0.2))
        assert plus.contains_point((1.2, -0.2)) and not plus.contains_point((-0.2, 1.2))


def test_other_labels_with_minus_one_keep_a_prediction_of_zero_as_class_zero() -> None:
    X = [(-1.0, 0.0), (1.0, 0.0)]
    ax = viz.plot_decision_boundary(first_coordinate_decides, X, [-1, 2], resolution=9).axes[0]
    # classes -1, 0, 1 and 2: four colours in order, class 2 the fourth
    assert region_colours(ax) == [to_rgba(f"C{k}", 0.25) for k in range(4)]
    drawn = points(ax)
    assert to_rgba(drawn["class -1"].get_facecolor()[0]) == to_rgba("C0")
    assert to_rgba(drawn["class 2"].get_facecolor()[0]) == to_rgba("C3")


def test_a_class_only_in_the_labels_or_only_in_the_predictions_keeps_its_colour() -> None:
    # the model says 1 everywhere: class 0's points are still drawn, in class 0's colour
    ax = viz.plot_decision_boundary(always(1, 2), [(0.0, 0.0), (1.0, 1.0)], [0, 1], resolution=5).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert {name: to_rgba(c.get_facecolor()[0]) for name, c in points(ax).items()} == {
        "class 0": to_rgba("C0"), "class 1": to_rgba("C1")}
    # only class 1 among the labels, but the model predicts 0 too: class 1 is still the second colour
    ax = viz.plot_decision_boundary(positive_right_of_the_diagonal, [(1.0, 0.0), (2.0, 0.0)], [1, 1],
                                    resolution=5).axes[0]
    assert to_rgba(points(ax)["class 1"].get_facecolor()[0]) == to_rgba("C1")


def test_twelve_classes_take_the_ten_colours_in_turn_and_no_legend() -> None:
    X = [(float(k), float(k % 3)) for k in range(12)]
    ax = viz.plot_decision_boundary(always(0, 12), X, list(range(12)), resolution=5).axes[0]
    drawn = points(ax)
    assert [to_rgba(drawn[f"class {k}"].get_facecolor()[0]) for k in range(12)] == [
        to_rgba(f"C{k % 10}") for k in range(12)]
    assert ax.get_legend() is None


@pytest.mark.parametrize("classes, legend", [(10, True), (11, False)])
def test_a_legend_for_up_to_ten_classes(classes: int, legend: bool) -> None:
    X = [(float(k), 0.0) for k in range(classes)]
    ax = viz.plot_decision_boundary(always(0, classes), X, list(range(classes)), resolution=5).axes[0]
    assert (ax.get_legend() is not None) == legend


@pytest.mark.parametrize("n, size", [(20, 80), (21, 40)])
def test_up_to_twenty_points_are_drawn_large(n: int, size: int) -> None:
    X = [(float(k), float(k % 2)) for k in range(n)]
    y = [k % 2 for k in range(n)]
    ax = viz.plot_decision_boundary(positive_right_of_the_diagonal, X, y, resolution=5).axes[0]
    assert {float(s) for c in points(ax).values() for s in c.get_sizes()} == {size}


def test_the_legend_keeps_out_of_the_datas_way_whatever_the_style_says() -> None:
    # every point in the top left corner, where the style would put the legend
    X = [(0.0, 10.0), (0.2, 9.8), (0.1, 9.9), (10.0, 0.0)]
    with matplotlib.rc_context({"legend.loc": "upper left"}):
        fig = viz.plot_decision_boundary(positive_right_of_the_diagonal, X, [0, 0, 0, 1], resolution=5)
        ax = fig.axes[0]
        fig.canvas.draw()
        box = ax.get_legend().get_window_extent()
        spots = [ax.transData.transform(p) for p in X]
    assert not any(box.contains(*spot) for spot in spots)
