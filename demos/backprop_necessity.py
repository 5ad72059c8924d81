"""The opening experiment of Backpropagation: The Engine of Deep Learning, and a gradient check of its code.

The chapter (section Why Backpropagation Matters, lines 90-272) shows why backpropagation
is essential: 1,000 points of two circles (noise 0.1; scikit-learn's ``make_circles``, factor 0.8,
here ``nn.data.circles``), a 70/30 split, a 2-10-1 network (ReLU, then a sigmoid; weights
N(0, 0.1^2), biases 0), binary cross-entropy, 500 iterations each of random search (perturbations
of 0.01, kept when the loss drops) and of plain gradient descent at learning rate 0.1, and the test
accuracy of both. ``python -m demos backprop_necessity`` runs that experiment with chainrule's
gradients, and finds what the chapter did not: with the true gradient, a rate of 0.1 barely
moves weights that start at size 0.1 in 500 steps (test accuracy 0.500, random search 0.617);
at a rate of 1, descent reaches 0.78. Then it checks the chapter's own hand-written backward pass (lines 174-190) against
the engine's gradient, as a reader checking a derivative would, and finds where it goes wrong:

1. ``predictions - y`` subtracts a (700,) vector from a (700, 1) column, which NumPy broadcasts to
   a 700 x 700 matrix, so dW2 comes out 700 x 10 instead of 1 x 10;
2. ``d_predictions`` is dL/d(prediction), but it is used as dL/dz: the sigmoid's derivative
   p (1 - p) is missing (with it, dL/dz = p - y);
3. the loss is a mean over the batch, so every gradient needs a 1/m the code leaves out;
4. and line 210 unpacks the trained parameters as ``W1, b1, b2, W2``, swapping W2 and b2, so the
   chapter's evaluation (line 221) would not even run.
"""

from __future__ import annotations

import math
import random
from typing import Dict, List, Optional, Tuple

import numpy as np

import nn
from nn import MLP, SGD, fit, losses

from .common import common_args, progress

SAMPLES, NOISE, FACTOR, SEED, TEST, ITERATIONS, RATE, STEP = 1000, 0.1, 0.8, 42, 0.3, 500, 0.1, 0.01
QUICK = 100  # iterations for --quick
FASTER = 1.0  # a rate at which plain descent gets somewhere in 500 steps from this start


def data() -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = nn.data.circles(SAMPLES, noise=NOISE, factor=FACTOR, seed=SEED)
    X_train, X_test, y_train, y_test = nn.data.train_test_split(X, y, test_size=TEST, seed=SEED)
    return np.array(X_train), np.array(X_test), np.array(y_train, dtype=float), np.array(y_test, dtype=float)


