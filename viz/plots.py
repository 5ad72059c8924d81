"""Training plots with matplotlib: PNG or SVG files by the suffix, or a Figure that a notebook shows inline."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from engine import no_grad
from engine.files import write_atomic
from engine.labels import predict_label

PathLike = Union[str, Path]
PLOT_SUFFIXES = (".png", ".svg")


def pyplot() -> Any:
    """matplotlib.pyplot: on the Agg backend (files only, no window) unless running under IPython,
    where the notebook's own backend shows figures inline."""
    import matplotlib

    if not _under_ipython():
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _under_ipython() -> bool:
    shell = sys.modules.get("IPython")
    return shell is not None and getattr(shell, "get_ipython", lambda: None)() is not None


def _finish(fig: Any, path: Optional[PathLike]) -> Any:
    if path is None:
        # Returned, not shown: taken out of pyplot's list of open figures, so a notebook
        # displays it once, as the cell's value, and a loop of plots keeps no memory.
        pyplot().close(fig)
        return fig
    path = Path(path)
    if path.suffix.lower() not in PLOT_SUFFIXES:
        pyplot().close(fig)
        raise ValueError(f"plots are written as .png or .svg; got {str(path)!r}")
    return save_figure(fig, path)


def save_figure(fig: Any, path: PathLike) -> Path:
    """Write a matplotlib figure as PNG or SVG (by the suffix), whole or not at all, and close it."""
    import io

    path = Path(path)
    buffer = io.BytesIO()
    fig.savefig(buffer, format=path.suffix.lower()[1:], dpi=100, bbox_inches="tight")
    pyplot().close(fig)
    return write_atomic(path, buffer.getvalue())


def plot_history(history: Dict[str, List[float]], path: Optional[PathLike] = None, title: str = "training") -> Any:
    """Loss (and validation loss) and accuracy curves per epoch from ``nn.fit``'s history.

    Returns the written path, or the figure when ``path`` is None.
    """
    if "loss" not in history or not history["loss"]:
        raise ValueError("plot_history needs a history with a non-empty 'loss' list, as nn.fit returns")
    has_acc = any(not math.isnan(a) for a in history.get("accuracy", []))
    plt = pyplot()
    fig, axes = plt.subplots(1, 2 if has_acc else 1, figsize=(11 if has_acc else 6, 4), squeeze=False)
    epochs = range(1, len(history["loss"]) + 1)
    marker = "." if len(epochs) <= 30 else None  # a run of one epoch is a point, not a line
    ax = axes[0][0]
    ax.plot(epochs, history["loss"], marker=marker, label="training")
    if history.get("val_loss"):
        ax.plot(epochs, history["val_loss"], marker=marker, label="validation")
    ax.set(xlabel="epoch", ylabel="loss", title=f"{title}: loss")
    ax.legend()
    if has_acc:
        ax = axes[0][1]
        ax.plot(epochs, history["accuracy"], marker=marker, label="training")
        if history.get("val_accuracy"):
            ax.plot(epochs, history["val_accuracy"], marker=marker, label="validation")
        ax.set(xlabel="epoch", ylabel="accuracy", title=f"{title}: accuracy", ylim=(0, 1.02))
        ax.legend()
    for row in axes:
        for ax in row:
            ax.set_xlim(0.5, len(epochs) + 0.5)  # from epoch 1: no tick at an epoch 0 that never ran
            _whole_ticks(ax.xaxis, 1, len(epochs))  # epochs are whole: no tick at 2.5
    return _finish(fig, path)


def _whole_ticks(axis: Any, first: int, last: int) -> None:
    """Ticks at whole numbers only, for counts such as epochs and layers running from ``first`` to ``last``."""
    from matplotlib.ticker import MaxNLocator

    if last - first < 10:
        axis.set_ticks(range(first, last + 1))  # each one: MaxNLocator gives halves when there are few
    else:
        axis.set_major_locator(MaxNLocator(integer=True))


def _grid(coords: Sequence[float], margin: float, steps: int) -> List[float]:
    lo, hi = min(coords) - margin, max(coords) + margin
    return [lo + (hi - lo) * i / (steps - 1) for i in range(steps)]


