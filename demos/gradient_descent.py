"""Full batch, stochastic and mini-batch gradient descent, and a learning rate too small, right and too large.

Chapter 02: Backpropagation & Gradient Descent (§6 Gradient Descent, lines 1069-1147, and its self-check
questions 2 and 9, lines 1392 and 1399) contrasts batch gradient descent (every sample for each
step: smooth, but one step an epoch), stochastic gradient descent (one sample a step: many noisy
steps) and mini-batches between them, and names the learning rate the most important
hyperparameter: too small creeps, too large overshoots. ``python -m demos gradient_descent``
trains the same 2-16-1 tanh network on 200 two-moons points with plain SGD, first at one rate
with batches of 200, 32 and 1, then with full batches at rates of 1e-4, 0.5 and 50, which show the
effects plainly on this network, and at the chapter's own rates (§6.4, lines 1133-1141: 1e-5,
0.001 to 0.01, and 10), and draws every loss curve (the mean loss over each epoch's batches) in
``out/gradient_descent.png``.
"""

from __future__ import annotations

import random
from typing import Dict, List, Optional

import nn
from nn import MLP, SGD, fit, losses
from viz import plot_loss_curves

from .common import common_args

SAMPLES, EPOCHS, SEED = 200, 40, 0
BATCHES = {"full batch (200)": None, "mini-batch (32)": 32, "stochastic (1)": 1}
BATCH_RATE = 0.1
RATES = {"too small (1e-4)": 1e-4, "about right (0.5)": 0.5, "too large (50)": 50.0}
# §6.4's own rates (lines 1133-1141): too small 1e-5, just right 0.001 to 0.01, too large 10
CHAPTER_RATES = {"too small (1e-5)": 1e-5, "just right, low end (0.001)": 0.001, "just right, high end (0.01)": 0.01,
                 "too large (10)": 10.0}


def train(batch_size: Optional[int], lr: float, epochs: int = EPOCHS) -> List[float]:
    """The loss per epoch of the network from the same seed, trained with plain SGD."""
    X, y = nn.data.moons(SAMPLES, noise=0.1, seed=SEED)
    random.seed(SEED)
    model = MLP(2, [16, 1], activation="tanh", init="xavier")
    history = fit(model, X, y, losses.bce_with_logits, SGD(model.parameters(), lr=lr), epochs,
                  batch_size=batch_size, progress=False, compiled=True, seed=SEED)
    return history["loss"]


def run(epochs: int = EPOCHS) -> Dict[str, Dict[str, List[float]]]:
    """Both experiments' loss curves, by panel."""
    return {
        f"batch size, at learning rate {BATCH_RATE}": {name: train(b, BATCH_RATE, epochs) for name, b in BATCHES.items()},
        "learning rate, full batch": {name: train(None, lr, epochs) for name, lr in RATES.items()},
        "the chapter's rates (§6.4), full batch": {name: train(None, lr, epochs) for name, lr in CHAPTER_RATES.items()},
    }


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("gradient_descent", __doc__)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs per run (default {EPOCHS})")
    args = parser.parse_args(argv)
    panels = run(args.epochs)
    print(f"2-16-1 tanh network, {SAMPLES} two-moons points, plain SGD, {args.epochs} epochs; "
          f"the mean loss over each epoch's batches\n")
    print(f"{'':34}{'steps':>7}{'epoch 1':>10}{'last':>10}{'largest rise':>15}")
    for panel, curves in panels.items():
        print(panel)
        for name, curve in curves.items():
            size = BATCHES.get(name, None) or SAMPLES
            steps = args.epochs * -(-SAMPLES // size)
            rise = max([b - a for a, b in zip(curve, curve[1:])] + [0.0])
            print(f"  {name:<32}{steps:>7}{curve[0]:>10.4f}{curve[-1]:>10.4f}{rise:>15.4f}")
    own = panels["the chapter's rates (§6.4), full batch"]
    low, high, large = (own[k] for k in ("just right, low end (0.001)", "just right, high end (0.01)", "too large (10)"))
    rise = max(b - a for a, b in zip(large, large[1:]))
    print(f"\nOn this network the chapter's 'just right' rates still creep after {args.epochs} full-batch epochs "
          f"(loss {low[-1]:.3f} and {high[-1]:.3f}), and its 'too large' 10 {'oscillates' if rise > 0 else 'does not'} "
          f"(a rise of {rise:.2f}) yet ends at {large[-1]:.3f}: which rate is right depends on the problem, so the "
          f"second panel uses rates that show each effect plainly here.")
    path = plot_loss_curves(panels, args.out / "gradient_descent.png", title="gradient descent on the two moons",
                            log=True)
    print(f"\nloss curves: {path}")
    return 0
