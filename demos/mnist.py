"""The seed's network on real handwritten digits: 784 pixels -> 128 ReLU units -> 10 logits.

Softmax cross-entropy, Adam with a cosine schedule, batches of 128, written as scalar
chainrule code (``nn.MLP``) and trained through the lifted replay (``fit(compiled=True)``:
each layer runs as one matrix product, the parameters stay in one flat array).

Data: ``python -m nn.data fetch mnist`` first (10,000 real MNIST digits; 8,000 train and
2,000 held out, seeded), or ``--fashion`` with ``python -m nn.data fetch fashion-mnist``
(60,000 train images and the official 10,000 test images). ``--root DIR`` reads the
IDX files from another folder: the full 60,000-image MNIST, where you have it, is what
the seed's 98% needs. Writes sample predictions, the confusion matrix and the loss
curves under ``out/``.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any, List, Optional, Sequence

from nn import MLP, Adam, CosineLR, fit, losses
from nn.data import fashion_mnist, mnist, train_test_split

import viz
from viz import plots

from .common import common_args, epoch_time, outputs_of

SEED, HIDDEN, EPOCHS, LR, BATCH = 0, 128, 20, 2e-3, 128
QUICK_EPOCHS, QUICK_LIMIT = 3, 2000
FASHION = ["T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]


def load(fashion: bool, root: Optional[Path], limit: Optional[int] = None):
    """(X_train, y_train, X_test, y_test): MNIST's 10,000 digits split 80/20, or Fashion-MNIST's own split."""
    if fashion:
        X, y = fashion_mnist(root, split="train", limit=limit)
        X_test, y_test = fashion_mnist(root, split="test", limit=limit and max(limit // 5, 10))
        return X, y, X_test, y_test
    X, y = mnist(root, split="train", limit=limit)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=SEED)
    return X_train, y_train, X_test, y_test


def predict(model: Any, X: Sequence[Sequence[float]]) -> List[int]:
    """The predicted class of every row, by one lifted replay of the model over all of them."""
    return outputs_of(model, X[0])(X).argmax(axis=1).tolist()


def train(fashion: bool = False, root: Optional[Path] = None, epochs: int = EPOCHS, limit: Optional[int] = None,
          progress: bool = True):
    X_train, y_train, X_test, y_test = load(fashion, root, limit)
    random.seed(SEED)
    model = MLP(784, [HIDDEN, 10], activation="relu", init="he")
    opt = Adam(model.parameters(), lr=LR)
    start = time.perf_counter()
    history = fit(model, X_train, y_train, losses.cross_entropy, opt, epochs, batch_size=BATCH,
                  val=(X_test, y_test), progress=progress, seed=SEED, schedule=CosineLR(opt, epochs), compiled=True)
    total = time.perf_counter() - start
    predicted = predict(model, X_test)
    return model, history, (X_test, y_test, predicted), epoch_time(history, total)


def confusion(y_true: Sequence[int], y_pred: Sequence[int], classes: int = 10) -> List[List[int]]:
    """counts[true][predicted]."""
    counts = [[0] * classes for _ in range(classes)]
    for t, p in zip(y_true, y_pred):
        counts[t][p] += 1
    return counts


def draw_samples(X: Sequence[Sequence[float]], y: Sequence[int], predicted: Sequence[int], names: Sequence[str],
                 path: Path) -> Path:
    """A 5 x 8 grid of held-out images, each titled with its prediction (red where wrong), written to ``path``."""
    return plots.save_figure(samples_figure(X, y, predicted, names), path)


def samples_figure(X: Sequence[Sequence[float]], y: Sequence[int], predicted: Sequence[int],
                   names: Sequence[str]) -> Any:
    """The first 40 images in a 5 x 8 grid, each titled with the prediction; a wrong one in red, with the truth."""
    plt = plots.pyplot()
    fig, axes = plt.subplots(5, 8, figsize=(10, 7))
    for ax, x, t, p in zip(axes.flat, X, y, predicted):
        ax.imshow([x[r * 28:(r + 1) * 28] for r in range(28)], cmap="gray_r", vmin=0.0, vmax=1.0)
        # a red "0" alone leaves the reader to guess what the image was meant to be
        ax.set_title(names[p] if p == t else f"{names[p]} (is {names[t]})", color="black" if p == t else "red",
                     fontsize=9 if p == t else 8)
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle("held-out images, titled with the network's prediction (red where it is wrong)")
    fig.tight_layout()
    return fig


def draw_confusion(counts: List[List[int]], names: Sequence[str], path: Path) -> Path:
    """The confusion matrix written to ``path``."""
    return plots.save_figure(confusion_figure(counts, names), path)


def confusion_figure(counts: List[List[int]], names: Sequence[str]) -> Any:
    """counts[true][predicted] as a grid of shaded, numbered cells, the class names along both axes."""
    plt = plots.pyplot()
    fig, ax = plt.subplots(figsize=(7, 6))
    ax.imshow(counts, cmap="Blues")
    for t, row in enumerate(counts):
        for p, n in enumerate(row):
            ax.text(p, t, str(n), ha="center", va="center", fontsize=8,
                    color="white" if n > max(map(max, counts)) / 2 else "black")
    if max(map(len, names)) <= 3:  # digits fit upright; Fashion-MNIST's words would run into each other
        ax.set_xticks(range(len(names)), names)
    else:
        ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix on the held-out images")
    fig.tight_layout()
    return fig


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("mnist", __doc__, quick=f"{QUICK_EPOCHS} epochs on the first {QUICK_LIMIT:,} training images")
    parser.add_argument("--fashion", action="store_true", help="Fashion-MNIST instead of MNIST")
    parser.add_argument("--root", type=Path, default=None, help="the folder of the IDX files")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--limit", type=int, default=None, help="read only the first N training images")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs, args.limit = QUICK_EPOCHS, min(args.limit or QUICK_LIMIT, QUICK_LIMIT)
    try:
        model, history, (X_test, y_test, predicted), timing = train(args.fashion, args.root, args.epochs,
                                                                    args.limit, not args.no_progress)
    except FileNotFoundError as e:
        print(e)
        return 1
    names = FASHION if args.fashion else [str(d) for d in range(10)]
    accuracy = sum(t == p for t, p in zip(y_test, predicted)) / len(y_test)
    data = "Fashion-MNIST" if args.fashion else "MNIST"
    print(f"{data}: MLP 784-{HIDDEN}-10 (ReLU, He init), Adam lr {LR} with cosine decay, batch {BATCH}, "
          f"{args.epochs} epochs, lifted NumPy replay")
    print(timing)
    print(f"held-out accuracy on {len(y_test):,} images: {accuracy:.1%}")
    stem = "fashion_mnist" if args.fashion else "mnist"
    out = args.out
    print(f"sample predictions: {draw_samples(X_test, y_test, predicted, names, out / f'{stem}_samples.png')}")
    print(f"confusion matrix: {draw_confusion(confusion(y_test, predicted), names, out / f'{stem}_confusion.png')}")
    path = viz.plot_history(history, out / f"{stem}_history.png", title=f"{data} ({accuracy:.1%} held out)")
    print(f"loss and accuracy curves: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
