"""The cost/quality curves (viz.plot_tradeoff) as a reader tells them apart: the figure's size, default labels,
each curve's legend entry, its marker (six in turn) and colour (C0 to C9 in turn), and the faint grid."""

import gc
import warnings

import matplotlib
import pytest
from cycler import cycler
from matplotlib.colors import to_rgba

import viz


def test_default_labels_size_and_legend() -> None:
    fig = viz.plot_tradeoff({"top-k": [(0.01, 0.85), (0.1, 0.88)], "32-bit": [(1.0, 0.88)]})
    (ax,) = fig.axes
    assert tuple(fig.get_size_inches()) == pytest.approx((7.0, 4.5))
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("", "cost", "quality")
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["top-k", "32-bit"]
    assert {t.get_fontsize() for t in legend.get_texts()} == {8.0}


def test_curves_take_six_markers_and_ten_colours_in_turn_whatever_the_style_cycles_through() -> None:
    curves = {f"c{k}": [(1.0 + k, 0.5)] for k in range(12)}
    twelve = [f"#{k:02x}{k:02x}{k:02x}" for k in range(0, 240, 20)]  # a style of twelve distinct greys
    with matplotlib.rc_context({"axes.prop_cycle": cycler(color=twelve)}):
        (ax,) = viz.plot_tradeoff(curves).axes
        colours = [to_rgba(f"C{k % 10}") for k in range(12)]  # the eleventh and twelfth repeat C0 and C1
        drawn = [to_rgba(line.get_color()) for line in ax.get_lines()]  # "CN" names resolve against the style
    assert [line.get_marker() for line in ax.get_lines()] == list("os^Dv*os^Dv*")
    assert drawn == colours
    assert colours[10] == to_rgba(twelve[0]) and colours[11] == to_rgba(twelve[1])


def test_a_faint_grid_both_ways_and_no_warning() -> None:
    gc.collect()  # what earlier tests left for the collector warns (an unclosed file) outside the block, not in it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (ax,) = viz.plot_tradeoff({"a": [(0.1, 0.5), (10.0, 0.9)]}).axes
    assert [str(w.message) for w in caught] == []
    for gridlines in (ax.xaxis.get_gridlines(), ax.yaxis.get_gridlines()):
        assert gridlines and all(line.get_visible() for line in gridlines)
        assert {line.get_alpha() for line in gridlines} == {0.3}
