"""What each plot draws: its panels, curves, labels, scales, sizes and messages, read from the matplotlib figure."""

import io
import math
import struct
import sys
import types
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_rgba

import viz.plots as plots
from nn import MLP
from viz import plot_decision_boundary, plot_grad_flow, plot_gradient_cures, plot_history, plot_step_error


def curves(ax):
    return [(line.get_label(), list(line.get_xdata()), list(line.get_ydata())) for line in ax.get_lines()]


def legend(ax):
    leg = ax.get_legend()
    return None if leg is None else [t.get_text() for t in leg.get_texts()]


def test_history_with_accuracy_has_two_labelled_panels() -> None:
    history = {"loss": [1.0, 0.5, 0.25], "val_loss": [1.5, 0.75, 0.5], "accuracy": [0.25, 0.5, 1.0],
               "val_accuracy": [0.0, 0.5, 0.75]}
    fig = plot_history(history)
    assert tuple(fig.get_size_inches()) == (11.0, 4.0)
    loss, acc = fig.axes
    assert curves(loss) == [("training", [1, 2, 3], [1.0, 0.5, 0.25]), ("validation", [1, 2, 3], [1.5, 0.75, 0.5])]
    assert (loss.get_xlabel(), loss.get_ylabel(), loss.get_title()) == ("epoch", "loss", "training: loss")
    assert legend(loss) == ["training", "validation"]
    assert curves(acc) == [("training", [1, 2, 3], [0.25, 0.5, 1.0]), ("validation", [1, 2, 3], [0.0, 0.5, 0.75])]
    assert (acc.get_xlabel(), acc.get_ylabel(), acc.get_title()) == ("epoch", "accuracy", "training: accuracy")
    assert acc.get_ylim() == (0.0, 1.02)
    assert legend(acc) == ["training", "validation"]
    assert fig.number not in plt.get_fignums()  # returned, not left open


def test_history_titles_and_panels_follow_what_is_there() -> None:
    fig = plot_history({"loss": [3.0, 2.0], "accuracy": [math.nan, 0.5]}, title="run 7")
    loss, acc = fig.axes
    assert loss.get_title() == "run 7: loss" and acc.get_title() == "run 7: accuracy"
    assert curves(loss) == [("training", [1, 2], [3.0, 2.0])] and legend(loss) == ["training"]
    assert legend(acc) == ["training"]
    only = plot_history({"loss": [3.0, 2.0]})
    assert len(only.axes) == 1 and tuple(only.get_size_inches()) == (6.0, 4.0)
    assert only.axes[0].get_title() == "training: loss"
    nan_acc = plot_history({"loss": [1.0], "accuracy": [math.nan]})
    assert len(nan_acc.axes) == 1 and tuple(nan_acc.get_size_inches()) == (6.0, 4.0)


@pytest.mark.parametrize("history", [{}, {"loss": []}, {"accuracy": [0.5]}])
def test_history_without_loss_is_refused_with_the_message(history) -> None:
    with pytest.raises(ValueError) as e:
        plot_history(history)
    assert str(e.value) == "plot_history needs a history with a non-empty 'loss' list, as nn.fit returns"


def test_plots_refuse_other_suffixes_and_close_the_figure(tmp_path: Path) -> None:
    before = set(plt.get_fignums())
    with pytest.raises(ValueError) as e:
        plot_history({"loss": [1.0]}, tmp_path / "h.jpg")
    assert str(e.value) == f"plots are written as .png or .svg; got {str(tmp_path / 'h.jpg')!r}"
    assert set(plt.get_fignums()) == before
    assert not (tmp_path / "h.jpg").exists()


