"""One epoch of each of the makemore demo's models beyond the bigram: the MLP over embeddings, the LSTM and the
transformer (``demos/makemore_models.py``), on 8,192 random contexts of 27 characters (the time does not depend
on which characters, so no download is needed), cross-entropy, Adam with learning rate 1e-3, batches of 256 in a
fixed order. chainrule trains each from its scalar code through ``fit(compiled='numpy')``; the reference is the
same model written in PyTorch (``torch.nn.Embedding``, ``LSTM``, ``TransformerEncoderLayer``), float64 on the CPU,
with the same weights, the same batches and ``torch.optim.Adam``."""

from __future__ import annotations

import random
from typing import Any, Callable, Dict, List, Tuple

from . import timing
from .timing import Epochs, alternate

CONTEXTS, BATCH, LR, SEED, ROUNDS = 8192, 256, 1e-3, 0, 3  # one thread each, as the targets are set


def run(rounds: int = ROUNDS) -> List[str]:
    try:
        import torch
    except ImportError:
        return ["### makemore epochs", "", "skipped: the reference is PyTorch, which is not installed", ""]
    import numpy as np

    with timing.one_thread(torch):
        rows = _rows(torch, np, rounds)
    lines = [f"### makemore epochs: {CONTEXTS:,} contexts, Adam, batches of {BATCH} (median of {rounds})", "",
             "| model | chainrule lifted (NumPy), ms | PyTorch float64, ms | ratio (target <= 3x) "
             "| set-up: trace and lift, s (target < 5 s) |", "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {name} | {ours:.0f} | {theirs:.0f} | {ours / theirs:.2f}x | {setup:.1f} |"
              for name, ours, theirs, setup in rows]
    return lines + ["", "Each epoch starts from the weights the one before left; the first epoch's mean loss is "
                        "checked equal (to 1e-9, relative) between the two before timing.", ""]


def _rows(torch: Any, np: Any, rounds: int) -> List[Tuple[str, float, float, float]]:
    """(model, chainrule's ms per epoch, PyTorch's, chainrule's set-up seconds) for each model."""
    from demos.makemore import one_hot
    from demos.makemore_models import V, CharLSTM, CharTransformer, EmbeddingMLP
    from nn import Adam, fit, losses

    rows: List[Tuple[str, float, float, float]] = []
    for name, build in (("MLP over embeddings, 3x8-64-27", EmbeddingMLP), ("LSTM, 8x16-64-27", CharLSTM),
                        ("transformer, 8x32, 2 blocks of 4 heads", CharTransformer)):
        random.seed(SEED)
        model = build()
        rng = np.random.default_rng(SEED)
        idx = rng.integers(0, V, (CONTEXTS, model.block))
        labels = rng.integers(0, V, CONTEXTS)
        X, y = [one_hot(c) for c in idx.tolist()], labels.tolist()
        twin, fresh = model.twin(), model.twin()  # before any training: the same initial weights
        opt = Adam(model.parameters(), lr=LR)

        def train(epochs: int, model: Any = model, opt: Any = opt, X: Any = X, y: Any = y) -> Dict[str, List[float]]:
            return fit(model, X, y, losses.cross_entropy, opt, epochs=epochs, batch_size=BATCH, shuffle=False,
                       progress=False, compiled="numpy")

        ours = Epochs(train, 2)  # each fit traces and lifts once: 2 epochs a fit
        theirs = _torch_epoch(twin, torch.tensor(idx), torch.tensor(labels), torch)
        first_ours = train(1)["loss"][0]
        first_theirs = _torch_epoch(fresh, torch.tensor(idx), torch.tensor(labels), torch)()
        assert abs(first_ours - first_theirs) < 1e-9 * abs(first_theirs), \
            f"{name}: chainrule and PyTorch disagree on the first epoch's mean loss: {first_ours} vs {first_theirs}"
        ms = alternate({"ours": ours, "PyTorch": theirs}, rounds)
        rows.append((name, ms["ours"], ms["PyTorch"], ours.setup_seconds()))
    return rows


def _torch_epoch(twin: Any, idx: Any, labels: Any, torch: Any) -> Callable[[], float]:
    """An epoch of the PyTorch twin: batches in order, cross-entropy, Adam; returns the epoch's mean loss."""
    return timing.torch_epoch(twin, idx, labels, torch.optim.Adam(twin.parameters(), lr=LR), BATCH, torch)
