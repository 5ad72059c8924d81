"""Gradient descent, Newton's method and BFGS on the Rosenbrock function, their paths drawn on its contours.

Backpropagation: The Engine of Deep Learning (Advanced Topics, Second-Order Methods, lines 1216-1236) sets Newton's
method,
theta <- theta - H^-1 grad J, beside quasi-Newton methods, which build an approximation B of the
Hessian from gradients alone. ``python -m demos rosenbrock`` runs the three from the classic start
(-1.2, 1) on f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, whose minimum (1, 1) lies at the end of a long
curved valley: gradient descent crawls along the valley floor, still 0.2 away after 2,000 steps at
0.002, the best fixed rate of 0.0005, 0.001, 0.0015, 0.002, 0.003 and 0.005 (from 0.003 on it bounces
across the valley, and at 0.008 it overflows); Newton's method (``engine.newton_step``, the Hessian from ``engine.hessian``)
arrives in 7 steps, after one long leap out of the valley and back; BFGS, written out below with a backtracking line search, gets there
with gradients alone in a few dozen. The paths go to ``out/rosenbrock_paths.png`` and the distance to
the minimum per iteration to ``out/rosenbrock_convergence.png``.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional

from engine import Value, grad, newton_step
from viz import plot_contour, plot_convergence

from .common import common_args

START = (-1.2, 1.0)
GD_RATE, GD_STEPS = 0.002, 2000
TOLERANCE = 1e-10  # stop when the gradient's norm is below this


def rosenbrock(x: Any, y: Any) -> Any:
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def f(p: List[Any]) -> Any:
    return rosenbrock(p[0], p[1])


def value(p: List[float]) -> float:
    return f([Value(a) for a in p]).data


def gradient(p: List[float]) -> List[float]:
    return [g.data for g in grad(f)(list(p))]


def gradient_descent(steps: int = GD_STEPS, rate: float = GD_RATE) -> List[List[float]]:
    p, path = list(START), [list(START)]
    for _ in range(steps):
        p = [a - rate * g for a, g in zip(p, gradient(p))]
        path.append(p)
    return path


def newton(limit: int = 50) -> List[List[float]]:
    p, path = list(START), [list(START)]
    while math.hypot(*gradient(p)) > TOLERANCE and len(path) <= limit:
        p = newton_step(f, p)
        path.append(p)
    return path


def bfgs(limit: int = 200) -> List[List[float]]:
    """BFGS: the inverse-Hessian estimate H starts as the identity and after each step takes the rank-two
    update H <- (I - r s y^T) H (I - r y s^T) + r s s^T, r = 1 / y^T s, from the step s and the change y of
    the gradient; each step goes along -H g as far as a backtracking (Armijo) line search allows."""
    p, g = list(START), gradient(START)
    H = [[1.0, 0.0], [0.0, 1.0]]
    path = [list(p)]
    while math.hypot(*g) > TOLERANCE and len(path) <= limit:
        d = [-(H[i][0] * g[0] + H[i][1] * g[1]) for i in range(2)]
        slope = d[0] * g[0] + d[1] * g[1]
        t, here = 1.0, value(p)
        while value([a + t * b for a, b in zip(p, d)]) > here + 1e-4 * t * slope and t > 1e-12:
            t *= 0.5
        new = [a + t * b for a, b in zip(p, d)]
        new_g = gradient(new)
        s = [b - a for a, b in zip(p, new)]
        y = [b - a for a, b in zip(g, new_g)]
        ys = y[0] * s[0] + y[1] * s[1]
        if ys > 1e-16:  # keeps H positive definite
            r = 1.0 / ys
            A = [[(i == j) - r * s[i] * y[j] for j in range(2)] for i in range(2)]
            AH = [[sum(A[i][k] * H[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
            H = [[sum(AH[i][k] * A[j][k] for k in range(2)) + r * s[i] * s[j] for j in range(2)] for i in range(2)]
        p, g = new, new_g
        path.append(list(p))
    return path


def distance(p: List[float]) -> float:
    return math.hypot(p[0] - 1.0, p[1] - 1.0)


def run() -> Dict[str, List[List[float]]]:
    return {f"gradient descent (rate {GD_RATE})": gradient_descent(), "Newton": newton(), "BFGS": bfgs()}


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("rosenbrock", __doc__).parse_args(argv)
    paths = run()
    print(f"f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from {START}; the minimum is f(1, 1) = 0\n")
    print(f"{'method':<30}{'iterations':>11}{'gradients':>11}{'Hessians':>10}{'distance to (1, 1)':>20}")
    for name, path in paths.items():
        n = len(path) - 1
        hessians = n if name == "Newton" else 0
        print(f"{name:<30}{n:>11}{n + 1:>11}{hessians:>10}{distance(path[-1]):>20.3e}")
    shown: Dict[str, Any] = {name: [tuple(p) for p in path] for name, path in paths.items()}
    first = f"gradient descent (rate {GD_RATE})"
    shown[first] = shown[first][::20] + [shown[first][-1]]  # every 20th step: the crawl, not a solid line
    contour = plot_contour(rosenbrock, (-2.0, 2.0), (-3.5, 3.0), paths=shown, log=True, levels=14,
                           marks={"minimum (1, 1)": (1.0, 1.0)},
                           path=args.out / "rosenbrock_paths.png", title="the Rosenbrock valley, and three paths down it")
    curves = {name: [max(distance(p), 1e-17) for p in path[:200]] for name, path in paths.items()}
    convergence = plot_convergence(curves, args.out / "rosenbrock_convergence.png", title="distance to the minimum",
                                   ylabel="|theta - (1, 1)|")
    print(f"\npaths: {contour}\nconvergence: {convergence}")
    return 0

