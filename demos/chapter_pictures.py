"""The chapters' pictures, drawn by chainrule from the engine's own derivatives.

- Backpropagation: The Engine of Deep Learning, Computational Graph Perspective (lines 418-547): J = exp(sin(x^2)) as
  the chain u = h(x) = x^2, v = g(u) = sin(u), J = f(v) = exp(v) at x = 1.5: the forward values, the adjoints
  dJ/dv, dJ/du and dJ/dx the chapter prints, its finite difference with step 1e-7, and its three panels (the
  values, the local derivatives h'(x), g'(u), f'(v), and the graph) (``viz.plot_chain``) ->
  ``out/chain_of_functions.png``.
- The same chapter, Automatic Differentiation (lines 685-738): the contours of f(x, y) = x^2 + y^3
  with its gradient (4, 27) at (2, 3)
  (``viz.plot_contour``) -> ``out/gradient_on_contours.png``; and its comparison panel, the gradient by forward
  mode, reverse mode and by hand (``viz.plot_bars``) -> ``out/gradient_methods.png``.
- Chapter 16: Backpropagation -- The Complete Derivation, §16.6 (lines 448-574): a 3-4-2 network with the
  forward and the backward direction (``viz.draw_network``) -> ``out/network.png``.
"""

from __future__ import annotations

import random
from typing import List, Optional

import viz
from engine import Value, grad, jvp
from nn import MLP

from .common import common_args

X = 1.5
POINT = (2.0, 3.0)


LINKS = [("u", "h", lambda x: x * x), ("v", "g", lambda u: u.sin()), ("J", "f", lambda v: v.exp())]
EPSILON = 1e-7  # the chapter's step


def chain() -> dict:
    """The chain u = x^2, v = sin(u), J = exp(v) as functions of x."""
    return {"u = x^2": lambda x: x * x, "v = sin(u)": lambda x: (x * x).sin(), "J = exp(v)": lambda x: (x * x).sin().exp()}


def backward_steps(x: float = X) -> dict:
    """The chapter's forward and backward pass at x (lines 447-478), by the engine: u, v, J, the adjoints dJ/dv,
    dJ/du and dJ/dx, and the central difference with the chapter's step."""
    xv = Value(x, label="x")
    u = xv * xv
    v = u.sin()
    J = v.exp()
    J.backward()
    difference = (J_of(x + EPSILON) - J_of(x - EPSILON)) / (2 * EPSILON)
    return {"u": u.data, "v": v.data, "J": J.data, "dJ/dv": v.grad, "dJ/du": u.grad, "dJ/dx": xv.grad,
            "finite difference": difference}


def J_of(x: float) -> float:
    return Value(x).__mul__(x).sin().exp().data


def surface(x: Value, y: Value) -> Value:
    return x * x + y ** 3


def three_ways() -> dict:
    """The gradient of x^2 + y^3 at (2, 3) by forward mode (two jvp passes), reverse mode (one backward) and by hand
    (2x, 3y^2), as the chapter's comparison panel (lines 718-733)."""
    x, y = POINT
    forward = [jvp(surface, POINT, seed)[1] for seed in ((1.0, 0.0), (0.0, 1.0))]
    xv, yv = Value(x), Value(y)
    surface(xv, yv).backward()
    return {"forward mode": {"df/dx": forward[0], "df/dy": forward[1]},
            "reverse mode": {"df/dx": xv.grad, "df/dy": yv.grad},
            "analytical": {"df/dx": 2 * x, "df/dy": 3 * y * y}}


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("chapter_pictures", __doc__).parse_args(argv)
    xs = [3.0 * i / 150 for i in range(151)]
    path = viz.plot_chain(LINKS, xs, at=X, path=args.out / "chain_of_functions.png",
                          title="J = f(g(h(x))) = exp(sin(x^2)): values, local derivatives and the graph")
    s = backward_steps()
    print(f"Computational graph example: J = f(g(h(x))) at x = {X}")
    print(f"  forward:  u = h(x) = x^2 = {s['u']:.6f},  v = g(u) = sin(u) = {s['v']:.6f},  J = f(v) = exp(v) = "
          f"{s['J']:.6f}")
    print(f"  backward: dJ/dv = f'(v) = exp(v) = {s['dJ/dv']:.6f}")
    print(f"            dJ/du = dJ/dv x g'(u) = dJ/dv x cos(u) = {s['dJ/du']:.6f}")
    print(f"            dJ/dx = dJ/du x h'(x) = dJ/du x 2x = {s['dJ/dx']:.6f}")
    print(f"  finite difference with the chapter's step {EPSILON:g}: {s['finite difference']:.6f}, relative error "
          f"{abs(s['dJ/dx'] - s['finite difference']) / abs(s['dJ/dx']):.2e}")
    print(f"picture: {path}\n")
    dx, dy = (g.data for g in grad(surface, argnums=(0, 1))(*POINT))
    path = viz.plot_contour(surface, (0.0, 4.0), (0.0, 4.0), at=POINT, path=args.out / "gradient_on_contours.png",
                            title="f(x, y) = x^2 + y^3 and its gradient at (2, 3)")
    print(f"f(x, y) = x^2 + y^3 at {POINT}: gradient ({dx:g}, {dy:g}) = (2x, 3y^2)")
    print(f"picture: {path}")
    methods = three_ways()
    path = viz.plot_bars(methods, args.out / "gradient_methods.png", title="the gradient of x^2 + y^3 at (2, 3)",
                         ylabel="gradient value")
    print("  by " + "; ".join(f"{m}: ({d['df/dx']:g}, {d['df/dy']:g})" for m, d in methods.items()))
    print(f"picture: {path}\n")
    state = random.getstate()
    random.seed(0)
    model = MLP(3, [4, 2], activation="sigmoid")
    random.setstate(state)
    path = viz.draw_network(model, args.out / "network.png", title="a 3-4-2 network: forward and backward")
    print(f"the 3-4-2 network: {path}")
    return 0
