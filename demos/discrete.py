"""Gradients through discrete choices: three estimators against the exact gradient, and a quantised network.

Backpropagation Calculus for Deep Learning asks what happens to gradients at discrete operations, argmax and
sampling (its extension questions, line 444). A categorical variable k ~ softmax(theta) over four categories
feeds f(k); the gradient of E[f(k)] with respect to theta exists, though no sample has one. It is computed
exactly by enumeration, then estimated from one sample at a time by REINFORCE (without and with a baseline),
by Gumbel-softmax at several temperatures and by its straight-through (hard) version: over many draws, each
estimator's bias and variance (``out/discrete.png``). Then a 2-8-1 network on the moons data is trained with
its weights rounded to multiples of 0.5 in the forward pass: rounding alone passes no gradient, so nothing
learns; straight-through learns nearly as well as full precision.
"""

from __future__ import annotations

import random
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import engine
from engine import Value, straight_through
from nn import gumbel_softmax, losses, score_function
from viz import plot_estimators

from .common import common_args, progress
from .moons import data

THETA = [0.5, -1.0, 1.5, 0.0]
TARGET = 1.3
F = [(k - TARGET) ** 2 for k in range(4)]  # f(k) = (k - 1.3)^2


def relaxed(y: Sequence[Value]) -> Value:
    """f of a point y of the simplex: (sum_k y_k k - 1.3)^2, which is f(k) at the corner k."""
    return (engine.dot(y, [float(k) for k in range(len(y))]) - TARGET) ** 2


DRAWS = 4000


def exact() -> List[float]:
    """d E[f(k)] / d theta by enumeration: E = sum_k p_k f(k), differentiated by the engine."""
    theta = [Value(t) for t in THETA]
    expectation = engine.dot(losses.softmax(theta), F)
    expectation.backward()
    return [t.grad for t in theta]


def estimates(name: str, draws: int, seed: int = 0) -> List[List[float]]:
    """``draws`` one-sample estimates of the gradient by one estimator."""
    rng = random.Random(seed)
    found, seen = [], []
    for _ in range(draws):
        theta = [Value(t) for t in THETA]
        if name.startswith("REINFORCE"):
            baseline = sum(seen) / len(seen) if name.endswith("baseline") and seen else 0.0  # earlier draws only
            sample = score_function(theta, F.__getitem__, baseline=baseline, rng=rng)
            seen.append(sample.value)
            sample.surrogate.backward()
        else:
            tau = float(name.split("tau = ")[1])
            y = gumbel_softmax(theta, tau=tau, hard=name.startswith("straight"), rng=rng)
            relaxed(y).backward()
        found.append([t.grad for t in theta])
    return found


ESTIMATORS = ("REINFORCE", "REINFORCE with a baseline", "Gumbel-softmax, tau = 0.1", "Gumbel-softmax, tau = 0.5",
              "Gumbel-softmax, tau = 1", "Gumbel-softmax, tau = 2", "straight-through Gumbel, tau = 0.5",
              "straight-through Gumbel, tau = 1")


def bias_and_variance(samples: Sequence[Sequence[float]], truth: Sequence[float]) -> Tuple[float, float]:
    """The squared distance of the estimates' mean from the truth, and their variance (summed over entries)."""
    n = len(samples)
    mean = [sum(s[j] for s in samples) / n for j in range(len(truth))]
    bias2 = sum((m - t) ** 2 for m, t in zip(mean, truth))
    variance = sum(sum((s[j] - mean[j]) ** 2 for s in samples) / (n - 1) for j in range(len(truth)))
    return bias2, variance


def quantised(w: Value, mode: str) -> Value:
    if mode == "full precision":
        return w
    if mode == "rounded":
        return (w * 2.0).round() / 2.0
    return straight_through(w, lambda v: (v * 2.0).round() / 2.0)


