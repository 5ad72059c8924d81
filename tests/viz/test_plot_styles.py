"""Every visible property of the newer plots, pinned as designed: sizes, titles, labels, line styles, colours,
markers, annotations and their offsets, tick labels. A change to any of them is a change to what a learner sees,
so it should be made on purpose."""

import matplotlib
import pytest
from matplotlib.colors import to_rgba

import viz


def lines(ax):
    return [("_" if line.get_label().startswith("_") else line.get_label(), line.get_linestyle(), line.get_marker(), to_rgba(line.get_color()),
             line.get_linewidth(), line.get_alpha()) for line in ax.get_lines()]


def notes(ax):
    return [(t.get_text(), tuple(t.xy), t.get_fontsize(), to_rgba(t.get_color()), t.get_ha(), t.xyann,
             t.anncoords) for t in ax.texts if isinstance(t, matplotlib.text.Annotation)]


def labels(ax):
    return ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), ax.get_xscale(), ax.get_yscale()


def test_memory_tradeoff_as_designed() -> None:
    runs = {"plain": [(1000, 1e6, 0.1), (4000, 4e6, 0.4)], "sqrt(n) segments": [(1000, 2e5, 0.12), (4000, 4e5, 0.5)]}
    fig = viz.plot_memory_tradeoff(runs)
    mem, secs = fig.axes
    assert tuple(fig.get_size_inches()) == (11.0, 4.5) and fig._suptitle.get_text() == \
        "gradient checkpointing: memory against time"
    assert labels(mem) == ("memory (log-log)", "depth (nodes of the plain graph)",
                           "peak memory of forward + backward (MB)", "log", "log")
    assert labels(secs) == ("time", "depth (nodes of the plain graph)", "seconds, forward + backward", "linear", "linear")
    c0, c1, black = to_rgba("C0"), to_rgba("C1"), to_rgba("k")
    assert lines(mem) == [("plain", "-", "o", c0, 1.5, None), ("sqrt(n) segments", "-", "o", c1, 1.5, None),
                          ("_", "--", "None", black, 0.8, 0.6), ("_", "--", "None", black, 0.8, 0.6)]
    assert lines(secs) == [("plain", "-", "o", c0, 1.5, None), ("sqrt(n) segments", "-", "o", c1, 1.5, None)]
    grey = to_rgba("dimgrey")
    # each guide's label sits at the guide's end (the largest depth), 4 points left of it and 14 below
    assert notes(mem) == [("grows like n", (4000, 4.0), 8.0, grey, "right", (-4, -14), "offset points"),
                          ("grows like sqrt(n)", (4000, 0.4), 8.0, grey, "right", (-4, -14), "offset points")]
    ticks = mem.xaxis.get_major_formatter()
    assert [ticks(v, 0) for v in (999, 1000, 4000, 250)] == ["999", "1k", "4k", "250"]
    assert secs.xaxis.get_major_formatter()(16000, 0) == "16k"
    assert [t.get_text() for t in mem.get_xticklabels(minor=True) if t.get_text()] == []
    assert mem.get_legend() is not None and secs.get_legend() is None
    one = viz.plot_memory_tradeoff({"only": [(10, 100.0, 1.0), (40, 200.0, 2.0)]}, title="t", xlabel="n")
    assert one._suptitle.get_text() == "t" and one.axes[0].get_xlabel() == one.axes[1].get_xlabel() == "n"
    # with one strategy both guides start from it, and run to its largest depth
    assert [l[1:] for l in notes(one.axes[0])] == [((40, 4e-4), 8.0, grey, "right", (-4, -14), "offset points"),
                                                   ((40, 2e-4), 8.0, grey, "right", (-4, -14), "offset points")]
    with pytest.raises(ValueError) as caught:
        viz.plot_memory_tradeoff({})
    assert str(caught.value) == "plot_memory_tradeoff needs at least one non-empty list of (depth, bytes, seconds)"
    assert mem.get_position().y0 == secs.get_position().y0 and mem.get_position().x1 < secs.get_position().x0


def test_memory_tradeoff_guides_run_to_the_largest_depth_with_their_slopes() -> None:
    runs = {"plain": [(100, 1e6, 0.1), (400, 4e6, 0.4), (1600, 1.6e7, 1.6)],
            "sqrt(n) segments": [(100, 1e5, 0.1), (400, 2e5, 0.4), (1600, 4e5, 1.6)]}
    mem = viz.plot_memory_tradeoff(runs).axes[0]
    guides = [line for line in mem.get_lines() if line.get_label().startswith("_")]
    assert [list(g.get_xdata()) for g in guides] == [[100, 1600], [100, 1600]]
    assert [list(g.get_ydata()) for g in guides] == [[1.0, 16.0], [0.1, pytest.approx(0.4)]]
    assert [n[1] for n in notes(mem)] == [(1600, 16.0), (1600, pytest.approx(0.4))]


