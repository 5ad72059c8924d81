"""Gradient compression: top-k keeps exactly the largest entries, quantisation stays within half a level, error
feedback loses nothing over the steps (what was sent plus what is kept is every gradient's sum), and a
compressed optimizer trains through fit on both paths."""

import random

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import arrays

from engine import Value
from nn import MLP, SGD, fit, losses
from nn.compression import Compressed, Quantise, TopK, full_bits

gradients = arrays(np.float64, st.integers(1, 60), elements=st.floats(-10, 10, allow_subnormal=False))


@given(gradients, st.floats(0.01, 1.0))
def test_topk_keeps_the_largest_entries_and_counts_64_bits_each(g, fraction) -> None:
    sent, bits = TopK(fraction)(g)
    k = max(1, int(round(fraction * g.size)))
    assert bits == 64 * k and np.count_nonzero(sent[sent != g]) == 0  # each entry sent as it was, or 0
    kept = np.flatnonzero(sent) if np.count_nonzero(sent) else np.array([], dtype=int)
    threshold = np.sort(np.abs(g))[::-1][k - 1]
    assert all(abs(g[i]) >= threshold for i in kept)
    assert np.abs(g[np.setdiff1d(np.arange(g.size), kept)]).max(initial=0.0) <= threshold


@given(gradients, st.integers(2, 12))
def test_quantising_stays_within_half_a_level(g, bits) -> None:
    sent, size = Quantise(bits)(g)
    m, half = np.abs(g).max(), 2 ** (bits - 1) - 1
    assert size == bits * g.size + 32
    assert np.all(np.abs(sent - g) <= m / half / 2 * (1 + 1e-12) + 1e-300)
    assert len(np.unique(np.round(sent / m * half))) <= 2 * half + 1 if m > 0 else np.all(sent == 0)


def test_one_bit_sends_signs_scaled_by_the_mean_magnitude() -> None:
    g = np.array([0.5, -2.0, 1.5, -0.5])
    sent, bits = Quantise(1)(g)
    assert sent.tolist() == [1.125, -1.125, 1.125, -1.125] and bits == 4 + 32
    assert Quantise(1)(np.array([0.5, -0.25]))[0].tolist() == [0.375, -0.375]  # magnitudes below 1 as well


@pytest.mark.filterwarnings("error")  # nor does NumPy warn of the optimizer's overflowing sum on the way
def test_one_bit_of_huge_finite_gradients_stays_finite() -> None:
    """The mean of 1e308 and 1e308 is 1e308: summed first it overflowed to inf, which Compressed then refused
    (or, with the optimizer's check skipped, stepped into inf). All zeros send zeros."""
    sent, _ = Quantise(1)(np.array([1e308, -1e308, 1e308]))
    assert sent.tolist() == [1e308, -1e308, 1e308]
    opt = Compressed(SGD([Value(0.0), Value(0.0)], lr=1.0), Quantise(1))
    assert opt.step_arrays(np.zeros(2), np.array([1e308, 1e308])).tolist() == [-1e308, -1e308]
    assert Quantise(1)(np.zeros(3))[0].tolist() == [0.0, 0.0, 0.0]
    assert Quantise(1)(np.zeros(0))[0].tolist() == []  # nothing to send, as before the rewrite


@given(st.lists(arrays(np.float64, 8, elements=st.floats(-10, 10, allow_subnormal=False)), min_size=1, max_size=6))
def test_error_feedback_loses_nothing_over_the_steps(steps) -> None:
    opt = Compressed(SGD([Value(0.0) for _ in range(8)], lr=1.0), TopK(0.25))
    w = np.zeros(8)
    for g in steps:
        w = opt.step_arrays(w, g)
    # SGD at lr 1 moved w by minus everything sent; the residual holds the rest of every gradient
    assert np.allclose(-w + opt.residual, np.sum(steps, axis=0), atol=1e-9)


