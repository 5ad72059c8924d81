"""Exercise 16.2 of Chapter 16 worked: one forward and backward pass of XOR through a 2-2-1 network, by hand.

Exercise 16.2 of Chapter 16: Backpropagation -- The Complete Derivation (lines 788-789) asks for the full
forward and backward pass of XOR with a 2-2-1 network and every gradient computed by hand. Here
the network is sigmoid in both layers, the loss the mean over the four points of 1/2 (a2 - y)^2,
and the weights are chosen below. ``python -m demos xor_by_hand`` prints each point's forward
pass and errors by the four equations of the chapter (BP1 and BP2 for the errors, then BP3 for the
weight gradients and BP4 for the biases, lines 148-216), averaged over the batch, beside the
engine's gradients; then ``explain`` writes out the chain rule for one weight, path by path, and
one gradient step at learning rate 0.5 lowers the loss.
"""

from __future__ import annotations

import argparse
import math
from typing import Dict, List, Optional

from engine import Value, explain, mean

from .common import TwoLayer, command

POINTS = [((0.0, 0.0), 0.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), 0.0)]
W1 = [[0.5, -0.4], [0.3, 0.8]]
B1 = [0.1, -0.1]
W2 = [0.7, -0.6]
B2 = 0.2
ETA = 0.5


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def by_hand() -> Dict[str, object]:
    """The forward pass and the four equations in plain floats, point by point, then averaged."""
    rows = []
    for x, y in POINTS:
        z1 = [W1[j][0] * x[0] + W1[j][1] * x[1] + B1[j] for j in range(2)]
        a1 = [_sigmoid(z) for z in z1]
        a2 = _sigmoid(W2[0] * a1[0] + W2[1] * a1[1] + B2)
        delta2 = (a2 - y) * a2 * (1 - a2)  # BP1
        delta1 = [W2[j] * delta2 * a1[j] * (1 - a1[j]) for j in range(2)]  # BP2
        rows.append({"x": x, "y": y, "a1": a1, "a2": a2, "delta2": delta2, "delta1": delta1,
                     "loss": 0.5 * (a2 - y) ** 2})
    n = len(rows)
    return {
        "rows": rows,
        "loss": sum(r["loss"] for r in rows) / n,
        "W2": [sum(r["delta2"] * r["a1"][j] for r in rows) / n for j in range(2)],  # BP3, averaged
        "b2": sum(r["delta2"] for r in rows) / n,  # BP4
        "W1": [[sum(r["delta1"][j] * r["x"][k] for r in rows) / n for k in range(2)] for j in range(2)],
        "b1": [sum(r["delta1"][j] for r in rows) / n for j in range(2)],
    }


class Network(TwoLayer):
    """The 2-2-1 network as labelled Values."""

    def __init__(self) -> None:
        super().__init__(W1, B1, W2, B2)

    def loss(self) -> Value:
        losses = []
        for i, (x, y) in enumerate(POINTS):  # labels name point i's nodes, so explain's paths read
            z1 = [row[0] * x[0] + row[1] * x[1] + b for row, b in zip(self.w1, self.b1)]
            a1 = [z.sigmoid() for z in z1]
            z2 = self.w2[0] * a1[0] + self.w2[1] * a1[1] + self.b2
            a2 = z2.sigmoid()
            losses.append(0.5 * (a2 - y) ** 2)
            for j in range(2):
                z1[j].label, a1[j].label = f"z1_{j}[{i}]", f"a1_{j}[{i}]"
            z2.label, a2.label, losses[-1].label = f"z2[{i}]", f"a2[{i}]", f"loss[{i}]"
        out = mean(losses)
        out.label = "L"
        return out


def main(argv: Optional[List[str]] = None) -> int:
    argparse.ArgumentParser(prog=command("xor_by_hand"), description=__doc__.splitlines()[0]).parse_args(argv)
    hand = by_hand()
    net = Network()
    loss = net.loss()
    loss.backward()
    print(f"XOR through 2-2-1, sigmoid both layers: W1 = {W1}, b1 = {B1}, W2 = {W2}, b2 = {B2}")
    print("loss L = mean over the 4 points of 1/2 (a2 - y)^2\n")
    print(f"{'x':>10}{'y':>4}{'a1':>22}{'a2':>10}{'delta2 (BP1)':>15}{'delta1 (BP2)':>24}")
    for r in hand["rows"]:
        a1 = ", ".join(f"{a:.4f}" for a in r["a1"])
        d1 = ", ".join(f"{d:+.5f}" for d in r["delta1"])
        print(f"{str(r['x']):>10}{r['y']:>4.0f}{'[' + a1 + ']':>22}{r['a2']:>10.4f}{r['delta2']:>+15.5f}{'[' + d1 + ']':>24}")
    print(f"\nL = {hand['loss']:.9f} by hand, {loss.data:.9f} by the engine\n")
    print(f"{'gradient':<28}{'by hand':>14}{'engine':>14}")
    rows = [(f"dL/dw2[{j}]     (BP3)", hand["W2"][j], net.w2[j].grad) for j in range(2)]
    rows += [("dL/db2        (BP4)", hand["b2"], net.b2.grad)]
    rows += [(f"dL/dw1[{j}][{k}]  (BP3)", hand["W1"][j][k], net.w1[j][k].grad) for j in range(2) for k in range(2)]
    rows += [(f"dL/db1[{j}]     (BP4)", hand["b1"][j], net.b1[j].grad) for j in range(2)]
    for name, h, e in rows:
        print(f"{name:<28}{h:>14.9f}{e:>14.9f}")
    worst = max(abs(h - e) for _, h, e in rows)
    print(f"largest difference: {worst:.1e}\n")
    print("The chain rule for dL/dw1[0][0], path by path (through each point's hidden unit 0):")
    explain(loss, wrt=net.w1[0][0])
    for p in net.parameters():
        p.data -= ETA * p.grad
    after = net.loss().data
    print(f"\nOne step, eta = {ETA}: L goes from {loss.data:.9f} to {after:.9f}")
    return 0 if after < loss.data and worst < 1e-12 else 1