def test_gradient_cures_as_designed() -> None:
    norms = {"sigmoid": [1e-4, 1e-2, 1.0], "exploding": [500.0, 800.0, 900.0]}
    curves = {"sigmoid": [0.7, 0.69, 0.69], "exploding": [500.0, 1e90], "clipped": [500.0, 50.0, 5.0]}
    fig = viz.plot_gradient_cures(norms, curves)
    flow, loss = fig.axes
    assert tuple(fig.get_size_inches()) == (12.0, 4.8)
    assert fig._suptitle.get_text() == "vanishing and exploding gradients, and their cures"
    assert labels(flow) == ("gradient per layer", "layer (0 = nearest the input)", "gradient norm at the start",
                            "linear", "log")
    assert labels(loss) == ("training", "epoch", "training loss", "linear", "log")
    c0, c1, c2 = to_rgba("C0"), to_rgba("C1"), to_rgba("C2")
    # each network has its own line style and marker as well as its colour, in both panels (they were
    # all solid, and the loss panel had no markers: a curve lying on another hid it)
    assert lines(flow) == [("sigmoid", "-", "o", c0, 1.5, None), ("exploding", "--", "s", c1, 1.5, None)]
    assert lines(loss) == [("sigmoid", "-", "o", c0, 1.5, None), ("exploding", "--", "s", c1, 1.5, None),
                           ("_", "-", "x", c1, 1.5, None), ("clipped", "-.", "D", c2, 1.5, None)]
    assert [l.get_markevery() for l in loss.get_lines()] == [(0, 2), (0, 2), None, (1, 2)]
    assert loss.get_lines()[2].get_markersize() == 10 and loss.get_lines()[0].get_markersize() == 5
    assert notes(loss) == [("off the scale, then overflowed", (2, 1500.0), 8.0, c1, "left", (8, -14), "offset points")]
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["sigmoid", "exploding", "clipped"]
    assert legend._ncols == 3 and legend.get_texts()[0].get_fontsize() == 8 and not legend.get_frame_on()
    assert legend._loc == 8  # lower center
    assert fig.subplotpars.bottom == pytest.approx(0.14) and fig.subplotpars.wspace == pytest.approx(0.28)
    for ax in (flow, loss):
        assert all(float(t).is_integer() for t in ax.get_xticks())
    six = {f"r{k}": [1.0, 0.5] for k in range(6)}
    wide = viz.plot_gradient_cures(six, six, title="six")
    assert wide.legends[0]._ncols == 5 and wide.subplotpars.bottom == pytest.approx(0.18)
    assert wide._suptitle.get_text() == "six" and wide.axes[1].get_ylim()[1] == pytest.approx(6.0)  # 2 x 3 x 1.0
    only_norms = viz.plot_gradient_cures({"a": [1e-300, 1.0]}, {})
    assert only_norms.axes[0].get_lines()[0].get_ydata()[0] == 1e-300 and only_norms.axes[1].get_lines() == []
    assert list(viz.plot_gradient_cures({"a": [0.0, 1.0]}, {}).axes[0].get_lines()[0].get_ydata()) == [1e-300, 1.0]
    assert flow.get_position().y0 == loss.get_position().y0 and flow.get_position().x1 < loss.get_position().x0
    assert [to_rgba(h.get_color()) for h in legend.legend_handles] == [c0, c1, c2]  # the lines themselves
    with pytest.raises(ValueError) as caught:
        viz.plot_gradient_cures({"a": []}, {})
    assert str(caught.value) == "plot_gradient_cures needs at least one non-empty list of per-layer norms"


def test_gradient_cures_keep_each_networks_colour_and_cut_an_overflow_at_its_last_point() -> None:
    norms = {"a": [1.0, 2.0], "b": [1.0, 3.0], "c": [1.0, 4.0]}
    curves = {"a": [1.0, 0.5, 0.4, 0.3], "c": [1.0, 2.0, 1e9]}  # b has no curve; c overflowed after 3 epochs
    loss = viz.plot_gradient_cures(norms, curves).axes[1]
    drawn = [(l[0], l[3]) for l in lines(loss)]
    assert drawn == [("a", to_rgba("C0")), ("c", to_rgba("C2")), ("_", to_rgba("C2"))]  # c keeps its colour
    cross = loss.get_lines()[2]
    assert list(cross.get_xdata()) == [3] and list(cross.get_ydata()) == [3.0]  # at its last point, cut to the top
    assert notes(loss)[0][:2] == ("off the scale, then overflowed", (3, 3.0))


