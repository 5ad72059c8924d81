"""In-place operations: what goes wrong when a number the backward pass needs is changed after the forward pass,
and what chainrule does about it.

Backpropagation Calculus for Deep Learning (§7, In-place Operations, lines 231-233) says an in-place change
"requires careful gradient computation". Here y = tanh(x w) at x = 0.8, w = 0.5; then w.data is set to 3.0, in
place, before backward. A backward pass that reads the numbers as they are now (micrograd's closures read
``other.data``) mixes the old tanh with the new w: a gradient of neither function. The demo computes that mixed
number by hand, beside the right gradients at the old and at the new w; chainrule refuses with a clear error, as
PyTorch's version counters do ("one of the variables needed for gradient computation has been modified by an
inplace operation"); and it shows the two ways to do it right: change the data after backward (as a training
step does), or compute the forward pass again.
"""

from __future__ import annotations

import math
from typing import List, Optional

from engine import Value

from .common import common_args

X, W_OLD, W_NEW = 0.8, 0.5, 3.0


def right(w: float) -> float:
    """dy/dx of tanh(x w) at X: w (1 - tanh(x w)^2)."""
    return w * (1 - math.tanh(X * w) ** 2)


def mixed() -> float:
    """What a backward pass that reads today's numbers computes: tanh's rule with the old output, times the new w."""
    t_old = math.tanh(X * W_OLD)  # the forward pass's output, kept in the graph
    return (1 - t_old ** 2) * W_NEW  # the product's rule reads w.data, which is now W_NEW


def refused() -> str:
    """chainrule's answer: the error backward raises."""
    x, w = Value(X, label="x"), Value(W_OLD, label="w")
    y = (x * w).tanh()
    w.data = W_NEW
    try:
        y.backward()
    except RuntimeError as e:
        return str(e)
    raise AssertionError("backward accepted a graph whose data changed under it")


def after_backward() -> List[float]:
    """The training step's order: forward, backward, then change the data; and forward again at the new w."""
    x, w = Value(X), Value(W_OLD)
    (x * w).tanh().backward()
    first = x.grad
    w.data = W_NEW  # after backward: nothing of the graph reads it again
    x.grad = 0.0
    (x * w).tanh().backward()  # a new forward pass at the new w
    return [first, x.grad]


def main(argv: Optional[List[str]] = None) -> int:
    common_args("in_place", __doc__).parse_args(argv)
    print(f"y = tanh(x w) at x = {X}, w = {W_OLD}; then w.data = {W_NEW} in place, before y.backward()\n")
    print(f"  right dy/dx at the old w:  w (1 - tanh(xw)^2) = {right(W_OLD):.6f}")
    print(f"  right dy/dx at the new w:                       {right(W_NEW):.6f}")
    print(f"  a backward pass reading today's numbers:        {mixed():.6f}  (the old tanh, the new w: neither)")
    print(f"\nchainrule refuses:\n  RuntimeError: {refused()}\n")
    first, second = after_backward()
    print(f"done right: backward first ({first:.6f}), then w.data = {W_NEW}, then a new forward and backward "
          f"({second:.6f})")
    print("To keep the old number while changing the Value, copy it first: Value(w.data) is a new leaf that no later "
          "assignment reaches.")
    return 0
