"""Where each worked example, figure and exercise of the five chapters is reproduced: the index behind
``python -m demos --list`` and ``demos/CHAPTERS.md`` (``python -m demos --list --markdown`` writes it).

The chapters are in ``../shared/chapters/`` (their README names them); lines are quoted as the files number them.
"""

from __future__ import annotations

from typing import List, NamedTuple

FILES = {
    "000": "000_0adcd0f39d55295c.txt: Backpropagation, the engine of deep learning",
    "001": "001_ee8a8183f40978cc.txt: The backpropagation algorithm",
    "002": "002_dede87141e9fc4a0.txt: Backpropagation calculus for deep learning",
    "003": "003_d6c1357372f19952.txt: Chapter 16, backpropagation, the complete derivation",
    "004": "004_a38375548f71c0c0.txt: Chapter 02, backpropagation and gradient descent",
}


class Entry(NamedTuple):
    """One example, figure or exercise: its chapter and lines, what it is, and what reproduces it (a
    ``python -m demos`` name, or ``engine.``/``nn.``/``viz.`` function), or why it is left out."""

    chapter: str
    lines: str
    what: str
    where: str
    left_out: str = ""  # the reason, for an entry nothing reproduces (yet)


INDEX: List[Entry] = [
    Entry("000", "90-272", "random search against gradient descent; a gradient check of the chapter's backward code",
          "backprop_necessity"),
    Entry("000", "418-547", "J = exp(sin(x^2)) step by step, checked by finite differences", "gradcheck"),
    Entry("000", "483-547", "figure: the chain of functions and their local derivatives", "chapter_pictures"),
    Entry("000", "602-684", "f(x, y) = x^2 + y^3 by forward and reverse mode", "forward_vs_reverse"),
    Entry("000", "685-738", "figure: contours of x^2 + y^3 with the gradient arrow", "chapter_pictures"),
    Entry("000", "818-832, 1102-1128", "backward functions B[f, z](v): linearity and composition", "engine.vjp"),
    Entry("000", "921-1050", "backward functions of the basic modules: W z + b, ReLU, sigmoid, the losses",
          "chapter004"),
    Entry("000", "1072-1100", "convolutional layers", "", "chainrule has no convolutions; a 1-D one is a sum of "
          "products, which engine.dot and gradcheck handle like any other"),
    Entry("000", "1150-1173", "a two-layer network's forward and backward pass, symbol by symbol", "worked_example"),
    Entry("000", "1238-1251", "higher-order derivatives by backpropagating again", "engine.hessian"),
    Entry("000", "1257-1300", "the same gradients in PyTorch and TensorFlow", "engine.testing.torch_reference"),
    Entry("000", "886-893", "a gradient costs the same order as the function", "gradient_cost"),
    Entry("000", "905-912", "memory-efficient backpropagation: gradient checkpointing", "checkpointing"),
    Entry("000", "1051-1070", "layer normalisation and its hand-derived backward", "layernorm_backward"),
    Entry("000", "1181-1203", "gradient checking a model layer by layer", "nn.gradcheck_model"),
    Entry("000", "1216-1236", "Newton's method and quasi-Newton (BFGS)", "rosenbrock"),
    Entry("001", "52-62", "the chain rule on y = (2x + 3)^2", "calculus_examples"),
    Entry("001", "216-242", "Keras: a Sequential model, compile and fit", "nn.fit"),
    Entry("001", "244-283", "a custom training loop: forward, loss, gradients, optimizer step", "moons"),
    Entry("001", "82-212", "the one-input two-layer example and its learning-rate-0.01 step", "two_layer"),
    Entry("001", "286-309", "vanishing and exploding gradients, and their cures", "vanishing"),
    Entry("001", "310-319", "dead ReLU units, and leaky ReLU", "dying_relu"),
    Entry("001", "321-349", "visualising gradient flow: each layer's gradient magnitude", "vanishing"),
    Entry("002", "189-206, 386", "experiment 1: forward against reverse mode over n inputs and m outputs",
          "forward_vs_reverse --timing"),
    Entry("002", "223-229", "Algorithm 7.1: gradient checkpointing", "engine.checkpoint"),
    Entry("002", "262-271", "Hessian-vector products, forward-over-reverse and reverse-over-reverse", "engine.hvp"),
    Entry("002", "266-267", "the Gauss-Newton approximation", "gauss_newton"),
    Entry("002", "273-275", "differentiating through an optimisation problem", "implicit"),
    Entry("002", "270-271", "the finite-difference Hessian-vector product (grad f(x + eps v) - grad f(x)) / eps",
          "engine.hvp"),
    Entry("002", "43-54", "the graph of f(x, y) = sin(x + y^2) and its forward computation", "calculus_examples"),
    Entry("002", "237-258", "gradient checking: central differences with h near sqrt(eps), and cancellation",
          "step_error"),
    Entry("002", "322-354", "operator overloading, backward function objects, gradient accumulation",
          "engine.Value"),
    Entry("002", "387", "experiment 2: gradient checking", "gradcheck"),
    Entry("002", "388", "experiment 3: memory profiling", "checkpointing"),
    Entry("002", "389", "experiment 4: numerical precision", "step_error"),
    Entry("002", "390", "experiment 5: gradient flow in deep networks", "vanishing"),
    Entry("002", "454", "exercise: backpropagation for LSTM cells", "", "chainrule has no recurrent layers"),
    Entry("002", "455", "exercise: reverse mode computes exact gradients", "engine.testing.check_grads"),
    Entry("002", "456, 462", "exercises: checkpointing's memory, and memory-efficient backprop for deep networks",
          "checkpointing"),
    Entry("002", "459", "exercise: a minimal AD framework", "engine.Value"),
    Entry("002", "460", "exercise: gradient checking with several finite-difference schemes", "step_error"),
    Entry("002", "461", "exercise: computational graph visualisation", "graph"),
    Entry("002", "465", "exercise: numerical stability of AD implementations", "",
          "a research question; the fuzz suite compares chainrule with PyTorch on 10,000 programs"),
    Entry("002", "466", "exercise: gradient flow under different initialisations", "vanishing"),
    Entry("002", "467", "exercise: mixed precision and gradient accuracy", "", "chainrule computes in float64 only"),
    Entry("003", "148-216", "BP1 to BP4, numbered as the chapter numbers them", "worked_example"),
    Entry("003", "238-400", "the 2-3-1 worked numerical example", "worked_example"),
    Entry("003", "404-446", "the general L-layer algorithm: forward, BP1, BP2 layer by layer, BP3 and BP4", "nn.MLP"),
    Entry("003", "448-574", "figure: a layered network, forward and backward", "chapter_pictures"),
    Entry("003", "580-722", "figure: gradient flow, sigmoid against ReLU, layer by layer (there a 10-20x5-1 "
          "network; here 8 layers of 8, with the other cures beside them)", "vanishing"),
    Entry("003", "725-746", "computational complexity: backward about twice the forward", "gradient_cost"),
    Entry("003", "784-786", "exercise 16.1: BP1 for cross-entropy with a sigmoid output is a - y (the sigmoid's "
          "derivative cancels), pinned for both loss forms", "nn.losses.binary_cross_entropy"),
    Entry("003", "788-789", "exercise 16.2: XOR through 2-2-1, every gradient by hand", "xor_by_hand"),
    Entry("003", "791-792", "exercise 16.3: the backward pass costs at most twice the forward", "gradient_cost"),
    Entry("003", "794-795", "exercise 16.4: the softmax Jacobian diag(s) - s s^T", "nn.losses.softmax"),
    Entry("003", "797-799", "exercise 16.5: a 5-10-8-3 network's parameters and multiply-adds", "gradient_cost"),
    Entry("004", "56-62", "a 784-128-10 network for MNIST", "mnist"),
    Entry("004", "64-88", "random search, and why it fails", "backprop_necessity"),
    Entry("004", "243-279", "the derivative as a limit: (f(3 + h) - f(3)) / h for x^2 approaching 6, and two "
          "examples", "calculus_examples"),
    Entry("004", "389-399", "the chain rule at a point: d/dx e^(x^2) at 2", "chapter004"),
    Entry("004", "545-580", "(x + y)(x - y): forward, backward and its graph", "chapter004"),
    Entry("004", "791-968", "the ReLU mask; batch weight and bias gradients with 1/m; the gradient passed back",
          "chapter004"),
    Entry("004", "1069-1147", "full batch, stochastic and mini-batch; the learning rate (self-check 2 and 9)",
          "gradient_descent"),
    Entry("004", "970-1066, 1394", "softmax with cross-entropy: the gradient y_hat - y (self-check 4)",
          "nn.losses.softmax"),
    Entry("004", "1239-1241", "0.25^10, the vanishing product of sigmoid slopes", "chapter004"),
    Entry("004", "1243-1252, 1395", "the solutions to vanishing gradients (self-check 5)", "vanishing"),
    Entry("004", "1264-1273", "forward mode against reverse mode", "forward_vs_reverse"),
    Entry("004", "1275-1309", "a simple autograd Value: c = a * b, backward gives 3 and 2", "engine.Value"),
    Entry("004", "1313-1325", "train MNIST to 98%: the plan for the next files", "mnist"),
    Entry("004", "1327-1349, 1397", "gradient checking with the relative error (self-check 7)", "nn.gradcheck_model"),
    Entry("004", "1393", "self-check 3: a dense layer's weight gradient", "chapter004"),
    Entry("004", "1398", "self-check 8: the graph of (x + y)(x - y) and dz/dx", "chapter004"),
    Entry("004", "1391, 1396, 1400", "self-checks 1, 6 and 10: the chain rule, how AD works, caching in the forward "
          "pass", "", "questions answered in prose; the README's first look and explain show each at work"),
]


