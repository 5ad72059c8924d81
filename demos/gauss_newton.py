"""Gauss-Newton against gradient descent: fitting y = a e^(-b t) to noisy points.

Backpropagation Calculus for Deep Learning (§9, Second-Order Methods, line 266) approximates the Hessian of a sum
of squared residuals by J^T J.
Each Gauss-Newton step solves (J^T J) d = -J^T r (``engine.gauss_newton_step``), which
takes the fit from a poor start to within 1e-6 of the least-squares loss in 3 steps.
Gradient descent on the same loss needs 33, at 0.12, the largest of the rates 0.05,
0.08, 0.1, 0.12 and 0.15 that converges here (0.15 ends up bouncing across the valley,
at twice the loss). The loss of both, step by step, goes to ``out/gauss_newton.png``, as its distance above the least-squares minimum.
"""

from __future__ import annotations

import math
import random
from typing import Dict, List, Optional, Tuple

from engine import Value, gauss_newton_step, grad
from viz import plot_convergence

from .common import common_args

TRUE = (2.0, 0.7)  # a, b
START = [1.0, 0.2]
SEED, POINTS, NOISE = 0, 20, 0.05
LR = 0.12  # gradient descent's rate: the largest that converges from START (0.15 does not)


def data() -> Tuple[List[float], List[float]]:
    """Twenty points of 2 e^(-0.7 t) on [0, 4], with seeded Gaussian noise of 0.05."""
    rng = random.Random(SEED)
    ts = [4.0 * i / (POINTS - 1) for i in range(POINTS)]
    return ts, [TRUE[0] * math.exp(-TRUE[1] * t) + rng.gauss(0.0, NOISE) for t in ts]


def residuals(ts: List[float], ys: List[float]):
    return lambda p: [p[0] * (-p[1] * t).exp() - y for t, y in zip(ts, ys)]


def run(gn_steps: int = 8, gd_steps: int = 100) -> Dict[str, Tuple[List[float], List[float]]]:
    """Each method's losses (1/2 sum r^2, before the first step and after each) and its final parameters."""
    r = residuals(*data())
    objective = lambda q: 0.5 * sum((ri * ri for ri in r(q)), 0.0)  # noqa: E731
    loss = lambda p: objective([Value(a) for a in p]).data  # noqa: E731  (the residuals use Value methods)
    p, losses = list(START), [loss(START)]
    for _ in range(gn_steps):
        p = gauss_newton_step(r, p)
        losses.append(loss(p))
    gn = (losses, p)
    gradient = grad(objective)
    p, losses = list(START), [loss(START)]
    for _ in range(gd_steps):
        p = [a - LR * g.data for a, g in zip(p, gradient(p))]
        losses.append(loss(p))
    return {"Gauss-Newton": gn, f"gradient descent (lr {LR})": (losses, p)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("gauss_newton", __doc__)
    parser.add_argument("--gd-steps", type=int, default=100, help="gradient descent steps (default 100)")
    args = parser.parse_args(argv)
    results = run(gd_steps=args.gd_steps)
    print(f"fit y = a exp(-b t) to {POINTS} noisy points of a = {TRUE[0]}, b = {TRUE[1]}, from a, b = {START}\n")
    print(f"{'method':<28}{'steps':>6}{'loss':>14}{'a':>10}{'b':>10}")
    for name, (losses, p) in results.items():
        print(f"{name:<28}{len(losses) - 1:>6}{losses[-1]:>14.6e}{p[0]:>10.5f}{p[1]:>10.5f}")
    gn_losses = results["Gauss-Newton"][0]
    best = gn_losses[-1]
    for name, (losses, _) in results.items():
        reach = next((k for k, x in enumerate(losses) if x <= best * (1 + 1e-6)), None)
        when = f"after {reach} steps" if reach is not None else f"never, in {len(losses) - 1} steps"
        print(f"{name}: within 1e-6 of the least-squares loss {when}")
    # the loss above its least-squares minimum, down to rounding: Gauss-Newton's quadratic convergence against
    # gradient descent's linear one
    excess = {name: [max(x - best, best * 1e-16) for x in losses] for name, (losses, _) in results.items()}
    path = plot_convergence(excess, args.out / "gauss_newton.png", title="fitting a e^(-b t): loss above its minimum",
                            ylabel="1/2 sum r^2 - least-squares minimum")
    print(f"\nplot: {path}")
    return 0
