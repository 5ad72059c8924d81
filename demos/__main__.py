"""``python -m demos NAME [options]``: run one demo; with no name, list them. Installed, the package is
``chainrule_demos`` and the ``chainrule`` command (``cli`` below) runs the demos and copies the tutorials."""

from __future__ import annotations

import argparse
import importlib
import sys
from importlib import resources
from pathlib import Path
from typing import List, Optional, Union

from . import common

DEMOS = {
    "moons": "micrograd's classic: an MLP learns the two-moons data with an SVM loss",
    "worked_example": "a 2-3-1 sigmoid network: forward, the four backprop equations, one step",
    "two_layer": "The Backpropagation Algorithm's two-layer example: every backprop step beside the chapter's number",
    "chapter_pictures": "the chapters' pictures: a chain of functions and its derivatives, a gradient on contours, a network",
    "calculus_examples": "the chapters' first calculus examples: x^2 as a limit, (2x + 3)^2, sin(x + y^2) drawn",
    "chapter004": "Chapter 02: Backpropagation & Gradient Descent, small examples: e^(x^2), (x+y)(x-y), the ReLU "
                  "mask, batch gradients, 0.25^10",
    "matrix_calculus": "Backpropagation Calculus for Deep Learning's matrix calculus (§5): the product rule, the trace "
                       "identities, a linear layer's and an activation's Jacobians, by the engine",
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
    "gradient_flow_cell": "Chapter 16's gradient-flow cell run as written: sigmoid's deltas vanish, ReLU's are all 0 "
                          "(a dead output unit)",
    "in_place": "a number changed in place between forward and backward: the wrong gradient it gives, and chainrule's "
                "refusal",
    "profiling": "engine.profile() on a deep MLP's training step: eager, checkpointed and compiled, op by op",
    "ad_accuracy": "where forward and reverse mode lose digits (tanh's 1 - tanh^2, cancellation), against mpmath; the "
                   "complex step keeps them",
    "precision": "float16, float32 and float64 gradients, loss scaling, the finite difference's V per dtype, "
                 "fixed-point and logarithmic numbers",
    "discrete": "gradients through a sampled choice: REINFORCE, Gumbel-softmax and straight-through against the "
                "exact gradient; a network with rounded weights",
    "taylor": "derivatives of every order in one pass: Taylor mode against nested grad up to order 8, and sympy",

    "through_time": "backpropagation through time: a tanh RNN's gradient vanishes with the steps back, an LSTM's does not",
    "lstm_cell": "one LSTM step's backward derived by hand: every gate's derivative beside the engine's and PyTorch's",
    "makemore": "makemore: census first names from a count bigram to an MLP, an LSTM and a transformer, each beside "
                "PyTorch (python -m nn.data fetch names first)",
    "attention_paths": "Backpropagation Calculus for Deep Learning's attention (§10): dL/dV, dL/dQ and dL/dK by hand, "
                       "beside the engine's and PyTorch's",
    "convolution": "a convolution's backward (§10): dL/dx by the flipped kernel, dL/dW by correlation, in 1-D and "
                   "2-D, beside the engine's",
    "compression": "gradient compression on the MNIST network: top-k and quantised gradients, with and without error "
                   "feedback, accuracy against bits sent (python -m nn.data fetch mnist first)",
    "distributed": "the MNIST network trained by PyTorch's DistributedDataParallel over 2 processes from nn.to_torch, "
                   "against chainrule's own fit (needs PyTorch; python -m nn.data fetch mnist first)",
    "cnn": "a small CNN on real MNIST digits (or --fashion) at array speed, beside the same network in PyTorch "
           "(python -m nn.data fetch mnist first)",
}


def main(argv: Optional[List[str]] = None, prog: str = "python -m demos") -> int:
    argv = sys.argv[1:] if argv is None else argv
    previous, common.RUN = common.RUN, prog  # usage lines and the index name the command that was typed
    try:
        return _run(argv, prog)
    finally:
        common.RUN = previous