def _where(e: Entry, quote: str) -> str:
    """What reproduces an entry: a demo's command or a function (in ``quote`` marks), or why it is left out."""
    if not e.where:
        return f"left out: {e.left_out}"
    command = e.where if "." in e.where.split()[0] else f"python -m demos {e.where}"
    return f"{quote}{command}{quote}"


def text() -> str:
    """The index as ``python -m demos --list`` prints it: by chapter, each entry's lines, what and where."""
    out = []
    for chapter, title in FILES.items():
        out.append(f"chapter {title}")
        for e in (e for e in INDEX if e.chapter == chapter):
            out.append(f"  lines {e.lines:<20} {e.what}\n  {'':26} -> {_where(e, '')}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def markdown() -> str:
    """The index as ``demos/CHAPTERS.md``."""
    out = ["# The chapters, example by example", "",
           "Every worked example, figure and exercise of the five chapters in `../shared/chapters/` that chainrule",
           "reproduces, and the command or function that does. Written by `python -m demos --list --markdown`.", ""]
    for chapter, title in FILES.items():
        out += [f"## {title}", "", "| lines | what | reproduced by |", "| --- | --- | --- |"]
        for e in (e for e in INDEX if e.chapter == chapter):
            out.append(f"| {e.lines} | {e.what} | {_where(e, '`')} |")
        out.append("")
    return "\n".join(out)
