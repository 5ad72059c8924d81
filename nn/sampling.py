"""Gradients through a sampled discrete choice: the Gumbel-softmax relaxation and the score-function estimator.

A categorical sample k ~ softmax(logits) has no gradient with respect to the logits (it jumps), yet the expectation
E[f(k)] = Σ p_k f(k) does. Two standard estimators of that gradient from samples:

- ``gumbel_softmax``: the sample as the softmax of (logits + Gumbel noise) / tau, a point near a corner of the
  simplex that moves smoothly with the logits (Jang, Gu and Poole; Maddison, Mnih and Teh; both 2017). Biased
  (it differentiates a relaxed f), less so as tau shrinks, at the price of variance; ``hard=True`` gives the
  corner itself, with the relaxed gradient (straight-through).
- ``score_function``: REINFORCE (Williams, 1992), (f(k) - b) ∇ log p_k, unbiased for any f (f need not be
  differentiable); a baseline b that does not depend on k lowers its variance.

``python -m demos discrete`` measures the bias and variance of each against the gradient by enumeration.
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable, List, NamedTuple, Optional, Sequence

from engine import Value, argmax, straight_through
from engine.checks import as_float, data_of

from .losses import log_softmax, softmax


def gumbel_softmax(logits: Sequence[Any], tau: float = 1.0, hard: bool = False,
                   rng: Optional[random.Random] = None) -> List[Value]:
    """A relaxed one-hot sample: ``softmax((logits + g) / tau)`` with g_i ~ Gumbel(0, 1), as
    ``torch.nn.functional.gumbel_softmax``. ``hard=True`` gives the one-hot vector of its largest entry, with the
    soft sample's gradient. ``rng`` (a ``random.Random``) draws the noise; the module's by default.

    >>> import random
    >>> y = gumbel_softmax([Value(1.0), Value(0.0)], tau=0.5, hard=True, rng=random.Random(0))
    >>> [v.data for v in y]
    [1.0, 0.0]
    """
    tau = as_float(tau, "gumbel_softmax: tau")
    if tau <= 0.0:
        raise ValueError(f"gumbel_softmax: tau must be > 0, got {tau!r}")
    if len(logits) == 0:
        raise ValueError("gumbel_softmax: no logits")
    draw = rng or random
    noise = [-math.log(_exponential(draw)) for _ in logits]  # -log E with E ~ Exp(1) is Gumbel(0, 1), as PyTorch
    soft = softmax([(logit + g) / tau for logit, g in zip(logits, noise)])
    if not hard:
        return soft
    k = argmax(soft)
    return [straight_through(y, lambda _, i=i: 1.0 if i == k else 0.0) for i, y in enumerate(soft)]


def _exponential(draw: Any) -> float:
    while True:
        e = draw.expovariate(1.0)
        if e > 0.0:  # -log(1 - u) is 0 for u = 0, whose log is not a number
            return e


class Sampled(NamedTuple):
    """One draw of :func:`score_function`: the index drawn, f of it, and the surrogate whose gradient (by
    ``backward()``) is the REINFORCE estimate of d E[f(k)] / d logits."""

    index: int
    value: float
    surrogate: Value


def score_function(logits: Sequence[Any], f: Callable[[int], Any], baseline: float = 0.0,
                   rng: Optional[random.Random] = None) -> Sampled:
    """Draw k ~ softmax(logits) and build ``(f(k) - baseline) * log p_k``: its gradient is an unbiased estimate of
    the gradient of E[f(k)], whatever f is (a number for each index; a Value's number is read, since no gradient
    flows through f here). The baseline, a number that does not depend on k, changes the variance, not the mean.

    >>> import random
    >>> s = score_function([Value(0.0), Value(0.0)], lambda k: float(k), rng=random.Random(0))
    >>> s.index, s.value, round(s.surrogate.data, 6)     # k = 1 drawn, f(1) = 1, log p_1 = log 1/2
    (1, 1.0, -0.693147)
    """
    if len(logits) == 0:
        raise ValueError("score_function: no logits")
    log_p = log_softmax(logits)
    draw = rng or random
    k = draw.choices(range(len(logits)), weights=[math.exp(data_of(lp)) for lp in log_p])[0]
    value = as_float(data_of(f(k)), f"score_function: f({k})")
    return Sampled(k, value, (value - as_float(baseline, "score_function: baseline")) * log_p[k])
