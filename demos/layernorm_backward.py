"""Checking a hand-derived backward: a textbook's layer-norm formula against the engine's gradient.

Backpropagation: The Engine of Deep Learning (§7.4.3, Layer Normalization, lines 1066-1070) gives the backward
function of layer normalisation as

    B[LN, z](v) = gamma / sqrt(s2 + eps) * (v - mean(v) - (z - mu) / (s2 + eps) * mean(v * (z - mu)))

``python -m demos layernorm_backward`` compares it with ``engine.vjp`` of ``nn.LayerNorm`` at a random
z and cotangent v. With one gain shared by every feature (a scalar gamma) the formula holds to
rounding. With a gain per feature, as LayerNorm has, it does not: gamma must scale v before the
means are taken, not the result after. The corrected formula

    B[LN, z](v) = 1 / sqrt(s2 + eps) * (g - mean(g) - x * mean(g * x)),  g = gamma * v,  x = (z - mu) / sqrt(s2 + eps)

holds for both. This is what chainrule is for: checking a derivative worked out by hand.
"""

from __future__ import annotations

import argparse
import math
import random
from typing import List, Optional, Sequence

from engine import vjp
from nn import LayerNorm

from .common import command

N, SEED, EPS = 5, 3, 1e-5


def _stats(z: Sequence[float]) -> tuple:
    mu = math.fsum(z) / len(z)
    s2 = math.fsum((x - mu) ** 2 for x in z) / len(z)
    return mu, s2


def chapters_formula(z: Sequence[float], v: Sequence[float], gamma: Sequence[float], eps: float = EPS) -> List[float]:
    """The chapter's backward function (§7.4.3, line 1069), as printed."""
    n = len(z)
    mu, s2 = _stats(z)
    mean_v = math.fsum(v) / n
    mean_vz = math.fsum(vi * (zi - mu) for vi, zi in zip(v, z)) / n
    return [g / math.sqrt(s2 + eps) * (vi - mean_v - (zi - mu) / (s2 + eps) * mean_vz)
            for g, vi, zi in zip(gamma, v, z)]


def corrected_formula(z: Sequence[float], v: Sequence[float], gamma: Sequence[float], eps: float = EPS) -> List[float]:
    """The same with gamma applied to v first: right for a gain per feature."""
    n = len(z)
    mu, s2 = _stats(z)
    scale = 1.0 / math.sqrt(s2 + eps)
    xhat = [(zi - mu) * scale for zi in z]
    g = [gi * vi for gi, vi in zip(gamma, v)]
    mean_g = math.fsum(g) / n
    mean_gx = math.fsum(gi * xi for gi, xi in zip(g, xhat)) / n
    return [scale * (gi - mean_g - xi * mean_gx) for gi, xi in zip(g, xhat)]


def engines(z: Sequence[float], v: Sequence[float], gamma: Sequence[float], eps: float = EPS) -> List[float]:
    """dLN/dz pulled back along v by the engine (``engine.vjp`` of ``nn.LayerNorm``)."""
    ln = LayerNorm(len(z), eps=eps)
    for p, g in zip(ln.gamma, gamma):
        p.data = g
    _, pullback = vjp(lambda zs: ln(zs), list(z))
    return pullback(list(v))[0]


def worst(a: Sequence[float], b: Sequence[float]) -> float:
    """The largest difference relative to the gradient's size."""
    return max(abs(x - y) for x, y in zip(a, b)) / max(abs(y) for y in b)


def main(argv: Optional[List[str]] = None) -> int:
    argparse.ArgumentParser(prog=command("layernorm_backward"), description=__doc__.splitlines()[0]).parse_args(argv)
    rng = random.Random(SEED)
    z = [rng.gauss(0.0, 2.0) for _ in range(N)]
    v = [rng.gauss(0.0, 1.0) for _ in range(N)]
    gains = {"one gain for all features (gamma = 1.7)": [1.7] * N,
             "a gain per feature (as LayerNorm has)": [rng.uniform(0.5, 2.0) for _ in range(N)]}
    print(f"z = {[round(x, 3) for x in z]}\nv = {[round(x, 3) for x in v]}\n")
    verdicts = []
    for name, gamma in gains.items():
        want = engines(z, v, gamma)
        chapter, fixed = chapters_formula(z, v, gamma), corrected_formula(z, v, gamma)
        print(f"{name}: gamma = {[round(g, 3) for g in gamma]}")
        print(f"  engine (vjp of nn.LayerNorm)  {[round(x, 6) for x in want]}")
        for label, got in (("the chapter's (§7.4.3)", chapter), ("corrected", fixed)):
            error = worst(got, want)
            verdict = "holds" if error < 1e-9 else "FAILS"
            verdicts.append(verdict)
            print(f"  {label:<29} {[round(x, 6) for x in got]}  relative error {error:.1e}: {verdict}")
        print()
    print("The chapter's formula (Backpropagation: The Engine of Deep Learning, §7.4.3, line 1069) applies gamma "
          "after the means;\nwith a gain per feature it must scale v before them.")
    return 0 if verdicts == ["holds", "holds", "FAILS", "holds"] else 1
