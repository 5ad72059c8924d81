"""Attention's three gradient paths, by hand beside the engine's and PyTorch's.

Backpropagation Calculus for Deep Learning (§10 Backpropagation through Different Architectures, Attention
Mechanisms, lines 290-298) writes scaled dot-product attention as Attention(Q, K, V) = softmax(Q Kᵀ / √d) V and
says where its gradients go: dL/dV straight through the weighted sum; dL/dQ through the softmax and the dot
products; dL/dK "similar to Q but a different chain rule path". With S = Q Kᵀ / √d, A = softmax(S) row by row
and Out = A V, and a loss L = sum(G * Out) (so dL/dOut = G), the paths are

    dL/dV = Aᵀ G                                  straight through the weighted sum
    dL/dA = G Vᵀ,  dL/dS_i = J_i dL/dA_i,          J_i = diag(a_i) - a_i a_iᵀ, the softmax Jacobian of row i
    dL/dQ = (dL/dS) K / √d,   dL/dK = (dL/dS)ᵀ Q / √d   the same scores, reached by the other factor

``python -m demos attention_paths`` works them out in plain Python floats for three tokens with d = dv = 2,
prints each beside the engine's gradient (``backward()`` through ``nn.attention``) and PyTorch's
(``torch.nn.functional.scaled_dot_product_attention``, when PyTorch is installed), and draws the attention
weights and the three gradients into ``out/attention_paths.png``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from engine import Value, jacobian
from nn import attention
from nn.losses import softmax

from .chapters import cite
from .common import common_args

Matrix = List[List[float]]

SECTION = "§10 Backpropagation through Different Architectures, Attention Mechanisms"
CITATION = cite("002", SECTION, "290-298")

# Three tokens; queries and keys of size d = 2, values of size dv = 2; G = dL/dOut, the upstream weights.
Q: Matrix = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
K: Matrix = [[1.0, 0.5], [-0.5, 1.0], [0.0, -1.0]]
V: Matrix = [[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]
G: Matrix = [[1.0, 0.0], [0.5, -1.0], [0.0, 2.0]]
ROW = 0  # the row whose softmax Jacobian is printed
TOLERANCE = 1e-12


# ---- matrices as lists of lists of floats ------------------------------------------------------------------

def transpose(m: Sequence[Sequence[float]]) -> Matrix:
    return [list(col) for col in zip(*m)]


def matmul(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> Matrix:
    cols = transpose(b)
    return [[math.fsum(x * y for x, y in zip(row, col)) for col in cols] for row in a]


def scaled(m: Sequence[Sequence[float]], c: float) -> Matrix:
    return [[x * c for x in row] for row in m]


def softmax_row(s: Sequence[float]) -> List[float]:
    top = max(s)
    e = [math.exp(x - top) for x in s]
    total = math.fsum(e)
    return [x / total for x in e]


def softmax_jacobian(a: Sequence[float]) -> Matrix:
    """J = diag(a) - a aᵀ: dA_i/dS_j = a_i (δ_ij - a_j)."""
    return [[(ai if i == j else 0.0) - ai * aj for j, aj in enumerate(a)] for i, ai in enumerate(a)]


def largest_difference(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> float:
    return max(abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra, rb))


# ---- the three ways ------------------------------------------------------------------------------------------

def by_hand(q: Matrix = Q, k: Matrix = K, v: Matrix = V, g: Matrix = G) -> Dict[str, Matrix]:
    """Every step of the forward and backward pass in plain floats, with the formulas of the module docstring:
    S, A, Out, and dV, dA, dS, dQ, dK."""
    scale = 1.0 / math.sqrt(len(q[0]))
    s = scaled(matmul(q, transpose(k)), scale)
    a = [softmax_row(row) for row in s]
    out = matmul(a, v)
    dv = matmul(transpose(a), g)                     # Aᵀ G
    da = matmul(g, transpose(v))                     # G Vᵀ
    ds = [matmul(softmax_jacobian(ai), [[x] for x in dai]) for ai, dai in zip(a, da)]  # J_i dL/dA_i, a column
    ds = [[x for (x,) in col] for col in ds]
    dq = scaled(matmul(ds, k), scale)                # (dL/dS) K / √d
    dk = scaled(matmul(transpose(ds), q), scale)     # (dL/dS)ᵀ Q / √d
    return {"S": s, "A": a, "Out": out, "dV": dv, "dA": da, "dS": ds, "dQ": dq, "dK": dk}


def _loss(out: Sequence[Sequence[Value]], g: Matrix) -> Value:
    return sum((o * w for row, grow in zip(out, g) for o, w in zip(row, grow)), Value(0.0))


def by_engine(q: Matrix = Q, k: Matrix = K, v: Matrix = V, g: Matrix = G) -> Dict[str, Matrix]:
    """The engine's gradients: dQ, dK, dV from ``backward()`` through ``nn.attention``; dA and dS from
    ``backward()`` through the scores as leaves, ``nn.losses.softmax`` row by row and the weighted sum."""
    qs, ks, vs = ([[Value(x) for x in row] for row in m] for m in (q, k, v))
    _loss(attention(qs, ks, vs), g).backward()
    grads = {name: [[x.grad for x in row] for row in m] for name, m in (("dQ", qs), ("dK", ks), ("dV", vs))}
    scale = 1.0 / math.sqrt(len(q[0]))
    ss = [[Value(x) for x in row] for row in scaled(matmul(q, transpose(k)), scale)]
    aa = [softmax(row) for row in ss]
    out = [[sum((a * v[j][c] for j, a in enumerate(row)), Value(0.0)) for c in range(len(v[0]))] for row in aa]
    _loss(out, g).backward()
    grads["dA"] = [[a.grad for a in row] for row in aa]
    grads["dS"] = [[s.grad for s in row] for row in ss]
    return grads


def engine_jacobian(scores: Sequence[float]) -> Matrix:
    """The softmax Jacobian at ``scores``, as ``engine.jacobian(nn.losses.softmax)`` finds it from the ops."""
    return [[d.data for d in row] for row in jacobian(softmax)(list(scores))]


def by_torch(q: Matrix = Q, k: Matrix = K, v: Matrix = V, g: Matrix = G) -> Optional[Dict[str, Matrix]]:
    """PyTorch's dQ, dK, dV through ``scaled_dot_product_attention`` in float64, or None without PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    qt, kt, vt = (torch.tensor([m], dtype=torch.float64, requires_grad=True) for m in (q, k, v))
    out = torch.nn.functional.scaled_dot_product_attention(qt, kt, vt)
    (out * torch.tensor([g], dtype=torch.float64)).sum().backward()
    return {"dQ": qt.grad[0].tolist(), "dK": kt.grad[0].tolist(), "dV": vt.grad[0].tolist()}


