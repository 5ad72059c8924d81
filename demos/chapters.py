"""Where each worked example, figure and exercise of the five chapters is reproduced: the index behind
``python -m demos --list`` and ``demos/CHAPTERS.md`` (``python -m demos --list --markdown`` writes it).

The chapters are not in this repository, so they are cited by title and section, as a reader holding the book
looks them up: the chapter's own section number where it has one (§7.4.3), else the section's heading. Line
numbers follow as a secondary reference; they count the lines of each chapter's source text (for the chapter that
is a Jupyter notebook, the lines of the notebook file).
"""

from __future__ import annotations

import textwrap
from typing import Dict, List, NamedTuple

from . import common


class Chapter(NamedTuple):
    """A chapter's title, as its first heading gives it, and what it covers, in a line."""

    title: str
    about: str


# The chapters in the order they are read; the keys are only this module's names for them. Titles are written
# here once: the index, its page and `cite` take them from this table.
CHAPTERS: Dict[str, Chapter] = {
    "000": Chapter("Backpropagation: The Engine of Deep Learning",
                   "random search against gradient descent, exp(sin x^2) step by step, forward against reverse mode, "
                   "backward functions of modules (§7.4), layer norm, gradient checking, second-order methods"),
    "001": Chapter("The Backpropagation Algorithm",
                   "a one-input two-layer worked example with a learning-rate-0.01 update, Keras training loops, "
                   "vanishing gradients, dead ReLUs and their cures"),
    "002": Chapter("Backpropagation Calculus for Deep Learning",
                   "dual numbers and adjoints, complexity, memory and checkpointing, finite differences, "
                   "second-order methods, AD systems, experiments and exercises"),
    "003": Chapter("Chapter 16: Backpropagation -- The Complete Derivation",
                   "a Jupyter notebook: the four equations BP1 to BP4, the 2-3-1 worked example, gradient flow "
                   "with sigmoid against ReLU, exercises 16.1 to 16.5"),
    "004": Chapter("Chapter 02: Backpropagation & Gradient Descent",
                   "small numeric examples, softmax with cross-entropy, batch against mini-batch, a small autograd, "
                   "an MNIST network, self-check questions"),
}


def cite(chapter: str, section: str, lines: str = "") -> str:
    """A citation a reader can follow, the lines only when given: ``cite("003", "§16.5 Worked Numerical Example",
    "238-400")`` is ``"Chapter 16: Backpropagation -- The Complete Derivation, §16.5 Worked Numerical Example (lines
    238-400)"``."""
    return f"{CHAPTERS[chapter].title}, {section}" + (f" ({_lines(lines)})" if lines else "")


def _lines(lines: str) -> str:
    return ("line " if lines.isdigit() else "lines ") + lines


class Entry(NamedTuple):
    """One example, figure or exercise: its chapter, section and lines, what it is, and what reproduces it (a
    ``python -m demos`` name, or ``engine.``/``nn.``/``viz.`` function), or why it is left out."""

    chapter: str
    section: str  # "§7.4.3, Layer Normalization" where the chapter numbers its sections, else the heading text
    lines: str
    what: str
    where: str
    left_out: str = ""  # the reason, for an entry nothing reproduces (yet)

    def citation(self) -> str:
        """The entry's chapter title, section and lines, as ``cite`` writes them."""
        return cite(self.chapter, self.section, self.lines)


