"""Checking a gradient three ways: J = exp(sin(x^2)) at x = 1.5.

The engine's reverse mode, the chain rule written by hand, and central differences;
then ``engine.gradcheck`` doing the comparison for you.
"""

from __future__ import annotations

import argparse
import math
from typing import List, Optional

from engine import Value, gradcheck

from .common import command

X = 1.5
EPS = 1e-6


def J(x):
    return (x ** 2).sin().exp()


def by_hand(x: float) -> float:
    """dJ/dx = exp(sin(x^2)) * cos(x^2) * 2x: outer derivative times inner, twice."""
    return math.exp(math.sin(x * x)) * math.cos(x * x) * 2 * x


def central(x: float, eps: float = EPS) -> float:
    return (J(Value(x + eps)).data - J(Value(x - eps)).data) / (2 * eps)


def main(argv: Optional[List[str]] = None) -> int:
    argparse.ArgumentParser(prog=command("gradcheck"), description=__doc__.splitlines()[0]).parse_args(argv)
    x = Value(X, label="x")
    out = J(x)
    out.backward()
    engine, hand, numeric = x.grad, by_hand(X), central(X)
    rel = lambda a, b: abs(a - b) / max(abs(a) + abs(b), 1e-300)  # noqa: E731
    print(f"J(x) = exp(sin(x^2)) at x = {X}: J = {out.data:.12g}\n")
    print(f"  engine (reverse mode)          dJ/dx = {engine:.15g}")
    print(f"  chain rule by hand             dJ/dx = {hand:.15g}   rel. error vs engine {rel(engine, hand):.2e}")
    print(f"  central difference (eps {EPS:g})  dJ/dx = {numeric:.15g}   rel. error vs engine {rel(engine, numeric):.2e}\n")
    print("engine.gradcheck(J, [1.5]):")
    print(gradcheck(J, [X]))
    return 0
