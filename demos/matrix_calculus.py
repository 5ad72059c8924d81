"""Matrix calculus for backpropagation, checked by the engine: each identity of Backpropagation Calculus for Deep
Learning's §5 (lines 160-187) computed entry by entry from scalar Values, beside the formula.

- the matrix product rule, d(AB)/dc = (dA/dc) B + A (dB/dc), for A and B that depend on a scalar c;
- d tr(A^T B) / dA = B and d tr(AB) / dA = B^T;
- a linear layer z = Wx + b: dz/dW = x^T (x) I (the Kronecker product), dz/dx = W, dz/db = I; the backward
  pass sends W^T v to x, which is what the chapter's "dz/dx = W^T" writes, in the layout that lists gradients;
- an element-wise activation a = sigma(z): da/dz = diag(sigma'(z)).

Each line prints the largest difference between the engine's derivative and the formula's.
"""

from __future__ import annotations

import math
import random
from typing import Callable, List, Optional, Sequence

from engine import Value, grad, jacobian

from .common import common_args

Matrix = List[List[float]]


def random_matrix(rows: int, cols: int, rng: random.Random) -> Matrix:
    return [[rng.uniform(-2, 2) for _ in range(cols)] for _ in range(rows)]


def matmul(A: Sequence[Sequence], B: Sequence[Sequence]) -> list:
    return [[sum((A[i][k] * B[k][j] for k in range(len(B))), 0.0) for j in range(len(B[0]))] for i in range(len(A))]


def transpose(A: Sequence[Sequence]) -> list:
    return [list(col) for col in zip(*A)]


def trace(A: Sequence[Sequence]) -> object:
    return sum((A[i][i] for i in range(len(A))), 0.0)


def shaped(flat: Sequence, rows: int, cols: int) -> list:
    return [list(flat[i * cols:(i + 1) * cols]) for i in range(rows)]


def largest_gap(got: Sequence[Sequence[float]], want: Sequence[Sequence[float]]) -> float:
    return max(abs(g - w) for gr, wr in zip(got, want) for g, w in zip(gr, wr))


def product_rule(n: int, rng: random.Random) -> float:
    """d(AB)/dc at c = 0.3 for A(c) = A0 + c A1 + c^2 A2 and B(c) = B0 sin(c) + B1: engine against the rule."""
    A0, A1, A2, B0, B1 = (random_matrix(n, n, rng) for _ in range(5))
    c0 = 0.3

    def A(c):
        return [[A0[i][j] + c * A1[i][j] + c * c * A2[i][j] for j in range(n)] for i in range(n)]

    def B(c):
        return [[B0[i][j] * c.sin() + B1[i][j] if isinstance(c, Value) else B0[i][j] * math.sin(c) + B1[i][j]
                 for j in range(n)] for i in range(n)]

    got = [[d.data for d in row] for row in shaped(jacobian(lambda c: [x for row in matmul(A(c), B(c)) for x in row])(c0),
                                                    n, n)]
    dA = [[A1[i][j] + 2 * c0 * A2[i][j] for j in range(n)] for i in range(n)]
    dB = [[B0[i][j] * math.cos(c0) for j in range(n)] for i in range(n)]
    want = [[x + y for x, y in zip(r1, r2)] for r1, r2 in zip(matmul(dA, B(c0)), matmul(A(c0), dB))]
    return largest_gap(got, want)


def trace_identity(n: int, rng: random.Random, f: Callable, formula: Callable) -> float:
    """d f(A, B) / dA by the engine (a gradient over A's n^2 entries) against ``formula(B)``."""
    A, B = random_matrix(n, n, rng), random_matrix(n, n, rng)
    g = grad(lambda flat: f(shaped(flat, n, n), B))([x for row in A for x in row])
    return largest_gap(shaped([d.data for d in g], n, n), formula(B))


def linear_layer(m: int, n: int, rng: random.Random) -> List[float]:
    """z = Wx + b: the engine's Jacobians against x^T (x) I, W and I; and the backward pass's W^T v."""
    W, x, b = random_matrix(m, n, rng), [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(m)]

    def z(Wf, xs, bs):
        return [sum((Wf[i * n + k] * xs[k] for k in range(n)), bs[i]) for i in range(m)]

    Wf = [w for row in W for w in row]
    dW, dx, db = (jacobian(z, argnums=k)(Wf, x, b) for k in range(3))
    identity = [[1.0 if i == j else 0.0 for j in range(m)] for i in range(m)]
    kron = [[x[k // m] * identity[i][k % m] for k in range(n * m)] for i in range(m)]  # x^T (x) I, column-major W
    dW_rowmajor = [[row[i * n + k] for k in range(n) for i in range(m)] for row in [[d.data for d in r] for r in dW]]
    v = [rng.uniform(-1, 1) for _ in range(m)]
    pulled = grad(lambda xs: sum((vi * zi for vi, zi in zip(v, z(Wf, xs, b))), 0.0))(x)
    return [largest_gap(dW_rowmajor, kron), largest_gap([[d.data for d in r] for r in dx], W),
            largest_gap([[d.data for d in r] for r in db], identity),
            largest_gap([[d.data for d in pulled]], [matmul([v], W)[0]])]


def activation(n: int, rng: random.Random) -> float:
    """a = sigmoid(z), element-wise: the engine's Jacobian against diag(sigma(z)(1 - sigma(z)))."""
    z = [rng.uniform(-3, 3) for _ in range(n)]
    J = [[d.data for d in row] for row in jacobian(lambda zs: [t.sigmoid() for t in zs])(z)]
    s = [1 / (1 + math.exp(-t)) for t in z]
    return largest_gap(J, [[s[i] * (1 - s[i]) if i == j else 0.0 for j in range(n)] for i in range(n)])


def checks(seed: int = 0) -> List[tuple]:
    rng = random.Random(seed)
    layer = linear_layer(3, 4, rng)
    return [
        ("172-173", "d(AB)/dc = (dA/dc) B + A (dB/dc)", product_rule(3, rng)),
        ("176", "d tr(A^T B) / dA = B", trace_identity(3, rng, lambda A, B: trace(matmul(transpose(A), B)),
                                                        lambda B: B)),
        ("177", "d tr(AB) / dA = B^T", trace_identity(3, rng, lambda A, B: trace(matmul(A, B)), transpose)),
        ("181-182", "z = Wx + b: dz/dW = x^T (x) I", layer[0]),
        ("183", "z = Wx + b: dz/dx = W (backward sends W^T v)", max(layer[1], layer[3])),
        ("184", "z = Wx + b: dz/db = I", layer[2]),
        ("186-187", "a = sigma(z): da/dz = diag(sigma'(z))", activation(4, rng)),
    ]


def main(argv: Optional[List[str]] = None) -> int:
    common_args("matrix_calculus", __doc__).parse_args(argv)
    print("Backpropagation Calculus for Deep Learning, §5 Matrix Calculus: each identity by the engine, entry by "
          "entry, on random matrices\n")
    print(f"{'lines':<9}{'identity':<48}largest difference")
    found = checks()
    for lines, identity, gap in found:
        print(f"{lines:<9}{identity:<48}{gap:.1e}")
    return 0 if all(gap < 1e-12 for *_, gap in found) else 1