INDEX: List[Entry] = [
    Entry("000", "Why Backpropagation Matters", "90-272",
          "random search against gradient descent; a gradient check of the chapter's backward code",
          "backprop_necessity"),
    Entry("000", "Computational Graph Perspective, Example: Simple Function", "418-547",
          "J = exp(sin(x^2)) step by step at x = 1.5: u, v, J, the adjoints dJ/dv, dJ/du, dJ/dx, and the central "
          "difference with step 1e-7", "chapter_pictures"),
    Entry("000", "Computational Graph Perspective, Example: Simple Function", "483-547",
          "figure: the chain's values, its local derivatives h'(x), g'(u), f'(v), and the graph", "chapter_pictures"),
    Entry("000", "Automatic Differentiation, Forward and Reverse Mode Autodiff", "602-684",
          "f(x, y) = x^2 + y^3 by forward and reverse mode", "forward_vs_reverse"),
    Entry("000", "Automatic Differentiation, Reverse Mode Autodiff", "685-738",
          "figure: contours of x^2 + y^3 with the gradient arrow, and the gradient by forward mode, reverse mode and "
          "by hand as bars", "chapter_pictures"),
    Entry("000", "§7.4.1, Backward Function Notation, and §7.4.4, Algorithm Overview", "818-832, 1102-1128",
          "backward functions B[f, z](v): linearity and composition", "engine.vjp"),
    Entry("000", "§7.4.2, Computational Complexity", "886-893",
          "a gradient costs the same order as the function", "gradient_cost"),
    Entry("000", "§7.4.2, Memory-Efficient Backpropagation", "905-912",
          "memory-efficient backpropagation: gradient checkpointing", "checkpointing"),
    Entry("000", "§7.4.2, Memory-Efficient Backpropagation", "908",
          "mixed precision: a compiled network's batch in float32 and float16, and training in each",
          "precision"),
    Entry("000", "§7.4.3 Backward Functions for Basic Modules", "921-1050",
          "backward functions of the basic modules: W z + b, ReLU, sigmoid, the losses", "chapter004"),
    Entry("000", "§7.4.3, Layer Normalization", "1051-1070",
          "layer normalisation and its hand-derived backward", "layernorm_backward"),
    Entry("000", "§7.4.3, Convolutional Layers", "1072-1100",
          "1-D and 2-D convolutions and their backward function, the transpose convolution", "convolution"),
    Entry("000", "§7.4.4, Implementation Details, Numerical Stability", "1138-1142",
          "loss scaling against float16 underflow, static and dynamic, and mixed precision", "precision"),
    Entry("000", "§7.4.4, Example: Two-Layer Neural Network", "1150-1173",
          "a two-layer network's forward and backward pass, symbol by symbol", "worked_example"),
    Entry("000", "§7.4.4, Gradient Checking", "1181-1203",
          "gradient checking a model layer by layer", "nn.gradcheck_model"),
    Entry("000", "Advanced Topics, Second-Order Methods", "1216-1236",
          "Newton's method and quasi-Newton (BFGS)", "rosenbrock"),
    Entry("000", "Advanced Topics, Higher-Order Derivatives", "1238-1251",
          "higher-order derivatives by backpropagating again", "engine.hessian"),
    Entry("000", "Advanced Topics, Automatic Differentiation Frameworks", "1257-1300",
          "the same gradients in PyTorch and TensorFlow", "engine.testing.torch_reference"),
    Entry("001", "The Chain Rule: Foundation of Backpropagation, Calculus Refresher", "52-62",
          "the chain rule on y = (2x + 3)^2", "calculus_examples"),
    Entry("001", "Computational Graph, and Weight Updates", "82-212",
          "the one-input two-layer example and its learning-rate-0.01 step", "two_layer"),
    Entry("001", "Backpropagation in Practice (TensorFlow/Keras), Automatic Differentiation", "216-242",
          "Keras: a Sequential model, compile and fit", "nn.fit"),
    Entry("001", "Backpropagation in Practice (TensorFlow/Keras), Manual Gradient Computation", "244-283",
          "a custom training loop: forward, loss, gradients, optimizer step", "moons"),
    Entry("001", "Common Issues and Solutions, 1. Vanishing Gradients and 2. Exploding Gradients", "286-309",
          "vanishing and exploding gradients, and their cures", "vanishing"),
    Entry("001", "Common Issues and Solutions, 3. Dead ReLU Neurons", "310-319",
          "dead ReLU units, and leaky ReLU", "dying_relu"),
    Entry("001", "Visualizing Gradient Flow", "321-349",
          "visualising gradient flow: each layer's gradient magnitude", "vanishing"),
    Entry("002", "§2 Computational Graphs, Example: f(x, y) = sin(x + y²)", "43-54",
          "the graph of f(x, y) = sin(x + y^2) and its forward computation", "calculus_examples"),
    Entry("002", "§5 Matrix Calculus for Backpropagation", "160-187",
          "the matrix product rule, the trace identities d tr(A^T B)/dA = B and d tr(AB)/dA = B^T, a linear "
          "layer's and an activation's Jacobians, each checked by the engine", "matrix_calculus"),
    Entry("002", "§6 Computational Complexity Analysis, and Experiments", "189-206, 386",
          "experiment 1: forward against reverse mode over n inputs and m outputs", "forward_vs_reverse --timing"),
    Entry("002", "§7 Memory Management in Backpropagation, Memory Optimization Techniques", "223-229",
          "Algorithm 7.1: gradient checkpointing", "engine.checkpoint"),
    Entry("002", "§7 Memory Management in Backpropagation, In-place Operations", "231-233",
          "a number changed in place between forward and backward: the mixed gradient it gives, and chainrule's "
          "refusal", "in_place"),
    Entry("002", "§8 Numerical Considerations", "237-258",
          "gradient checking: central differences with h near sqrt(eps), and cancellation", "step_error"),
    Entry("002", "§8 Numerical Considerations", "255-257",
          "catastrophic cancellation in a finite difference, in float16, float32 and float64", "precision"),
    Entry("002", "§9 Advanced Backpropagation Techniques, Second-Order Methods", "262-271",
          "Hessian-vector products, forward-over-reverse and reverse-over-reverse", "engine.hvp"),
    Entry("002", "§9 Advanced Backpropagation Techniques, Second-Order Methods", "266-267",
          "the Gauss-Newton approximation", "gauss_newton"),
    Entry("002", "§9 Advanced Backpropagation Techniques, Jacobian-Free Methods", "270-271",
          "the finite-difference Hessian-vector product (grad f(x + eps v) - grad f(x)) / eps", "engine.hvp"),
    Entry("002", "§9 Advanced Backpropagation Techniques, Differentiation through Optimization", "273-275",
          "differentiating through an optimisation problem", "implicit"),
    Entry("002", "§10 Backpropagation through Different Architectures, Convolutional Layers", "279-283",
          "a convolution's backward: dL/dx by the flipped kernel, dL/dW by correlating the input with the upstream "
          "gradient", "convolution"),
    Entry("002", "§10 Backpropagation through Different Architectures, Recurrent Layers", "285-289",
          "backpropagation through time and vanishing gradients over long sequences: RNN against LSTM", "through_time"),
    Entry("002", "§10 Backpropagation through Different Architectures, Attention Mechanisms", "290-298",
          "scaled dot-product attention's three gradient paths: dL/dV = A^T G, dL/dQ and dL/dK through the "
          "softmax Jacobian", "attention_paths"),
    Entry("002", "§12 Implementation Considerations", "322-354",
          "operator overloading, backward function objects, gradient accumulation", "engine.Value"),
    Entry("002", "Practical Applications, Memory-Efficient Training", "371",
          "mixed precision: lower precision for some computations, the weights kept in float64", "precision"),
    Entry("002", "Practical Applications, Memory-Efficient Training", "372",
          "gradient compression: top-k and quantised gradients with and without error feedback on the MNIST "
          "network, accuracy against bits sent", "compression"),
    Entry("002", "Implementation Details", "382",
          "performance profiling tools: engine.profile(), op by op, forward and backward apart", "profiling"),
    Entry("002", "Experiments", "387",
          "experiment 2: gradient checking", "gradcheck"),
    Entry("002", "Experiments", "388",
          "experiment 3: memory profiling", "checkpointing"),
    Entry("002", "Experiments", "388",
          "experiment 3: memory profiling, the graph nodes each way holds at its peak (eager, checkpointed, "
          "compiled)", "profiling"),
    Entry("002", "Experiments", "389",
          "experiment 4: numerical precision", "step_error"),
    Entry("002", "Experiments", "389",
          "experiment 4: a network's gradients in float16, float32 and float64, per layer, and training in each",
          "precision"),
    Entry("002", "Experiments", "390",
          "experiment 5: gradient flow in deep networks", "vanishing"),
    Entry("002", "Questions, Extension", "442",
          "third-order derivatives, efficiently: Taylor mode (engine.taylor) against nested grad up to order 8",
          "taylor"),
    Entry("002", "Questions, Extension", "443",
          "an AD system that chooses forward or reverse mode by itself: jacobian(f, mode=\"auto\") counts both "
          "on the trace (engine.jacobian_plan), against the measured grid", "forward_vs_reverse --timing"),
    Entry("002", "Questions, Extension", "444",
          "gradients at discrete operations (argmax, sampling): REINFORCE, Gumbel-softmax and straight-through "
          "against the exact gradient, and a network with rounded weights", "discrete"),
    Entry("002", "Questions, Research", "448",
          "the limits of AD's accuracy: where forward and reverse mode lose digits against mpmath, and the "
          "complex-step derivative that keeps them", "ad_accuracy"),
    Entry("002", "Questions, Research", "449",
          "AD in other number systems: a network's gradient in fixed point and in logarithmic numbers, against "
          "the bits", "precision"),
    Entry("002", "Exercises, Theoretical", "454",
          "exercise: backpropagation for LSTM cells", "lstm_cell"),
    Entry("002", "Exercises, Theoretical", "455",
          "exercise: reverse mode computes exact gradients", "engine.testing.check_grads"),
    Entry("002", "Exercises, Theoretical and Implementation", "456, 462",
          "exercises: checkpointing's memory, and memory-efficient backprop for deep networks", "checkpointing"),
    Entry("002", "Exercises, Implementation", "459",
          "exercise: a minimal AD framework", "engine.Value"),
    Entry("002", "Exercises, Implementation", "460",
          "exercise: gradient checking with several finite-difference schemes", "step_error"),
    Entry("002", "Exercises, Implementation", "461",
          "exercise: computational graph visualisation", "graph"),
    Entry("002", "Exercises, Research", "465",
          "exercise: numerical stability of AD implementations: where forward and reverse mode lose digits "
          "against mpmath (and the fuzz suite against PyTorch on 10,000 programs)", "ad_accuracy"),
    Entry("002", "Exercises, Research", "466",
          "exercise: gradient flow under different initialisations", "vanishing"),
    Entry("002", "Exercises, Research", "467",
          "exercise: mixed precision and gradient accuracy: float16 gradients underflow, loss scaling restores "
          "them", "precision"),
    Entry("003", "§16.4 The Four Fundamental Equations of Backpropagation", "148-216",
          "BP1 to BP4, numbered as the chapter numbers them", "worked_example"),
    Entry("003", "§16.5 Worked Numerical Example", "238-400",
          "the 2-3-1 worked numerical example", "worked_example"),
    Entry("003", "§16.6 The General L-Layer Backpropagation Algorithm", "404-446",
          "the general L-layer algorithm: forward, BP1, BP2 layer by layer, BP3 and BP4", "nn.MLP"),
    Entry("003", "§16.6, Computational Graph Diagram", "448-574",
          "figure: a layered network, forward and backward", "chapter_pictures"),
    Entry("003", "§16.6, Gradient Flow Visualization", "580-722",
          "figure: gradient flow, sigmoid against ReLU, layer by layer (there a 10-20x5-1 network; here 8 layers "
          "of 8, with the other cures beside them)", "vanishing"),
    Entry("003", "§16.6, Gradient Flow Visualization", "580-722",
          "the chapter's own cell run as written: sigmoid's deltas vanish, ReLU's are all 0 (a dead output unit), "
          "and with a linear output they flow", "gradient_flow_cell"),
    Entry("003", "§16.7 Computational Complexity", "725-746",
          "computational complexity: backward about twice the forward", "gradient_cost"),
    Entry("003", "Exercises, Exercise 16.1", "784-786",
          "exercise 16.1: BP1 for cross-entropy with a sigmoid output is a - y (the sigmoid's derivative cancels), "
          "pinned for both loss forms", "nn.losses.binary_cross_entropy"),
    Entry("003", "Exercises, Exercise 16.2", "788-789",
          "exercise 16.2: XOR through 2-2-1, every gradient by hand", "xor_by_hand"),
    Entry("003", "Exercises, Exercise 16.3", "791-792",
          "exercise 16.3: the backward pass costs at most twice the forward", "gradient_cost"),
    Entry("003", "Exercises, Exercise 16.4", "794-795",
          "exercise 16.4: the softmax Jacobian diag(s) - s s^T", "nn.losses.softmax"),
    Entry("003", "Exercises, Exercise 16.5", "797-799",
          "exercise 16.5: a 5-10-8-3 network's parameters and multiply-adds", "gradient_cost"),
    Entry("004", "§1.1 What is Learning?", "56-62",
          "a 784-128-10 network for MNIST", "mnist"),
    Entry("004", "§1.2 Random Search (Doesn't Work!)", "64-88",
          "random search, and why it fails", "backprop_necessity"),
    Entry("004", "§1.3 The Solution: Gradient Descent", "155-164",
          "one update with the chapter's numbers: w = 0.5 - 0.1 x 2.0 = 0.3", "chapter004"),
    Entry("004", "§2.1 What is a Derivative?", "243-279",
          "the derivative as a limit: (f(3 + h) - f(3)) / h for x^2 approaching 6, and two examples",
          "calculus_examples"),
    Entry("004", "§2.3 Derivative Rules", "378-387",
          "the chain rule on (3x)^2: 6x * 3 = 18x", "chapter004"),
    Entry("004", "§2.3 Derivative Rules", "389-399",
          "the chain rule at a point: d/dx e^(x^2) at 2", "chapter004"),
    Entry("004", "§2.4 Partial Derivatives", "431-434",
          "the partial derivatives of x^2 + 3xy + y^2: 2x + 3y and 3x + 2y", "chapter004"),
    Entry("004", "§3.2 Chain Rule Formula", "473-482",
          "d/dx (x^2 + 1)^3 = 6x (x^2 + 1)^2 by the chain rule", "chapter004"),
    Entry("004", "§4.2 Simple Example", "545-580",
          "(x + y)(x - y): forward, backward and its graph", "chapter004"),
    Entry("004", "§5.4 Mathematical Derivations", "791-968",
          "the ReLU mask; batch weight and bias gradients with 1/m; the gradient passed back", "chapter004"),
    Entry("004", "§5.5 Special Case: Softmax + Cross-Entropy, and Self-Check Questions", "970-1066, 1394",
          "softmax with cross-entropy: the gradient y_hat - y (self-check 4)", "nn.losses.softmax"),
    Entry("004", "§6 Gradient Descent, and Self-Check Questions", "1069-1147",
          "full batch, stochastic and mini-batch; the learning rate (self-check 2 and 9)", "gradient_descent"),
    Entry("004", "§8.2 Why This Happens", "1239-1241",
          "0.25^10, the vanishing product of sigmoid slopes", "chapter004"),
    Entry("004", "§8.3 Solutions, and Self-Check Questions", "1243-1252, 1395",
          "the solutions to vanishing gradients (self-check 5)", "vanishing"),
    Entry("004", "§9.2 Forward Mode vs Reverse Mode", "1264-1273",
          "forward mode against reverse mode", "forward_vs_reverse"),
    Entry("004", "§9.3 Building a Simple Autograd", "1275-1309",
          "a simple autograd Value: c = a * b, backward gives 3 and 2", "engine.Value"),
    Entry("004", "§10.1 What We'll Implement", "1313-1325",
          "train MNIST to 98%: the plan for the next files", "mnist"),
    Entry("004", "§10.2 Testing Gradients, and Self-Check Questions", "1327-1349, 1397",
          "gradient checking with the relative error (self-check 7)", "nn.gradcheck_model"),
    Entry("004", "Self-Check Questions", "1391, 1396, 1400",
          "self-checks 1, 6 and 10: the chain rule, how AD works, caching in the forward pass", "",
          "questions answered in prose; the README's first look and explain show each at work"),
    Entry("004", "Self-Check Questions", "1393",
          "self-check 3: a dense layer's weight gradient", "chapter004"),
    Entry("004", "Self-Check Questions", "1398",
          "self-check 8: the graph of (x + y)(x - y) and dz/dx", "chapter004"),
]


