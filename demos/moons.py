"""micrograd's demo: an MLP 2-16-16-1 learns the two-moons data with a max-margin loss.

Run it with ``python -m demos moons``. It trains for 100 full-batch SGD steps,
shows loss and accuracy in a progress bar, and writes the decision boundary and
the graph of one neuron under ``out/``.
"""

from __future__ import annotations

import math
import random
from typing import Callable, List, Optional, Sequence, Tuple

import engine
from engine import Value
from nn import MLP
from nn.data import moons

import viz

from .common import common_args

SEED = 1337  # micrograd's demo seed


def svm_loss(model, X: Sequence[Sequence[float]], y: Sequence[int], alpha: float = 1e-4,
             add_up: Callable = engine.sum) -> Tuple[Value, float]:
    """Mean max-margin loss ``relu(1 - y*score)`` plus ``alpha * sum(p*p)``, and the accuracy.

    Labels are +-1. ``add_up`` sums a list of Values: ``engine.sum`` makes one fused
    node; the builtin ``sum`` works too (and lets the benchmark run micrograd on
    this very function).
    """
    scores = [model(x) for x in X]
    losses = [(1 - yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = add_up(losses) * (1.0 / len(losses))
    reg_loss = alpha * add_up([p * p for p in model.parameters()])
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)
    return data_loss + reg_loss, accuracy


def sgd_step(model, loss: Optional[Value], k: int, steps: int = 100) -> None:
    """One step of micrograd's schedule, ``lr = 1.0 - 0.9*k/steps`` (backward first, unless ``loss`` is None)."""
    if loss is not None:
        model.zero_grad()
        loss.backward()
    lr = 1.0 - 0.9 * k / steps
    for p in model.parameters():
        p.data -= lr * p.grad


def data(seed: int = SEED) -> Tuple[List[List[float]], List[int]]:
    """The demo's 100 points with labels +-1."""
    X, y = moons(100, noise=0.1, seed=seed)
    return X, [2 * label - 1 for label in y]


def compiled_loss(model, X, y, alpha: float = 1e-4, backend: str = "numpy") -> Callable[[], Tuple[float, float]]:
    """``svm_loss`` by replay: the margin loss of one sample is traced once and replayed over the
    batch (NumPy) or sample by sample (generated Python); the L2 term, which needs no data, is
    traced once too and replayed on floats. Each call sets the parameters' grads and returns
    (loss, accuracy).
    """

    def sample(x, t):
        score = model(x)
        return (1 - t * score).relu(), score

    program = engine.compile(sample, X[0], y[0])
    params = model.parameters()
    l2 = engine.compile(lambda: alpha * engine.dot(params, params))  # one fused node, no inputs

    def step() -> Tuple[float, float]:
        model.zero_grad()
        reg = l2.backward()  # sets each p.grad to 2 alpha p
        r = program.batch(X, y) if backend == "numpy" else program.loop(X, y)
        scores = list(r.aux)
        for p, g in zip(program.parameters, r.param_grads):
            p.grad += g / len(X)
        accuracy = sum((t > 0) == (s > 0) for t, s in zip(y, scores)) / len(y)
        return math.fsum(r.values) / len(X) + reg.value, accuracy

    return step


def train(steps: int = 100, seed: int = SEED, progress: bool = True, compiled: Optional[str] = None):
    """Train the demo network; returns the model, the data and the (loss, accuracy) history."""
    from nn.train import progress_bar

    X, y = data(seed)
    random.seed(seed)
    model = MLP(2, [16, 16, 1])
    replay = compiled_loss(model, X, y, backend=compiled) if compiled else None
    history = []
    bar = progress_bar(range(steps), desc="moons", disable=not progress, unit="step")
    for k in bar:
        if replay is None:
            loss, accuracy = svm_loss(model, X, y)
            sgd_step(model, loss, k, steps)
            loss = loss.data
        else:
            loss, accuracy = replay()
            sgd_step(model, None, k, steps)
        history.append((loss, accuracy))
        bar.set_postfix(loss=f"{loss:.4f}", accuracy=f"{accuracy:.0%}", refresh=False)
    return model, X, y, history


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("moons", __doc__)
    parser.add_argument("--steps", type=int, default=100, help="SGD steps (default 100)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed for the data and the weights")
    parser.add_argument("--compiled", nargs="?", const="numpy", choices=["numpy", "python"],
                        help="replay a traced sample loss instead of building the graph each step "
                             "(numpy: whole batch at once, the default; python: generated code)")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")

    model, X, y, history = train(args.steps, args.seed, progress=not args.no_progress, compiled=args.compiled)
    loss, accuracy = history[-1]
    print(f"step {len(history) - 1}: loss {loss:.4f}, training accuracy {accuracy:.0%}")

    boundary = viz.plot_decision_boundary(model, X, y, args.out / "moons_boundary.png",
                                          title="two moons: decision boundary after training")
    neuron = model.layers[0].neurons[0]
    with engine.no_grad():  # a sample this ReLU passes, so the picture shows gradients flowing (if it has one)
        x = next((x for x in X if neuron(x).data > 0), X[0])
    out = neuron(x)
    model.zero_grad()  # the last training step's grads would otherwise add to this pass's in the picture
    out.backward()
    graph = viz.save(out, args.out / "moons_neuron.svg")
    print(f"decision boundary: {boundary}")
    print(f"one neuron's graph: {graph}")
    return 0
