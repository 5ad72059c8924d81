"""A 2-2-1 network learns XOR, the function no single neuron can represent.

Two tanh hidden units, a linear output read through a sigmoid (binary
cross-entropy with logits), trained with Adam on the four corners.
"""

from __future__ import annotations

import random
from typing import List, Optional

from nn import MLP, Adam, fit, losses
from nn.data import xor

import viz

from .common import common_args

SEED = 3  # 2-2-1 XOR nets can stall in a local minimum (seed 0 does); this one does not


def train(epochs: int = 300, seed: int = SEED, progress: bool = False):
    X, y = xor()
    random.seed(seed)
    model = MLP(2, [2, 1], activation="tanh", init="xavier")
    history = fit(model, X, y, losses.bce_with_logits, Adam(model.parameters(), lr=0.1), epochs, progress=progress)
    return model, X, y, history


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("xor", __doc__)
    parser.add_argument("--epochs", type=int, default=300)
    args = parser.parse_args(argv)
    model, X, y, history = train(args.epochs, progress=not args.no_progress)
    print(f"after {args.epochs} epochs: loss {history['loss'][-1]:.4f}, accuracy {history['accuracy'][-1]:.0%}\n")
    print(" x1  x2 | target | sigmoid(score) | predicted")
    print("--------+--------+----------------+----------")
    for (a, b), t in zip(X, y):
        p = model([a, b]).sigmoid().data
        print(f" {a:2.0f}  {b:2.0f} |   {t}    |     {p:.4f}     |     {int(p > 0.5)}")
    path = viz.plot_decision_boundary(model, X, y, args.out / "xor_boundary.png", title="XOR: what the 2-2-1 network learned")
    print(f"\ndecision boundary: {path}")
    return 0