def _where(e: Entry, quote: str) -> str:
    """What reproduces an entry: a demo's command or a function (in ``quote`` marks), or why it is left out."""
    if not e.where:
        return f"left out: {e.left_out}"
    command = e.where if "." in e.where.split()[0] else f"{common.RUN} {e.where}"
    return f"{quote}{command}{quote}"


INTRODUCTION = [
    "chainrule accompanies five textbook chapters on backpropagation. Each worked example, figure and exercise",
    "in them is something a reader can run, check or draw with chainrule; this index says with what.",
]
CITING = [
    "The chapters are not part of this repository. An entry cites its chapter by title and section: the",
    "chapter's own section number where it has one (§7.4.3), else the section's heading. Its line numbers are",
    "a secondary reference to the chapter's source text (for the notebook chapter, the lines of the notebook file).",
]


def text() -> str:
    """The index as ``python -m demos --list`` prints it: the chapters, then each one's entries by section."""
    out = INTRODUCTION + [""]
    for n, c in enumerate(CHAPTERS.values(), 1):
        out += [f"  {n}. {c.title}"] + textwrap.wrap(c.about, 100, initial_indent=" " * 5, subsequent_indent=" " * 5,
                                                    break_on_hyphens=False)
    out += [""] + CITING + [""]
    for chapter, c in CHAPTERS.items():
        out.append(c.title)
        for e in (e for e in INDEX if e.chapter == chapter):
            out += [f"  {e.section} ({_lines(e.lines)})", f"      {e.what}", f"      -> {_where(e, '')}"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def markdown() -> str:
    """The index as ``demos/CHAPTERS.md``."""
    out = ["# The chapters, example by example", ""] + INTRODUCTION + [""]
    out += [f"{n}. **{c.title}**: {c.about}." for n, c in enumerate(CHAPTERS.values(), 1)]
    out += [""] + CITING + ["", "Written by `python -m demos --list --markdown`. Installed from the wheel, run a demo "
                            "with `chainrule demo NAME` where this says `python -m demos NAME`.", ""]
    for chapter, c in CHAPTERS.items():
        out += [f"## {c.title}", "", "| section | what | reproduced by | lines |", "| --- | --- | --- | --- |"]
        for e in (e for e in INDEX if e.chapter == chapter):
            out.append(f"| {e.section} | {e.what} | {_where(e, '`')} | {e.lines} |")
        out.append("")
    return "\n".join(out)
