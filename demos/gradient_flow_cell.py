"""Chapter 16: Backpropagation -- The Complete Derivation, §16.6 Gradient Flow Visualization (lines 580-722), run
as written, by the engine.

The chapter's cell builds a 10-20-20-20-20-20-1 network twice from NumPy's seed 42, once with sigmoid and once with
ReLU on every layer (the output unit too), and plots the norm of each layer's delta = dL/dz to show sigmoid's
gradients vanishing while ReLU's keep their size. Here the same weights, input and target (NumPy's random stream,
drawn in the cell's order) feed a chainrule graph, and the engine's gradients give the deltas. Sigmoid's shrink
layer by layer, as the text says. ReLU's are all exactly zero: the output unit's z is negative, so ReLU's derivative
there is 0 and nothing flows back, a dead output unit, and the cell's printed ratio is 0/0. The figure cannot show
what the text claims. With the output unit linear (as a regression network's is), ReLU's deltas flow back,
shrinking far less than sigmoid's: what the text meant.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional

import engine
from engine import Value

from .common import common_args

SIZES = [10, 20, 20, 20, 20, 20, 1]


def deltas(activation: str, linear_output: bool = False) -> Dict[str, object]:
    """The cell's network from NumPy's seed 42: the norm of dL/dz per layer (layer 1 first) by the engine, and the
    output unit's z."""
    import numpy as np

    np.random.seed(42)  # the cell seeds before each run, then draws the weights, the input and the target
    weights = [np.random.randn(n_out, n_in) * np.sqrt(2.0 / (n_in + n_out)) for n_in, n_out in zip(SIZES, SIZES[1:])]
    x = np.random.randn(SIZES[0], 1)
    y = np.random.randn(SIZES[-1], 1)
    a: List = [Value(float(v)) for v in x[:, 0]]
    zs = []
    for k, W in enumerate(weights):
        z = [engine.dot([float(w) for w in row], a) for row in W]
        zs.append(z)
        last = k == len(weights) - 1
        if last and linear_output:
            a = z
        else:
            a = [t.sigmoid() if activation == "sigmoid" else t.relu() for t in z]
    loss = 0.5 * (a[0] - float(y[0, 0])) ** 2  # dL/da = a - y, the cell's "MSE gradient"
    loss.backward()
    norms = [math.sqrt(sum(t.grad ** 2 for t in z)) for z in zs]
    return {"norms": norms, "output z": zs[-1][0].data}


def ratio_of(run: Dict[str, object]) -> float:
    norms = run["norms"]
    return norms[0] / norms[-1]


def main(argv: Optional[List[str]] = None) -> int:
    common_args("gradient_flow_cell", __doc__).parse_args(argv)
    runs = {"sigmoid": deltas("sigmoid"), "ReLU (as written)": deltas("relu"),
            "ReLU, linear output": deltas("relu", linear_output=True)}
    print("Chapter 16 §16.6's gradient-flow cell, its weights from NumPy's seed 42, deltas by the engine:\n")
    print(f"{'':22}" + "".join(f"{f'layer {i + 1}':>11}" for i in range(len(SIZES) - 1)) + f"{'1 / 6':>12}")
    for name, run in runs.items():
        norms = run["norms"]
        ratio = f"{norms[0] / norms[-1]:.3g}" if norms[-1] else "0/0"
        print(f"{name:<22}" + "".join(f"{n:>11.3e}" for n in norms) + f"{ratio:>12}")
    dead = runs["ReLU (as written)"]["output z"]
    print(f"\nAs written, the ReLU network's output unit has z = {dead:.4f} < 0: ReLU's derivative there is 0, so every "
          f"delta is 0\n(a dead output unit) and the cell's ratio is 0/0. Its figure cannot show what its text says. "
          f"With a linear output unit\nthe ReLU deltas lose a factor of {1 / ratio_of(runs['ReLU, linear output']):.0f} "
          f"over the six layers, sigmoid's a factor of {1 / ratio_of(runs['sigmoid']):.0f}: what the text meant.")
    return 0
