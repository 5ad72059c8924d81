"""Gumbel-softmax and the score-function estimator, against what each should be: the Gumbel-max law for the
hard sample's index, PyTorch for the soft sample and its gradient (given the same noise), and the gradient of
the expectation by enumeration for REINFORCE's mean."""

import math
import random

import pytest

from engine import Value
from engine.testing.oracles import TORCH_MISSING
from nn import gumbel_softmax, score_function

LOGITS = [0.5, -1.0, 1.5, 0.0]
F = [3.0, -1.0, 0.5, 2.0]  # f(k) for each category


def probabilities(logits):
    z = [math.exp(l) for l in logits]
    return [v / sum(z) for v in z]


def test_the_hard_samples_index_follows_the_softmax() -> None:
    rng, n = random.Random(0), 10_000
    counts = [0] * len(LOGITS)
    for _ in range(n):
        y = gumbel_softmax([Value(l) for l in LOGITS], tau=0.7, hard=True, rng=rng)
        assert sorted(v.data for v in y) == [0.0, 0.0, 0.0, 1.0]
        counts[[v.data for v in y].index(1.0)] += 1
    p = probabilities(LOGITS)
    chi2 = sum((c - n * q) ** 2 / (n * q) for c, q in zip(counts, p))
    assert chi2 < 16.3  # 3 degrees of freedom, p = 0.001


class Noise:
    """A stand-in for random.Random whose exponential draws are given: the Gumbel noise is then known."""

    def __init__(self, draws):
        self.draws, self.rates = list(draws), []

    def expovariate(self, rate):
        self.rates.append(rate)
        return self.draws.pop(0)


def test_the_soft_sample_and_its_gradient_are_pytorchs_for_the_same_noise() -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    draws, tau = [0.3, 1.7, 0.05, 2.2], 0.6
    logits = [Value(l) for l in LOGITS]
    y = gumbel_softmax(logits, tau=tau, rng=Noise(draws))
    loss = sum(v * f for v, f in zip(y, F))
    loss.backward()
    t = torch.tensor(LOGITS, dtype=torch.float64, requires_grad=True)
    g = -torch.log(torch.tensor(draws, dtype=torch.float64))
    ty = torch.softmax((t + g) / tau, 0)
    (ty * torch.tensor(F, dtype=torch.float64)).sum().backward()
    assert [v.data for v in y] == pytest.approx(ty.tolist(), rel=1e-12)
    assert [l.grad for l in logits] == pytest.approx(t.grad.tolist(), rel=1e-10, abs=1e-15)


def test_the_noise_is_minus_log_of_exp_1_draws_and_tau_is_1_by_default() -> None:
    """g_i = -log E_i, E_i ~ Exp(1) from the rng in order, as PyTorch draws it; a draw of exactly 0 (whose log is
    not a number) is drawn again."""
    rng = random.Random(4)
    draws = [rng.expovariate(1.0) for _ in LOGITS]
    z = [math.exp(l - math.log(e)) for l, e in zip(LOGITS, draws)]  # tau = 1
    want = [v / sum(z) for v in z]
    assert [v.data for v in gumbel_softmax([Value(l) for l in LOGITS], rng=random.Random(4))] == pytest.approx(
        want, rel=1e-12)
    with_a_zero = Noise([0.0] + draws[:2] + [0.0] + draws[2:])
    assert [v.data for v in gumbel_softmax([Value(l) for l in LOGITS], rng=with_a_zero)] == pytest.approx(
        want, rel=1e-12)
    assert with_a_zero.draws == [] and with_a_zero.rates == [1.0] * 6


def test_the_hard_sample_carries_the_soft_samples_gradient() -> None:
    soft_logits, hard_logits = [Value(l) for l in LOGITS], [Value(l) for l in LOGITS]
    soft = gumbel_softmax(soft_logits, tau=0.5, rng=random.Random(3))
    hard = gumbel_softmax(hard_logits, tau=0.5, hard=True, rng=random.Random(3))
    assert [v.data for v in hard] == [1.0 if v.data == max(s.data for s in soft) else 0.0 for v in soft]
    sum(v * f for v, f in zip(soft, F)).backward()
    sum(v * f for v, f in zip(hard, F)).backward()
    assert [l.grad for l in hard_logits] == [l.grad for l in soft_logits]


