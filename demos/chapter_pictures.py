"""The chapters' pictures, drawn by chainrule from the engine's own derivatives.

- Backpropagation: The Engine of Deep Learning, Computational Graph Perspective (lines 483-547): J = exp(sin(x^2)) as
  the chain u = x^2, v = sin(u), J = exp(v), each with its derivative in x, at x = 1.5
  (``viz.plot_function``) -> ``out/chain_of_functions.png``.
- The same chapter, Automatic Differentiation (lines 685-738): the contours of f(x, y) = x^2 + y^3
  with its gradient (4, 27) at (2, 3)
  (``viz.plot_contour``) -> ``out/gradient_on_contours.png``.
- Chapter 16: Backpropagation -- The Complete Derivation, §16.6 (lines 448-574): a 3-4-2 network with the
  forward and the backward direction (``viz.draw_network``) -> ``out/network.png``.
"""

from __future__ import annotations

import random
from typing import List, Optional

import viz
from engine import Value, grad
from nn import MLP

from .common import common_args

X = 1.5
POINT = (2.0, 3.0)


def chain() -> dict:
    """The chain u = x^2, v = sin(u), J = exp(v) as functions of x."""
    return {"u = x^2": lambda x: x * x, "v = sin(u)": lambda x: (x * x).sin(), "J = exp(v)": lambda x: (x * x).sin().exp()}


def surface(x: Value, y: Value) -> Value:
    return x * x + y ** 3


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("chapter_pictures", __doc__).parse_args(argv)
    functions = chain()
    xs = [3.0 * i / 150 for i in range(151)]
    path = viz.plot_function(functions, xs, at=X, path=args.out / "chain_of_functions.png",
                             title="J = exp(sin(x^2)) as a chain, and each link's derivative in x")
    for name, f in functions.items():
        print(f"at x = {X}: {name:<12} = {f(Value(X)).data:.6f},  d/dx = {grad(f)(X).data:.6f}")
    print(f"picture: {path}\n")
    dx, dy = (g.data for g in grad(surface, argnums=(0, 1))(*POINT))
    path = viz.plot_contour(surface, (0.0, 4.0), (0.0, 4.0), at=POINT, path=args.out / "gradient_on_contours.png",
                            title="f(x, y) = x^2 + y^3 and its gradient at (2, 3)")
    print(f"f(x, y) = x^2 + y^3 at {POINT}: gradient ({dx:g}, {dy:g}) = (2x, 3y^2)")
    print(f"picture: {path}\n")
    state = random.getstate()
    random.seed(0)
    model = MLP(3, [4, 2], activation="sigmoid")
    random.setstate(state)
    path = viz.draw_network(model, args.out / "network.png", title="a 3-4-2 network: forward and backward")
    print(f"the 3-4-2 network: {path}")
    return 0
