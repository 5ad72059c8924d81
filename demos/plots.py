"""Small matplotlib helpers the demos share (Agg backend: files only, no screen needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Optional, Sequence

from engine import no_grad


def pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def grid(coords: Sequence[float], margin: float = 0.5, step: float = 0.05) -> List[float]:
    """Evenly spaced points covering ``coords`` with a margin."""
    lo, hi = min(coords) - margin, max(coords) + margin
    return [lo + step * i for i in range(int((hi - lo) / step) + 1)]


def decision_boundary(ax: Any, model: Any, X: Sequence[Sequence[float]], y: Sequence[int], title: str,
                      step: float = 0.05) -> None:
    """Shade where the model's score is positive (or its argmax class), with the data on top."""
    from nn.train import predict_label

    xs, ys = (grid([p[i] for p in X], step=step) for i in (0, 1))
    with no_grad():
        Z = [[predict_label(model([gx, gy])) for gx in xs] for gy in ys]
    ax.contourf(xs, ys, Z, cmap="Spectral", alpha=0.8)
    ax.scatter([p[0] for p in X], [p[1] for p in X], c=y, s=20, cmap="Spectral", edgecolors="k")
    ax.set_title(title)


def save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    pyplot().close(fig)
    return path


def common_args(prog: str, doc: Optional[str]) -> Any:
    """An argument parser with the options every demo has: --out and --no-progress."""
    import argparse

    parser = argparse.ArgumentParser(prog=f"python -m demos {prog}", description=(doc or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the pictures (default out/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser
