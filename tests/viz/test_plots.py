"""plot_history, plot_decision_boundary and plot_grad_flow write real PNG and SVG files."""

import random
from pathlib import Path

import pytest

from nn import MLP
from nn.data import moons
from viz import plot_decision_boundary, plot_grad_flow, plot_history

HISTORY = {"loss": [1.0, 0.5, 0.25], "accuracy": [0.5, 0.75, 1.0], "val_loss": [1.1, 0.6, 0.4],
           "val_accuracy": [0.5, 0.7, 0.9]}


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<svg")])
def test_each_plot_writes_its_format(tmp_path: Path, suffix: str, magic: bytes) -> None:
    random.seed(0)
    X, y = moons(30, seed=0)
    written = [
        plot_history(HISTORY, tmp_path / f"h{suffix}"),
        plot_decision_boundary(MLP(2, [4, 1]), X, y, tmp_path / f"b{suffix}", resolution=20),
        plot_grad_flow({"sigmoid": [1e-5, 1e-3, 0.1], "relu": [0.05, 0.06, 0.07]}, tmp_path / f"g{suffix}"),
    ]
    for path in written:
        assert magic in path.read_bytes()[:300]


def test_figures_come_back_without_a_path() -> None:
    fig = plot_history({"loss": [1.0, 0.5], "accuracy": [float("nan")] * 2})
    assert len(fig.axes) == 1  # regression: no accuracy panel
    fig = plot_grad_flow([0.1, 0.2])
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[0].patches) == 2


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plot_history(HISTORY, tmp_path / "h.jpg")
    with pytest.raises(ValueError, match="non-empty 'loss'"):
        plot_history({})
    with pytest.raises(ValueError, match="2 inputs"):
        plot_decision_boundary(MLP(3, [1]), [[1.0, 2.0, 3.0]], [1])
    with pytest.raises(ValueError, match="non-empty"):
        plot_grad_flow({"a": []})