def png_size(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_is_written_at_100_dpi_cropped_tight(tmp_path: Path) -> None:
    history = {"loss": [1.0, 0.5]}
    written = plot_history(history, tmp_path / "h.PNG")
    assert written == tmp_path / "h.PNG"
    expected = io.BytesIO()
    plot_history(history).savefig(expected, format="png", dpi=100, bbox_inches="tight")
    assert png_size(written.read_bytes()) == png_size(expected.getvalue())
    before = set(plt.get_fignums())
    svg = plot_history(history, tmp_path / "h.svg")
    assert b"<svg" in svg.read_bytes()[:400] and set(plt.get_fignums()) == before


def test_step_error_draws_log_log_lines_marks_and_labels() -> None:
    data = {"forward": [(1e-1, 1e-2), (1e-2, 0.0)], "central": [(1e-1, 1e-3), (1e-2, 1e-5)]}
    fig = plot_step_error(data, marks={"sqrt(eps)": 1.5e-8})
    assert tuple(fig.get_size_inches()) == (7.0, 4.5)
    ax, = fig.axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    lines = ax.get_lines()
    assert [(l.get_label(), list(l.get_xdata()), list(l.get_ydata())) for l in lines[:2]] == [
        ("forward", [1e-1, 1e-2], [1e-2, 1e-18]), ("central", [1e-1, 1e-2], [1e-3, 1e-5])]
    assert all(l.get_marker() == "." for l in lines[:2])
    assert len(lines) == 3
    mark = lines[2]
    assert list(mark.get_xdata()) == [1.5e-8, 1.5e-8]
    assert to_rgba(mark.get_color()) == to_rgba("grey") and mark.get_linestyle() == ":" and mark.get_linewidth() == 1
    note, = ax.texts
    assert note.get_text() == "sqrt(eps)" and note.xy == (1.5e-8, 1.0)
    assert note.anncoords == "offset points" and tuple(note.xyann) == (3, -12)
    assert note.get_fontsize() == 8 and to_rgba(note.get_color()) == to_rgba("grey")
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == (
        "step h", "|numeric - exact|", "finite-difference error against the step h")
    assert legend(ax) == ["forward", "central"]
    assert plot_step_error({"one": [(0.5, 0.25)]}, title="mine").axes[0].get_title() == "mine"
    assert len(plot_step_error({"one": [(0.5, 0.25)]}).axes[0].get_lines()) == 1


@pytest.mark.parametrize("bad", [{}, {"a": []}, {"a": [(0.1, 0.2)], "b": []}])
def test_step_error_refuses_empty_curves_with_the_message(bad) -> None:
    with pytest.raises(ValueError) as e:
        plot_step_error(bad)
    assert str(e.value) == "plot_step_error needs at least one non-empty curve of (h, error) pairs"


def visible_ticks(axis, ax):
    lo, hi = sorted(ax.get_xlim() if axis is ax.xaxis else ax.get_ylim())
    return [float(t) for t in axis.get_ticklocs() if lo <= t <= hi]


def test_grad_flow_bars_sit_side_by_side_on_a_log_scale() -> None:
    # The bars used to start at 0, which a log scale cannot show: they rose from wherever matplotlib put
    # the axis's foot, and a zero was a bar of height 1e-300. Now they rise from a power of ten a decade
    # below the smallest norm, and a zero is written as "0".
    fig = plot_grad_flow({"a": [1e-5, 0.0, 0.1], "b": [0.5, 0.25, 2.0]}, title="flow")
    assert tuple(fig.get_size_inches()) == (8.0, 4.5)
    ax, = fig.axes
    bars = ax.patches
    assert len(bars) == 6
    base = 1e-6  # 1e-5 is the smallest norm above 0
    got = [(round(b.get_x(), 9), round(b.get_width(), 9), b.get_y(), b.get_y() + b.get_height()) for b in bars]
    assert got == [(-0.4, 0.4, base, pytest.approx(1e-5)), (0.6, 0.4, base, base), (1.6, 0.4, base, pytest.approx(0.1)),
                   (0.0, 0.4, base, pytest.approx(0.5)), (1.0, 0.4, base, pytest.approx(0.25)),
                   (2.0, 0.4, base, pytest.approx(2.0))]
    assert ax.get_ylim()[0] == base
    zero, = ax.texts
    assert zero.get_text() == "0" and zero.get_position() == (pytest.approx(0.8), base)
    assert ax.get_yscale() == "log"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("layer (0 = nearest the input)",
                                                                  "gradient norm (log scale)", "flow")
    assert legend(ax) == ["a", "b"]
    assert visible_ticks(ax.xaxis, ax) == [0.0, 1.0, 2.0]
    single = plot_grad_flow([0.5, 0.25]).axes[0]
    assert [(round(b.get_x(), 9), round(b.get_width(), 9)) for b in single.patches] == [(-0.4, 0.8), (0.6, 0.8)]
    assert single.get_legend() is None and single.get_title() == "gradient flow"


@pytest.mark.parametrize("norms", [[0.1, 0.2], [0.11, 3.0], [1e-7, 1e-3, 1.0], [5.0], list(range(1, 13))])
def test_grad_flow_shows_every_layer_at_whole_ticks(norms) -> None:
    ax = plot_grad_flow(norms).axes[0]
    layers = len(norms)
    # one tick per layer, written as a whole number, and no tick between layers (-0.25, 0.5, 1.25 ...)
    ticks = visible_ticks(ax.xaxis, ax)
    assert all(t.is_integer() for t in ticks) and set(ticks) <= set(range(layers))
    if layers <= 10:
        assert ticks == [float(i) for i in range(layers)]
    ax.figure.canvas.draw()
    lo, hi = ax.get_xlim()
    shown = [t.get_text() for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]
    assert shown == [str(int(t)) for t in ticks]
    # every bar rises at least a decade above the foot of the axis: none looks empty
    bottom = ax.get_ylim()[0]
    assert all(b.get_y() == bottom for b in ax.patches)
    assert all(math.log10(b.get_y() + b.get_height()) - math.log10(bottom) >= 1 - 1e-9 for b in ax.patches)
    assert ax.get_ylim()[1] >= max(norms)


def test_grad_flow_of_only_zeros_writes_zeros() -> None:
    ax = plot_grad_flow([0.0, 0.0]).axes[0]
    assert [t.get_text() for t in ax.texts] == ["0", "0"]
    assert all(b.get_height() == 0 for b in ax.patches)


@pytest.mark.parametrize("bad", [{}, [], {"a": [1.0], "b": []}])
def test_grad_flow_refuses_empty_lists_with_the_message(bad) -> None:
    with pytest.raises(ValueError) as e:
        plot_grad_flow(bad)
    assert str(e.value) == "plot_grad_flow needs at least one non-empty list of per-layer norms"


class Sign:
    """A 'model' whose score is x - y: class 1 below the line y = x."""

    def __call__(self, point):
        from engine import Value
        return Value(point[0]) - point[1]


def test_decision_boundary_grid_classes_and_points() -> None:
    X, y = [[0.0, 0.0], [1.0, 2.0]], [0, 1]
    fig = plot_decision_boundary(Sign(), X, y, resolution=5)
    ax, = fig.axes
    assert ax.get_title() == "decision boundary" and tuple(fig.get_size_inches()) == (6.0, 5.0)
    zero, one = ax.collections[-2:]  # each class's points, in their own colour and shape
    assert [list(p) for p in zero.get_offsets()] == [X[0]] and [list(p) for p in one.get_offsets()] == [X[1]]
    assert hasattr(ax.collections[0], "levels")  # the filled contour of the classes
    # the grid spans the data with a 0.5 margin: x in [-0.5, 1.5], y in [-0.5, 2.5]
    assert ax.dataLim.x0 == pytest.approx(-0.5) and ax.dataLim.x1 == pytest.approx(1.5)
    assert ax.dataLim.y0 == pytest.approx(-0.5) and ax.dataLim.y1 == pytest.approx(2.5)


def test_decision_boundary_grid_points() -> None:
    assert plots._grid([0.0, 1.0], 0.5, 5) == [-0.5, 0.0, 0.5, 1.0, 1.5]
    assert plots._grid([3.0, -1.0, 2.0], 1.0, 3) == [-2.0, 1.0, 4.0]


def test_decision_boundary_predicts_on_the_grid() -> None:
    seen = []

    def model(point):
        from engine import Value
        seen.append((point[0].data if hasattr(point[0], "data") else point[0],
                     point[1].data if hasattr(point[1], "data") else point[1]))
        return Value(point[0]) - point[1]

    fig, ax = plt.subplots()
    out = plot_decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=3, ax=ax, title="mine")
    plt.close(fig)
    assert out is ax and ax.get_title() == "mine"
    grid = [-0.5, 0.5, 1.5]
    assert seen == [(gx, gy) for gy in grid for gx in grid]


