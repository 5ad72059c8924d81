"""Dropout: the mask and its 1/(1-p) scale by hand, the drop rate and the unchanged expectation by statistics,
the identity in eval mode, reproducible masks, replay under engine.checkpoint, and clear errors."""

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from engine import RecomputeError, TraceError, Value, checkpoint, compile
from nn import Dropout
from tests.torch_oracle import needs_torch, torch


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 0.95), st.integers(0, 10 ** 6), st.lists(st.floats(-3, 3), min_size=1, max_size=8))
def test_each_unit_is_zeroed_or_scaled_by_one_over_one_minus_p_and_so_is_its_gradient(p, seed, xs) -> None:
    drop = Dropout(p, seed=seed)
    x = [Value(v) for v in xs]
    out = drop(x)
    sum(out, Value(0.0)).backward()
    draws = random.Random(seed)  # the layer's own generator: unit i is kept when its draw is >= p
    scale = 1.0 / (1.0 - p)
    for v, o in zip(x, out):
        keep = p == 0.0 or draws.random() >= p
        assert (o.data, v.grad) == ((v.data * scale, scale) if keep else (0.0, 0.0))


def test_the_drop_rate_is_p_and_the_expectation_is_unchanged() -> None:
    n, p = 40_000, 0.3
    random.seed(11)
    out = Dropout(p)([1.0] * n)
    dropped = sum(1 for o in out if o == 0.0) / n
    assert abs(dropped - p) < 4 * math.sqrt(p * (1 - p) / n)  # four standard errors
    assert abs(sum(out) / n - 1.0) < 4 * math.sqrt(p / (1 - p) / n)  # E[out] = x


def test_eval_mode_and_p_zero_are_the_identity_and_p_one_zeroes_everything() -> None:
    x = [Value(1.5), Value(-2.0)]
    drop = Dropout(0.5).eval()
    assert drop(x) == x and drop(x)[0] is x[0]
    assert Dropout(0.0)(x)[1] is x[1]
    assert [o.data for o in Dropout(1.0)(x)] == [0.0, 0.0]


def test_the_default_p_is_one_half() -> None:
    random.seed(5)
    out = Dropout()([1.0] * 200)
    draws = random.Random(5)  # random.seed(5) gives the global generator this same sequence
    assert out == [2.0 if draws.random() >= 0.5 else 0.0 for _ in range(200)]
    assert repr(Dropout()) == "Dropout(p=0.5)"


def test_a_draw_equal_to_p_keeps_the_unit() -> None:
    # keeping draws >= p keeps a unit with probability exactly 1 - p on random()'s grid of [0, 1)
    for seed in range(5):
        p = random.Random(seed).random()  # the layer's first draw is p itself
        assert Dropout(p, seed=seed)([1.0, 2.0])[0] == 1.0 / (1.0 - p)


def test_p_one_zeroes_every_unit_whatever_the_generator_draws() -> None:
    drop = Dropout(1.0)
    drop.rng = _Draws([1.0, 0.5, 0.0])  # even a draw of 1.0 (>= p) must not let a unit through
    assert drop([3.0, -2.0, 1.0]) == [0.0, 0.0, 0.0]


def test_the_spec_keeps_the_seed_so_a_rebuilt_layer_draws_the_same_masks() -> None:
    from nn.saving import build

    assert Dropout(0.3, seed=7).spec() == {"type": "Dropout", "p": 0.3, "seed": 7}
    assert Dropout(0.3).spec() == {"type": "Dropout", "p": 0.3, "seed": None}
    rebuilt = build(Dropout(0.5, seed=9).spec())
    draws = random.Random(9)
    assert rebuilt([1.0] * 30) == [2.0 if draws.random() >= 0.5 else 0.0 for _ in range(30)]


def test_masks_are_reproducible_from_random_seed_or_their_own_seed() -> None:
    random.seed(3)
    a = Dropout(0.5)([1.0] * 50)
    random.seed(3)
    assert Dropout(0.5)([1.0] * 50) == a
    assert Dropout(0.5, seed=9)([1.0] * 50) == Dropout(0.5, seed=9)([1.0] * 50)


def test_checkpoint_replays_masks_from_random_and_refuses_a_generator_of_its_own() -> None:
    def loss(drop, kept):
        x = [Value(0.1 * i - 1.0) for i in range(20)]
        f = lambda *xs: [(o * o).tanh() for o in drop(list(xs))]  # noqa: E731
        random.seed(4)
        out = checkpoint(f, *x) if kept else f(*x)
        sum(out, Value(0.0)).backward()
        return [v.grad for v in x]

    assert loss(Dropout(0.4), True) == loss(Dropout(0.4), False)
    with pytest.raises(RecomputeError, match="gave something else"):
        loss(Dropout(0.4, seed=1), True)


def test_errors_say_what_was_wrong() -> None:
    for bad in (-0.1, 1.5, "half", True):
        with pytest.raises(ValueError, match=f"Dropout p .* must be a number from 0 to 1, got {bad!r}"):
            Dropout(bad)
    with pytest.raises(TraceError) as e:
        compile(lambda a: Dropout(0.5)([a])[0], 1.0)
    assert str(e.value) == ("Dropout in training mode draws a new mask at every call, which a compiled tape would "
                            "freeze into one; train with fit(compiled=False), or call model.eval() before compiling")
    assert compile(lambda a: Dropout(0.5).eval()([a])[0] * 2, 1.0)(3.0).value == 6.0
    assert repr(Dropout(0.25)) == "Dropout(p=0.25)"


class _Draws:
    """A generator whose draws are given: 0.0 drops a unit (below any p > 0), 1.0 keeps it."""

    def __init__(self, draws):
        self.draws = iter(draws)

    def random(self):
        return next(self.draws)


@needs_torch
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_with_pytorchs_mask_the_output_and_gradient_are_pytorchs(p) -> None:
    torch.manual_seed(0)
    data = [0.1 * i - 1.0 for i in range(40)]
    x = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.dropout(x, p=p, training=True)
    (out * torch.arange(1, 41, dtype=torch.float64)).sum().backward()
    kept = x.grad != 0  # torch's mask, read off its gradient (its output is 0 for an input of 0 either way)
    drop = Dropout(p)
    drop.rng = _Draws([1.0 if k else 0.0 for k in kept.tolist()])
    values = [Value(v) for v in data]
    ours = drop(values)
    sum((o * float(i + 1) for i, o in enumerate(ours)), Value(0.0)).backward()
    assert [o.data for o in ours] == pytest.approx(out.tolist(), rel=1e-15)
    assert [v.grad for v in values] == pytest.approx(x.grad.tolist(), rel=1e-15)