# ---- printing and drawing ------------------------------------------------------------------------------------

def _row(values: Sequence[float]) -> str:
    return "[" + " ".join(f"{x:9.5f}" for x in values) + " ]"


def table(title: str, rows: str, columns: Dict[str, Matrix]) -> float:
    """Print ``columns`` (name -> matrix) side by side, one line per row, and the largest difference of each
    against the first; returns the largest of them."""
    names = list(columns)
    width = len(_row(columns[names[0]][0]))
    print(title)
    print("      " + "  ".join(f"{n:<{width}}" for n in names))
    for i in range(len(columns[names[0]])):
        print(f"  {rows}{i}  " + "  ".join(_row(columns[n][i]) for n in names))
    first = columns[names[0]]
    diffs = {n: largest_difference(first, columns[n]) for n in names[1:]}
    worst = max(diffs.values(), default=0.0)
    said = ", ".join(f"{n} {d:.1e}" for n, d in diffs.items())
    verdict = "equal to rounding" if worst <= TOLERANCE else "DIFFERENT"
    print(f"  largest difference from {names[0]}: {said}: {verdict}\n")
    return worst


def draw(hand: Dict[str, Matrix], path: Path) -> Path:
    """The attention weights as a heat map, and dL/dQ, dL/dK, dL/dV beside it on one colour scale centred on 0,
    every cell labelled."""
    from viz.plots import pyplot, save_figure

    plt = pyplot()
    top = max(abs(x) for key in ("dQ", "dK", "dV") for row in hand[key] for x in row)
    panels = [("attention weights\nA = softmax(Q Kᵀ / √d)", hand["A"], "key j", "query i"),
              ("through softmax and dot products\ndL/dQ = (dL/dS) K / √d", hand["dQ"], "component", "query i"),
              ("the same scores, the other factor\ndL/dK = (dL/dS)ᵀ Q / √d", hand["dK"], "component", "key j"),
              ("straight through the weighted sum\ndL/dV = Aᵀ G", hand["dV"], "component", "value j")]
    fig, axes = plt.subplots(1, 4, figsize=(15, 4.6), layout="constrained",
                             gridspec_kw={"width_ratios": [3, 2, 2, 2]})
    for n, (ax, (title, m, xlabel, ylabel)) in enumerate(zip(axes, panels)):
        if n == 0:
            image = ax.imshow(m, cmap="Blues", vmin=0.0, vmax=1.0)
            fig.colorbar(image, ax=ax, fraction=0.046, pad=0.02, label="weight")
        else:  # the gradients share one diverging scale, so their sizes compare
            image = ax.imshow(m, cmap="RdBu_r", vmin=-top, vmax=top)
        for i, row in enumerate(m):
            for j, x in enumerate(row):
                dark = x > 0.7 if n == 0 else abs(x) > 0.6 * top
                ax.text(j, i, f"{x:.3f}", ha="center", va="center", fontsize=11,
                        color="white" if dark else "black")
        ax.set_title(title, fontsize=10.5)
        ax.set_xticks(range(len(m[0])))
        ax.set_yticks(range(len(m)))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    fig.colorbar(image, ax=list(axes[1:]), fraction=0.03, pad=0.02, label="gradient")
    fig.suptitle("Attention's three gradient paths: L = sum(G * Attention(Q, K, V)), 3 tokens, d = dv = 2",
                 fontsize=12)
    return save_figure(fig, path)


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("attention_paths", __doc__, quick="the same run (it takes a fraction of a second anyway)")
    args = parser.parse_args(argv)
    hand = by_hand()
    engine = by_engine()
    torch_grads = by_torch()
    print(f"{CITATION}:\nAttention(Q, K, V) = softmax(Q Kᵀ / √d) V, with L = sum(G * Out), so dL/dOut = G.\n")
    for name in ("Q", "K", "V", "G"):
        print(f"{name} = {globals()[name]}")
    print()
    print("A = softmax(Q Kᵀ / √2), the attention weights, one row per query:")
    for i, row in enumerate(hand["A"]):
        print(f"  q{i}  {_row(row)}   (sums to {math.fsum(row):.15g})")
    print()
    if torch_grads is None:
        print("PyTorch is not installed: its column is left out (it is optional; pip install torch to add it).\n")

    def three(key: str) -> Dict[str, Matrix]:
        cols = {"hand": hand[key], "engine": engine[key]}
        if torch_grads is not None:
            cols["PyTorch"] = torch_grads[key]
        return cols

    worst = [table("1. dL/dV = Aᵀ G: straight through the weighted sum", "v", three("dV"))]
    worst.append(table("2. dL/dA = G Vᵀ: the upstream gradient onto each attention weight", "q",
                       {"hand": hand["dA"], "engine": engine["dA"]}))
    a, s = hand["A"][ROW], hand["S"][ROW]
    print(f"   the softmax Jacobian of row {ROW}: J_{ROW} = diag(a_{ROW}) - a_{ROW} a_{ROW}ᵀ, "
          f"at scores S_{ROW} = {[round(x, 5) for x in s]}")
    worst.append(table(f"   J_{ROW}, by hand and by engine.jacobian(nn.losses.softmax) at S_{ROW}", "r",
                       {"hand": softmax_jacobian(a), "engine.jacobian": engine_jacobian(s)}))
    worst.append(table("   dL/dS_i = J_i dL/dA_i, row by row: through the softmax", "q",
                       {"hand": hand["dS"], "engine": engine["dS"]}))
    worst.append(table("3. dL/dQ = (dL/dS) K / √d: the scores, reached through the queries", "q", three("dQ")))
    worst.append(table("   dL/dK = (dL/dS)ᵀ Q / √d: the same scores, reached through the keys", "k", three("dK")))
    print("dL/dQ and dL/dK share dL/dS: S_ij = q_i · k_j / √d, so query i collects row i of dL/dS (weighting "
          "the keys)\nand key j collects column j (weighting the queries). dL/dV never meets the softmax.")
    print(f"Largest difference anywhere: {max(worst):.1e}: "
          f"{'equal to rounding' if max(worst) <= TOLERANCE else 'NOT equal'}.")
    path = draw(hand, args.out / "attention_paths.png")
    print(f"\nthe attention weights and the three gradients: {path}")
    return 0 if max(worst) <= TOLERANCE else 1
