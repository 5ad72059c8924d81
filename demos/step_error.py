"""How big a step? Finite-difference error against h for J = exp(sin(x^2)) at x = 1.5.

Backpropagation: The Engine of Deep Learning checks this derivative with a central difference at
epsilon = 1e-7 (Computational Graph Perspective, line 473), and Backpropagation Calculus for Deep
Learning advises h ≈ sqrt(eps) (§8, Gradient Checking, line 243). This demo measures every scheme over
steps from 1e-1 to 1e-15 against the exact derivative and plots the curves on log-log
axes: each is a V, truncation error falling until round-off takes over. sqrt(eps) is
the best step for one-sided differences; the central one does best near eps^(1/3). The complex
step, Im J(x + ih) / h, has no V: nothing is subtracted, so no step is too small.
"""

from __future__ import annotations

import math
from typing import Any, List, Optional

from engine.testing import SCHEMES, step_error
from engine.transforms.differences import EPS
from viz import plot_step_error

from .common import common_args
from .gradcheck import X, by_hand


def J(x: Any) -> Any:
    """exp(sin(x^2)): on floats by math, and by the engine's ops on the complex step's numbers."""
    if isinstance(x, float):
        return math.exp(math.sin(x * x))
    return (x * x).sin().exp()


def curves() -> dict:
    """Each scheme's (h, error) curve at x = 1.5, against the derivative written by hand."""
    exact = by_hand(X)
    return {name: step_error(J, X, exact, name) for name in SCHEMES}


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("step_error", __doc__).parse_args(argv)
    measured = curves()
    print(f"J(x) = exp(sin(x^2)) at x = {X}: exact dJ/dx = {by_hand(X):.15g}\n")
    print(f"{'scheme':<12}{'order':>6}{'default h':>12}{'best h':>12}{'best error':>13}{'error at 1e-7':>15}")
    for name, curve in measured.items():
        h_best, e_best = min(curve, key=lambda p: p[1])
        at_chapter = min(curve, key=lambda p: abs(p[0] - 1e-7))[1]
        scheme = SCHEMES[name]
        print(f"{name:<12}{scheme.order:>6}{scheme.step:>12.1e}{h_best:>12.1e}{e_best:>13.1e}{at_chapter:>15.1e}")
    print("\nBackpropagation Calculus for Deep Learning (§8, line 243) says h ≈ sqrt(eps) = 1.5e-8: right for "
          "forward and backward differences;"
          "\nthe central difference is best near eps^(1/3) = 6e-6, where its error is about 1e-10. The complex step "
          "subtracts nothing:\nonce h^2 is below eps (h < 1e-8) its error stays at rounding, however small h gets.")
    marks = {"sqrt(eps)": EPS ** 0.5, "eps^(1/3)": EPS ** (1 / 3), "eps^(1/5)": EPS ** 0.2}
    path = plot_step_error({n: c for n, c in measured.items() if n != "backward"}, args.out / "step_error.png",
                           title="exp(sin(x^2)) at x = 1.5: error against the step h", marks=marks)
    print(f"\nplot: {path}")
    return 0