def test_decision_boundary_needs_two_inputs() -> None:
    for X in ([], [[1.0, 2.0, 3.0]], [[1.0]]):
        with pytest.raises(ValueError) as e:
            plot_decision_boundary(MLP(2, [1]), X, [1] * len(X))
        assert str(e.value) == "plot_decision_boundary draws models of 2 inputs; X must be a list of (x, y) points"


def test_pyplot_uses_agg_outside_ipython_and_the_notebook_backend_inside(monkeypatch) -> None:
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert plots._under_ipython() is False
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: None
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert plots._under_ipython() is False
    fake.get_ipython = lambda: object()
    assert plots._under_ipython() is True
    monkeypatch.setitem(sys.modules, "IPython", types.ModuleType("IPython"))
    assert plots._under_ipython() is False
    used = []
    monkeypatch.setattr(matplotlib, "use", lambda name, *a, **k: used.append(name))
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert plots.pyplot() is plt and used == ["Agg"]
    fake.get_ipython = lambda: object()
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert plots.pyplot() is plt and used == ["Agg"]


def over_white(rgba):
    r, g, b, a = rgba
    return tuple(a * c + (1 - a) for c in (r, g, b))


def luminance(rgb):
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def test_decision_boundary_style_and_no_graph_recorded() -> None:
    recorded = []

    def model(point):
        from engine import Value
        score = Value(point[0]) - point[1]
        recorded.append(len(score._prev))
        return score

    X, y = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.0, 2.0]], [0, 1, 1, 0]
    fig = plot_decision_boundary(model, X, y, resolution=4)
    assert set(recorded) == {0} and len(recorded) == 16  # predictions under no_grad: no graph kept
    ax, = fig.axes
    filled = ax.collections[0]
    assert filled.filled
    # sharp regions: one level halfway between the classes, none in between (the old default levels
    # drew a band of a third colour along the boundary)
    assert list(filled.levels) == [-0.5, 0.5, 1.5]
    assert legend(ax) == ["class 0", "class 1"]