def test_reinforce_is_unbiased_and_a_baseline_lowers_its_variance() -> None:
    p = probabilities(LOGITS)
    mean = sum(q * f for q, f in zip(p, F))
    exact = [q * (f - mean) for q, f in zip(p, F)]  # d/dl_j of sum_k p_k f_k, by hand
    rng, n = random.Random(7), 6_000
    for baseline in (0.0, mean):
        estimates = []
        for _ in range(n):
            logits = [Value(l) for l in LOGITS]
            s = score_function(logits, F.__getitem__, baseline=baseline, rng=rng)
            assert s.value == F[s.index]
            s.surrogate.backward()
            estimates.append([l.grad for l in logits])
        for j in range(len(LOGITS)):
            column = [e[j] for e in estimates]
            m = sum(column) / n
            se = (sum((c - m) ** 2 for c in column) / (n - 1) / n) ** 0.5
            assert abs(m - exact[j]) < 4.5 * se, (baseline, j, m, exact[j], se)
        variance = sum(sum((e[j] - exact[j]) ** 2 for e in estimates) / n for j in range(len(LOGITS)))
        if baseline == 0.0:
            plain = variance
    assert variance < plain / 2


class Chooser:
    """A stand-in for random.Random that draws the index it is given and records the weights it was offered."""

    def __init__(self, index):
        self.index, self.calls = index, []

    def choices(self, population, weights):
        self.calls.append((list(population), weights))
        return [self.index]


def test_the_surrogate_by_hand_for_a_given_draw() -> None:
    p = probabilities(LOGITS)
    chooser = Chooser(2)
    logits = [Value(l) for l in LOGITS]
    s = score_function(logits, F.__getitem__, rng=chooser)  # the baseline is 0 by default
    ((population, weights),) = chooser.calls  # the draw is the rng's given, not the module's
    assert population == [0, 1, 2, 3] and weights == pytest.approx(p, rel=1e-12)
    assert (s.index, s.value) == (2, F[2])
    assert s.surrogate.data == pytest.approx(F[2] * math.log(p[2]), rel=1e-12)
    s.surrogate.backward()  # d/dl_j of f_k log p_k = f_k ([j = k] - p_j)
    assert [l.grad for l in logits] == pytest.approx([F[2] * ((j == 2) - q) for j, q in enumerate(p)], rel=1e-12)


def test_without_an_rng_the_module_random_draws() -> None:
    state = random.getstate()
    try:
        random.seed(11)
        ours = [score_function([Value(l) for l in LOGITS], F.__getitem__).index for _ in range(20)]
    finally:
        random.setstate(state)
    rng = random.Random(11)
    assert ours == [score_function([Value(l) for l in LOGITS], F.__getitem__, rng=rng).index for _ in range(20)]


def test_bad_arguments_say_what_was_wrong() -> None:
    with pytest.raises(ValueError, match="^gumbel_softmax: tau must be > 0, got 0.0$"):
        gumbel_softmax([Value(0.0)], tau=0.0)
    with pytest.raises(TypeError, match="^gumbel_softmax: tau must be a real number, got str 'x'$"):
        gumbel_softmax([Value(0.0)], tau="x")
    with pytest.raises(ValueError, match="^gumbel_softmax: tau must not be nan, got nan$"):
        gumbel_softmax([Value(0.0)], tau=math.nan)
    with pytest.raises(ValueError, match="^gumbel_softmax: no logits$"):
        gumbel_softmax([])
    with pytest.raises(ValueError, match="^score_function: no logits$"):
        score_function([], float)
    with pytest.raises(TypeError) as caught:
        score_function([Value(0.0)], lambda k: "x")  # one logit: k = 0
    assert str(caught.value) == "score_function: f(0) must be a real number, got str 'x'"
    with pytest.raises(ValueError) as caught:
        score_function([Value(0.0)], float, baseline=math.inf)
    assert str(caught.value) == "score_function: baseline must be finite, got inf"
