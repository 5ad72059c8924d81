"""``python -m demos NAME [options]``: run one demo; with no name, list them."""

from __future__ import annotations

import importlib
import sys
from typing import List, Optional

DEMOS = {
    "moons": "micrograd's classic: an MLP learns the two-moons data with an SVM loss",
    "worked_example": "a 2-3-1 sigmoid network: forward, the four backprop equations, one step",
    "two_layer": "The Backpropagation Algorithm's two-layer example: every backprop step beside the chapter's number",
    "chapter_pictures": "the chapters' pictures: a chain of functions and its derivatives, a gradient on contours, a network",
    "calculus_examples": "the chapters' first calculus examples: x^2 as a limit, (2x + 3)^2, sin(x + y^2) drawn",
    "chapter004": "Chapter 02: Backpropagation & Gradient Descent, small examples: e^(x^2), (x+y)(x-y), the ReLU "
                  "mask, batch gradients, 0.25^10",
    "forward_vs_reverse": "f(x, y) = x^2 + y^3 by forward mode (two passes) and reverse mode (one)",
    "layernorm_backward": "Backpropagation: The Engine of Deep Learning's layer-norm backward (§7.4.3): right for "
                          "one gain, wrong per feature",
    "gradient_cost": "the cost of a gradient: forward, backward and finite differences against P; exercise 16.5's counts",
    "gradcheck": "exp(sin(x^2)): engine, hand-written chain rule and central differences",
    "step_error": "finite differences of exp(sin(x^2)): error against the step h for every scheme, log-log",
    "xor": "a 2-2-1 network learns XOR; prints the learned truth table",
    "xor_by_hand": "Chapter 16: Backpropagation -- The Complete Derivation, exercise 16.2: XOR through 2-2-1, "
                   "every gradient by hand",
    "backprop_necessity": "Backpropagation: The Engine of Deep Learning's random search against gradient descent, "
                          "and a check of its code",
    "circles": "random search against gradient descent on the two-circles data",
    "gradient_descent": "full batch, mini-batch and stochastic; a learning rate too small, right and too large",
    "dying_relu": "a large negative bias kills every ReLU unit; leaky ReLU brings them back",
    "vanishing": "a deep sigmoid network and each cure for vanishing (and exploding) gradients, measured",
    "digits": "a softmax classifier on the 8x8 digits with Adam (needs chainrule[data])",
    "mnist": "the seed's 784-128-10 network on real MNIST digits (or --fashion), at array speed",
    "graph": "the lecture's neuron drawn three ways: SVG, interactive explorer, text",
    "rosenbrock": "gradient descent, Newton's method and BFGS down the Rosenbrock valley, paths on its contours",
    "gauss_newton": "fitting a e^(-b t) to noisy points: Gauss-Newton steps against gradient descent",
    "implicit": "differentiating through an argmin: a ridge penalty tuned by gradient descent on validation loss",
    "checkpointing": "memory-efficient backprop: peak memory and time against depth, with and without checkpoints",
}


def main(argv: Optional[List[str]] = None, prog: str = "python -m demos") -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--list"]:  # the chapters' examples, and what reproduces each
        from . import chapters

        print(chapters.markdown() if argv[1:] == ["--markdown"] else chapters.text(), end="")
        return 0
    if not argv or argv[0] not in DEMOS:
        if argv and argv[0] not in ("-h", "--help"):
            print(f"unknown demo {argv[0]!r}", file=sys.stderr)
        print(f"usage: {prog} NAME [options]   ({prog} --list: the chapters' examples, and where each is)\n\ndemos:")
        for name, what in DEMOS.items():
            print(f"  {name:20} {what}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    return importlib.import_module(f"demos.{argv[0]}").main(argv[1:])


def cli(argv: Optional[List[str]] = None) -> int:
    """The ``chainrule`` command: ``chainrule demo NAME [options]`` runs a demo, ``chainrule demo`` lists them."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: chainrule demo [NAME [options]]\n\n"
              "  demo            list the demos\n  demo NAME ...   run one (pictures go to ./out)")
        return 0
    if argv[0] != "demo":
        print(f"unknown command {argv[0]!r}; try: chainrule demo", file=sys.stderr)
        return 2
    return main(argv[1:], prog="chainrule demo")


if __name__ == "__main__":
    sys.exit(main())
