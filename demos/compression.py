"""Gradient compression on the MNIST network: held-out accuracy against the bits its gradients would take to send.

Backpropagation Calculus for Deep Learning lists gradient compression for distributed training (line 372). The
seed's network (784-128-10, ReLU, SGD at 0.1, batches of 128) trains on MNIST with each step's gradient compressed
before the update, as a worker would send it (``nn.compression``): top-k sparsification keeping 10%, 1% and 0.1%
of the entries, and quantisation to 8, 4, 2 and 1 bits an entry, each with and without error feedback (the
dropped remainder added to the next step's gradient). The table gives each run's bits sent against 32-bit
gradients and its held-out accuracy; the picture (``out/compression.png``) draws accuracy against bits.

Data: ``python -m nn.data fetch mnist`` first (or ``--root DIR`` for IDX files elsewhere).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from nn import MLP, SGD, fit, losses
from nn.compression import Compressed, Quantise, TopK, full_bits
from viz import plot_tradeoff

from .common import common_args, progress
from .mnist import load, predict

SEED, HIDDEN, LR, BATCH, EPOCHS = 0, 128, 0.1, 128, 2
COMPRESSORS = [TopK(0.1), TopK(0.01), TopK(0.001), Quantise(8), Quantise(4), Quantise(2), Quantise(1)]


def run(data: Tuple, compressor=None, error_feedback: bool = True, epochs: int = EPOCHS) -> Tuple[float, int, int]:
    """One training run: (held-out accuracy, bits sent, bits that 32-bit gradients would have taken)."""
    X_train, y_train, X_test, y_test = data
    random.seed(SEED)
    model = MLP(784, [HIDDEN, 10], activation="relu", init="he")
    opt = SGD(model.parameters(), lr=LR)
    sender = opt if compressor is None else Compressed(opt, compressor, error_feedback)
    history = fit(model, X_train, y_train, losses.cross_entropy, sender, epochs, batch_size=BATCH, progress=False,
                  seed=SEED, compiled=True)
    steps = sum(1 for _ in range(epochs) for _ in range(0, len(X_train), BATCH))
    full = full_bits(opt.params) * steps
    predicted = predict(model, X_test)
    held_out = sum(p == t for p, t in zip(predicted, y_test)) / len(y_test)
    assert history["loss"], "fit ran no epoch"
    return held_out, (full if compressor is None else sender.bits_sent), full


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("compression", __doc__, quick="2,000 images and one epoch a run")
    parser.add_argument("--root", type=Path, default=None, help="folder of the MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs per run (default {EPOCHS})")
    parser.add_argument("--limit", type=int, default=None, help="use only this many images")
    args = parser.parse_args(argv)
    if args.quick:
        args.limit, args.epochs = args.limit or 2000, 1
    data = load(False, args.root, args.limit)
    print(f"MLP 784-{HIDDEN}-10 (ReLU), SGD lr {LR}, batches of {BATCH}, {args.epochs} epochs on {len(data[0]):,} "
          f"images; held-out accuracy on {len(data[2]):,}\n")
    base, full, _ = run(data, epochs=args.epochs)
    print(f"{'gradient sent':<22}{'error feedback':>16}{'bits sent':>14}{'of 32-bit':>11}{'accuracy':>10}")
    print(f"{'32-bit (uncompressed)':<22}{'':>16}{full:>14,}{1.0:>11.4f}{base:>10.2%}")
    curves: Dict[str, List[Tuple[float, float]]] = {"top-k, error feedback": [], "top-k, none": [],
                                                     "quantised, error feedback": [], "quantised, none": [],
                                                     "32-bit": [(float(full), base)]}
    runs = [(c, ef) for c in COMPRESSORS for ef in (True, False)]
    for compressor, ef in progress(runs, "runs", not args.no_progress):
        acc, bits, _ = run(data, compressor, ef, args.epochs)
        kind = "top-k" if isinstance(compressor, TopK) else "quantised"
        curves[f"{kind}, {'error feedback' if ef else 'none'}"].append((float(bits), acc))
        print(f"{repr(compressor):<22}{'yes' if ef else 'no':>16}{bits:>14,}{bits / full:>11.4f}{acc:>10.2%}")
    with_ef = [(bits, acc, name) for name, points in curves.items() if name.endswith("error feedback")
               for bits, acc in points]
    without = sorted((acc, bits, name) for name, points in curves.items() if name.endswith("none")
                     for bits, acc in points)
    cheapest = min((b, a) for b, a, _ in with_ef if a >= base - 0.01)
    print(f"\nWith error feedback, {cheapest[0] / full:.2%} of the 32-bit gradients' bits kept the accuracy within a "
          f"point of the uncompressed run's ({cheapest[1]:.2%}); without it, the two worst runs ended at "
          f"{without[0][0]:.2%} and {without[1][0]:.2%}: what compression drops is lost for good, where error "
          f"feedback only delays it.")
    path = plot_tradeoff({name: [(bits / full, acc) for bits, acc in points] for name, points in curves.items()},
                         args.out / "compression.png", title="gradient compression on the MNIST network",
                         xlabel="bits sent, as a fraction of 32-bit gradients'", ylabel="held-out accuracy")
    print(f"plot: {path}")
    return 0