def train(mode: str, steps: int, seed: int = 0) -> Tuple[float, float, float]:
    """A 2-8-1 tanh network on the moons, its weights quantised (or not) in the forward pass: the first loss, the
    last, and the accuracy."""
    X, y = data()
    rng = random.Random(seed)
    W1 = [[Value(rng.uniform(-1, 1)) for _ in range(2)] for _ in range(8)]
    b1 = [Value(0.0) for _ in range(8)]
    W2 = [Value(rng.uniform(-1, 1)) for _ in range(8)]
    b2 = Value(0.0)
    params = [w for row in W1 for w in row] + b1 + W2 + [b2]

    def score(x: Sequence[float]) -> Value:
        q = lambda w: quantised(w, mode)  # noqa: E731
        h = [(q(row[0]) * x[0] + q(row[1]) * x[1] + q(b)).tanh() for row, b in zip(W1, b1)]
        return engine.sum([q(w) * a for w, a in zip(W2, h)]) + q(b2)

    first = None
    for _ in range(steps):
        scores = [score(x) for x in X]
        loss = engine.mean([(1.0 - t * s).relu() for s, t in zip(scores, y)])
        first = loss.data if first is None else first
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.2 * p.grad
    scores = [score(x) for x in X]
    loss = engine.mean([(1.0 - t * s).relu() for s, t in zip(scores, y)])
    return first, loss.data, sum((s.data > 0) == (t > 0) for s, t in zip(scores, y)) / len(y)


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("discrete", __doc__, quick="500 draws per estimator and 40 training steps")
    parser.add_argument("--draws", type=int, default=DRAWS, help=f"one-sample estimates per estimator (default {DRAWS})")
    parser.add_argument("--steps", type=int, default=150, help="training steps of the quantised network (default 150)")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.steps = 500, 40
    truth = exact()
    print(f"k ~ softmax(theta), theta = {THETA}, f(k) = (k - {TARGET})^2; the relaxed samples y of Gumbel-softmax "
          f"take f(y) = (sum_k y_k k - {TARGET})^2")
    print("exact d E[f(k)] / d theta by enumeration: " + ", ".join(f"{g:+.4f}" for g in truth) + "\n")
    print(f"{'estimator':<36}{'bias^2':>12}{'variance':>12}{'mean squared error':>20}   ({args.draws} draws each)")
    stats: Dict[str, Tuple[float, float]] = {}
    for name in progress(ESTIMATORS, "estimators", not args.no_progress):
        bias2, variance = bias_and_variance(estimates(name, args.draws), truth)
        stats[name] = (bias2, variance)
        print(f"{name:<36}{bias2:>12.2e}{variance:>12.3f}{bias2 + variance:>20.3f}")
    noise = stats["REINFORCE"][1] / args.draws  # the squared bias REINFORCE shows from sampling alone
    best = min(stats, key=lambda n: sum(stats[n]))
    print(f"\nREINFORCE is unbiased: its bias^2 is sampling noise (about variance / draws = {noise:.1e}); a baseline "
          f"cuts its\nvariance {stats['REINFORCE'][1] / stats['REINFORCE with a baseline'][1]:.1f}x. Gumbel-softmax "
          f"trades bias for variance with the temperature: bias^2 from {stats['Gumbel-softmax, tau = 0.1'][0]:.1e} "
          f"at tau = 0.1\nto {stats['Gumbel-softmax, tau = 2'][0]:.1e} at tau = 2, variance from "
          f"{stats['Gumbel-softmax, tau = 0.1'][1]:.2f} to {stats['Gumbel-softmax, tau = 2'][1]:.3f}. The lowest mean "
          f"squared error here: {best}.")
    print(f"\nA 2-8-1 network on the moons, weights rounded to multiples of 0.5 in the forward pass ({args.steps} steps):")
    for mode in ("full precision", "rounded", "straight-through"):
        first, loss, acc = train(mode, args.steps)
        print(f"  {mode:<18} loss {first:.4f} -> {loss:.4f}  accuracy {acc:.0%}")
    print("Rounding alone sends a zero gradient to every weight, so it never learns; straight-through sends the "
          "gradient\nas if the rounding were not there.")
    path = plot_estimators(stats, args.out / "discrete.png",
                           title="one-sample gradient estimators of d E[f(k)] / d theta")
    print(f"plot: {path}")
    return 0