def initial(rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """The chapter's start: W1 ~ N(0, 0.1^2) (10 x 2), b1 = 0, W2 ~ N(0, 0.1^2) (1 x 10), b2 = 0."""
    return {"W1": rng.normal(0.0, 0.1, (10, 2)), "b1": np.zeros(10), "W2": rng.normal(0.0, 0.1, (1, 10)), "b2": np.zeros(1)}


def simple_nn(X: np.ndarray, p: Dict[str, np.ndarray]) -> np.ndarray:
    """The chapter's network (line 106): ReLU, then a sigmoid; one column of predictions."""
    h1 = np.maximum(0, X @ p["W1"].T + p["b1"])
    return 1 / (1 + np.exp(-(h1 @ p["W2"].T + p["b2"])))


def bce(predictions: np.ndarray, targets: np.ndarray) -> float:
    """The chapter's loss (line 112), predictions clipped to [1e-15, 1 - 1e-15]."""
    q = np.clip(predictions.ravel(), 1e-15, 1 - 1e-15)
    return float(-np.mean(targets * np.log(q) + (1 - targets) * np.log(1 - q)))


def accuracy(X: np.ndarray, y: np.ndarray, p: Dict[str, np.ndarray]) -> float:
    return float(np.mean((simple_nn(X, p).ravel() > 0.5) == y))


def random_search(X: np.ndarray, y: np.ndarray, p: Dict[str, np.ndarray], rng: np.random.Generator,
                  iterations: int = ITERATIONS, shown: bool = False) -> Tuple[Dict[str, np.ndarray], List[float]]:
    """The chapter's random search (lines 119-151): perturb every parameter, keep it if the loss drops
    (``shown``: with a progress bar)."""
    p = {k: v.copy() for k, v in p.items()}
    best, curve = math.inf, []
    for _ in progress(range(iterations), "random search", shown):
        trial = {k: v + rng.normal(0.0, STEP, v.shape) for k, v in p.items()}
        loss = bce(simple_nn(X, trial), y)
        if loss < best:
            best, p = loss, trial
        curve.append(best)
    return p, curve


def to_model(p: Dict[str, np.ndarray]) -> MLP:
    """The same network as an ``nn.MLP`` holding these numbers (its output layer linear: the sigmoid is in the loss)."""
    state = random.getstate()
    model = MLP(2, [10, 1], activation="relu", output_activation="linear")
    random.setstate(state)
    for layer, W, b in ((model.layers[0], p["W1"], p["b1"]), (model.layers[1], p["W2"], p["b2"])):
        for neuron, row, bias in zip(layer.neurons, W, b):
            for w, v in zip(neuron.w, row):
                w.data = float(v)
            neuron.b.data = float(bias)
    return model


def from_model(model: MLP) -> Dict[str, np.ndarray]:
    (hidden, out) = model.layers
    return {"W1": np.array([[w.data for w in n.w] for n in hidden.neurons]), "b1": np.array([n.b.data for n in hidden.neurons]),
            "W2": np.array([[w.data for w in n.w] for n in out.neurons]), "b2": np.array([n.b.data for n in out.neurons])}


def gradient_descent(X: np.ndarray, y: np.ndarray, p: Dict[str, np.ndarray], iterations: int = ITERATIONS,
                     rate: float = RATE, shown: bool = False) -> Tuple[Dict[str, np.ndarray], List[float]]:
    """Plain full-batch gradient descent, with chainrule's gradients (``fit``; ``shown``: its progress bar)."""
    model = to_model(p)
    history = fit(model, X.tolist(), [int(t) for t in y], losses.bce_with_logits, SGD(model.parameters(), lr=rate),
                  iterations, progress=shown, compiled=True)
    return from_model(model), history["loss"]


def engine_gradients(X: np.ndarray, y: np.ndarray, p: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
    """dL/dW2 and dL/dW1 of the mean binary cross-entropy, by chainrule's reverse pass."""
    model = to_model(p)
    losses.bce_with_logits([model(x) for x in X.tolist()], [int(t) for t in y]).backward()
    hidden, out = model.layers
    return {"W1": np.array([[w.grad for w in n.w] for n in hidden.neurons]),
            "W2": np.array([[w.grad for w in n.w] for n in out.neurons])}


def chapters_backward(X: np.ndarray, y: np.ndarray, p: Dict[str, np.ndarray], fixes: int = 0) -> Dict[str, np.ndarray]:
    """The chapter's backward pass (lines 174-190) as printed, with the first ``fixes`` of its three errors mended:
    1 the broadcast (y as a column), 2 the sigmoid's derivative, 3 the 1/m of the mean."""
    h1 = np.maximum(0, X @ p["W1"].T + p["b1"])
    predictions = 1 / (1 + np.exp(-(h1 @ p["W2"].T + p["b2"])))
    target = y.reshape(-1, 1) if fixes >= 1 else y
    d_predictions = (predictions - target) / (predictions * (1 - predictions))
    if fixes >= 2:
        d_predictions = d_predictions * predictions * (1 - predictions)  # dL/dz = p - y
    if fixes >= 3:
        d_predictions = d_predictions / len(X)
    dW2 = d_predictions.T @ h1
    dh1 = d_predictions @ p["W2"] if d_predictions.shape[1] == p["W2"].shape[0] else None
    dW1 = ((dh1 * (h1 > 0)).T @ X) if dh1 is not None else None
    return {"W2": dW2, "W1": dW1}


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """The chapter's measure (§7.4.4, Gradient Checking, line 1200): ||a - b|| / ||a + b||."""
    return float(np.linalg.norm(a - b) / np.linalg.norm(a + b))


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("backprop_necessity", __doc__, quick=f"{QUICK} iterations of each (as --iterations {QUICK})")
    parser.add_argument("--iterations", type=int, default=ITERATIONS, help=f"iterations of each (default {ITERATIONS})")
    args = parser.parse_args(argv)
    if args.quick:
        args.iterations = QUICK
    X_train, X_test, y_train, y_test = data()
    rng = np.random.default_rng(SEED)
    start = initial(rng)
    shown = not args.no_progress
    searched, rs_curve = random_search(X_train, y_train, start, rng, args.iterations, shown)
    descended, gd_curve = gradient_descent(X_train, y_train, start, args.iterations, shown=shown)
    faster, fast_curve = gradient_descent(X_train, y_train, start, args.iterations, rate=FASTER, shown=shown)
    print(f"Backpropagation: The Engine of Deep Learning, Why Backpropagation Matters (lines 90-272)\n"
          f"{SAMPLES} points of two circles (noise {NOISE}), {int(SAMPLES * (1 - TEST))} to train and "
          f"{int(SAMPLES * TEST)} to test; a 2-10-1 network, ReLU then sigmoid; {args.iterations} iterations each\n")
    print(f"{'method':<34}{'training loss':>14}{'test accuracy':>15}")
    print(f"{'random search (steps of 0.01)':<34}{rs_curve[-1]:>14.4f}{accuracy(X_test, y_test, searched):>15.3f}")
    print(f"{f'gradient descent (rate {RATE})':<34}{gd_curve[-1]:>14.4f}{accuracy(X_test, y_test, descended):>15.3f}")
    print(f"{f'gradient descent (rate {FASTER:g})':<34}{fast_curve[-1]:>14.4f}{accuracy(X_test, y_test, faster):>15.3f}")
    print(f"(from weights of size 0.1 the true gradient is small: at the chapter's rate of {RATE} descent barely "
          f"starts in {args.iterations} steps;\n its code, missing the 1/m, stepped 700 times further)")
    print("\nThe chapter's hand-written backward pass (lines 174-190), checked against chainrule's gradient:")
    want = engine_gradients(X_train, y_train, start)
    labels = ["as printed", "+ y as a column (no broadcast)", "+ the sigmoid's derivative", "+ the 1/m of the mean"]
    for fixes, label in enumerate(labels):
        got = chapters_backward(X_train, y_train, start, fixes)
        if got["W2"].shape != want["W2"].shape:
            print(f"  {label:<34} dW2 has shape {got['W2'].shape}, not {want['W2'].shape}: predictions - y "
                  f"broadcast {got['W2'].shape[0]} rows against {got['W2'].shape[0]} columns")
            continue
        errors = [relative_error(got[k], want[k]) for k in ("W2", "W1")]
        ratio = float(np.linalg.norm(got["W2"]) / np.linalg.norm(want["W2"]))
        print(f"  {label:<34} relative error dW2 {errors[0]:.1e}, dW1 {errors[1]:.1e}; |dW2| is {ratio:.4g}x "
              f"chainrule's")
    print("  and line 210 unpacks W1, b1, b2, W2: W2 and b2 swapped, so its evaluation (line 221) would fail")
    return 0
