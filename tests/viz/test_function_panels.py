"""plot_function's panels and limits as a learner meets them: two points are enough, the first derivative is drawn
by default, derivatives beyond the fourth cycle through the line styles again, functions that give plain floats are
drawn, the grids are faint; and a contour label's wording between 1 and 2."""

import math
import warnings

import pytest

import viz
from viz.calculus import _level


def test_two_points_are_enough_and_one_is_refused_with_its_count() -> None:
    fig = viz.plot_function(lambda x: x * x, [1.0, 3.0])
    values, slopes = fig.axes
    assert list(values.get_lines()[0].get_ydata()) == [1.0, 9.0]
    # by default the first derivative only
    assert [(line.get_label(), list(line.get_ydata())) for line in slopes.get_lines()] == [("f(x)'", [2.0, 6.0])]
    with pytest.raises(ValueError) as caught:
        viz.plot_function(lambda x: x, [1.0])
    assert str(caught.value) == "plot_function needs at least two points and one function, got 1 points"


def test_the_fifth_derivative_is_drawn_solid_again_after_the_four_styles() -> None:
    xs = [0.0, 0.5, 1.0]
    slopes = viz.plot_function(lambda x: x.exp(), xs, derivatives=5).axes[1]
    drawn = [(line.get_label(), line.get_linestyle()) for line in slopes.get_lines()]
    assert drawn == [("f(x)'", "-"), ("f(x)''", "--"), ("f(x)'''", ":"), ("f(x)''''", "-."), ("f(x)'''''", "-")]
    assert list(slopes.get_lines()[4].get_ydata()) == pytest.approx([math.exp(x) for x in xs], rel=1e-12)


def test_a_function_giving_plain_floats_is_drawn() -> None:
    values = viz.plot_function(lambda x: float(x.data) ** 2, [1.0, 2.0, 3.0], derivatives=0).axes[0]
    assert list(values.get_lines()[0].get_ydata()) == [1.0, 4.0, 9.0]


def test_the_grids_are_faint_and_drawing_warns_of_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = viz.plot_function(lambda x: x * x, [0.0, 1.0, 2.0], at=1.0)
    for ax in fig.axes:
        grid = ax.xaxis.get_gridlines() + ax.yaxis.get_gridlines()
        assert grid and all(line.get_visible() and line.get_alpha() == 0.3 for line in grid)


def test_a_contour_label_between_1_and_2_keeps_three_figures() -> None:
    assert [_level(v) for v in (1.55, 1.234, -1.55, 0.999, 2.5)] == ["1.55", "1.23", "-1.55", "1", "2.5"]
