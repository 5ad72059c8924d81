"""Pictures of calculus for learners: a function with its derivatives over an interval, and a function of two
variables as contours with its gradient arrow (and optimisation paths) on them. The derivatives are the
engine's own, by ``grad``."""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

from engine import Value, grad

from .plots import PathLike, _finish, pyplot

Functions = Union[Callable[[Any], Any], Dict[str, Callable[[Any], Any]]]


def _value(f: Callable[[Any], Any], x: float) -> float:
    out = f(Value(x))
    return out.data if isinstance(out, Value) else float(out)


def _derivative(f: Callable[[Any], Any], order: int) -> Callable[[float], float]:
    for _ in range(order):
        f = grad(f)
    return lambda x: _value(f, x)


def plot_function(f: Functions, xs: Sequence[float], derivatives: int = 1, at: Optional[float] = None,
                  path: Optional[PathLike] = None, title: str = "") -> Any:
    """f over ``xs`` (left) and its first ``derivatives`` derivatives by the engine (right), as
    Backpropagation: The Engine of Deep Learning draws a chain of functions beside its local derivatives
    (Computational Graph Perspective, lines 483-547).

    ``f`` takes and returns a Value (``lambda x: (x * x).sin()``), or is a dict of them by name, each
    drawn with its derivatives. ``at`` marks a point with a dashed line.

    >>> fig = plot_function({"u = x^2": lambda x: x * x, "v = sin(u)": lambda x: (x * x).sin()},
    ...                     [i / 10 for i in range(31)], at=1.5)
    """
    functions = dict(f) if isinstance(f, dict) else {"f(x)": f}
    xs = [float(x) for x in xs]
    if len(xs) < 2 or not functions:
        raise ValueError(f"plot_function needs at least two points and one function, got {len(xs)} points")
    if not isinstance(derivatives, int) or derivatives < 0:
        raise ValueError(f"plot_function: derivatives must be a whole number >= 0, got {derivatives!r}")
    plt = pyplot()
    fig, axes = plt.subplots(1, 2 if derivatives else 1, figsize=(12 if derivatives else 6.5, 4.5), squeeze=False)
    values, slopes = axes[0][0], axes[0][-1]
    for k, (name, fn) in enumerate(functions.items()):
        colour = f"C{k % 10}"
        values.plot(xs, [_value(fn, x) for x in xs], color=colour, label=name)
        for order in range(1, derivatives + 1):
            d = _derivative(fn, order)
            ticks = "'" * order
            slopes.plot(xs, [d(x) for x in xs], color=colour, linestyle=("-", "--", ":", "-.")[(order - 1) % 4],
                        label=f"{name.split('=')[0].strip()}{ticks}")  # "J = exp(x)" -> J', "g" -> g'
    for ax in axes[0]:
        if at is not None:
            ax.axvline(at, color="black", linestyle="--", alpha=0.5)
        ax.grid(True, alpha=0.3)
        ax.set_xlabel("x")
        ax.legend(fontsize=8)
    values.set(ylabel="value", title="the function" + ("s" if len(functions) > 1 else ""))
    if derivatives:
        slopes.set(ylabel="derivative", title="derivatives, by the engine's grad")
    if title:
        fig.suptitle(title)
    return _finish(fig, path)


def plot_contour(f: Callable[[Any, Any], Any], xlim: Tuple[float, float], ylim: Tuple[float, float],
                 at: Optional[Tuple[float, float]] = None, paths: Optional[Dict[str, Sequence[Tuple[float, float]]]] = None,
                 levels: Any = 20, log: bool = False, path: Optional[PathLike] = None, title: str = "",
                 marks: Optional[Dict[str, Tuple[float, float]]] = None) -> Any:
    """Contours of f(x, y) over the box, with the gradient at ``at`` drawn as an arrow (scaled to a fifth of the
    box, its true components written beside it), optimisation ``paths`` as lines of points, each in its own
    style and starting at a hollow circle, and ``marks`` (``{"minimum (1, 1)": (1, 1)}``) as labelled stars.

    ``log=True`` spaces the contours logarithmically, for valleys such as Rosenbrock's.

    >>> fig = plot_contour(lambda x, y: x * x + y ** 3, (0, 4), (0, 4), at=(2.0, 3.0))
    """
    plt = pyplot()
    n = 60
    gx = [xlim[0] + (xlim[1] - xlim[0]) * i / (n - 1) for i in range(n)]
    gy = [ylim[0] + (ylim[1] - ylim[0]) * j / (n - 1) for j in range(n)]
    z = [[_value2(f, x, y) for x in gx] for y in gy]
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    if log:
        import numpy as np

        positive = [v for row in z for v in row if v > 0]
        if not positive:
            raise ValueError("plot_contour: log=True spaces contours by powers, which needs f > 0 somewhere in the "
                             "box; f is nowhere positive here")
        low, high = min(positive), max(v for row in z for v in row)
        levels = np.geomspace(max(low, 1e-3), high, levels if isinstance(levels, int) else 20)
    contours = ax.contour(gx, gy, z, levels=levels, cmap="viridis", linewidths=0.8)
    ax.clabel(contours, contours.levels[::2] if log else None, inline=True, fontsize=7, fmt=_level)
    for k, (name, points) in enumerate((paths or {}).items()):
        # paths often run together down a valley: a line style and marker each keeps them apart
        ax.plot([p[0] for p in points], [p[1] for p in points], linestyle=("-", "--", ":", "-.")[k % 4],
                marker=".os^D"[k % 5], markersize=4 if k == 0 else 3, color=f"C{k % 10}", label=name, zorder=3 + k)
        ax.plot([points[0][0]], [points[0][1]], "o", markersize=9, markerfacecolor="none", color=f"C{k % 10}", zorder=3)
    for name, point in (marks or {}).items():
        ax.plot([point[0]], [point[1]], "*", color="black", markersize=14, label=name, zorder=9)
    if at is not None:
        dx, dy = (g.data for g in grad(lambda x, y: f(x, y), argnums=(0, 1))(*at))
        length = math.hypot(dx, dy)
        scale = 0.2 * min(xlim[1] - xlim[0], ylim[1] - ylim[0]) / length if length > 0 else 0.0
        ax.plot([at[0]], [at[1]], "o", color="red", zorder=5)
        ax.annotate("", xy=(at[0] + dx * scale, at[1] + dy * scale), xytext=at,
                    arrowprops=dict(arrowstyle="->", color="red", lw=2), zorder=6)
        ax.annotate(f"gradient ({dx:.4g}, {dy:.4g})", at, textcoords="offset points", xytext=(8, -14),
                    color="red", fontsize=9, bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none",
                                                        alpha=0.85))  # readable over the contour lines
    ax.set(xlabel="x", ylabel="y", xlim=xlim, ylim=ylim, title=title or "contours of f(x, y)")
    spans = (xlim[1] - xlim[0]) / (ylim[1] - ylim[0])
    if 0.25 <= spans <= 4:
        ax.set_aspect("equal")  # so that the gradient looks what it is: at right angles to the contours
    if paths or marks:  # below the box: inside it, the legend hid the paths' start
        entries = len(ax.get_legend_handles_labels()[1])
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=1 if entries > 3 else entries)
    return _finish(fig, path)


