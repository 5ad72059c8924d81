"""Vanishing and exploding gradients, and the cures for them, each measured on its own.

The baseline is a deep sigmoid network (8 hidden layers of width 8, micrograd's uniform(-1, 1)
weights) on the two-moons data. Sigmoid's slope is at most 1/4, so the gradient shrinks layer
by layer on its way back: the first layer gets a few ten-thousandths of the last layer's, and
Adam barely moves the loss. Each cure changes one thing (three of the chapters list them):
ReLU; batch normalisation before each sigmoid; residual connections around each layer; and an
initialisation matched to its activation (Xavier's for tanh, He's for ReLU; Xavier's alone does
not rescue sigmoid, whose slope is still 1/4). Exploding gradients are the opposite failure:
a wide ReLU network with the same uniform weights multiplies the gradient at every layer, and
plain gradient descent overflows within a few steps; clipping the gradient norm to 1 trains it.

The per-layer gradient norms of every network, and their training curves, go to
``out/vanishing.png``.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from nn import MLP, SGD, Activation, Adam, BatchNorm, Layer, Module, Residual, Sequential, clip_grad_norm, losses
from nn.data import moons

import viz

from .common import common_args, progress

DEPTH, WIDTH, SAMPLES, EPOCHS, SEED = 8, 8, 64, 40, 0
QUICK = dict(depth=5, width=6, samples=24, epochs=6)
EXPLODING_WIDTH, EXPLODING_LR, CLIP = 32, 0.05, 1.0


def _mlp(activation: str, init: str = "uniform") -> Callable[[int, int], Module]:
    return lambda depth, width: MLP(2, [width] * depth + [1], activation=activation, init=init)


def _batch_norm(depth: int, width: int) -> Module:
    layers: List[Module] = []
    for i in range(depth):
        layers += [Layer(2 if i == 0 else width, width, activation="linear"), BatchNorm(width), Activation("sigmoid")]
    return Sequential(*layers, Layer(width, 1, activation="linear"))


def _residual(depth: int, width: int) -> Module:
    blocks = [Residual(Layer(width, width, activation="sigmoid")) for _ in range(depth - 1)]
    return Sequential(Layer(2, width, activation="sigmoid"), *blocks, Layer(width, 1, activation="linear"))


# name -> (how to build it, what it changes); the first is the baseline
NETWORKS: Dict[str, Tuple[Callable[[int, int], Module], str]] = {
    "sigmoid (baseline)": (_mlp("sigmoid"), "sigmoid, uniform(-1, 1) weights"),
    "ReLU": (_mlp("relu"), "relu instead of sigmoid"),
    "batch norm": (_batch_norm, "BatchNorm before each sigmoid"),
    "residual": (_residual, "x + sigmoid(W x + b) in each hidden layer"),
    "Xavier init, tanh": (_mlp("tanh", "xavier"), "tanh with the initialisation derived for it"),
    "He init, ReLU": (_mlp("relu", "he"), "relu with the initialisation derived for it"),
    "Xavier init, sigmoid": (_mlp("sigmoid", "xavier"), "the initialisation alone: no cure for sigmoid"),
}


class Run(NamedTuple):
    """One network: its per-layer gradient norms at the start (first layer first) and its loss per epoch."""

    norms: List[float]
    losses: List[float]
    diverged: Optional[str] = None  # why training stopped early, if it did

    @property
    def ratio(self) -> float:
        """The first layer's gradient norm over the last layer's."""
        return self.norms[0] / self.norms[-1]


def layer_norms(model: Module) -> List[float]:
    """The gradient norm of each weight layer (each ``Layer``), first first: batch norms and activations
    in between are left out, so that every network is measured at the same places."""
    return [m.grad_norm() for m in model.modules() if isinstance(m, Layer)]


def train(model: Module, data: Tuple[list, list], epochs: int, optimizer: object, clip: Optional[float] = None,
          bar: Any = None) -> Run:
    """Full-batch training from the model's start: the per-layer norms of the first gradient, and the losses.
    ``bar``, a progress bar, moves on by one each epoch (and past the epochs an overflow leaves out)."""
    X, y = data
    norms: List[float] = []
    history: List[float] = []
    for _ in range(epochs):
        optimizer.zero_grad()
        try:
            loss = losses.bce_with_logits(model.forward_batch(X), y)
            loss.backward()
        except (OverflowError, ValueError) as e:  # the engine refuses inf and nan: it says where instead
            if bar is not None:
                bar.update(epochs - len(history))
            return Run(norms, history, f"overflowed at epoch {len(history) + 1}: {str(e).split(';')[0]}")
        norms = norms or layer_norms(model)
        if clip is not None:
            clip_grad_norm(model.parameters(), clip)
        optimizer.step()
        history.append(loss.data)
        if bar is not None:
            bar.update(1)
    return Run(norms, history)


def cures(depth: int = DEPTH, width: int = WIDTH, samples: int = SAMPLES, epochs: int = EPOCHS,
          bar: Any = None) -> Dict[str, Run]:
    """Every network of ``NETWORKS``, trained with Adam (lr 0.01) from the same seed; ``bar`` names each in turn."""
    data = moons(samples, noise=0.1, seed=SEED)
    runs = {}
    for name, (build, _) in NETWORKS.items():
        if bar is not None:
            bar.set_description(name)
        random.seed(SEED)
        model = build(depth, width)
        runs[name] = train(model, data, epochs, Adam(model.parameters(), lr=0.01), bar=bar)
    return runs


def exploding(depth: int = DEPTH, samples: int = SAMPLES, epochs: int = EPOCHS, bar: Any = None) -> Dict[str, Run]:
    """A wide ReLU network with uniform(-1, 1) weights under plain gradient descent, without and with clipping."""
    data = moons(samples, noise=0.1, seed=SEED)
    runs = {}
    for name, clip in (("exploding: wide ReLU", None), (f"exploding, clipped to norm {CLIP:g}", CLIP)):
        if bar is not None:
            bar.set_description(name)
        random.seed(SEED)
        model = _mlp("relu")(depth, EXPLODING_WIDTH)
        runs[name] = train(model, data, epochs, SGD(model.parameters(), lr=EXPLODING_LR), clip, bar=bar)
    return runs


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("vanishing", __doc__, quick="a smaller network, fewer samples and epochs")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else dict(depth=DEPTH, width=WIDTH, samples=SAMPLES, epochs=EPOCHS)
    explode_epochs = max(size["epochs"], 8)
    total = len(NETWORKS) * size["epochs"] + 2 * explode_epochs
    with progress(range(total), "training", not args.no_progress) as bar:  # one bar, counting epochs
        runs = cures(**size, bar=bar)
        runs.update(exploding(DEPTH, size["samples"], explode_epochs, bar=bar))  # 8 layers deep, so that it explodes
    print(f"{size['depth']} hidden layers of width {size['width']} on {size['samples']} two-moons points, "
          f"full-batch Adam (lr 0.01) for {size['epochs']} epochs; the exploding case is {DEPTH} layers of "
          f"{EXPLODING_WIDTH}, plain gradient descent (lr {EXPLODING_LR:g})\n")
    print(f"{'network':<30}{'first / last layer gradient':>28}{'loss: start':>13}{'end':>9}")
    for name, run in runs.items():
        end = f"{run.losses[-1]:>9.3f}" if not run.diverged else "  diverged"
        print(f"{name:<30}{run.ratio:>28.2e}{run.losses[0]:>13.3f}{end}")
    for name, run in runs.items():
        if run.diverged:
            print(f"{name}: {run.diverged}")
    norms = {n: r.norms for n, r in runs.items() if "clipped" not in n}  # clipping starts from the same gradient
    path = viz.plot_gradient_cures(norms, {n: r.losses for n, r in runs.items()}, args.out / "vanishing.png",
                                   overflowed=[n for n, r in runs.items() if r.diverged])
    print(f"\nper-layer gradient norms and training curves: {path}")
    return 0
