"""Differentiating through an argmin: tune a ridge penalty by gradient descent on the validation loss.

The inner problem fits one weight, w*(lam) = argmin_w sum (w x - t)^2 + lam w^2, on a
training split; the outer one picks lam to make w*(lam) do well on a validation split.
The outer gradient needs dw*/dlam. ``engine.implicit_grad`` gives it from the inner
problem's second derivatives alone (Backpropagation Calculus for Deep Learning, §9, Differentiation through
Optimization, lines 273-275), at whatever w* the inner
solver returned; the demo checks it against the closed form -sum(x t) / (sum(x^2) + lam)^2
and against differentiating through 200 unrolled gradient steps, then takes the outer steps.
"""

from __future__ import annotations

import random
from typing import List, Optional, Tuple

from engine import Value, grad, implicit_grad

from .common import common_args, progress

SEED, SLOPE, NOISE = 2, 1.5, 0.8
LAM0, OUTER_LR = 0.1, 0.2


def data() -> Tuple[List[Tuple[float, float]], List[Tuple[float, float]]]:
    """Seeded points of t = 1.5 x: eight noisy ones to train on (their least-squares slope is 2.02), and thirty
    on the line itself to validate with, so that the best penalty shrinks the slope back towards 1.5."""
    rng = random.Random(SEED)
    train = [(x, SLOPE * x + rng.gauss(0.0, NOISE)) for x in (rng.uniform(-1, 1) for _ in range(8))]
    return train, [(x, SLOPE * x) for x in (rng.uniform(-1, 1) for _ in range(30))]


def best_penalty(train, val) -> float:
    """The lam whose w*(lam) is the validation set's own least-squares slope: the outer problem's answer."""
    w_val = sum(x * t for x, t in val) / sum(x * x for x, _ in val)
    return sum(x * t for x, t in train) / w_val - sum(x * x for x, _ in train)


def inner_loss(train: List[Tuple[float, float]]):
    return lambda lam, w: sum(((w * x - t) ** 2 for x, t in train), 0.0) + lam * w * w


def solve(train: List[Tuple[float, float]], lam: float) -> float:
    """w*(lam) in closed form: sum(x t) / (sum(x^2) + lam)."""
    return sum(x * t for x, t in train) / (sum(x * x for x, _ in train) + lam)


def unrolled(train: List[Tuple[float, float]], steps: int = 200, lr: float = 0.05, shown: bool = False):
    """w after ``steps`` of gradient descent on the inner loss, as a differentiable function of lam (``shown``:
    with a progress bar, for these steps are the demo's slow part)."""
    slope = grad(inner_loss(train), 1)

    def run(lam):
        w = lam * 0.0
        for _ in progress(range(steps), f"{steps} unrolled steps", shown):
            w = w - lr * slope(lam, w)
        return w
    return run


def hypergradient(train, val, lam: float) -> Tuple[float, float, float]:
    """(w*, dw*/dlam, d val_loss/dlam) at lam: the chain rule through w*, its derivative by implicit_grad."""
    w = solve(train, lam)
    dw = implicit_grad(inner_loss(train), lam, w)
    dval_dw = sum(2 * (w * x - t) * x for x, t in val)
    return w, dw, dval_dw * dw


def run(outer_steps: int = 12, shown: bool = False) -> dict:
    train, val = data()
    w = solve(train, LAM0)
    checks = {"implicit_grad": implicit_grad(inner_loss(train), LAM0, w),
              "closed form": -sum(x * t for x, t in train) / (sum(x * x for x, _ in train) + LAM0) ** 2,
              "200 unrolled steps": grad(unrolled(train, shown=shown))(Value(LAM0)).data}
    path, lam = [], LAM0
    for _ in range(outer_steps):
        w, _, g = hypergradient(train, val, lam)
        path.append((lam, w, sum((w * x - t) ** 2 for x, t in val)))
        lam = max(lam - OUTER_LR * g, 0.0)  # a penalty is never negative
    return {"checks": checks, "path": path, "best": best_penalty(train, val)}


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("implicit", __doc__).parse_args(argv)
    result = run(shown=not args.no_progress)
    print(f"dw*/dlam at lam = {LAM0}:")
    for name, value in result["checks"].items():
        print(f"  {name:<20}{value:>+.12f}")
    print("\nouter gradient descent on lam (validation loss through w*(lam)):")
    print(f"{'step':>5}{'lam':>12}{'w*':>12}{'val loss':>12}")
    for k, (lam, w, loss) in enumerate(result["path"]):
        print(f"{k:>5}{lam:>12.5f}{w:>12.5f}{loss:>12.3e}")
    print(f"\nthe best penalty, in closed form: lam = {result['best']:.5f}")
    return 0
