"""Random search against gradient descent, on the two-circles data with the same budget.

Both start from the same network and may evaluate the loss the same number of
times. Random search perturbs every weight at random and keeps a change only if
the loss drops; gradient descent asks backprop which way is down.
"""

from __future__ import annotations

import random
from typing import List, Optional, Tuple

from engine import no_grad
from nn import MLP, Adam, losses
from nn.data import circles

import viz
from viz.plots import pyplot, save_figure

from .common import common_args, progress

SEED = 0
QUICK = 50  # loss evaluations for --quick: enough for gradient descent to find the circle
HIDDEN = [8, 8]


def _loss(model, X, y):
    return losses.bce_with_logits([model(x) for x in X], y)


def _accuracy(model, X, y) -> float:
    with no_grad():
        return sum((model(x).data > 0) == bool(t) for x, t in zip(X, y)) / len(y)


def random_search(X, y, budget: int, sigma: float = 0.1, seed: int = SEED,
                  shown: bool = False) -> Tuple[MLP, List[float]]:
    """Keep a random perturbation of all weights whenever it lowers the loss; one evaluation each (``shown``: with a
    progress bar)."""
    random.seed(seed)
    model = MLP(2, HIDDEN + [1], activation="tanh", init="xavier")
    rng = random.Random(seed + 1)
    params = model.parameters()
    with no_grad():
        best = _loss(model, X, y).data
        curve = [best]
        for _ in progress(range(budget - 1), "random search", shown):
            saved = [p.data for p in params]
            for p in params:
                p.data += rng.gauss(0.0, sigma)
            trial = _loss(model, X, y).data
            if trial < best:
                best = trial
            else:
                for p, s in zip(params, saved):
                    p.data = s
            curve.append(best)
    return model, curve


def gradient_descent(X, y, budget: int, lr: float = 0.05, seed: int = SEED,
                     shown: bool = False) -> Tuple[MLP, List[float]]:
    """Adam on the full batch; each step is one loss evaluation (and one backward pass)."""
    random.seed(seed)
    model = MLP(2, HIDDEN + [1], activation="tanh", init="xavier")
    opt = Adam(model.parameters(), lr=lr)
    curve = []
    for _ in progress(range(budget), "gradient descent", shown):
        loss = _loss(model, X, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        curve.append(loss.data)
    return model, curve


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("circles", __doc__, quick=f"a budget of {QUICK} (the same as --budget {QUICK})")
    parser.add_argument("--budget", type=int, default=200, help="loss evaluations for each method")
    args = parser.parse_args(argv)
    budget = QUICK if args.quick else args.budget
    X, y = circles(100, noise=0.08, seed=SEED)
    rs_model, rs_curve = random_search(X, y, budget, shown=not args.no_progress)
    gd_model, gd_curve = gradient_descent(X, y, budget, shown=not args.no_progress)
    rs_acc, gd_acc = _accuracy(rs_model, X, y), _accuracy(gd_model, X, y)
    print(f"budget: {budget} loss evaluations each, network 2-{'-'.join(map(str, HIDDEN))}-1 (tanh)")
    print(f"  random search     final loss {rs_curve[-1]:.4f}, accuracy {rs_acc:.0%}")
    print(f"  gradient descent  final loss {gd_curve[-1]:.4f}, accuracy {gd_acc:.0%}")
    fig, axes = pyplot().subplots(1, 3, figsize=(15, 4.5))
    axes[0].plot(rs_curve, label="random search (best so far)")
    axes[0].plot(gd_curve, label="gradient descent (Adam)")
    axes[0].set_xlabel("loss evaluations")
    axes[0].set_ylabel("binary cross-entropy")
    axes[0].set_yscale("log")
    axes[0].legend()
    axes[0].set_title("loss against budget")
    viz.plot_decision_boundary(rs_model, X, y, title=f"random search: {rs_acc:.0%}", ax=axes[1])
    viz.plot_decision_boundary(gd_model, X, y, title=f"gradient descent: {gd_acc:.0%}", ax=axes[2])
    path = save_figure(fig, args.out / "circles.png")
    print(f"plots: {path}")
    return 0
