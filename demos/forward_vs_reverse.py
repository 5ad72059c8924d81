"""Forward mode against reverse mode on f(x, y) = x^2 + y^3 at (2, 3).

Forward mode pushes one tangent through per input, so a gradient of n inputs takes
n passes; reverse mode pulls the adjoint back once and gets all n.
"""

from __future__ import annotations

import argparse
from typing import List, Optional

from engine import Value, jvp

POINT = (2.0, 3.0)


def f(x, y):
    return x ** 2 + y ** 3


def main(argv: Optional[List[str]] = None) -> int:
    argparse.ArgumentParser(prog="python -m demos forward_vs_reverse", description=__doc__.splitlines()[0]).parse_args(argv)
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
    return 0
