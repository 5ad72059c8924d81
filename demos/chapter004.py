"""Chapter 02: Backpropagation & Gradient Descent, its small numeric examples computed by the engine beside its numbers.

From Chapter 02: Backpropagation & Gradient Descent:

- §1.3 (lines 155-164): one update, w = 0.5 - 0.1 x 2.0 = 0.3;
- §2.3 (lines 378-387): d/dx (3x)^2 = 18x by the chain rule;
- §2.3 (lines 389-399): the chain rule at a point, d/dx e^(x^2) at x = 2 (the chapter: 54.6 x 4 = 218.4);
- §2.4 (lines 431-434): the partial derivatives of x^2 + 3xy + y^2;
- §3.2 (lines 473-482): d/dx (x^2 + 1)^3 = 6x (x^2 + 1)^2;
- §4.2 (lines 545-580): f(x, y) = (x + y)(x - y) at x = 3, y = 2, forward and backward, and its graph
  drawn (``out/chapter004_graph.svg``);
- §5.4 (lines 791-808): the ReLU mask, which blocks the gradient where z <= 0;
- §5.4 (lines 850-874, 902-914 and 945-968): a layer's weight and bias gradients over a batch, with the
  1/m average, and the gradient it passes to the layer before (W^T dL/dz, no average);
- §8.2 (lines 1239-1241): sigmoid's largest slope, 1/4, multiplied through 10 layers.

Every number is a gradient the engine's reverse pass computed: a batch's gradients come from
a loss whose upstream gradients are the chapter's dL/dz.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence

import viz
from engine import Value, grad

from .common import command, common_args

Matrix = List[List[float]]


def chain_rule_at_a_point() -> float:
    """d/dx e^(x^2) at x = 2 (lines 389-399)."""
    return grad(lambda x: (x * x).exp())(2.0).data


def one_update() -> float:
    """w = 0.5, dL/dw = 2.0, learning rate 0.1 (lines 155-164): one step of nn.SGD on a loss with that gradient."""
    from nn import SGD

    w = Value(0.5)
    loss = (w + 0.5) ** 2  # dL/dw = 2 (w + 0.5) = 2.0 at w = 0.5
    loss.backward()
    SGD([w], lr=0.1).step()
    return w.data


def square_of_three_x(xs: Sequence[float] = (1.0, 2.0, 3.0)) -> List[float]:
    """d/dx (3x)^2 by the chain rule, 6x * 3 = 18x (lines 378-387), at a few points."""
    return [grad(lambda x: (3 * x) ** 2)(x).data for x in xs]


def partials(x: float = 1.0, y: float = 2.0) -> List[float]:
    """The partial derivatives of x^2 + 3xy + y^2 (lines 431-434): 2x + 3y and 3x + 2y."""
    return [d.data for d in grad(lambda x, y: x * x + 3 * x * y + y * y, argnums=(0, 1))(x, y)]


def cube_of_square_plus_one(x: float = 1.0) -> float:
    """d/dx (x^2 + 1)^3 = 6x (x^2 + 1)^2 (lines 473-482)."""
    return grad(lambda t: (t * t + 1) ** 3)(x).data


def sum_times_difference() -> Dict[str, float]:
    """(x + y)(x - y) at x = 3, y = 2 (lines 545-580): the forward values and both gradients."""
    x, y = Value(3.0, label="x"), Value(2.0, label="y")
    a, b = x + y, x - y
    a.label, b.label = "a", "b"
    f = a * b
    f.label = "f"
    f.backward()
    return {"a": a.data, "b": b.data, "f": f.data, "df/da": a.grad, "df/db": b.grad, "df/dx": x.grad,
            "df/dy": y.grad, "graph": f}


def _leaves(rows: Sequence[Sequence[float]]) -> List[List[Value]]:
    return [[Value(v) for v in row] for row in rows]


def _weighted(rows: Sequence[Sequence[Value]], upstream: Matrix) -> Value:
    """sum of upstream[i][j] * rows[i][j]: a loss whose gradient in rows[i][j] is upstream[i][j]."""
    return sum((g * v for grow, row in zip(upstream, rows) for g, v in zip(grow, row)), Value(0.0))


def relu_mask(z: Matrix, upstream: Matrix) -> Matrix:
    """dL/dz for a = relu(z) with dL/da = ``upstream`` (lines 791-808)."""
    zs = _leaves(z)
    _weighted([[v.relu() for v in row] for row in zs], upstream).backward()
    return [[v.grad for v in row] for row in zs]


def layer_gradients(W: Matrix, a_prev: Matrix, upstream: Matrix) -> Dict[str, Matrix]:
    """A layer z = W a_prev + b over a batch of m samples (columns), with dL/dz = ``upstream`` per sample:
    dL/dW and dL/db averaged over the batch (the 1/m), and dL/da_prev passed back (lines 850-968).

    The loss is the batch mean of each sample's upstream-weighted z, so its gradients carry the 1/m as
    the chapter's do; dL/da_prev is taken from the sum, as the chapter passes it back without averaging.
    """
    m = len(upstream[0])
    Ws, As = _leaves(W), _leaves(a_prev)
    bs = [Value(0.0) for _ in W]
    z = [[sum((Ws[i][k] * As[k][s] for k in range(len(As))), bs[i]) for s in range(m)] for i in range(len(Ws))]
    total = _weighted(z, upstream)
    (total * (1.0 / m)).backward()
    weight = [[w.grad for w in row] for row in Ws]
    bias = [[b.grad] for b in bs]
    for row in As:
        for a in row:
            a.grad = 0.0
    total.backward()  # per sample, without the average: what the chapter passes back
    return {"dL/dW": weight, "dL/db": bias, "dL/da_prev": [[a.grad for a in row] for row in As]}


def vanishing_product(layers: int = 10) -> float:
    """d/dx of ``layers`` sigmoids in a row, each shifted to stay at 0, where its slope is largest: 0.25^layers."""
    def chain(x: Value) -> Value:
        for _ in range(layers):
            x = x.sigmoid() - 0.5
        return x

    return grad(chain)(0.0).data


def _matrix(rows: Matrix, digits: int = 4) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:.{digits}g}" for v in row) + "]" for row in rows) + "]"


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("chapter004", __doc__).parse_args(argv)
    d = chain_rule_at_a_point()
    print(f"Chapter 02: Backpropagation & Gradient Descent, by its lines (the index: {command('--list')})\n"
          f"lines 155-164   w = 0.5 - 0.1 * 2.0               chapter 0.3            chainrule {one_update():g} "
          f"(one SGD step on a loss whose dL/dw is 2.0)")
    print(f"lines 378-387   d/dx (3x)^2 = 6x * 3 = 18x        chapter 18, 36, 54 at x = 1, 2, 3   chainrule "
          + ", ".join(f"{g:g}" for g in square_of_three_x()))
    print(f"lines 389-399   d/dx e^(x^2) at 2 = e^4 * 4       chapter 218.4          chainrule {d:.6f}")
    fx, fy = partials()
    print(f"lines 431-434   x^2 + 3xy + y^2 at (1, 2)         chapter 2x + 3y = 8, 3x + 2y = 7   chainrule {fx:g}, "
          f"{fy:g}")
    print(f"lines 473-482   d/dx (x^2 + 1)^3 = 6x (x^2 + 1)^2 at 1   chapter 24   chainrule "
          f"{cube_of_square_plus_one():g}")
    f = sum_times_difference()
    print("lines 545-580   (x + y)(x - y) at x = 3, y = 2    chapter a = 5, b = 1, f = 5, df/da = 1, df/db = 5, "
          "df/dx = 6, df/dy = -4")
    print(f"{'':48}chainrule a = {f['a']:g}, b = {f['b']:g}, f = {f['f']:g}, df/da = {f['df/da']:g}, "
          f"df/db = {f['df/db']:g}, df/dx = {f['df/dx']:g}, df/dy = {f['df/dy']:g}")
    path = viz.save(f["graph"], args.out / "chapter004_graph.svg")
    print(f"{'':48}its graph: {path}")
    mask = relu_mask([[-2.0, 0.5], [3.0, -1.0]], [[0.3, 0.5], [0.2, 0.8]])
    print(f"lines 791-808   ReLU mask: dL/dz                  chapter [[0.0, 0.5], [0.2, 0.0]]   chainrule {_matrix(mask)}")
    W = [[0.5, 0.2, 0.1], [0.3, 0.4, 0.6]]
    g = layer_gradients(W, [[1.0, 2.0], [0.5, 1.5], [0.0, 1.0]], [[0.2, 0.3], [0.1, 0.4]])
    print(f"lines 850-874   dL/dW = (1/m) dL/dz a^T           chapter [[0.4, 0.275, 0.15], [0.45, 0.325, 0.2]]   "
          f"chainrule {_matrix(g['dL/dW'])}")
    print(f"lines 945-968   dL/da_prev = W^T dL/dz            chapter [[0.13, 0.27], [0.08, 0.22], [0.08, 0.27]]   "
          f"chainrule {_matrix(g['dL/da_prev'])}")
    bias = layer_gradients(W, [[1.0, 2.0, 0.0], [0.5, 1.5, 1.0], [0.0, 1.0, 2.0]],
                           [[0.2, 0.3, 0.1], [0.1, 0.4, 0.2]])["dL/db"]
    print(f"lines 902-914   dL/db = (1/m) sum dL/dz           chapter [[0.2], [0.233]]   chainrule {_matrix(bias)}")
    v = vanishing_product()
    print(f"lines 1239-1241 0.25^10, ten sigmoid slopes       chapter 0.0000009      chainrule {v:.7g} "
          f"(= 0.25^10 = {0.25 ** 10:.7g}; the chapter cuts it short: it rounds to 0.000001)")
    return 0 if math.isclose(v, 0.25 ** 10, rel_tol=1e-12) else 1