MARKERS = "os^Dvp*hX<>"  # one shape per class, so the classes differ without colour too


def plot_decision_boundary(model: Any, X: Sequence[Sequence[float]], y: Sequence[int],
                           path: Optional[PathLike] = None, title: str = "decision boundary",
                           resolution: int = 80, ax: Any = None) -> Any:
    """The class a 2-D classifier predicts over the plane, with the data on top.

    One output: positive scores are class 1, the others class 0 (or -1, when the labels are -1 and 1); several
    outputs: the argmax. Each class has one colour:
    pale where the model predicts it, full for its points, which also have a shape of their own.
    """
    if not X or len(X[0]) != 2:
        raise ValueError("plot_decision_boundary draws models of 2 inputs; X must be a list of (x, y) points")
    xs, ys = (_grid([p[i] for p in X], 0.5, resolution) for i in (0, 1))
    with no_grad():
        Z = [[predict_label(model([gx, gy])) for gx in xs] for gy in ys]
    if -1 in set(y) and set(y) <= {-1, 1}:  # labels of +-1 (an SVM's): a negative score is class -1, not 0
        Z = [[-1 if c == 0 else c for c in row] for row in Z]
    fig = None
    if ax is None:
        fig, ax = pyplot().subplots(figsize=(6, 5))
    classes = sorted({int(c) for c in y} | {c for row in Z for c in row})
    colour = {c: f"C{k % 10}" for k, c in enumerate(classes)}
    # Levels halfway between the classes: regions with sharp edges, no band of colour in between.
    levels = [classes[0] - 0.5] + [(a + b) / 2 for a, b in zip(classes, classes[1:])] + [classes[-1] + 0.5]
    ax.contourf(xs, ys, Z, levels=levels, colors=[colour[c] for c in classes], alpha=0.25)
    if len(classes) > 1:
        ax.contour(xs, ys, Z, levels=levels[1:-1], colors="dimgrey", linewidths=1)
    for k, c in enumerate(classes):
        points = [p for p, t in zip(X, y) if t == c]
        if points:
            ax.scatter([p[0] for p in points], [p[1] for p in points], s=80 if len(X) <= 20 else 40, color=colour[c],
                       marker=MARKERS[k % len(MARKERS)], edgecolors="white", linewidths=0.8, zorder=3,
                       label=f"class {c}")
    if len(classes) <= 10:
        ax.legend(fontsize=8, loc="best", framealpha=0.9)
    ax.set_title(title)
    return _finish(fig, path) if fig is not None else ax


def plot_grad_flow(norms: Union[Sequence[float], Dict[str, Sequence[float]]], path: Optional[PathLike] = None,
                   title: str = "gradient flow") -> Any:
    """Per-layer gradient norms as bars on a log scale; a dict of runs draws them side by side.

    The bars rise from a power of ten at least a decade below the smallest norm, so that every
    layer's bar is seen; a norm of exactly 0 (a dead layer) has no place on a log scale and is
    written as "0" at the foot of its slot.
    """
    runs = dict(norms) if isinstance(norms, dict) else {"run": list(norms)}
    if not runs or any(len(v) == 0 for v in runs.values()):
        raise ValueError("plot_grad_flow needs at least one non-empty list of per-layer norms")
    positive = [float(v) for values in runs.values() for v in values if v > 0 and math.isfinite(v)]
    base = 10.0 ** (math.floor(math.log10(min(positive))) - 1) if positive else 1e-3
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.8 / len(runs)
    for k, (name, values) in enumerate(runs.items()):
        offsets = [i - 0.4 + width * (k + 0.5) for i in range(len(values))]
        tops = [max(float(v), base) for v in values]
        ax.bar(offsets, [t - base for t in tops], width, bottom=base, label=name, color=f"C{k % 10}")
        for x, v in zip(offsets, values):
            if v == 0:
                ax.text(x, base, "0", ha="center", va="bottom", fontsize=8, color=f"C{k % 10}")
    layers = max(len(v) for v in runs.values())
    ax.set_yscale("log")
    ax.set_ylim(bottom=base)
    ax.set_xlim(-0.5, layers - 0.5)
    _whole_ticks(ax.xaxis, 0, layers - 1)
    ax.set(xlabel="layer (0 = nearest the input)", ylabel="gradient norm (log scale)", title=title)
    if len(runs) > 1:
        ax.legend()
    return _finish(fig, path)


