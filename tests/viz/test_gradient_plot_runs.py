"""Many runs in the gradient pictures: plot_grad_flow and plot_gradient_cures give run k the colour C(k mod 10)
whatever the style cycles through, centre a dead layer's "0" on its slot, and plot_gradient_cures spreads its
markers a step of an eighth of the epochs apart, scales to the finished curves and says which overflowed curve
went off the scale."""

import math

import matplotlib
import pytest
from cycler import cycler
from matplotlib.colors import to_rgba

import viz

TWELVE = [f"#{k:02x}{k:02x}{k:02x}" for k in range(0, 240, 20)]  # a style of twelve distinct greys


def twelve_colour_style():
    return matplotlib.rc_context({"axes.prop_cycle": cycler(color=TWELVE)})


def test_grad_flow_runs_take_the_ten_colours_in_turn_and_their_zeros_too() -> None:
    runs = {f"r{k}": [0.5, 0.0] for k in range(12)}
    with twelve_colour_style():
        (ax,) = viz.plot_grad_flow(runs).axes
        colours = [to_rgba(f"C{k % 10}") for k in range(12)]  # the eleventh and twelfth repeat C0 and C1
        zeros = [(to_rgba(t.get_color()), t.get_ha(), t.get_va()) for t in ax.texts if t.get_text() == "0"]
    bars = [to_rgba(c[0].get_facecolor()) for c in ax.containers]
    assert bars == colours and colours[10] == to_rgba(TWELVE[0]) and colours[11] == to_rgba(TWELVE[1])
    assert zeros == [(c, "center", "bottom") for c in colours]  # each run's dead layer, in its colour


def test_gradient_cures_give_twelve_networks_the_ten_colours_in_turn() -> None:
    norms = {f"n{k}": [0.1, 1.0] for k in range(12)}
    with twelve_colour_style():
        fig = viz.plot_gradient_cures(norms, {})
        drawn = [to_rgba(line.get_color()) for line in fig.axes[0].get_lines()]
    assert drawn == [to_rgba(c) for c in TWELVE[:10] + TWELVE[:2]]


@pytest.mark.parametrize("epochs, step", [(20, 2), (24, 3)])
def test_loss_markers_are_an_eighth_of_the_epochs_apart(epochs: int, step: int) -> None:
    curves = {"a": [1.0 / (e + 1) for e in range(epochs)], "b": [2.0 / (e + 1) for e in range(epochs)]}
    fig = viz.plot_gradient_cures({"a": [1.0], "b": [1.0]}, curves)
    a, b = fig.axes[1].get_lines()
    # staggered: the second network's first marker half a step after the first's
    assert a.get_markevery() == (0, step) and b.get_markevery() == (step // 2, step)


def test_an_overflowed_curve_that_reaches_the_scale_is_not_off_it() -> None:
    # the finished curve's largest loss is 1, so the scale runs to 3: a loss of exactly 3 is on it
    fig = viz.plot_gradient_cures({"ok": [1.0], "bad": [1.0]}, {"ok": [1.0, 0.5, 0.25], "bad": [1.0, 3.0]})
    notes = [t.get_text() for t in fig.axes[1].texts]
    assert notes == ["overflowed"]


def test_when_every_curve_overflowed_the_losses_are_drawn_as_they_are() -> None:
    fig = viz.plot_gradient_cures({"a": [1.0]}, {"a": [0.5, 40.0, math.inf]}, overflowed=["a"])
    line = fig.axes[1].get_lines()[0]
    assert list(line.get_ydata()) == [0.5, 40.0, math.inf]
    assert [t.get_text() for t in fig.axes[1].texts] == ["overflowed"]