def _level(v: float) -> str:
    """A contour's label as a person writes it: 2230, 8.7, 0.05 (not 2.23e+03)."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2g}" if abs(v) < 1 else f"{v:.3g}"


def _value2(f: Callable[[Any, Any], Any], x: float, y: float) -> float:
    out = f(Value(x), Value(y))  # f is written for Values: x.exp(), not math.exp(x)
    return out.data if isinstance(out, Value) else float(out)


Link = Tuple[str, str, Callable[[Any], Any]]  # (the variable it makes, its function's name, the function)


def plot_chain(links: Sequence[Link], xs: Sequence[float], at: float, path: Optional[PathLike] = None,
               title: str = "") -> Any:
    """A chain of functions J = f(g(h(x))) in three panels, as Backpropagation: The Engine of Deep Learning draws
    it (Computational Graph Perspective, lines 483-547): each link's value against x; each link's local derivative
    (h'(x), g'(u), f'(v): of a link in its own input, from the engine's rule) against x; and the graph at ``at``,
    each node with its value and each arrow with its local derivative there.

    >>> fig = plot_chain([("u", "h", lambda t: t * t), ("v", "g", lambda t: t.sin())], [i / 10 for i in range(31)],
    ...                  at=1.5)
    """
    if len(xs) < 2 or not links:
        raise ValueError(f"plot_chain needs at least two points and one link, got {len(xs)} points")

    def walk(x: float) -> Tuple[list, list]:
        """Each link's value at x, and its local derivative in its own input (by the engine, at that input)."""
        values, slopes, current = [], [], x
        for _, _, fn in links:
            slopes.append(grad(fn)(current).data)
            current = _value(fn, current)
            values.append(current)
        return values, slopes

    rows = [walk(x) for x in xs]
    fig, (left, middle, right) = pyplot().subplots(1, 3, figsize=(15, 4.6))
    inputs = ["x"] + [name for name, _, _ in links[:-1]]
    for k, (name, fname, _) in enumerate(links):
        colour = f"C{k % 10}"
        left.plot(xs, [r[0][k] for r in rows], color=colour, label=f"{name} = {fname}({inputs[k]})")
        middle.plot(xs, [r[1][k] for r in rows], color=colour, label=f"{fname}'({inputs[k]})")
    for ax, what in ((left, "value"), (middle, "local derivative")):
        ax.axvline(at, color="black", linestyle="--", alpha=0.5, label=f"x = {at:g}")
        ax.grid(True, alpha=0.3)
        ax.set(xlabel="x", ylabel=what)
        ax.legend(fontsize=8)
    left.set_title("forward: each link's value")
    middle.set_title("each link's local derivative")
    values, slopes = walk(at)
    names = ["x"] + [name for name, _, _ in links]
    numbers = [at] + values
    spots = [(0.12 + 0.76 * i / max(1, len(names) - 1), 0.55) for i in range(len(names))]
    for (px, py), name, v in zip(spots, names, numbers):
        right.text(px, py, f"{name} = {v:.3g}", ha="center", va="center", fontsize=9,
                   bbox=dict(boxstyle="round,pad=0.35", facecolor="#e8f1fb", edgecolor="#4a78b0"))
    for k, (_, fname, _) in enumerate(links):
        (x0, y0), (x1, y1) = spots[k], spots[k + 1]
        right.annotate("", xy=(x1 - 0.1, y1), xytext=(x0 + 0.1, y0),
                       arrowprops=dict(arrowstyle="->", color="black", lw=1.2))
        right.text((x0 + x1) / 2, y0 + 0.09, fname, ha="center", fontsize=10)
        right.text((x0 + x1) / 2, y0 - 0.12, f"{fname}' = {slopes[k]:.3g}", ha="center", fontsize=9, color="#b03030")
    right.set(xlim=(0, 1), ylim=(0, 1), title=f"the graph at x = {at:g} (red: local derivatives)")
    right.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _finish(fig, path)