def test_a_compressed_optimizer_trains_through_fit_on_both_paths() -> None:
    X = [[random.Random(i).uniform(-1, 1) for _ in range(3)] for i in range(32)]
    y = [sum(x) for x in X]
    for compiled in (False, "numpy"):
        random.seed(0)
        model = MLP(3, [8, 1])
        opt = Compressed(SGD(model.parameters(), lr=0.05), Quantise(4))
        history = fit(model, X, y, losses.mse, opt, epochs=30, batch_size=8, progress=False, compiled=compiled)
        assert history["loss"][-1] < 0.5 * history["loss"][0], compiled
        assert opt.bits_sent == 30 * 4 * (4 * len(model.parameters()) + 32)  # 30 epochs of 4 batches
        assert full_bits(model.parameters()) == 32 * len(model.parameters())


def test_bad_settings_say_what_was_wrong() -> None:
    with pytest.raises(ValueError, match="TopK: fraction must be in \\(0, 1\\], got 0"):
        TopK(0)
    with pytest.raises(ValueError, match="^TopK: fraction must be in \\(0, 1\\], got 1.5$"):
        TopK(1.5)  # more than everything
    assert TopK(1.0).fraction == 1.0
    with pytest.raises(ValueError, match="Quantise: bits must be a whole number from 1 to 16, got 0"):
        Quantise(0)


def test_a_compressed_optimizer_copies_and_refuses_a_gradient_that_is_not_finite() -> None:
    import copy
    import pickle

    opt = Compressed(SGD([Value(0.0), Value(1.0)], lr=0.1), Quantise(4))
    opt.step_arrays(np.zeros(2), np.array([1.0, -0.5]))
    twin = copy.deepcopy(opt)
    assert twin.bits_sent == opt.bits_sent and np.array_equal(twin.residual, opt.residual)
    assert pickle.loads(pickle.dumps(opt)).bits_sent == opt.bits_sent
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match=f"the gradient holds {bad} at entry 1; nothing was sent"):
            opt.step_arrays(np.zeros(2), np.array([1.0, bad]))
    assert twin.bits_sent == opt.bits_sent  # a refused step sends nothing


def test_a_refused_step_sends_counts_and_keeps_nothing() -> None:
    a, b = Value(0.0, label="a"), Value(0.0, label="b")
    opt = Compressed(SGD([a, b], lr=0.1), TopK(0.5))
    opt.step_arrays(np.zeros(2), np.array([1e308, 1.7e308]))  # 1.7e308 sent, 1e308 kept
    assert opt.bits_sent == 64 and opt.residual.tolist() == [1e308, 0.0]
    with pytest.raises(OverflowError, match=r"the gradient plus what earlier steps kept overflows at entry 0; "
                                             r"nothing was sent, and what is kept is unchanged"):
        opt.step_arrays(np.zeros(2), np.array([1e308, 0.0]))  # kept + new passes the float range
    assert opt.bits_sent == 64 and opt.residual.tolist() == [1e308, 0.0]
    assert opt.step_arrays(np.zeros(2), np.array([-1e308, 1.0])).tolist() == [0.0, -0.1]  # and steps on after it
    assert opt.bits_sent == 128 and opt.residual.tolist() == [0.0, 0.0]


def test_a_step_the_optimizer_refuses_changes_nothing_on_either_path() -> None:
    a = Value(-1e308, label="a")
    opt = Compressed(SGD([a], lr=1.0), TopK(1.0))  # a step of -g from -1e308 overflows: SGD refuses it
    message = r"SGD: the update of a gives -inf \(from -1e\+308 with gradient 1e\+308\); nothing was changed"
    with pytest.raises(OverflowError, match=message):
        opt.step_arrays(np.array([-1e308]), np.array([1e308]), checked=True)
    assert opt.bits_sent == 0 and opt.residual is None
    a.grad = 1e308
    with pytest.raises(OverflowError, match=message):
        opt.step()
    assert a.grad == 1e308 and a.data == -1e308 and opt.bits_sent == 0 and opt.residual is None
