"""A convolution's backward pass: the flipped kernel, with numbers.

Backpropagation Calculus for Deep Learning (§10 Backpropagation through Different Architectures, Convolutional
Layers, lines 279-283) states it in two lines: for z = W * x,

    dL/dx is a convolution of the upstream gradient with the flipped kernel,
    dL/dW is a convolution between the input and the upstream gradient;

and Backpropagation: The Engine of Deep Learning (§7.4.3, Convolutional Layers, lines 1072-1100) writes the
backward function as the transpose convolution. ``python -m demos convolution`` checks both on examples small
enough to read. ``nn.Conv1d`` computes z_i = sum_j w_j x_(i+j) (a cross-correlation, as every framework does)
as one ``engine.dot`` per output; ``backward()`` then gives dL/dx and dL/dW by the chain rule through those dots,
and the demo prints them beside the two identities computed by hand in plain floats:

    dL/dx = full convolution:  (dL/dx)_m = sum_j g_(m-j) w_j, the upstream gradient g padded by k - 1 zeros on
            each side and slid under the flipped kernel;
    dL/dW = correlation:       (dL/dW)_j = sum_i x_(i+j) g_i, the input slid under the upstream gradient.

Then the same in 2-D (a 4 x 4 input, a 2 x 2 kernel), and the 1-D graph drawn (``out/convolution.svg``, or PNG):
each weight is one Value, used by every output, so its gradient is the sum over the positions it touched.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import List, Optional, Sequence

import engine
from engine import Value
from nn import Conv1d, Conv2d

from .chapters import cite
from .common import common_args

CITATIONS = (cite("002", "§10 Backpropagation through Different Architectures, Convolutional Layers", "279-283"),
             cite("000", "§7.4.3, Convolutional Layers", "1072-1100"))
X1 = [0.5, -1.0, 2.0, 0.25, 1.5]  # five inputs
W1 = [0.3, -0.7, 1.1]  # a 3-tap kernel
G1 = [1.0, -2.0, 0.5]  # dL/dz: the loss is L = sum(g * z)
X2 = [[1.0, 0.5, -1.0, 2.0], [0.0, 1.5, 0.25, -0.5], [2.0, -1.0, 0.75, 1.0], [0.5, 0.0, -2.0, 1.25]]
W2 = [[0.4, -0.3], [0.8, 0.2]]
G2 = [[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [-1.5, 1.0, 0.25]]


# ---- the two identities by hand, in plain floats --------------------------------------------------------------

def full_convolution_1d(g: Sequence[float], w: Sequence[float]) -> List[float]:
    """(dL/dx)_m = sum_j g_(m-j) w_j: g padded by k - 1 zeros each side, the flipped kernel slid along it."""
    k, flipped = len(w), list(w)[::-1]
    padded = [0.0] * (k - 1) + list(g) + [0.0] * (k - 1)
    return [math.fsum(padded[m + j] * flipped[j] for j in range(k)) for m in range(len(g) + k - 1)]


def correlation_1d(x: Sequence[float], g: Sequence[float]) -> List[float]:
    """(dL/dW)_j = sum_i x_(i+j) g_i."""
    return [math.fsum(x[i + j] * g[i] for i in range(len(g))) for j in range(len(x) - len(g) + 1)]


def full_convolution_2d(g: Sequence[Sequence[float]], w: Sequence[Sequence[float]]) -> List[List[float]]:
    kh, kw = len(w), len(w[0])
    flipped = [row[::-1] for row in w[::-1]]
    width = len(g[0]) + 2 * (kw - 1)
    padded = ([[0.0] * width] * (kh - 1) + [[0.0] * (kw - 1) + list(row) + [0.0] * (kw - 1) for row in g]
              + [[0.0] * width] * (kh - 1))
    return [[math.fsum(padded[r + a][c + b] * flipped[a][b] for a in range(kh) for b in range(kw))
             for c in range(len(g[0]) + kw - 1)] for r in range(len(g) + kh - 1)]


def correlation_2d(x: Sequence[Sequence[float]], g: Sequence[Sequence[float]]) -> List[List[float]]:
    return [[math.fsum(x[i + a][j + b] * g[i][j] for i in range(len(g)) for j in range(len(g[0])))
             for b in range(len(x[0]) - len(g[0]) + 1)] for a in range(len(x) - len(g) + 1)]


# ---- the engine's ---------------------------------------------------------------------------------------------

def engine_1d(x: Sequence[float] = X1, w: Sequence[float] = W1, g: Sequence[float] = G1):
    """(conv, inputs, outputs, loss) after ``backward()``: one input channel, one output channel, no bias."""
    conv = Conv1d(1, 1, len(w), bias=False, scope="conv")
    for v, value in zip(conv.weight[0][0][0], w):
        v.data = value
    xs = [Value(v, label=f"x{i}") for i, v in enumerate(x)]
    z = conv([xs])[0]
    loss = engine.dot(list(g), z)
    loss.label = "L"
    loss.backward()
    return conv, xs, z, loss


def engine_2d(x=X2, w=W2, g=G2):
    conv = Conv2d(1, 1, (len(w), len(w[0])), bias=False, scope="conv")
    for row, values in zip(conv.weight[0][0], w):
        for v, value in zip(row, values):
            v.data = value
    xs = [[Value(v) for v in row] for row in x]
    z = conv([xs])[0]
    engine.dot([v for row in g for v in row], [v for row in z for v in row]).backward()
    return conv, xs, z


def worst(a: Sequence[float], b: Sequence[float]) -> float:
    """The largest difference, in units in the last place of the larger number (0: equal to the last bit)."""
    return max((abs(p - q) / math.ulp(max(abs(p), abs(q))) if p != q else 0.0) for p, q in zip(a, b))


def _row(name: str, ours: Sequence[float], hand: Sequence[float]) -> List[str]:
    return [f"  {name:<26} {'engine:':<9}{' '.join(f'{v:8.4f}' for v in ours)}",
            f"  {'':<26} {'by hand:':<9}{' '.join(f'{v:8.4f}' for v in hand)}"]


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("convolution", __doc__, quick="the same run (it takes a moment anyway)")
    args = parser.parse_args(argv)
    random.seed(0)
    print("A convolution's backward pass, after")
    for citation in CITATIONS:
        print(f"  {citation}")
    conv, xs, z, loss = engine_1d()
    dx, dw = [v.grad for v in xs], [v.grad for v in conv.weight[0][0][0]]
    hand_dx, hand_dw = full_convolution_1d(G1, W1), correlation_1d(X1, G1)
    print(f"\n1-D: x = {X1}, kernel w = {W1}, z_i = sum_j w_j x_(i+j) = {[round(v.data, 4) for v in z]}")
    print(f"     L = sum(g * z) with the upstream gradient g = dL/dz = {G1}\n")
    for line in (_row("dL/dx (5 entries)", dx, hand_dx) + [f"  {'':<26} = g padded by 2 zeros each side, "
                                                           f"convolved with the flipped kernel {W1[::-1]}"]
                 + _row("dL/dw (3 entries)", dw, hand_dw) + [f"  {'':<26} = the input correlated with g"]):
        print(line)
    print(f"\n  largest difference: dL/dx {worst(dx, hand_dx):.0f} ulp, dL/dw {worst(dw, hand_dw):.0f} ulp "
          f"(0 ulp: equal to the last bit)")
    conv2, xs2, _ = engine_2d()
    dx2 = [v.grad for row in xs2 for v in row]
    dw2 = [v.grad for row in conv2.weight[0][0] for v in row]
    hand_dx2 = [v for row in full_convolution_2d(G2, W2) for v in row]
    hand_dw2 = [v for row in correlation_2d(X2, G2) for v in row]
    print(f"\n2-D: a 4 x 4 input, the 2 x 2 kernel {W2}, a 3 x 3 upstream gradient")
    print(f"  dL/dx (16 entries) against the full 2-D convolution of g with the kernel flipped both ways: "
          f"largest difference {worst(dx2, hand_dx2):.0f} ulp")
    print(f"  dL/dw (4 entries) against the correlation of x with g: largest difference {worst(dw2, hand_dw2):.0f} ulp")
    print(f"  dL/dw = {[round(v, 4) for v in dw2]}, by hand {[round(v, 4) for v in hand_dw2]}")
    path = _draw(loss, args.out)
    print(f"\nthe 1-D graph, each weight one Value used by all three outputs: {path}")
    return 0


def _draw(loss: Value, out: Path) -> Path:
    import viz

    out.mkdir(parents=True, exist_ok=True)
    return Path(viz.save(loss, out / "convolution.svg", max_size=None, rankdir="LR"))


if __name__ == "__main__":
    raise SystemExit(main())