def test_decision_boundary_points_stand_out_from_the_regions() -> None:
    # The points used to be drawn in the regions' own colours, at 80% opacity: a point of class 1 on the
    # region of class 1 all but disappeared. Now the regions are pale and the points full, with a shape
    # per class and an edge.
    X = [[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [0.0, 2.0], [3.0, 1.0]]
    y = [0, 1, 1, 0, 2]

    def model(point):  # three classes in bands of x: its argmax
        from engine import Value
        x = point[0] if hasattr(point[0], "data") else Value(point[0])
        return [-(x - 0.0) ** 2, -(x - 1.5) ** 2, -(x - 3.0) ** 2]

    ax = plot_decision_boundary(model, X, y, resolution=12).axes[0]
    filled, points = ax.collections[0], ax.collections[-3:]
    regions = [over_white(to_rgba(c, filled.get_alpha())) for c in filled.get_facecolor()]
    assert len(regions) == 3
    for k, dots in enumerate(points):
        face = to_rgba(dots.get_facecolor()[0])
        assert face[3] == 1.0 and dots.get_zorder() > filled.get_zorder()
        # far darker than the region of its own class, the region it sits on when the model is right
        assert luminance(regions[k]) - luminance(face[:3]) > 0.25
        assert list(dots.get_sizes())[0] >= 36
    assert len({d.get_paths()[0].vertices.tobytes() for d in points}) == 3  # a different shape for each class
    assert legend(ax) == ["class 0", "class 1", "class 2"]


def test_convergence_draws_each_method_by_iteration_on_a_log_scale(tmp_path: Path) -> None:
    from viz import plot_convergence

    fig = plot_convergence({"Gauss-Newton": [1.0, 0.01, 0.0], "gradient descent": [1.0, 0.5, 0.25, 0.125]},
                           title="fit", ylabel="excess loss")
    (ax,) = fig.axes
    assert curves(ax) == [("Gauss-Newton", [0, 1, 2], [1.0, 0.01, 1e-300]),
                          ("gradient descent", [0, 1, 2, 3], [1.0, 0.5, 0.25, 0.125])]
    assert ax.get_yscale() == "log" and (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("fit", "iteration", "excess loss")
    assert legend(ax) == ["Gauss-Newton", "gradient descent"]
    assert all(float(t).is_integer() for t in ax.get_xticks())  # whole iterations only
    assert plot_convergence({"a": [1.0, 0.5]}, tmp_path / "c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError) as caught:
        plot_convergence({"a": []})
    assert str(caught.value) == "plot_convergence needs at least one non-empty list of losses"
    fig = plot_convergence({"short": [1.0] * 39, "long": [1.0] * 40})  # dots where they can be told apart
    (ax,) = fig.axes
    assert [line.get_marker() for line in ax.get_lines()] == [".", "None"]
    assert (ax.get_title(), ax.get_ylabel()) == ("convergence", "loss") and tuple(fig.get_size_inches()) == (7.0, 4.5)


def test_memory_tradeoff_draws_memory_log_log_and_time_linear_with_guides(tmp_path: Path) -> None:
    from viz import plot_memory_tradeoff

    runs = {"plain": [(1000, 1e6, 0.1), (4000, 4e6, 0.4)], "sqrt(n) segments": [(1000, 2e5, 0.12), (4000, 4e5, 0.5)]}
    fig = plot_memory_tradeoff(runs, xlabel="steps")
    mem, secs = fig.axes
    drawn = curves(mem)
    assert drawn[:2] == [("plain", [1000, 4000], [1.0, 4.0]), ("sqrt(n) segments", [1000, 4000], [0.2, 0.4])]
    # the guides start at each one's first point and grow like n and like sqrt(n) to the largest depth
    (_, gx1, gy1), (_, gx2, gy2) = drawn[2:]
    assert (gx1, gy1) == ([1000, 4000], [1.0, 4.0]) and (gx2, gy2) == ([1000, 4000], [0.2, 0.4])
    assert curves(secs) == [("plain", [1000, 4000], [0.1, 0.4]), ("sqrt(n) segments", [1000, 4000], [0.12, 0.5])]
    assert (mem.get_xscale(), mem.get_yscale(), secs.get_yscale()) == ("log", "log", "linear")
    assert list(mem.get_xticks()) == [1000, 4000] and secs.get_ylim()[0] == 0
    assert [t.get_text() for t in mem.texts] == ["grows like n", "grows like sqrt(n)"]
    assert legend(mem) == ["plain", "sqrt(n) segments"] and mem.get_xlabel() == "steps"
    assert plot_memory_tradeoff(runs, tmp_path / "m.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="at least one non-empty list of \\(depth, bytes, seconds\\)"):
        plot_memory_tradeoff({"a": []})


def test_gradient_cures_draw_norms_and_losses_with_one_legend_and_overflow_marked(tmp_path: Path) -> None:
    from viz import plot_gradient_cures

    norms = {"sigmoid": [1e-4, 1e-2, 1.0], "exploding": [500.0, 800.0, 900.0]}
    losses = {"sigmoid": [0.7, 0.69, 0.69], "exploding": [500.0, 1e90], "clipped": [500.0, 50.0, 5.0]}
    fig = plot_gradient_cures(norms, losses)
    flow, loss = fig.axes
    assert curves(flow) == [("sigmoid", [0, 1, 2], [1e-4, 1e-2, 1.0]), ("exploding", [0, 1, 2], [500.0, 800.0, 900.0])]
    drawn = curves(loss)
    top = 3 * 500.0  # three times the largest loss of the curves that ran to the end
    assert drawn[0] == ("sigmoid", [1, 2, 3], [0.7, 0.69, 0.69])
    assert drawn[1] == ("exploding", [1, 2], [500.0, top])  # cut at the top, where its cross is
    assert drawn[2][1:] == ([2], [top]) and drawn[2][0].startswith("_")
    assert drawn[3] == ("clipped", [1, 2, 3], [500.0, 50.0, 5.0])
    # the top of the panel leaves room above the cut, so that the cut line and its cross are seen
    assert loss.get_ylim()[1] == 2 * top and [t.get_text() for t in loss.texts] == ["off the scale, then overflowed"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["sigmoid", "exploding", "clipped"]
    assert flow.get_yscale() == loss.get_yscale() == "log"
    assert all(float(t).is_integer() for t in loss.get_xticks())
    assert plot_gradient_cures(norms, losses, tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="plot_gradient_cures needs at least one non-empty list of per-layer norms"):
        plot_gradient_cures({"a": []}, {})


def inside(ax, line):
    (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
    return all(x0 <= x <= x1 for x in line.get_xdata()) and all(y0 < y < y1 for y in line.get_ydata())


def test_gradient_cures_keep_every_curve_inside_and_in_sight() -> None:
    # As the vanishing demo draws them: sigmoid with and without Xavier's init stay at one loss, and the
    # exploding network's loss runs far above the rest before it overflows.
    norms = {"sigmoid": [1e-4, 1e-2, 1.0], "ReLU": [0.5, 0.8, 1.0], "exploding": [500.0, 800.0, 900.0],
             "Xavier, sigmoid": [1e-5, 1e-3, 1.0]}
    losses = {"sigmoid": [0.693] * 12, "ReLU": [0.7 - 0.04 * k for k in range(12)], "exploding": [500.0, 4e6, 1e30],
              "Xavier, sigmoid": [0.693] * 12, "clipped": [500.0 / (k + 1) for k in range(12)]}
    fig = plot_gradient_cures(norms, losses)
    flow, loss = fig.axes
    for ax in (flow, loss):
        drawn = [l for l in ax.get_lines() if not l.get_label().startswith("_")]
        assert all(inside(ax, l) for l in ax.get_lines())  # no line runs off the panel, nor along its edge
        # no two networks look alike but for their colour: one lying on another still shows
        assert len({(l.get_linestyle(), l.get_marker()) for l in drawn}) == len(drawn)
    # the two flat curves put their markers at different epochs, so both are seen where they coincide
    flat = [l for l in loss.get_lines() if l.get_label() in ("sigmoid", "Xavier, sigmoid")]
    marked = [set(l.get_xdata()[l.get_markevery()[0]::l.get_markevery()[1]]) for l in flat]
    assert marked[0] != marked[1]
    assert [t.get_text() for t in loss.texts] == ["off the scale, then overflowed"]


def test_gradient_cures_are_told_which_curves_overflowed() -> None:
    # --quick trains the cures for fewer epochs than the exploding pair: shorter is not overflowed
    curves = {"short": [1.0, 0.5], "long": [1.0, 0.8, 0.6, 0.5], "blew up": [1.0, 1e9]}
    loss = plot_gradient_cures({"short": [1.0]}, curves, overflowed=["blew up"]).axes[1]
    assert [t.get_text() for t in loss.texts] == ["off the scale, then overflowed"]
    assert loss.get_ylim()[1] == 2 * 3 * 1.0
    crosses = [l for l in loss.get_lines() if l.get_marker() == "x"]
    assert [list(c.get_xdata()) for c in crosses] == [[2]]
    by_length = plot_gradient_cures({"a": [1.0]}, curves).axes[1]  # by default, the shorter curves
    assert [t.get_text() for t in by_length.texts] == ["overflowed", "off the scale, then overflowed"]


def test_loss_curves_draw_one_panel_per_experiment_from_epoch_one(tmp_path: Path) -> None:
    from viz import plot_loss_curves

    fig = plot_loss_curves({"batch": {"full": [1.0, 0.8], "one": [0.6, 0.3, 0.2]}, "rate": {"50": [1.0, 9.0]}},
                           title="gd", log=True)
    left, right = fig.axes
    assert curves(left) == [("full", [1, 2], [1.0, 0.8]), ("one", [1, 2, 3], [0.6, 0.3, 0.2])]
    assert curves(right) == [("50", [1, 2], [1.0, 9.0])]
    assert (left.get_title(), right.get_title(), left.get_yscale()) == ("batch", "rate", "log")
    assert legend(left) == ["full", "one"] and fig._suptitle.get_text() == "gd"
    assert all(float(t).is_integer() for ax in (left, right) for t in ax.get_xticks())  # whole epochs: no 1.5
    assert plot_loss_curves({"a": {"b": [1.0]}}, tmp_path / "l.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plot_loss_curves({"a": {"b": [1.0]}}).axes[0].get_yscale() == "linear"
    with pytest.raises(ValueError, match="plot_loss_curves needs at least one panel of non-empty loss curves"):
        plot_loss_curves({"a": {"b": []}})


@pytest.mark.parametrize("epochs", [1, 2, 4, 9, 10, 11, 20, 30, 31, 57])
def test_history_ticks_whole_epochs_only(epochs) -> None:
    # 20 epochs used to be ticked at 2.5, 7.5, 12.5 ...; one epoch at 0.95, 0.975, 1.0 ...
    from matplotlib.ticker import FixedLocator, MaxNLocator

    ramp = [k / epochs for k in range(epochs)]
    history = {"loss": [1.0 / (k + 1) for k in range(epochs)], "val_loss": ramp, "accuracy": ramp, "val_accuracy": ramp}
    for ax in plot_history(history).axes:
        ticks = visible_ticks(ax.xaxis, ax)
        assert ticks and all(t.is_integer() and 1 <= t <= epochs for t in ticks)
        assert ax.get_xlim() == (0.5, epochs + 0.5)  # no epoch 0, none past the last
        if epochs <= 10:  # each epoch ticked; past 10, whole numbers only
            assert ticks == [float(e) for e in range(1, epochs + 1)]
        assert type(ax.xaxis.get_major_locator()) is (FixedLocator if epochs <= 10 else MaxNLocator)
        # one epoch is a point: drawn with a marker, or it would not be seen at all; past 30, lines only
        assert [line.get_marker() for line in ax.get_lines()] == ["." if epochs <= 30 else "None"] * 2


def test_decision_boundary_with_labels_of_minus_one_and_one() -> None:
    # the moons demo's SVM labels: a negative score is class -1, painted in class -1's colour, not a third class
    X, y = [[0.0, 1.0], [1.0, 0.0]], [-1, 1]
    ax = plot_decision_boundary(Sign(), X, y, resolution=6).axes[0]
    assert legend(ax) == ["class -1", "class 1"]
    filled = ax.collections[0]
    assert list(filled.levels) == [-1.5, 0.0, 1.5]
    regions = [tuple(c[:3]) for c in filled.get_facecolor()]
    points = [tuple(to_rgba(c.get_facecolor()[0])[:3]) for c in ax.collections[-2:]]
    assert regions == points  # each class's region and points in one colour