def test_scaling_and_loss_curve_panels_as_designed(tmp_path) -> None:
    fig = viz.plot_scaling({"inputs n": {"forward": [(1, 0.1), (8, 0.8)], "reverse": [(1, 0.2), (8, 0.3)]},
                            "outputs m": {"forward": [(1, 0.1), (8, 0.2)]}}, title="jacobians", ylabel="s")
    left, right = fig.axes
    assert tuple(fig.get_size_inches()) == (11.0, 4.5) and fig._suptitle.get_text() == "jacobians"
    assert labels(left) == ("against inputs n", "inputs n", "s", "log", "log")
    assert labels(right) == ("against outputs m", "outputs m", "s", "log", "log")
    assert [(l[0], l[2], l[3]) for l in lines(left)] == [("forward", "o", to_rgba("C0")), ("reverse", "o", to_rgba("C1"))]
    assert [list(l.get_xdata()) + list(l.get_ydata()) for l in left.get_lines()] == [[1, 8, 0.1, 0.8], [1, 8, 0.2, 0.3]]
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["forward", "reverse"]
    assert left.get_legend().get_texts()[0].get_fontsize() == 8
    assert viz.plot_scaling({"n": {"a": [(1, 1.0)]}})._suptitle is None
    assert viz.plot_scaling({"n": {"a": [(1, 1.0)]}}, tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError) as caught:
        viz.plot_scaling({"n": {}})
    assert str(caught.value) == "plot_scaling needs at least one panel of non-empty (x, y) curves"
    fig = viz.plot_loss_curves({"a": {"x": [1.0, 0.5]}, "b": {"y": [2.0]}})
    assert tuple(fig.get_size_inches()) == (11.0, 4.5) and fig._suptitle.get_text() == "training"
    assert labels(fig.axes[0]) == ("a", "epoch", "loss", "linear", "linear")
    assert fig.axes[0].get_legend().get_texts()[0].get_fontsize() == 8
    with pytest.raises(ValueError) as caught:
        viz.plot_loss_curves({})
    assert str(caught.value) == "plot_loss_curves needs at least one panel of non-empty loss curves"


def test_pictures_refuse_or_cope_with_what_they_cannot_scale() -> None:
    fig = viz.plot_gradient_cures({"a": [1.0, 2.0]}, {"a": [1.0, float("inf")], "b": [0.5, 0.25]})
    assert fig.axes[1].get_ylim()[1] == pytest.approx(6.0)  # scaled to the finite losses, with room above
    with pytest.raises(ValueError) as caught:
        viz.plot_contour(lambda x, y: -(x * x) - 1.0, (-1, 1), (-1, 1), log=True)
    assert str(caught.value) == ("plot_contour: log=True spaces contours by powers, which needs f > 0 somewhere in "
                                 "the box; f is nowhere positive here")


def test_scaling_ticks_the_sizes_measured() -> None:
    # P = 45, 121, 369, 1249 were ticked only at 10^2 and 10^3
    ax = viz.plot_scaling({"parameters P": {"forward": [(45, 1e-3), (121, 2e-3), (369, 5e-3), (1249, 2e-2)]}}).axes[0]
    ax.figure.canvas.draw()
    assert ax.get_ylabel() == "seconds"  # the default ylabel: what the demos time
    assert list(ax.get_xticks()) == [45, 121, 369, 1249]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["45", "121", "369", "1249"]
    assert [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()] == []


def test_mode_grid_as_designed(tmp_path) -> None:
    measured = {(1, 1): 0.5, (4, 1): 2.0, (1, 4): 0.25, (4, 4): 1.0}
    counted = {(1, 1): 0.6, (4, 1): 1.5, (1, 4): 0.3, (4, 4): 0.9}
    chosen = {(1, 1): "fwd", (4, 1): "rev", (1, 4): "fwd", (4, 4): "fwd"}
    fig = viz.plot_mode_grid([1, 4], {"measured": measured, "counted": counted}, chosen, title="modes")
    left, right, bar = fig.axes
    assert fig._suptitle.get_text() == "modes" and labels(left)[:3] == ("measured", "inputs n", "outputs m")
    # n across, m up: the cell of n = 4, m = 1 is at column 1, row 0; a ratio above 1 is reverse's colour
    assert left.images[0].get_array()[0][1] == 2.0 and left.images[0].get_array()[1][0] == 0.25
    red, blue, grey = (left.images[0].to_rgba(r) for r in (2.0, 0.25, 1.0))
    assert red[0] > red[2] and blue[2] > blue[0] and abs(grey[0] - grey[2]) < 0.1
    assert [t.get_text() for t in left.texts] == ["0.5", "2", "0.25", "1"]
    assert [t.get_text() for t in right.texts] == ["fwd", "rev", "fwd", "fwd"]  # the last panel shows the choice
    assert left.images[0].norm.vmin == right.images[0].norm.vmin == 0.25  # one scale, symmetric about 1
    assert bar.get_ylabel() == "forward / reverse (below 1: forward is cheaper)"
    assert viz.plot_mode_grid([1], {"a": {(1, 1): 1.0}}, path=tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError) as caught:
        viz.plot_mode_grid([1, 4], {"a": {(1, 1): 1.0}})
    assert str(caught.value) == "plot_mode_grid needs a ratio for every (n, m) of sizes [1, 4] in each panel"


