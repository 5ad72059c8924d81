"""Charts of measurements side by side: which mode of a Jacobian costs less, where a profile's time goes, what
each gradient estimator's bias and variance are, grouped bars of a few numbers, and what a setting buys against
what it costs. Each draws on matplotlib as ``viz.plots`` does: a file by its suffix, or a Figure a notebook shows."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

from .plots import PathLike, _finish, pyplot


def plot_mode_grid(sizes: Sequence[int], panels: Dict[str, Dict[Tuple[int, int], float]],
                   labels: Optional[Dict[Tuple[int, int], str]] = None, path: Optional[PathLike] = None,
                   title: str = "") -> Any:
    """Side-by-side grids of forward/reverse cost ratios, n inputs across and m outputs down:
    ``{panel: {(n, m): cost of forward / cost of reverse}}``, blue where forward is cheaper, red where reverse is,
    on one log colour scale; ``labels`` writes a word in each cell of the last panel (the mode chosen, say).

    >>> fig = plot_mode_grid([1, 4], {"measured": {(1, 1): 1.0, (1, 4): 0.3, (4, 1): 3.0, (4, 4): 1.1}})
    """
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import FuncFormatter

    cells = [(n, m) for m in sizes for n in sizes]
    if not sizes or not panels or any(set(grid) != set(cells) for grid in panels.values()):
        raise ValueError(f"plot_mode_grid needs a ratio for every (n, m) of sizes {list(sizes)} in each panel")
    bound = max(max(max(r, 1 / r) for r in grid.values()) for grid in panels.values())
    fig, axes = pyplot().subplots(1, len(panels), figsize=(4.6 * len(panels) + 1.2, 4.4), squeeze=False)
    for k, (ax, (name, grid)) in enumerate(zip(axes[0], panels.items())):
        image = ax.imshow([[grid[n, m] for n in sizes] for m in sizes], cmap="coolwarm", origin="lower",
                          norm=LogNorm(vmin=1 / bound, vmax=bound))
        for i, m in enumerate(sizes):
            for j, n in enumerate(sizes):
                word = labels[n, m] if labels and k == len(panels) - 1 else f"{grid[n, m]:.2g}"
                ax.text(j, i, word, ha="center", va="center", fontsize=8)
        ax.set_xticks(range(len(sizes)), [str(s) for s in sizes])
        ax.set_yticks(range(len(sizes)), [str(s) for s in sizes])
        ax.set(xlabel="inputs n", ylabel="outputs m", title=name)
    bar = fig.colorbar(image, ax=list(axes[0]), label="forward / reverse (below 1: forward is cheaper)", shrink=0.85)
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))
    bar.ax.yaxis.set_minor_formatter(FuncFormatter(lambda x, _: f"{x:g}" if f"{x:.0e}"[0] in "25" else ""))
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


PHASE_COLOURS = {"forward": "C0", "backward": "C3", "recompute": "C2", "compiled": "C4"}


def plot_profile(profiles: Any, path: Optional[PathLike] = None, title: str = "where the time goes") -> Any:
    """Milliseconds per op kind, a bar for each phase (forward, backward, recompute, compiled), from one
    ``engine.profile()`` or side by side from several: ``{name: profile}``. Each panel's title gives its peak of
    graph nodes alive, the memory the phases traded.

    >>> import engine
    >>> with engine.profile() as prof:
    ...     y = (engine.Value(2.0) * 3).tanh(); y.backward()
    >>> fig = plot_profile(prof)
    """
    panels = profiles if isinstance(profiles, dict) else {"": profiles}
    if not panels or any(not getattr(p, "rows", None) for p in panels.values()):
        raise ValueError("plot_profile needs profiles that recorded something: run ops inside engine.profile()")
    fig, axes = pyplot().subplots(1, len(panels), figsize=(5.5 * len(panels), 4.5), squeeze=False)
    for ax, (name, prof) in zip(axes[0], panels.items()):
        times: Dict[str, Dict[str, float]] = {}
        for r in prof.rows:
            times.setdefault(r.kind, {})[r.phase] = times.get(r.kind, {}).get(r.phase, 0.0) + r.seconds * 1e3
        kinds = sorted(times, key=lambda k: sum(times[k].values()))[-12:]  # the twelve that cost most
        phases = [p for p in PHASE_COLOURS if any(p in times[k] for k in kinds)]
        height = 0.8 / len(phases)
        for j, phase in enumerate(phases):
            ax.barh([i + (j - (len(phases) - 1) / 2) * height for i in range(len(kinds))],
                    [times[k].get(phase, 0.0) for k in kinds], height=height, color=PHASE_COLOURS[phase], label=phase)
        ax.set_yticks(range(len(kinds)), kinds)
        ax.set(xlabel="milliseconds", title=f"{name + ': ' if name else ''}{prof.total().seconds * 1e3:.1f} ms in ops, "
                                            f"peak {prof.peak_nodes:,} nodes")
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return _finish(fig, path)


def plot_estimators(stats: Dict[str, Tuple[float, float]], path: Optional[PathLike] = None,
                    title: str = "gradient estimators") -> Any:
    """Squared bias and variance of gradient estimators, a pair of bars each on a log scale:
    ``{name: (bias^2, variance)}``.

    >>> fig = plot_estimators({"REINFORCE": (1e-4, 2.0), "Gumbel, tau = 1": (0.3, 0.1)})
    """
    if not stats:
        raise ValueError("plot_estimators needs at least one estimator's (bias^2, variance)")
    names = list(stats)
    fig, ax = pyplot().subplots(figsize=(7.5, 0.45 * len(names) + 1.6))
    rows = range(len(names))
    ax.barh([i - 0.2 for i in rows], [stats[n][0] for n in names], height=0.4, color="C3", label="bias²")
    ax.barh([i + 0.2 for i in rows], [stats[n][1] for n in names], height=0.4, color="C0", label="variance")
    ax.set_xscale("log")
    ax.set_yticks(list(rows), names)
    ax.invert_yaxis()  # the first estimator on top, as the table prints them
    ax.set(xlabel="bias² and variance (summed over the gradient's entries)", title=title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return _finish(fig, path)


def plot_bars(groups: Dict[str, Dict[str, float]], path: Optional[PathLike] = None, title: str = "",
              ylabel: str = "value") -> Any:
    """Grouped bars: ``{group: {series: value}}``, a cluster per group (a method, say) and a colour per series,
    each bar labelled with its value.

    >>> fig = plot_bars({"forward mode": {"df/dx": 4.0, "df/dy": 27.0}, "reverse mode": {"df/dx": 4.0, "df/dy": 27.0}})
    """
    if not groups or any(not series for series in groups.values()):
        raise ValueError("plot_bars needs at least one group of {series: value}")
    names = list(dict.fromkeys(s for series in groups.values() for s in series))
    fig, ax = pyplot().subplots(figsize=(1.8 * len(groups) + 2.5, 4.5))
    width = 0.8 / len(names)
    for k, name in enumerate(names):
        xs = [i + (k - (len(names) - 1) / 2) * width for i in range(len(groups))]
        heights = [series.get(name, 0.0) for series in groups.values()]
        bars = ax.bar(xs, heights, width=width, color=f"C{k % 10}", label=name)
        ax.bar_label(bars, labels=[f"{h:.4g}" for h in heights], fontsize=8)
    ax.set_xticks(range(len(groups)), list(groups))
    ax.set(ylabel=ylabel, title=title)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return _finish(fig, path)


def plot_tradeoff(curves: Dict[str, Sequence[Tuple[float, float]]], path: Optional[PathLike] = None,
                  title: str = "", xlabel: str = "cost", ylabel: str = "quality") -> Any:
    """Curves of (cost, quality) points, cost on a log axis and quality on a linear one: what each setting buys.

    >>> fig = plot_tradeoff({"top-k": [(0.01, 0.85), (0.1, 0.88)], "32-bit": [(1.0, 0.88)]})
    """
    if not curves or any(len(points) == 0 for points in curves.values()):
        raise ValueError("plot_tradeoff needs at least one non-empty curve of (cost, quality) points")
    fig, ax = pyplot().subplots(figsize=(7, 4.5))
    for k, (name, points) in enumerate(curves.items()):
        points = sorted(points)
        ax.plot([x for x, _ in points], [y for _, y in points], marker="os^Dv*"[k % 6], color=f"C{k % 10}",
                label=name)
    ax.set_xscale("log")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return _finish(fig, path)