def plot_step_error(curves: Dict[str, Sequence[Tuple[float, float]]], path: Optional[PathLike] = None,
                    title: str = "finite-difference error against the step h",
                    marks: Optional[Dict[str, float]] = None) -> Any:
    """Error-versus-h curves (from ``engine.testing.step_error``) on log-log axes, one line per scheme.

    Each is a V: truncation error falling with slope equal to the scheme's order, then
    round-off rising as eps/h. ``marks`` draws labelled vertical lines (``{"sqrt(eps)": 1.5e-8}``).
    """
    if not curves or any(len(c) == 0 for c in curves.values()):
        raise ValueError("plot_step_error needs at least one non-empty curve of (h, error) pairs")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, curve in curves.items():
        ax.loglog([h for h, _ in curve], [max(e, 1e-18) for _, e in curve], marker=".", label=name)
    for label, h in (marks or {}).items():
        ax.axvline(h, color="grey", linestyle=":", linewidth=1)
        ax.annotate(label, (h, 1.0), textcoords="offset points", xytext=(3, -12), fontsize=8, color="grey")
    ax.set(xlabel="step h", ylabel="|numeric - exact|", title=title)
    ax.legend()
    return _finish(fig, path)


def plot_convergence(curves: Dict[str, Sequence[float]], path: Optional[PathLike] = None,
                     title: str = "convergence", ylabel: str = "loss") -> Any:
    """The loss after each iteration, one line per method, on a log scale (a loss of 0 is drawn at 1e-300).

    >>> fig = plot_convergence({"Gauss-Newton": [1.0, 0.1, 1e-4], "gradient descent": [1.0, 0.8, 0.6]})
    """
    if not curves or any(len(c) == 0 for c in curves.values()):
        raise ValueError("plot_convergence needs at least one non-empty list of losses")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, losses in curves.items():
        ax.semilogy(range(len(losses)), [max(float(x), 1e-300) for x in losses], marker="." if len(losses) < 40 else None,
                    label=name)
    ax.set(xlabel="iteration", ylabel=ylabel, title=title)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # iterations are whole: no tick at 0.5
    ax.legend()
    return _finish(fig, path)


def plot_memory_tradeoff(runs: Dict[str, Sequence[Tuple[float, float, float]]], path: Optional[PathLike] = None,
                         title: str = "gradient checkpointing: memory against time",
                         xlabel: str = "depth (nodes of the plain graph)") -> Any:
    """Peak memory and time against depth, one line per strategy, both on log-log axes.

    ``runs`` maps a strategy to ``(depth, peak bytes, seconds)`` triples. Dashed guides
    through the first strategy's first point and the last strategy's show growth like
    n and like sqrt(n), the slopes of keeping every node and of sqrt(n) segments.

    >>> fig = plot_memory_tradeoff({"plain": [(100, 1e5, 0.1), (400, 4e5, 0.4)],
    ...                             "sqrt(n) segments": [(100, 1e4, 0.15), (400, 2e4, 0.6)]})
    """
    if not runs or any(len(r) == 0 for r in runs.values()):
        raise ValueError("plot_memory_tradeoff needs at least one non-empty list of (depth, bytes, seconds)")
    plt = pyplot()
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fig, (mem, secs) = plt.subplots(1, 2, figsize=(11, 4.5))
    for name, rows in runs.items():
        ns = [r[0] for r in rows]
        mem.loglog(ns, [r[1] / 1e6 for r in rows], marker="o", label=name)
        secs.plot(ns, [r[2] for r in rows], marker="o", label=name)
    names = list(runs)
    depths = sorted({r[0] for rows in runs.values() for r in rows})
    for slope, name, label in ((1.0, names[0], "grows like n"), (0.5, names[-1], "grows like sqrt(n)")):
        n0, m0 = runs[name][0][0], runs[name][0][1] / 1e6
        ns = [n0, depths[-1]]
        mem.loglog(ns, [m0 * (n / n0) ** slope for n in ns], "k--", linewidth=0.8, alpha=0.6)
        mem.annotate(label, (ns[-1], m0 * (ns[-1] / n0) ** slope), fontsize=8, color="dimgrey", ha="right",
                     textcoords="offset points", xytext=(-4, -14))
    short = FuncFormatter(lambda n, _: f"{n / 1000:g}k" if n >= 1000 else f"{n:g}")
    mem.set_xticks(depths)
    mem.xaxis.set_major_formatter(short)
    mem.xaxis.set_minor_formatter(NullFormatter())  # only the measured depths are labelled
    secs.xaxis.set_major_formatter(short)
    secs.set_ylim(bottom=0)
    mem.set(xlabel=xlabel, ylabel="peak memory of forward + backward (MB)", title="memory (log-log)")
    secs.set(xlabel=xlabel, ylabel="seconds, forward + backward", title="time")
    mem.legend()
    fig.suptitle(title)
    return _finish(fig, path)


