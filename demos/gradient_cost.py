"""The cost of a gradient: backprop costs about one more forward pass, finite differences 2P of them.

Backpropagation: The Engine of Deep Learning (§7.4.2, Computational Complexity, lines 886-893) states that a gradient
costs the same order as the function, and Chapter 16: Backpropagation -- The Complete Derivation (§16.7, lines 725-746)
that backprop costs about twice the forward pass, against 2P forward passes for central
differences over P parameters. Its exercises 16.3 and 16.5 (lines 791-799) ask for the counts:
a 5-10-8-3 network has 175 parameters, its forward pass 154 multiply-adds, and the backward pass
at most twice that. ``python -m demos gradient_cost`` counts them in the engine's own graph and
backward pass, then times forward, backward and finite differences against P and draws them
(``out/gradient_cost.png``).
"""

from __future__ import annotations

import random
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from engine import Value, ops, topological_order
from nn import MLP, losses
from viz import plot_scaling

from .common import best_time, common_args, progress

EXERCISE = (5, [10, 8, 3])
WIDTHS = (4, 8, 16, 32)
QUICK = (4, 8, 16)


class Counts(NamedTuple):
    """A network's parameters, and the multiply-adds of its forward and backward pass read off the engine."""

    parameters: int
    forward: int
    weight_gradients: int
    passed_back: int

    @property
    def backward(self) -> int:
        return self.weight_gradients + self.passed_back


def count(nin: int, sizes: Sequence[int]) -> Counts:
    """Counts for an MLP: forward multiply-adds are the weighted sums' pairs (each ``dot`` node of the graph);
    backward ones are the products the reverse pass forms at those nodes, adjoint times local derivative,
    for each weight (dL/dW) and for each activation of the layer below (dL/da, passed back); nothing is
    passed back to the data."""
    state = random.getstate()
    random.seed(0)
    model = MLP(nin, list(sizes), activation="sigmoid")
    random.setstate(state)
    outputs = model([0.1 * (i + 1) for i in range(nin)])
    outputs = outputs if isinstance(outputs, list) else [outputs]
    loss = losses.mse(outputs, [0.0] * len(outputs))
    weights = {id(w) for layer in model.layers for n in layer.neurons for w in n.w}
    dots = [v for v in topological_order(loss) if v._fn is ops.DOT]
    forward = sum(len(v._prev) // 2 for v in dots)
    to_weights = to_activations = 0
    for step in loss.backward_steps():
        if step.node._fn is ops.DOT:
            to_weights += sum(id(p) in weights for p, _ in step.sent)
            to_activations += sum(bool(p._prev) for p, _ in step.sent)
    return Counts(len(model.parameters()), forward, to_weights, to_activations)


def timings(widths: Sequence[int] = WIDTHS, repeats: int = 3,
            shown: bool = False) -> Dict[str, List[Tuple[int, float]]]:
    """Seconds (best of ``repeats``) for the forward pass, the backward pass and central differences of a
    4-w-w-1 network's loss over 8 samples, against its parameter count P. ``shown``: a progress bar per width
    through the differences, the slow part (P parameters, two passes each)."""
    X = [[0.1 * i, -0.2 * i, 0.05 * i, 0.3] for i in range(8)]
    y = [1.0 if i % 2 else -1.0 for i in range(8)]
    out: Dict[str, List[Tuple[int, float]]] = {"forward pass": [], "backward pass": [], "central differences (2P passes)": []}
    for w in widths:
        random.seed(0)
        model = MLP(4, [w, w, 1], activation="tanh")
        params = model.parameters()
        loss = lambda: losses.mse([model(x) for x in X], y)  # noqa: E731
        f = best_time(loss, repeats)
        b = best_time(lambda: (loss().backward()), repeats) - f
        bar = f"central differences, P = {len(params)}"
        fd = best_time(lambda: _differences(progress(params, bar, shown), loss), 1)
        P = len(params)
        out["forward pass"].append((P, f))
        out["backward pass"].append((P, max(b, 1e-6)))
        out["central differences (2P passes)"].append((P, fd))
    return out


def _differences(params: Iterable[Value], loss) -> List[float]:
    grads = []
    for p in params:
        x = p.data
        p.data = x + 1e-6
        up = loss().data
        p.data = x - 1e-6
        down = loss().data
        p.data = x
        grads.append((up - down) / 2e-6)
    return grads


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("gradient_cost", __doc__, quick=f"hidden widths {QUICK} only")
    parser.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS), help=f"hidden widths (default {WIDTHS})")
    args = parser.parse_args(argv)
    widths = QUICK if args.quick else args.widths
    nin, sizes = EXERCISE
    c = count(nin, sizes)
    print(f"exercise 16.5: a {nin}-{'-'.join(map(str, sizes))} network")
    print(f"  parameters                                  {c.parameters}")
    print(f"  forward multiply-adds (the weighted sums)   {c.forward}")
    print(f"  backward: for the weight gradients          {c.weight_gradients}")
    print(f"            passed back to the layers below   {c.passed_back}")
    print(f"            in all                            {c.backward}  (exercise 16.3: at most 2 x {c.forward} = "
          f"{2 * c.forward})\n")
    runs = timings(widths, shown=not args.no_progress)
    print(f"{'P':>6}{'forward ms':>12}{'backward ms':>13}{'backward/forward':>18}{'differences ms':>16}"
          f"{'differences/forward':>21}")
    for (P, f), (_, b), (_, d) in zip(*runs.values()):
        print(f"{P:>6}{f * 1e3:>12.2f}{b * 1e3:>13.2f}{b / f:>18.1f}{d * 1e3:>16.1f}{d / f:>21.0f}")
    path = plot_scaling({"parameters P": runs}, args.out / "gradient_cost.png", title="the cost of a gradient")
    print(f"\nbackprop costs a small multiple of the forward pass at every size; central differences 2P of them\n"
          f"plot: {path}")
    return 0 if c.parameters == 175 and c.backward <= 2 * c.forward else 1