def _run(argv: List[str], prog: str) -> int:
    if argv[:1] == ["--list"]:  # the chapters' examples, and what reproduces each
        from . import chapters

        print(chapters.markdown() if argv[1:] == ["--markdown"] else chapters.text(), end="")
        return 0
    if not argv or argv[0] not in DEMOS:
        if argv and argv[0] not in ("-h", "--help"):
            print(f"unknown demo {argv[0]!r}", file=sys.stderr)
        print(f"usage: {prog} NAME [options]   ({prog} --list: the chapters' examples, and where each is)\n"
              f"{prog} NAME --help says a demo's options; the long ones show progress and take --quick "
              f"for a short run\n\ndemos:")
        for name, what in DEMOS.items():
            print(f"  {name:20} {what}")
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    # Relative to this package: ``demos`` in a checkout, ``chainrule_demos`` when installed.
    return importlib.import_module(f".{argv[0]}", __package__ or "demos").main(argv[1:])


TUTORIALS_DIR = "chainrule-tutorials"


def tutorial_files() -> List[str]:
    """The names of what ``chainrule tutorials`` copies: the notebooks, then the chapters' index.

    >>> tutorial_files()[0], tutorial_files()[-1]
    ('01_neuron_and_mlp.ipynb', 'CHAPTERS.md')
    """
    notebooks = sorted(f.name for f in _package().joinpath("notebooks").iterdir() if f.name.endswith(".ipynb"))
    return notebooks + ["CHAPTERS.md"]


def copy_tutorials(target: Union[str, Path] = TUTORIALS_DIR, force: bool = False) -> List[Path]:
    """Copy the tutorial notebooks and the chapters' index (``CHAPTERS.md``) into ``target``, made if need be;
    returns the paths written. FileExistsError, before anything is written, if one is there already, unless
    ``force``.

    >>> import tempfile
    >>> [p.name for p in copy_tutorials(tempfile.mkdtemp())][-2:]
    ['04_digits.ipynb', 'CHAPTERS.md']
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"chainrule tutorials: {target} is a file, not a folder to copy the tutorials into")
    names = tutorial_files()
    there = [target / name for name in names if (target / name).exists()]
    if there and not force:
        listed = ", ".join(str(p) for p in there)
        raise FileExistsError(f"chainrule tutorials: {listed} already exist{'s' if len(there) == 1 else ''} "
                              f"(your own changes, perhaps); copy into another folder, or add --force to overwrite")
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names:
        source = _package().joinpath(name if name == "CHAPTERS.md" else f"notebooks/{name}")
        (target / name).write_bytes(source.read_bytes())
        written.append(target / name)
    return written


def _package() -> "resources.abc.Traversable":
    return resources.files(__package__ or "demos")


def tutorials(argv: List[str]) -> int:
    """``chainrule tutorials [DIR] [--force]``: copy the notebooks and the index to DIR and say how to open them;
    the exit status is 1 if a file is in the way. ``chainrule tutorials ~/learning`` is ``tutorials(["~/learning"])``."""
    parser = argparse.ArgumentParser(prog="chainrule tutorials",
                                     description="Copy the tutorial notebooks and the chapters' index (CHAPTERS.md) "
                                                 "into a folder of your own.")
    parser.add_argument("dir", nargs="?", default=TUTORIALS_DIR, help=f"where to copy them (default: ./{TUTORIALS_DIR})")
    parser.add_argument("--force", action="store_true", help="overwrite files of the same names")
    args = parser.parse_args(argv)
    try:
        written = copy_tutorials(args.dir, args.force)
    except (FileExistsError, NotADirectoryError) as e:
        print(e, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"\nopen them with:  jupyter lab {Path(args.dir) / written[0].name}\n"
          f"(what they need, JupyterLab included:  pip install 'chainrule[tutorials]')")
    return 0



def cli(argv: Optional[List[str]] = None) -> int:
    """The ``chainrule`` command: ``chainrule demo NAME [options]`` runs a demo, ``chainrule demo`` lists them,
    ``chainrule tutorials [DIR]`` copies the tutorial notebooks to DIR."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: chainrule demo [NAME [options]] | chainrule tutorials [DIR] [--force]\n\n"
              "  demo               list the demos\n  demo NAME ...      run one (pictures go to ./out)\n"
              f"  tutorials [DIR]    copy the tutorial notebooks and CHAPTERS.md to DIR (default ./{TUTORIALS_DIR})")
        return 0
    if argv[0] == "tutorials":
        return tutorials(argv[1:])
    if argv[0] != "demo":
        print(f"unknown command {argv[0]!r}; try: chainrule demo, or chainrule tutorials", file=sys.stderr)
        return 2
    return main(argv[1:], prog="chainrule demo")


if __name__ == "__main__":
    sys.exit(main())
