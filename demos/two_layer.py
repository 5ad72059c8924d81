"""The Backpropagation Algorithm's worked example: one input, two layers, every step of backprop beside the chapter's number.

The chapter (sections Computational Graph and Weight Updates, lines 82-212) takes x = 2 and
target 1 through z1 = w1 x + b1 (w1 = 0.5, b1 = 0.1), a1 = relu(z1), z2 = w2 a1 + b2
(w2 = 0.3, b2 = -0.2) and prediction = sigmoid(z2), with loss (prediction - target)^2; it
works the backward pass by hand and takes one gradient step at learning rate 0.01.
``python -m demos two_layer`` computes the same with the engine, reading every number off
its graph (a grad, or a local derivative of the node's own rule), and prints it beside the
value the chapter prints. The chapter multiplies numbers it has already rounded, so from
dL/dz2 on its third digit drifts: it has dL/dw2 = -0.257 where the exact value is -0.256067.
The loss goes from 0.218599 to 0.217158.
"""

from __future__ import annotations

import argparse
from typing import Dict, List, NamedTuple, Optional

from engine import Value
from engine.transforms.explain import local_terms

from .common import command

X, TARGET = 2.0, 1.0
W1, B1, W2, B2 = 0.5, 0.1, 0.3, -0.2
LEARNING_RATE = 0.01


class Step(NamedTuple):
    """One number of the example: what it is, the chapter's line and printed value, and the engine's value."""

    name: str
    line: int
    chapter: str
    value: float

    @property
    def rounded(self) -> str:
        """The engine's value with as many decimals as the chapter prints."""
        decimals = len(self.chapter.split(".")[1]) if "." in self.chapter else 0
        return f"{self.value:.{decimals}f}"

    @property
    def agrees(self) -> bool:
        return float(self.rounded) == float(self.chapter.lstrip("~"))


def forward(w1: Value, b1: Value, w2: Value, b2: Value) -> Dict[str, Value]:
    """The chapter's forward pass (lines 104-121), every intermediate labelled."""
    x = Value(X, label="x")
    z1 = w1 * x + b1
    a1 = z1.relu()
    z2 = w2 * a1 + b2
    prediction = z2.sigmoid()
    loss = (prediction - TARGET) ** 2
    nodes = {"z1": z1, "a1": a1, "z2": z2, "prediction": prediction, "loss": loss}
    for name, node in nodes.items():
        node.label = name
    return nodes


def run() -> List[Step]:
    """Forward, backward and one step, each number beside the chapter's."""
    params = {name: Value(v, label=name) for name, v in (("w1", W1), ("b1", B1), ("w2", W2), ("b2", B2))}
    n = forward(**params)
    n["loss"].backward()
    sigmoid_slope = local_terms(n["prediction"])[0][1]  # the sigmoid's own rule: out (1 - out)
    relu_slope = local_terms(n["a1"])[0][1]
    steps = [
        Step("z1 = w1 x + b1", 111, "1.1", n["z1"].data),
        Step("a1 = relu(z1)", 112, "1.1", n["a1"].data),
        Step("z2 = w2 a1 + b2", 116, "0.13", n["z2"].data),
        Step("prediction = sigmoid(z2)", 117, "0.53", n["prediction"].data),
        Step("loss = (prediction - target)^2", 120, "0.22", n["loss"].data),
        Step("dL/d(prediction)", 132, "-0.94", n["prediction"].grad),
        Step("d(prediction)/dz2", 140, "0.249", sigmoid_slope),
        Step("dL/dz2", 143, "-0.234", n["z2"].grad),
        Step("dL/dw2", 153, "-0.257", params["w2"].grad),
        Step("dL/db2", 156, "-0.234", params["b2"].grad),
        Step("dL/da1", 164, "-0.070", n["a1"].grad),
        Step("da1/dz1", 172, "1", relu_slope),
        Step("dL/dz1", 175, "-0.070", n["z1"].grad),
        Step("dL/dw1", 181, "-0.140", params["w1"].grad),
        Step("dL/db1", 184, "-0.070", params["b1"].grad),
    ]
    for p in params.values():
        p.data -= LEARNING_RATE * p.grad
    steps += [
        Step("w2 after the step", 197, "0.30257", params["w2"].data),
        Step("b2 after the step", 201, "-0.19766", params["b2"].data),
        Step("w1 after the step", 205, "0.50140", params["w1"].data),
        Step("b1 after the step", 209, "0.10070", params["b1"].data),
        Step("loss after the step", 212, "lower", forward(**params)["loss"].data),
    ]
    return steps


def main(argv: Optional[List[str]] = None) -> int:
    argparse.ArgumentParser(prog=command("two_layer"), description=__doc__.splitlines()[0]).parse_args(argv)
    steps = run()
    print(f"The Backpropagation Algorithm, Computational Graph and Weight Updates (lines 82-212)\n"
          f"x = {X}, target = {TARGET}; w1 = {W1}, b1 = {B1}, w2 = {W2}, b2 = {B2}; relu, then sigmoid, "
          f"squared error; one step at learning rate {LEARNING_RATE}\n")
    print(f"{'':34}{'line':>5}{'chapter':>10}{'chainrule':>13}{'rounded alike':>15}")
    for s in steps[:-1]:
        mark = "" if s.agrees else "   (the chapter's rounding: it multiplies rounded numbers)"
        print(f"{s.name:34}{s.line:>5}{s.chapter:>10}{s.value:>13.6f}{s.rounded:>15}{mark}")
    before, after = steps[4].value, steps[-1].value
    print(f"\nloss before the step {before:.6f}, after {after:.6f}: lower, as line 212 says")
    return 0 if after < before else 1
