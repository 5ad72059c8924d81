"""A network drawn as layers of neurons, with the forward and the backward direction, as Chapter 16 (§16.6) draws it."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from .plots import PathLike, _finish, pyplot

SHOWN = 8  # neurons drawn per layer; a wider layer shows its first and last few and a count


def layer_sizes(model: Any) -> List[int]:
    """The widths of a model's layers, inputs first: ``[2, 16, 16, 1]`` for ``MLP(2, [16, 16, 1])``."""
    layers = getattr(model, "layers", None)
    if not layers or not all(hasattr(layer, "neurons") for layer in layers):
        raise TypeError(f"draw_network draws an MLP (or a model whose .layers are Layers of neurons), "
                        f"got {type(model).__name__}")
    return [len(layers[0].neurons[0].w)] + [len(layer.neurons) for layer in layers]


def _rows(n: int) -> List[Optional[int]]:
    """Which neurons to draw: all of them, or the first and last few with None for the gap."""
    if n <= SHOWN:
        return list(range(n))
    half = SHOWN // 2
    return list(range(half)) + [None] + list(range(n - half + 1, n))


def unit_name(layer: int, unit: int) -> str:
    """A unit's name as drawn, in mathtext: ``x_j`` for the inputs (layer 0), ``a^(l)_j`` for layer l's
    activations, counting from 1 as the chapters do, so that no two units share a name.

    >>> unit_name(0, 2), unit_name(1, 0)
    ('$x_{3}$', '$a^{(1)}_{1}$')
    """
    return f"$x_{{{unit + 1}}}$" if layer == 0 else f"$a^{{({layer})}}_{{{unit + 1}}}$"


def draw_network(model: Any, path: Optional[PathLike] = None, title: str = "") -> Any:
    """The model's layers as columns of neurons, every connection an arrow of the forward pass, and the
    backward pass's direction beneath (Chapter 16: Backpropagation -- The Complete Derivation, §16.6,
    lines 448-574). Layers wider than 8 show their first
    and last neurons and how many there are.

    >>> import random; random.seed(0)
    >>> from nn import MLP
    >>> fig = draw_network(MLP(3, [4, 2]))
    """
    sizes = layer_sizes(model)
    plt = pyplot()
    tallest = max(len(_rows(n)) for n in sizes)
    fig, ax = plt.subplots(figsize=(2.6 * len(sizes) + 2, max(6.0, 0.75 * (tallest + 4.2))))  # room for the names
    xs = [2.5 * k for k in range(len(sizes))]
    spots: List[List[tuple]] = []
    for k, (n, x) in enumerate(zip(sizes, xs)):
        rows = _rows(n)
        column = []
        for r, neuron in enumerate(rows):
            y = (len(rows) - 1) / 2 - r
            if neuron is None:
                ax.text(x, y, "\u22ee", ha="center", va="center", fontsize=16)
                continue
            face = "#AED6F1" if k == 0 else "#F9E79F" if k == len(sizes) - 1 else "#A9DFBF"
            ax.add_patch(plt.Circle((x, y), 0.28, facecolor=face, edgecolor="black", zorder=5))
            ax.text(x, y, unit_name(k, neuron), ha="center", va="center", fontsize=9 if neuron < 99 else 7, zorder=6)
            column.append((x, y))
        spots.append(column)
        label = "input" if k == 0 else "output" if k == len(sizes) - 1 else f"hidden {k}"
        units = f"{n} unit{'s' * (n != 1)}" + (f": $\\hat{{y}} = a^{{({k})}}$" if k == len(sizes) - 1 else "")
        ax.text(x, -(tallest - 1) / 2 - 0.6, f"{label}\n{units}", ha="center", va="top", fontsize=9)
    for left, right in zip(spots, spots[1:]):
        for (x1, y1) in left:
            for (x2, y2) in right:
                ax.annotate("", xy=(x2 - 0.3, y2), xytext=(x1 + 0.3, y1),
                            arrowprops=dict(arrowstyle="->", color="#2E86C1", lw=0.6, alpha=0.5))
    top = tallest / 2 + 0.6
    bottom = -top - 1.2
    ax.annotate("", xy=(xs[-1], top), xytext=(xs[0], top), arrowprops=dict(arrowstyle="->", color="#2E86C1", lw=2.5))
    ax.text((xs[0] + xs[-1]) / 2, top + 0.3, "forward: z = W a + b, a = activation(z)", ha="center", color="#2E86C1")
    ax.annotate("", xy=(xs[0], bottom), xytext=(xs[-1], bottom), arrowprops=dict(arrowstyle="->", color="#E74C3C", lw=2.5))
    ax.text((xs[0] + xs[-1]) / 2, bottom - 0.45, "backward: dL/dz, then dL/dW and dL/db, layer by layer",
            ha="center", color="#E74C3C")
    ax.set_xlim(xs[0] - 1.2, xs[-1] + 1.2)
    ax.set_ylim(bottom - 1.0, top + 0.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title or f"{_sizes_text(sizes)} network")
    return _finish(fig, path)


def _sizes_text(sizes: Sequence[int]) -> str:
    return "-".join(map(str, sizes))
