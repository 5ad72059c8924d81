"""Forward mode against reverse mode: f(x, y) = x^2 + y^3 at (2, 3), then timed on networks of n inputs and m outputs.

Forward mode pushes one tangent through per input, so a gradient of n inputs takes
n passes; reverse mode pulls the adjoint back once per output and gets all n.

Backpropagation Calculus for Deep Learning (§6 Computational Complexity Analysis, lines 189-206, and its experiment 1)
states the costs rightly, O(n) forward passes and O(m) reverse passes, but its lines 194 and
199 swap the cases: forward mode suits few inputs and many outputs (n < m), reverse mode many
inputs and few outputs (n > m), which is why a network's loss, one output of many parameters,
is differentiated in reverse. ``--timing`` measures it: the full Jacobian of a tanh network with
a hidden layer of 16, by ``jacfwd`` (n passes) and by ``jacobian`` (m reverse passes), against n
with m = 4 and against m with n = 4, drawn in ``out/forward_vs_reverse.png``.
"""

from __future__ import annotations

from typing import List, Optional

import random

from engine import Value, jacfwd, jacobian, jvp
from viz import plot_scaling

from .common import best_time, common_args

POINT = (2.0, 3.0)


def f(x, y):
    return x ** 2 + y ** 3


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("forward_vs_reverse", __doc__)
    parser.add_argument("--timing", action="store_true", help="time both modes on networks of n inputs and m outputs")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help=f"n and m to try (default {SIZES})")
    args = parser.parse_args(argv)
    print("f(x, y) = x^2 + y^3 at (x, y) = (2, 3); by hand df/dx = 2x = 4, df/dy = 3y^2 = 27\n")
    print("Forward mode (dual numbers): one pass per input direction")
    forward = []
    for pass_number, direction in enumerate(((1.0, 0.0), (0.0, 1.0)), 1):
        value, tangent = jvp(f, POINT, direction)
        forward.append(tangent)
        print(f"  pass {pass_number}: tangent {direction} -> f = {value:g}, directional derivative = {tangent:g}")
    print(f"  gradient {tuple(forward)} after {len(forward)} passes\n")
    print("Reverse mode (backward): one pass for every input at once")
    x, y = Value(POINT[0], label="x"), Value(POINT[1], label="y")
    out = f(x, y)
    out.backward()
    reverse_passes = 1
    print(f"  pass 1: f = {out.data:g}, df/dx = {x.grad:g}, df/dy = {y.grad:g}")
    print(f"  gradient ({x.grad:g}, {y.grad:g}) after {reverse_passes} pass\n")
    print(f"Passes: forward mode {len(forward)}, reverse mode {reverse_passes}. With n inputs and one output, forward mode")
    print("needs n passes and reverse mode one; with one input and many outputs it is the other way round.")
    if args.timing:
        timing(args.sizes, args.out)
    return 0


SIZES = (1, 2, 4, 8, 16, 32)
FIXED, HIDDEN = 4, 16


def network(n: int, m: int, seed: int = 0):
    """f: R^n -> R^m, m outputs of a hidden tanh layer of 16 over n inputs, fixed random weights."""
    rng = random.Random(seed)
    W1 = [[rng.gauss(0.0, 1.0 / n ** 0.5) for _ in range(n)] for _ in range(HIDDEN)]
    W2 = [[rng.gauss(0.0, 0.25) for _ in range(HIDDEN)] for _ in range(m)]

    def f(xs):
        h = [sum((w * x for w, x in zip(row, xs)), 0.0).tanh() for row in W1]
        return [sum((w * a for w, a in zip(row, h)), 0.0) for row in W2]

    return f


def jacobians(n: int, m: int):
    """The m x n Jacobian at a point by forward mode (n passes) and by reverse mode (m passes)."""
    f = network(n, m)
    xs = [0.1 * (i % 7) - 0.3 for i in range(n)]
    forward = jacfwd(f)(xs)
    reverse = [[d.data for d in row] for row in jacobian(f)(xs)]
    return f, xs, forward, reverse


def timing(sizes, out) -> None:
    panels = {"inputs n (m = 4 outputs)": {"forward mode": [], "reverse mode": []},
              "outputs m (n = 4 inputs)": {"forward mode": [], "reverse mode": []}}
    print(f"\nThe full Jacobian of a tanh network (hidden width {HIDDEN}), best of 3 (ms):")
    print(f"{'n':>4}{'m':>4}{'forward':>10}{'reverse':>10}  faster")
    for panel, shape in zip(panels, (lambda k: (k, FIXED), lambda k: (FIXED, k))):
        for k in sizes:
            n, m = shape(k)
            f, xs, forward, reverse = jacobians(n, m)
            assert all(abs(a - b) <= 1e-12 * max(1.0, abs(b)) for fr, rr in zip(forward, reverse) for a, b in zip(fr, rr))
            tf = best_time(lambda: jacfwd(f)(xs))
            tr = best_time(lambda: jacobian(f)(xs))
            panels[panel]["forward mode"].append((k, tf))
            panels[panel]["reverse mode"].append((k, tr))
            print(f"{n:>4}{m:>4}{tf * 1e3:>10.2f}{tr * 1e3:>10.2f}  {'forward' if tf < tr else 'reverse'}")
    path = plot_scaling(panels, out / "forward_vs_reverse.png", title="the full Jacobian: forward against reverse mode")
    print("forward mode's cost grows with the inputs n, reverse mode's with the outputs m: forward suits n < m, "
          "reverse n > m")
    print(f"plot: {path}")