CURVE_STYLES = ("-", "--", "-.", ":")
CURVE_MARKERS = "osD^vPX*hp<>"


def plot_gradient_cures(norms: Dict[str, Sequence[float]], curves: Dict[str, Sequence[float]],
                        path: Optional[PathLike] = None,
                        title: str = "vanishing and exploding gradients, and their cures",
                        overflowed: Optional[Sequence[str]] = None) -> Any:
    """Per-layer gradient norms (left) and training losses (right), one line per network, both on log scales.

    ``norms`` maps a network to its gradient norm per layer, first layer first; ``curves`` maps
    it to its loss per epoch (a network may have only one of the two). A curve whose training
    overflowed ends in a cross; the panel is scaled to the other curves, and losses beyond its
    scale are drawn at its top. ``overflowed`` names those curves; by default, every curve
    shorter than the longest.

    >>> fig = plot_gradient_cures({"sigmoid": [1e-4, 1e-2, 1.0], "ReLU": [0.5, 0.8, 1.0]},
    ...                           {"sigmoid": [0.7, 0.69], "ReLU": [0.7, 0.3]})
    """
    if not norms or any(len(v) == 0 for v in norms.values()):
        raise ValueError("plot_gradient_cures needs at least one non-empty list of per-layer norms")
    plt = pyplot()
    fig, (flow, loss) = plt.subplots(1, 2, figsize=(12, 4.8))
    longest = max((len(c) for c in curves.values()), default=0)
    stopped = set(overflowed) if overflowed is not None else {n for n, c in curves.items() if len(c) < longest}
    finished = [x for n, c in curves.items() if n not in stopped for x in c if math.isfinite(x)]
    top = 3 * max(finished) if finished else None  # a curve that overflowed would squash the rest to a line
    names = list(dict.fromkeys(list(norms) + list(curves)))
    for k, name in enumerate(names):
        # Colour, line style and marker all differ, and markers are staggered: curves that coincide
        # (sigmoid with and without Xavier's init stay at the same loss) both stay visible.
        style = dict(color=f"C{k % 10}", linestyle=CURVE_STYLES[k % len(CURVE_STYLES)],
                     marker=CURVE_MARKERS[k % len(CURVE_MARKERS)], markersize=5, label=name)
        if name in norms:
            values = norms[name]
            flow.semilogy(range(len(values)), [max(v, 1e-300) for v in values], **style)
        curve = list(curves.get(name, []))
        if curve:
            shown = [min(x, top) for x in curve] if top else curve
            step = max(2, len(curve) // 8)  # markers spread over the curves' epochs, each at its own
            loss.semilogy(range(1, len(curve) + 1), shown, markevery=(k * step // len(names), step), **style)
            if name in stopped:
                loss.semilogy([len(curve)], [shown[-1]], marker="x", markersize=10, color=style["color"])
                beyond = top is not None and any(x > top for x in curve)
                loss.annotate("off the scale, then overflowed" if beyond else "overflowed", (len(curve), shown[-1]),
                              fontsize=8, color=style["color"], textcoords="offset points", xytext=(8, -14))
    if top:
        loss.set_ylim(top=2 * top)  # headroom: a curve cut at the top is drawn inside the panel, not on its edge
    flow.set(xlabel="layer (0 = nearest the input)", ylabel="gradient norm at the start", title="gradient per layer")
    loss.set(xlabel="epoch", ylabel="training loss", title="training")
    from matplotlib.ticker import MaxNLocator

    for ax in (flow, loss):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    handles = {}
    for ax in (flow, loss):  # one legend for both panels, below them: every network once, in order
        for line in ax.get_lines():
            if not line.get_label().startswith("_"):
                handles.setdefault(line.get_label(), line)
    fig.legend(list(handles.values()), list(handles), loc="lower center", ncol=min(5, len(handles)), fontsize=8,
               frameon=False)
    fig.suptitle(title)
    fig.subplots_adjust(bottom=0.1 + 0.04 * math.ceil(len(handles) / 5), wspace=0.28)  # room for log tick labels
    return _finish(fig, path)


def _side_by_side(panels: Dict[str, Dict[str, Sequence[Any]]], refusal: str) -> Tuple[Any, List[Any]]:
    """A figure of one 5.5 x 4.5 panel per entry, side by side, after checking every panel has non-empty curves."""
    if not panels or any(not curves or any(len(c) == 0 for c in curves.values()) for curves in panels.values()):
        raise ValueError(refusal)
    fig, axes = pyplot().subplots(1, len(panels), figsize=(5.5 * len(panels), 4.5), squeeze=False)
    return fig, list(axes[0])


def plot_loss_curves(panels: Dict[str, Dict[str, Sequence[float]]], path: Optional[PathLike] = None,
                     title: str = "training", xlabel: str = "epoch", ylabel: str = "loss", log: bool = False) -> Any:
    """Side-by-side panels of loss curves: ``{panel title: {curve name: loss per epoch}}``, x counting from 1.

    >>> fig = plot_loss_curves({"batch size": {"full": [1.0, 0.8], "1": [0.6, 0.3]},
    ...                         "learning rate": {"0.1": [1.0, 0.9], "50": [1.0, 9.0]}})
    """
    from matplotlib.ticker import MaxNLocator

    fig, axes = _side_by_side(panels, "plot_loss_curves needs at least one panel of non-empty loss curves")
    for ax, (name, curves) in zip(axes, panels.items()):
        for label, losses in curves.items():
            ax.plot(range(1, len(losses) + 1), [float(x) for x in losses], label=label)
        if log:
            ax.set_yscale("log")
        ax.set(xlabel=xlabel, ylabel=ylabel, title=name)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=8)
    fig.suptitle(title)
    return _finish(fig, path)


def plot_scaling(panels: Dict[str, Dict[str, Sequence[Tuple[float, float]]]], path: Optional[PathLike] = None,
                 title: str = "", ylabel: str = "seconds") -> Any:
    """Side-by-side log-log panels of measured (size, cost) pairs: ``{panel: {curve: [(x, y), ...]}}``. Each
    panel's title names its x axis.

    >>> fig = plot_scaling({"inputs n": {"forward": [(1, 0.1), (8, 0.8)], "reverse": [(1, 0.2), (8, 0.2)]}})
    """
    from matplotlib.ticker import FuncFormatter, NullFormatter

    fig, axes = _side_by_side(panels, "plot_scaling needs at least one panel of non-empty (x, y) curves")
    for ax, (name, curves) in zip(axes, panels.items()):
        for label, points in curves.items():
            ax.loglog([x for x, _ in points], [y for _, y in points], marker="o", label=label)
        # ticks at the sizes measured, written plainly (45, 121, 369), not at powers of ten between them
        ax.set_xticks(sorted({x for points in curves.values() for x, _ in points}))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set(xlabel=name, ylabel=ylabel, title=f"against {name}")
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return _finish(fig, path)
