"""The chapters' first calculus examples, each beside the engine's derivative.

- Chapter 02: Backpropagation & Gradient Descent, §2.1 (lines 243-279): the derivative of
  x^2 at 3 as a limit, (f(3 + h) - f(3)) / h for h = 0.1, 0.01, 0.001 giving 6.1, 6.01, 6.001 (in
  floating point, nearly), against the engine's 6; and its two examples, 3x + 2 (slope 3) and x^2
  at 2 and 5 (slopes 4 and 10).
- The Backpropagation Algorithm, The Chain Rule (lines 52-62): y = (2x + 3)^2 by the chain rule,
  dy/dx = 4(2x + 3), written out by ``engine.explain``.
- Backpropagation Calculus for Deep Learning, §2 Computational Graphs (lines 43-54): f(x, y) = sin(x + y^2) as the
  graph v1 = y^2, v2 = x + v1, f = sin(v2), drawn to ``out/sin_x_plus_y_squared.svg``, with its
  gradient (cos(x + y^2), 2y cos(x + y^2)).
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import viz
from engine import Value, explain, grad

from .common import common_args

STEPS = (0.1, 0.01, 0.001)
POINT = (0.5, 1.5)


def limit_of_quotients() -> List[Tuple[float, float]]:
    """(h, (f(3 + h) - f(3)) / h) for f(x) = x^2, as Chapter 02 (§2.1) tabulates them."""
    f = lambda x: x * x  # noqa: E731
    return [(h, (f(3 + h) - f(3)) / h) for h in STEPS]


def slopes() -> Dict[str, float]:
    """The engine's derivatives of the chapter's examples."""
    return {"x^2 at 3": grad(lambda x: x * x)(3.0).data, "3x + 2": grad(lambda x: 3 * x + 2)(1.0).data,
            "x^2 at 2": grad(lambda x: x * x)(2.0).data, "x^2 at 5": grad(lambda x: x * x)(5.0).data}


def sin_graph(x: float, y: float) -> Tuple[Value, Value, Value]:
    """f = sin(x + y^2) as Backpropagation Calculus for Deep Learning (§2) writes it, each step labelled;
    returns x, y and f after backward."""
    xv, yv = Value(x, label="x"), Value(y, label="y")
    v1 = yv ** 2
    v1.label = "v1"
    v2 = xv + v1
    v2.label = "v2"
    f = v2.sin()
    f.label = "f"
    f.backward()
    return xv, yv, f


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("calculus_examples", __doc__).parse_args(argv)
    print("Chapter 02: Backpropagation & Gradient Descent, §2.1 (lines 243-260): d/dx x^2 at 3 as a limit")
    for h, q in limit_of_quotients():
        print(f"  h = {h:<6} (f(3 + h) - f(3)) / h = {q:.12g}   (the chapter: {6 + h:g})")
    s = slopes()
    print(f"  the engine's derivative: {s['x^2 at 3']:g}")
    print(f"the same section (lines 264-279): (3x + 2)' = {s['3x + 2']:g}; (x^2)' at 2 = {s['x^2 at 2']:g}, "
          f"at 5 = {s['x^2 at 5']:g}\n")
    print("The Backpropagation Algorithm, The Chain Rule (lines 52-62): y = (2x + 3)^2, dy/dx = 4(2x + 3) = 20 "
          "at x = 1")
    x = Value(1.0, label="x")
    g = 2 * x + 3
    g.label = "g"
    y = g ** 2
    y.label = "y"
    explain(y, wrt=x)
    xv, yv, f = sin_graph(*POINT)
    c = math.cos(POINT[0] + POINT[1] ** 2)
    print(f"\nBackpropagation Calculus for Deep Learning, §2 (lines 43-54): f = sin(x + y^2) at {POINT}: "
          f"f = {f.data:.6f}")
    print(f"  df/dx = {xv.grad:.6f} (cos(x + y^2) = {c:.6f}),  df/dy = {yv.grad:.6f} (2y cos(x + y^2) = "
          f"{2 * POINT[1] * c:.6f})")
    path = viz.save(f, args.out / "sin_x_plus_y_squared.svg")
    print(f"  its graph: {path}")
    return 0
