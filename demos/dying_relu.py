"""Dying ReLU: a large negative bias kills every unit, and leaky ReLU brings them back.

The Backpropagation Algorithm (Common Issues and Solutions, 3. Dead ReLU Neurons, lines 310-319): a ReLU unit that
outputs 0 for every input passes back no gradient, so it never learns again; a large negative
bias is one cause, and leaky ReLU a cure. ``python -m demos dying_relu`` builds a 2-16-16-1
network on 200 two-moons points, sets every hidden bias to -5 so that no unit fires, and trains
it with Adam: with ReLU the loss stays at log 2 (chance) and ``fit`` warns that the network is
dead; with leaky ReLU (slope 0.01) the small slope below zero still passes a gradient, the biases
climb, and most units come back to life. The curves go to ``out/dying_relu.png``.
"""

from __future__ import annotations

import random
import warnings
from typing import Dict, List, NamedTuple, Optional, Sequence

import nn
from engine import no_grad
from nn import MLP, Adam, DeadNetworkWarning, fit, losses
from viz import plot_loss_curves

from .common import common_args

SAMPLES, EPOCHS, SEED, BIAS, LR = 200, 40, 0, -5.0, 0.05


class Run(NamedTuple):
    """One network: its dead units (of all hidden units) before and after training, its losses, whether
    fit warned that it was dead, and how far its hidden weights moved (the largest change of any)."""

    dead_before: int
    dead_after: int
    units: int
    losses: List[float]
    warned: bool
    moved: float


def dead_units(model: MLP, X: Sequence[Sequence[float]]) -> int:
    """Hidden units whose output is 0 (or below, for leaky ReLU) for every input: they pass back no gradient
    through ReLU, and only the small slope through leaky ReLU."""
    hidden = model.layers[:-1]
    fired = [[False] * len(layer.neurons) for layer in hidden]
    with no_grad():
        for x in X:
            h = list(x)
            for k, layer in enumerate(hidden):
                h = [neuron(h) for neuron in layer.neurons]
                fired[k] = [f or v.data > 0 for f, v in zip(fired[k], h)]
    return sum(not f for row in fired for f in row)


def train(activation: str, epochs: int = EPOCHS) -> Run:
    X, y = nn.data.moons(SAMPLES, noise=0.1, seed=SEED)
    random.seed(SEED)
    model = MLP(2, [16, 16, 1], activation=activation, init="he")
    for layer in model.layers[:-1]:
        for neuron in layer.neurons:
            neuron.b.data = BIAS
    before = dead_units(model, X)
    hidden = [w for layer in model.layers[:-1] for neuron in layer.neurons for w in neuron.w]
    start = [w.data for w in hidden]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeadNetworkWarning)
        history = fit(model, X, y, losses.bce_with_logits, Adam(model.parameters(), lr=LR), epochs, batch_size=32,
                      progress=False, compiled=True, seed=SEED)
    warned = any(issubclass(w.category, DeadNetworkWarning) for w in caught)
    moved = max(abs(w.data - w0) for w, w0 in zip(hidden, start))
    return Run(before, dead_units(model, X), 32, history["loss"], warned, moved)


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("dying_relu", __doc__)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs (default {EPOCHS})")
    args = parser.parse_args(argv)
    runs: Dict[str, Run] = {name: train(name, args.epochs) for name in ("relu", "leaky_relu")}
    print(f"2-16-16-1 on {SAMPLES} two-moons points, every hidden bias set to {BIAS:g}, Adam (lr {LR}), "
          f"{args.epochs} epochs\n")
    print(f"{'activation':<12}{'dead units before':>19}{'after':>7}{'loss: epoch 1':>15}{'last':>8}"
          f"{'hidden weights moved':>22}  fit warned dead")
    for name, r in runs.items():
        print(f"{name:<12}{f'{r.dead_before} of {r.units}':>19}{r.dead_after:>7}{r.losses[0]:>15.4f}{r.losses[-1]:>8.4f}"
              f"{r.moved:>22.3g}  {'yes' if r.warned else 'no'}")
    path = plot_loss_curves({f"hidden biases set to {BIAS:g}": {n: r.losses for n, r in runs.items()}},
                            args.out / "dying_relu.png", title="dying ReLU, and leaky ReLU's cure")
    print(f"\nloss curves: {path}")
    return 0
