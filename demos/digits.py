"""A softmax classifier on scikit-learn's 8x8 handwritten digits, trained with Adam.

64 pixels -> 32 tanh units -> 10 logits, cross-entropy, mini-batches of 32, a
cosine learning-rate schedule; 80% of the 1,797 images train it and the held-out
20% test it. Needs the data extra: pip install 'chainrule[data]'.
"""

from __future__ import annotations

import random
import time
from typing import List, Optional

from engine import no_grad
from nn import MLP, Adam, CosineLR, fit, losses
from nn.data import digits, train_test_split
from nn.train import predict_label

import viz

from .common import common_args, epoch_time

SEED, HIDDEN, EPOCHS, LR, BATCH = 0, 32, 12, 0.02, 32
QUICK = 3  # epochs for --quick


def train(epochs: int = EPOCHS, progress: bool = True, compiled: bool = False):
    X, y = digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=SEED)
    random.seed(SEED)
    model = MLP(64, [HIDDEN, 10], activation="tanh", init="xavier")
    opt = Adam(model.parameters(), lr=LR)
    start = time.perf_counter()
    history = fit(model, X_train, y_train, losses.cross_entropy, opt, epochs, batch_size=BATCH,
                  val=(X_test, y_test), progress=progress, seed=SEED, schedule=CosineLR(opt, epochs),
                  compiled=compiled)
    total = time.perf_counter() - start
    with no_grad():
        predicted = [predict_label(model(x)) for x in X_test]
    return model, history, y_test, predicted, epoch_time(history, total)


def confusion(y_true: List[int], y_pred: List[int], classes: int = 10) -> List[List[int]]:
    """counts[true][predicted]."""
    counts = [[0] * classes for _ in range(classes)]
    for t, p in zip(y_true, y_pred):
        counts[t][p] += 1
    return counts


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("digits", __doc__, quick=f"{QUICK} epochs (the same as --epochs {QUICK})")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--compiled", nargs="?", const=True, choices=["numpy", "python"],
                        help="train by replaying a traced sample loss (engine.compile) instead of eager graphs")
    args = parser.parse_args(argv)
    if args.quick:
        args.epochs = QUICK
    try:
        model, history, y_test, predicted, timing = train(args.epochs, progress=not args.no_progress,
                                                          compiled=args.compiled or False)
    except ImportError as e:
        print(e)
        return 1
    accuracy = sum(t == p for t, p in zip(y_test, predicted)) / len(y_test)
    how = f", compiled ({args.compiled if isinstance(args.compiled, str) else 'numpy'})" if args.compiled else ""
    print(f"MLP 64-{HIDDEN}-10 (tanh), Adam lr {LR} with cosine decay, batch {BATCH}, {args.epochs} epochs{how}")
    print(timing)
    print(f"test accuracy on {len(y_test)} held-out images: {accuracy:.1%}\n")
    print("confusion matrix (rows: true digit, columns: predicted)")
    print("      " + " ".join(f"{c:>4}" for c in range(10)))
    for t, row in enumerate(confusion(y_test, predicted)):
        print(f"  {t:>2}  " + " ".join(f"{n:>4}" for n in row))
    path = viz.plot_history(history, args.out / "digits_history.png", title=f"digits ({accuracy:.1%} test accuracy)")
    print(f"\nloss and accuracy curves: {path}")
    return 0