def test_profile_bars_as_designed(tmp_path) -> None:
    import engine

    x = engine.Value(0.5)
    with engine.profile() as prof:
        y = (x * x).tanh()
        y.backward()
    fig = viz.plot_profile({"one": prof, "two": prof}, title="where")
    left, right = fig.axes
    assert fig._suptitle.get_text() == "where" and left.get_xlabel() == "milliseconds"
    assert left.get_title().startswith("one: ") and left.get_title().endswith("peak 2 nodes")
    assert [t.get_text() for t in left.get_yticklabels()] == sorted(["mul", "tanh"], key=lambda k: sum(
        r.seconds for r in prof.rows if r.kind == k))
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["forward", "backward"]
    bars = left.patches
    assert len(bars) == 4 and {to_rgba(b.get_facecolor()) for b in bars} == {to_rgba("C0"), to_rgba("C3")}
    widths = sorted(b.get_width() for b in bars)
    assert widths == sorted(r.seconds * 1e3 for r in prof.rows)
    assert viz.plot_profile(prof, tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"
    with engine.profile() as empty:
        pass
    with pytest.raises(ValueError) as caught:
        viz.plot_profile(empty)
    assert str(caught.value) == "plot_profile needs profiles that recorded something: run ops inside engine.profile()"


def test_estimator_bars_as_designed(tmp_path) -> None:
    fig = viz.plot_estimators({"REINFORCE": (1e-4, 2.0), "Gumbel, tau = 1": (0.3, 0.1)}, title="est")
    (ax,) = fig.axes
    assert ax.get_title() == "est" and ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["REINFORCE", "Gumbel, tau = 1"]
    assert ax.yaxis_inverted()  # the first on top, as the demo's table
    bias, variance = ax.containers
    assert [b.get_width() for b in bias] == [1e-4, 0.3] and [b.get_width() for b in variance] == [2.0, 0.1]
    assert to_rgba(bias[0].get_facecolor()) == to_rgba("C3") and to_rgba(variance[0].get_facecolor()) == to_rgba("C0")
    assert [(t.get_text(), t.get_fontsize()) for t in ax.get_legend().get_texts()] == [("bias²", 8), ("variance", 8)]
    # each estimator's pair of bars 0.4 high, bias² just above its row and variance just below (rows 0, 1)
    assert [v for b in bias for v in (b.get_y(), b.get_height())] == pytest.approx([-0.4, 0.4, 0.6, 0.4])
    assert [v for b in variance for v in (b.get_y(), b.get_height())] == pytest.approx([0.0, 0.4, 1.0, 0.4])
    assert ax.get_xlabel() == "bias² and variance (summed over the gradient's entries)"
    assert tuple(fig.get_size_inches()) == pytest.approx((7.5, 0.45 * 2 + 1.6))  # taller by a row per estimator
    assert viz.plot_estimators({"a": (1.0, 1.0)}).axes[0].get_title() == "gradient estimators"
    assert viz.plot_estimators({"a": (1.0, 1.0)}, tmp_path / "e.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError) as caught:
        viz.plot_estimators({})
    assert str(caught.value) == "plot_estimators needs at least one estimator's (bias^2, variance)"


def test_grouped_bars_as_designed(tmp_path) -> None:
    fig = viz.plot_bars({"a": {"x": 1.0, "y": 2.5}, "b": {"x": 3.0}}, title="t", ylabel="v")
    (ax,) = fig.axes
    assert ax.get_title() == "t" and ax.get_ylabel() == "v"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    xs, ys = ax.containers
    assert [b.get_height() for b in xs] == [1.0, 3.0] and [b.get_height() for b in ys] == [2.5, 0.0]
    assert to_rgba(xs[0].get_facecolor()) == to_rgba("C0") and to_rgba(ys[0].get_facecolor()) == to_rgba("C1")
    assert [t.get_text() for t in ax.texts] == ["1", "3", "2.5", "0"]
    assert viz.plot_bars({"a": {"x": 1.0}}, tmp_path / "b.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError) as caught:
        viz.plot_bars({})
    assert str(caught.value) == "plot_bars needs at least one group of {series: value}"


def test_tradeoff_curves_as_designed(tmp_path) -> None:
    fig = viz.plot_tradeoff({"b": [(0.1, 0.8), (0.01, 0.7)], "a": [(1.0, 0.9)]}, title="t", xlabel="x", ylabel="y")
    (ax,) = fig.axes
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), ax.get_xscale(), ax.get_yscale()) == \
        ("t", "x", "y", "log", "linear")
    b, a = ax.get_lines()
    assert list(b.get_xdata()) == [0.01, 0.1] and list(b.get_ydata()) == [0.7, 0.8]  # sorted by cost
    assert (b.get_marker(), a.get_marker()) == ("o", "s") and to_rgba(a.get_color()) == to_rgba("C1")
    assert viz.plot_tradeoff({"a": [(1.0, 1.0)]}, tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError) as caught:
        viz.plot_tradeoff({"a": []})
    assert str(caught.value) == "plot_tradeoff needs at least one non-empty curve of (cost, quality) points"


def test_contour_plots_as_designed() -> None:
    import numpy as np

    f = lambda x, y: x * x + y ** 3  # noqa: E731
    paths = {f"p{k}": [(1.0 + 0.1 * k, 1.2), (1.5, 1.5 + 0.1 * k)] for k in range(6)}
    fig = viz.plot_contour(f, (1.0, 3.0), (0.5, 2.5), at=(2.0, 1.5), paths=paths, marks={"m": (2.5, 2.0)})
    (ax,) = fig.axes
    assert tuple(fig.get_size_inches()) == (6.5, 5.5)
    assert (ax.get_xlim(), ax.get_ylim(), ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == \
        ((1.0, 3.0), (0.5, 2.5), "x", "y", "contours of f(x, y)")
    contours = ax.collections[0]
    # a 60 x 60 grid over exactly the box: the lines reach its edges and no further
    vertices = np.concatenate([p.vertices for p in contours.get_paths() if len(p.vertices)])
    assert vertices[:, 0].min() == pytest.approx(1.0) and vertices[:, 0].max() == pytest.approx(3.0)
    assert vertices[:, 1].min() == pytest.approx(0.5) and vertices[:, 1].max() == pytest.approx(2.5)
    assert len(contours.levels) >= 15 and contours.get_cmap().name == "viridis"
    assert set(np.round(contours.get_linewidths(), 6)) == {0.8}
    drawn = ax.get_lines()
    for k in range(6):
        line = next(l for l in drawn if l.get_label() == f"p{k}")
        start = [l for l in drawn if l.get_label().startswith("_") and list(l.get_xdata()) == [1.0 + 0.1 * k]]
        assert (line.get_linestyle(), line.get_marker(), line.get_markersize(), to_rgba(line.get_color()),
                line.get_zorder()) == (("-", "--", ":", "-.")[k % 4], ".os^D"[k % 5], 4 if k == 0 else 3,
                                       to_rgba(f"C{k}"), 3 + k)
        assert list(line.get_xdata()) == [1.0 + 0.1 * k, 1.5] and list(line.get_ydata()) == [1.2, 1.5 + 0.1 * k]
        (circle,) = [l for l in start if l.get_marker() == "o"]
        assert (circle.get_markersize(), circle.get_markerfacecolor(), to_rgba(circle.get_color()),
                circle.get_zorder(), list(circle.get_ydata())) == (9, "none", to_rgba(f"C{k}"), 3, [1.2])
    star = next(l for l in drawn if l.get_label() == "m")
    assert (star.get_marker(), to_rgba(star.get_color()), star.get_markersize(), star.get_zorder()) == \
        ("*", to_rgba("black"), 14, 9)
    red = next(l for l in drawn if list(l.get_xdata()) == [2.0] and list(l.get_ydata()) == [1.5])
    assert (red.get_marker(), to_rgba(red.get_color()), red.get_zorder()) == ("o", to_rgba("red"), 5)
    arrow = next(a for a in ax.texts if a.get_text() == "")
    assert arrow.get_zorder() == 6 and to_rgba(arrow.arrow_patch.get_edgecolor()) == to_rgba("red")
    assert arrow.arrow_patch.get_linewidth() == 2 and arrow.arrow_patch.get_arrowstyle().__class__.__name__ == "CurveB"
    label = next(t for t in ax.texts if t.get_text().startswith("gradient"))
    assert label.get_text() == "gradient (4, 6.75)" and label.xyann == (8, -14) and label.get_fontsize() == 9
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [f"p{k}" for k in range(6)] + ["m"]
    assert legend.get_texts()[0].get_fontsize() == 8 and legend._ncols == 1
    assert all(t.get_fontsize() == 7 for t in ax.texts if t not in (label, arrow))  # the contour labels
    one = viz.plot_contour(f, (1.0, 3.0), (0.5, 2.5), paths={"a": [(1.0, 1.0)]}).axes[0].get_legend()
    assert one._ncols == 1 and [t.get_text() for t in one.get_texts()] == ["a"]
    two = viz.plot_contour(f, (1.0, 3.0), (0.5, 2.5), paths={"a": [(1.0, 1.0)], "b": [(2.0, 2.0)]}).axes[0]
    assert two.get_legend()._ncols == 2
    wide = viz.plot_contour(f, (0.0, 40.0), (0.0, 1.0)).axes[0]
    assert wide.get_aspect() == "auto" and viz.plot_contour(f, (0, 2), (0, 1)).axes[0].get_aspect() == 1.0
    logged = viz.plot_contour(lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2, (-2, 2), (-1, 3), log=True,
                              levels=12).axes[0].collections[0]
    assert len(logged.levels) == 12 and logged.levels[1] / logged.levels[0] == pytest.approx(
        logged.levels[-1] / logged.levels[-2], rel=1e-9)  # evenly spaced in log


def test_network_drawing_as_designed() -> None:
    import random

    from nn import MLP

    random.seed(0)
    fig = viz.draw_network(MLP(3, [4, 2]))
    (ax,) = fig.axes
    assert tuple(fig.get_size_inches()) == pytest.approx((2.6 * 3 + 2, 0.75 * (4 + 4.2))) and ax.get_aspect() == 1.0
    assert not ax.axison
    circles = ax.patches
    assert [c.get_center() for c in circles] == [(0.0, 1.0), (0.0, 0.0), (0.0, -1.0), (2.5, 1.5), (2.5, 0.5),
                                                 (2.5, -0.5), (2.5, -1.5), (5.0, 0.5), (5.0, -0.5)]
    faces = [to_rgba(c.get_facecolor()) for c in circles]
    assert faces == [to_rgba("#AED6F1")] * 3 + [to_rgba("#A9DFBF")] * 4 + [to_rgba("#F9E79F")] * 2
    assert all(c.get_radius() == 0.28 and to_rgba(c.get_edgecolor()) == to_rgba("black") and c.get_zorder() == 5
               for c in circles)
    names = [t for t in ax.texts if t.get_zorder() == 6]
    assert [(t.get_position(), t.get_fontsize()) for t in names][:3] == [((0.0, 1.0), 9), ((0.0, 0.0), 9),
                                                                          ((0.0, -1.0), 9)]
    captions = {t.get_text(): t for t in ax.texts if "\n" in t.get_text()}
    assert set(captions) == {"input\n3 units", "hidden 1\n4 units", "output\n2 units: $\\hat{y} = a^{(2)}$"}
    assert all(t.get_position()[1] == -(4 - 1) / 2 - 0.6 and t.get_va() == "top" and t.get_fontsize() == 9
               for t in captions.values())
    links = [a for a in ax.texts if a.get_text() == "" and a.arrow_patch.get_linewidth() == 0.6]
    assert len(links) == 3 * 4 + 4 * 2
    first = links[0]
    assert (first.xyann, first.xy) == ((0.3, 1.0), (2.2, 1.5)) and first.arrow_patch.get_alpha() == 0.5
    assert to_rgba(first.arrow_patch.get_edgecolor(), 0.5) == to_rgba("#2E86C1", 0.5)
    forward, backward = [a for a in ax.texts if a.get_text() == "" and a.arrow_patch.get_linewidth() == 2.5]
    top, bottom = 4 / 2 + 0.6, -(4 / 2 + 0.6) - 1.2
    assert (forward.xyann, forward.xy) == ((0.0, top), (5.0, top))
    assert (backward.xyann, backward.xy) == ((5.0, bottom), (0.0, bottom))
    words = {t.get_text(): t for t in ax.texts}
    f = words["forward: z = W a + b, a = activation(z)"]
    b = words["backward: dL/dz, then dL/dW and dL/db, layer by layer"]
    assert f.get_position() == (2.5, top + 0.3) and to_rgba(f.get_color()) == to_rgba("#2E86C1")
    assert b.get_position() == (2.5, bottom - 0.45) and to_rgba(b.get_color()) == to_rgba("#E74C3C")
    assert ax.get_xlim() == (-1.2, 6.2) and ax.get_ylim() == (bottom - 1.0, top + 0.8)
    assert ax.get_title() == "3-4-2 network"
    assert viz.draw_network(MLP(3, [4, 2]), title="t").axes[0].get_title() == "t"
    one = viz.draw_network(MLP(1, [1])).axes[0]
    assert {"input\n1 unit", "output\n1 unit: $\\hat{y} = a^{(1)}$"} <= {t.get_text() for t in one.texts}
    wide = viz.draw_network(MLP(200, [3])).axes[0]
    dots = [t for t in wide.texts if t.get_text() == "\u22ee"]
    assert len(dots) == 1 and dots[0].get_position() == (0.0, (8 - 1) / 2 - 4) and dots[0].get_fontsize() == 16
    small = [t for t in wide.texts if t.get_zorder() == 6 and t.get_text() == "$x_{200}$"]
    assert small and small[0].get_fontsize() == 7  # three digits: a smaller font to fit the circle
    assert viz.network._rows(9) == [0, 1, 2, 3, None, 6, 7, 8] and viz.network._rows(8) == list(range(8))


class _Sign:
    """A 2-input 'model' whose score is x - y: class 1 below the diagonal."""

    def __call__(self, x):
        from engine import Value

        return Value(x[0] - x[1])


def test_decision_boundary_as_designed(tmp_path) -> None:
    X = [(0.0, 1.0), (1.0, 0.0), (0.2, 0.8), (0.9, 0.3)]
    fig = viz.plot_decision_boundary(_Sign(), X, [0, 1, 0, 1], resolution=11, title="tb")
    (ax,) = fig.axes
    assert tuple(fig.get_size_inches()) == (6.0, 5.0) and ax.get_title() == "tb"
    filled, line = ax.collections[:2]
    assert list(filled.levels) == [-0.5, 0.5, 1.5] and filled.get_alpha() == 0.25
    assert list(line.levels) == [0.5] and set(line.get_linewidths()) == {1}
    assert to_rgba(line.get_edgecolor()[0]) == to_rgba("dimgrey")
    # the grid: the data's box, half a unit wider on each side, at the resolution asked
    vertices = [v for p in filled.get_paths() for v in p.vertices]
    assert min(v[0] for v in vertices) == pytest.approx(-0.5) and max(v[0] for v in vertices) == pytest.approx(1.5)
    assert min(v[1] for v in vertices) == pytest.approx(-0.5) and max(v[1] for v in vertices) == pytest.approx(1.5)
    zero, one = ax.collections[2:4]
    assert (zero.get_label(), one.get_label()) == ("class 0", "class 1")
    assert zero.get_sizes().tolist() == [80] and zero.get_zorder() == 3
    assert to_rgba(zero.get_facecolor()[0]) == to_rgba("C0") and to_rgba(one.get_facecolor()[0]) == to_rgba("C1")
    assert to_rgba(zero.get_edgecolor()[0]) == to_rgba("white") and zero.get_linewidths()[0] == 0.8
    assert zero.get_offsets().tolist() == [[0.0, 1.0], [0.2, 0.8]]
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1"]
    assert legend.get_texts()[0].get_fontsize() == 8 and legend.get_frame().get_alpha() == 0.9
    many = viz.plot_decision_boundary(_Sign(), X * 6, [0, 1, 0, 1] * 6, resolution=5).axes[0]
    assert many.collections[2].get_sizes().tolist() == [40]  # over 20 points: smaller markers
    svm = viz.plot_decision_boundary(_Sign(), X, [-1, 1, -1, 1], resolution=5).axes[0]
    assert [c.get_label() for c in svm.collections[2:4]] == ["class -1", "class 1"]  # +-1 labels: a negative score is -1
    own = pyplot_axes()
    assert viz.plot_decision_boundary(_Sign(), X, [0, 1, 0, 1], resolution=5, ax=own) is own
    assert viz.plot_decision_boundary(_Sign(), X, [0, 1, 0, 1], resolution=5, path=tmp_path / "d.png").exists()
    with pytest.raises(ValueError, match="plot_decision_boundary draws models of 2 inputs"):
        viz.plot_decision_boundary(_Sign(), [(0.0,)], [0])


def pyplot_axes():
    import matplotlib.pyplot as plt

    return plt.subplots()[1]


def test_grad_flow_bars_as_designed() -> None:
    fig = viz.plot_grad_flow({"a": [0.5, 0.0, 2e-3], "b": [1.0, 0.1, 0.2]}, title="g")
    (ax,) = fig.axes
    assert tuple(fig.get_size_inches()) == (8.0, 4.5) and ax.get_title() == "g" and ax.get_yscale() == "log"
    assert ax.get_ylim()[0] == 1e-4  # a decade below the smallest positive norm's decade
    assert ax.get_xlim() == (-0.5, 2.5)
    a, b = ax.containers
    assert [round(r.get_x() + r.get_width() / 2, 9) for r in a] == [-0.2, 0.8, 1.8]
    assert [round(r.get_x() + r.get_width() / 2, 9) for r in b] == [0.2, 1.2, 2.2]
    assert all(r.get_width() == pytest.approx(0.4) for r in a)
    assert [r.get_y() for r in a] == [1e-4] * 3 and a[0].get_height() == pytest.approx(0.5 - 1e-4)
    assert a[1].get_height() == 0.0  # a dead layer: no bar, and a "0" at its foot
    (zero,) = [t for t in ax.texts if t.get_text() == "0"]
    assert zero.get_position() == (pytest.approx(0.8), 1e-4) and to_rgba(zero.get_color()) == to_rgba("C0")
    assert zero.get_fontsize() == 8
    assert to_rgba(a[0].get_facecolor()) == to_rgba("C0") and to_rgba(b[0].get_facecolor()) == to_rgba("C1")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("layer (0 = nearest the input)", "gradient norm (log scale)")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    single = viz.plot_grad_flow([0.0, 0.0]).axes[0]
    assert single.get_legend() is None and single.get_ylim()[0] == 1e-3  # nothing positive: 1e-3
    with pytest.raises(ValueError, match="plot_grad_flow needs at least one non-empty list of per-layer norms"):
        viz.plot_grad_flow([])


def test_function_and_derivatives_as_designed() -> None:
    import math

    xs = [0.5 * i for i in range(5)]
    fig = viz.plot_function({"u = x^2": lambda x: x * x, "s": lambda x: x.sin()}, xs, derivatives=2, at=1.0, title="T")
    values, slopes = fig.axes
    assert tuple(fig.get_size_inches()) == (12.0, 4.5) and fig._suptitle.get_text() == "T"
    assert (values.get_title(), values.get_ylabel(), values.get_xlabel()) == ("the functions", "value", "x")
    assert (slopes.get_title(), slopes.get_ylabel()) == ("derivatives, by the engine's grad", "derivative")
    u, s, at = values.get_lines()
    assert (u.get_label(), to_rgba(u.get_color()), s.get_label(), to_rgba(s.get_color())) == \
        ("u = x^2", to_rgba("C0"), "s", to_rgba("C1"))
    assert list(u.get_xdata()) == xs and list(u.get_ydata()) == [x * x for x in xs]
    assert (list(at.get_xdata()), at.get_linestyle(), to_rgba(at.get_color(), 0.5), at.get_alpha()) == \
        ([1.0, 1.0], "--", to_rgba("black", 0.5), 0.5)
    d = slopes.get_lines()
    assert [(l.get_label(), l.get_linestyle(), to_rgba(l.get_color())) for l in d[:4]] == [
        ("u'", "-", to_rgba("C0")), ("u''", "--", to_rgba("C0")), ("s'", "-", to_rgba("C1")), ("s''", "--", to_rgba("C1"))]
    assert list(d[0].get_ydata()) == [2 * x for x in xs] and list(d[1].get_ydata()) == [2.0] * 5
    assert list(d[3].get_ydata()) == pytest.approx([-math.sin(x) for x in xs], rel=1e-12, abs=1e-15)
    assert values.get_legend().get_texts()[0].get_fontsize() == 8 and values.xaxis._major_tick_kw.get("gridOn")
    only = viz.plot_function(lambda x: x * x, xs, derivatives=0)
    (ax,) = only.axes
    assert tuple(only.get_size_inches()) == (6.5, 4.5) and ax.get_title() == "the function" and only._suptitle is None
    assert [l.get_label() for l in ax.get_lines()] == ["f(x)"]
    many = viz.plot_function(lambda x: x * x * x, xs, derivatives=4).axes[1].get_lines()
    assert [l.get_linestyle() for l in many] == ["-", "--", ":", "-."] and [l.get_label() for l in many][3] == "f(x)''''"
    with pytest.raises(ValueError, match="plot_function needs at least two points and one function, got 1 points"):
        viz.plot_function(lambda x: x, [0.0])
    with pytest.raises(ValueError, match="plot_function: derivatives must be a whole number >= 0, got -1"):
        viz.plot_function(lambda x: x, xs, derivatives=-1)
