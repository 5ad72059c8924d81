"""``python -m demos NAME [options]``: run one demo; with no name, list them."""

from __future__ import annotations

import importlib
import sys
from typing import List, Optional

DEMOS = {
    "moons": "micrograd's classic: an MLP learns the two-moons data with an SVM loss",
    "worked_example": "a 2-3-1 sigmoid network: forward, the four backprop equations, one step",
    "forward_vs_reverse": "f(x, y) = x^2 + y^3 by forward mode (two passes) and reverse mode (one)",
    "gradcheck": "exp(sin(x^2)): engine, hand-written chain rule and central differences",
    "step_error": "finite differences of exp(sin(x^2)): error against the step h for every scheme, log-log",
    "xor": "a 2-2-1 network learns XOR; prints the learned truth table",
    "circles": "random search against gradient descent on the two-circles data",
    "vanishing": "sigmoid against ReLU in a deep network: gradient norms per layer",
    "digits": "a softmax classifier on the 8x8 digits with Adam (needs chainrule[data])",
    "graph": "the lecture's neuron drawn three ways: SVG, interactive explorer, text",
}


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in DEMOS:
        if argv and argv[0] not in ("-h", "--help"):
            print(f"unknown demo {argv[0]!r}", file=sys.stderr)
        print("usage: python -m demos NAME [options]\n\ndemos:")
        for name, what in DEMOS.items():
            print(f"  {name:20} {what}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    return importlib.import_module(f"demos.{argv[0]}").main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
