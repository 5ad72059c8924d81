"""The classic worked example of backpropagation: a 2-3-1 sigmoid network, one step by hand.

``python -m demos worked_example`` prints the forward pass, the four backpropagation
equations with their numbers (all read off the engine's own graph), one gradient
step with learning rate 0.5, and the loss before and after. The equations are
numbered as Chapter 16: Backpropagation -- The Complete Derivation (§16.4) numbers
them: BP1 the output error (line 148), BP2 the hidden error (line 173), BP3 the
weight gradients (line 201) and BP4 the bias gradients (line 216).
"""

from __future__ import annotations

import argparse
from typing import Dict, List, Optional

from engine import Value

from .common import TwoLayer, command

X = (0.05, 0.10)
W1 = [[0.15, 0.20], [0.25, 0.30], [0.35, 0.40]]
B1 = [0.35, 0.35, 0.35]
W2 = [0.40, 0.45, 0.50]
B2 = 0.60
TARGET = 0.01
ETA = 0.5


class Network(TwoLayer):
    """The network's parameters as labelled Values."""

    def __init__(self) -> None:
        super().__init__(W1, B1, W2, B2)

    def forward(self) -> Dict[str, object]:
        """Every intermediate of the forward pass, by name."""
        x = [Value(v, label=f"x{k}") for k, v in enumerate(X)]
        z1 = [sum((w * xk for w, xk in zip(row, x)), b) for row, b in zip(self.w1, self.b1)]
        a1 = [z.sigmoid() for z in z1]
        z2 = sum((w * a for w, a in zip(self.w2, a1)), self.b2)
        a2 = z2.sigmoid()
        loss = 0.5 * (a2 - TARGET) ** 2
        for j, (z, a) in enumerate(zip(z1, a1)):
            z.label, a.label = f"z1[{j}]", f"a1[{j}]"
        z2.label, a2.label, loss.label = "z2", "a2", "loss"
        return {"z1": z1, "a1": a1, "z2": z2, "a2": a2, "loss": loss}


def run() -> Dict[str, object]:
    """Forward, backward and one step; every number as the engine computed it."""
    net = Network()
    f = net.forward()
    f["loss"].backward()
    result = {
        "z1": [z.data for z in f["z1"]], "a1": [a.data for a in f["a1"]],
        "z2": f["z2"].data, "a2": f["a2"].data, "loss": f["loss"].data,
        # The four equations, read off the graph: an error delta is dLoss/dz, the grad of z.
        "delta2": f["z2"].grad,
        "delta1": [z.grad for z in f["z1"]],
        "grad_w2": [w.grad for w in net.w2], "grad_b2": net.b2.grad,
        "grad_w1": [[w.grad for w in row] for row in net.w1], "grad_b1": [b.grad for b in net.b1],
    }
    for p in net.parameters():
        p.data -= ETA * p.grad
    after = net.forward()
    result["w2_after"] = [w.data for w in net.w2]
    result["w1_after"] = [[w.data for w in row] for row in net.w1]
    result["loss_after"] = after["loss"].data
    return result


def _vec(values: List[float]) -> str:
    return "[" + ", ".join(f"{v:.9f}" for v in values) + "]"


def main(argv: Optional[List[str]] = None) -> int:
    argparse.ArgumentParser(prog=command("worked_example"), description=__doc__.splitlines()[0]).parse_args(argv)
    r = run()
    print("Network 2-3-1, sigmoid everywhere, loss = 1/2 (a2 - y)^2")
    print(f"  x = {X}, y = {TARGET}, W1 = {W1}, b1 = {B1}, W2 = {W2}, b2 = {B2}\n")
    print("Forward pass")
    print(f"  z1 = W1 x + b1      = {_vec(r['z1'])}")
    print(f"  a1 = sigmoid(z1)    = {_vec(r['a1'])}")
    print(f"  z2 = W2 . a1 + b2   = {r['z2']:.9f}")
    print(f"  a2 = sigmoid(z2)    = {r['a2']:.9f}")
    print(f"  loss                = {r['loss']:.9f}\n")
    print("Backward pass: the four equations (each number is a grad in the engine's graph)")
    print(f"  (BP1) output error   delta2 = (a2 - y) sigmoid'(z2)        = {r['delta2']:.9f}")
    print(f"  (BP2) hidden error   delta1 = (W2^T delta2) * sigmoid'(z1) = {_vec(r['delta1'])}")
    print(f"  (BP3) weight gradient dL/dW2 = delta2 a1 = {_vec(r['grad_w2'])}")
    for j, row in enumerate(r["grad_w1"]):
        print(f"                        dL/dW1[{j}] = delta1[{j}] x = {_vec(row)}")
    print(f"  (BP4) bias gradient   dL/db2 = delta2 = {r['grad_b2']:.9f};  dL/db1 = delta1 = {_vec(r['grad_b1'])}")
    print("  (numbered as Chapter 16, §16.4, numbers them: BP3 the weights, BP4 the biases;\n"
          "   other texts, Nielsen's among them, number the two the other way round)")
    print(f"\nOne gradient step, eta = {ETA}: p <- p - eta dL/dp")
    print(f"  W2 = {_vec(r['w2_after'])}")
    for j, row in enumerate(r["w1_after"]):
        print(f"  W1[{j}] = {_vec(row)}")
    print(f"\nLoss before {r['loss']:.9f}, after {r['loss_after']:.9f}")
    return 0
