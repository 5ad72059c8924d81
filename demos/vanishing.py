"""Vanishing gradients: the same deep network with sigmoid and with ReLU, Xavier initialisation.

Six hidden layers of width 20 on the two-moons data; after one backward pass the
gradient norm of each layer shows how much signal reaches it. Sigmoid's slope is at
most 1/4, so the gradient shrinks layer by layer on its way back to the input.
"""

from __future__ import annotations

import random
from typing import Dict, List, Optional

from nn import MLP, losses
from nn.data import moons

import viz

from .common import common_args

DEPTH, WIDTH, SEED = 6, 20, 0


def gradient_norms(activation: str, seed: int = SEED) -> List[float]:
    """Per-layer gradient norms (first layer first) after one backward pass of the loss."""
    X, y = moons(100, noise=0.1, seed=seed)
    random.seed(seed)
    model = MLP(2, [WIDTH] * DEPTH + [1], activation=activation, init="xavier")
    losses.bce_with_logits([model(x) for x in X], y).backward()
    return model.layer_grad_norms()


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("vanishing", __doc__).parse_args(argv)
    norms: Dict[str, List[float]] = {a: gradient_norms(a) for a in ("sigmoid", "relu")}
    print(f"gradient norm per layer, {DEPTH} hidden layers of width {WIDTH} + output, Xavier init")
    print(f"{'layer':>7} {'sigmoid':>12} {'relu':>12}")
    for i, (s, r) in enumerate(zip(norms["sigmoid"], norms["relu"])):
        print(f"{i:>7} {s:>12.3e} {r:>12.3e}")
    for a, n in norms.items():
        print(f"{a}: first layer gets {n[0] / n[-1]:.2e} of the output layer's gradient norm")
    path = viz.plot_grad_flow(norms, args.out / "vanishing.png", title="gradient flow: sigmoid against ReLU")
    print(f"bar chart: {path}")
    return 0
