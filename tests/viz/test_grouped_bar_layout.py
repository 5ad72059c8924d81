"""Grouped bars (viz.plot_bars) as a reader sees them: the figure's size, where each bar stands and how wide it
is, the number printed on it, the colour of each series (C0 to C9 in turn), the legend, the horizontal grid,
and the default title and y label."""

import warnings

import matplotlib
import pytest
from cycler import cycler
from matplotlib.colors import to_rgba

import viz

GROUPS = {"a": {"x": 1.23456, "y": 2.5, "z": 7.0}, "b": {"x": 3.0}, "c": {"z": 1000.5}}


def test_three_series_share_each_group_in_bars_a_quarter_wide_and_four_digits_on_top() -> None:
    fig = viz.plot_bars(GROUPS)
    (ax,) = fig.axes
    # 1.8 inches per group and 2.5 for the axes and legend: 3 groups, 7.9 x 4.5
    assert tuple(fig.get_size_inches()) == pytest.approx((7.9, 4.5))
    assert (ax.get_title(), ax.get_ylabel()) == ("", "value")
    third = 0.8 / 3  # the group's 0.8 split between its three series
    for k, container in enumerate(ax.containers):
        # series k is centred (k - 1) bar widths off its group's tick: x left, y on it, z right
        assert [b.get_x() + b.get_width() / 2 for b in container] == pytest.approx(
            [i + (k - 1) * third for i in range(3)])
        assert [b.get_width() for b in container] == pytest.approx([third] * 3)
    assert [[b.get_height() for b in c] for c in ax.containers] == [[1.23456, 3.0, 0.0], [2.5, 0.0, 0.0],
                                                                   [7.0, 0.0, 1000.5]]
    # each bar's value to four significant digits, in 8-point type
    assert [t.get_text() for t in ax.texts] == ["1.235", "3", "0", "2.5", "0", "0", "7", "0", "1000"]
    assert {t.get_fontsize() for t in ax.texts} == {8.0}
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["x", "y", "z"]
    assert [to_rgba(p.get_facecolor()) for p in legend.get_patches()] == [to_rgba(f"C{k}") for k in range(3)]
    assert {t.get_fontsize() for t in legend.get_texts()} == {8.0}


def test_two_series_sit_either_side_of_the_tick() -> None:
    fig = viz.plot_bars({"p": {"u": 1.0, "v": 2.0}, "q": {"u": 3.0, "v": 4.0}}, title="t", ylabel="ms")
    (ax,) = fig.axes
    assert tuple(fig.get_size_inches()) == pytest.approx((6.1, 4.5))
    u, v = ax.containers
    assert [b.get_x() for b in u] == pytest.approx([-0.4, 0.6]) and [b.get_x() for b in v] == pytest.approx([0.0, 1.0])
    assert [b.get_width() for b in u + v] == pytest.approx([0.4] * 4)
    assert (ax.get_title(), ax.get_ylabel()) == ("t", "ms")


def test_a_faint_grid_runs_across_the_values_only() -> None:
    (ax,) = viz.plot_bars(GROUPS).axes
    horizontal, vertical = ax.yaxis.get_gridlines(), ax.xaxis.get_gridlines()
    assert horizontal and all(line.get_visible() for line in horizontal)
    assert {line.get_alpha() for line in horizontal} == {0.3}
    assert not any(line.get_visible() for line in vertical)


def test_series_take_the_ten_colours_c0_to_c9_in_turn_whatever_the_style_cycles_through() -> None:
    series = {f"s{k}": float(k + 1) for k in range(12)}
    twelve = [f"#{k:02x}{k:02x}{k:02x}" for k in range(0, 240, 20)]  # a style of twelve distinct greys
    with matplotlib.rc_context({"axes.prop_cycle": cycler(color=twelve)}):
        (ax,) = viz.plot_bars({"g": series}).axes
        expected = [to_rgba(f"C{k % 10}") for k in range(12)]  # the eleventh and twelfth repeat C0 and C1
    assert [to_rgba(c[0].get_facecolor()) for c in ax.containers] == expected
    assert expected[10] == to_rgba(twelve[0]) and expected[11] == to_rgba(twelve[1])


def test_drawing_the_bars_warns_of_nothing() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        viz.plot_bars(GROUPS)
    assert [str(w.message) for w in caught] == []
