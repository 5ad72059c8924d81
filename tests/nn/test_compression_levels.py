"""Gradient compression by hand-worked numbers: Quantise's levels and its range of bits, no -0.0, an all-zero
gradient, a float32 gradient, the wrapped optimizer's check of what is sent, and the wrapper's repr."""

import copy

import numpy as np
import pytest

from engine import Value
from nn import SGD
from nn.compression import Compressed, Quantise, TopK


def test_three_bits_round_to_thirds_of_the_largest_magnitude() -> None:
    sent, bits = Quantise(3)(np.array([1.0, 0.5, -0.2, 0.1]))  # levels -3..3 times 1/3
    assert sent.tolist() == [1.0, 2 / 3, -1 / 3, 0.0] and bits == 3 * 4 + 32
    sent, bits = Quantise(2)(np.array([-2.0, 0.9, 1.2]))  # levels -1, 0, 1 times 2
    assert sent.tolist() == [-2.0, 0.0, 2.0] and bits == 2 * 3 + 32


def test_a_small_negative_entry_is_sent_as_plus_zero() -> None:
    sent, _ = Quantise(3)(np.array([1.0, -0.1]))  # -0.1 rounds to level 0, sent as 0.0, not -0.0
    assert sent[1] == 0.0 and not np.signbit(sent[1])


def test_an_all_zero_gradient_is_sent_as_zeros() -> None:
    sent, bits = Quantise(4)(np.zeros(3))
    assert sent.tolist() == [0.0, 0.0, 0.0] and bits == 4 * 3 + 32
    opt = Compressed(SGD([Value(1.0), Value(2.0), Value(3.0)], lr=0.5), Quantise(4))
    assert opt.step_arrays(np.array([1.0, 2.0, 3.0]), np.zeros(3)).tolist() == [1.0, 2.0, 3.0]
    assert opt.residual.tolist() == [0.0, 0.0, 0.0]


def test_bits_run_from_1_to_16() -> None:
    g = np.array([1.0, 1 / 3])
    sent, bits = Quantise(16)(g)  # 32767 levels a side: 1/3 to the nearest 1/32767
    assert sent.tolist() == [1.0, 10922 / 32767] and bits == 16 * 2 + 32
    with pytest.raises(ValueError) as caught:
        Quantise(17)
    assert str(caught.value) == "Quantise: bits must be a whole number from 1 to 16, got 17"


def test_a_float32_gradient_is_compressed_in_float64() -> None:
    opt = Compressed(SGD([Value(0.0), Value(0.0)], lr=1.0), Quantise(3))
    w = opt.step_arrays(np.zeros(2), np.array([1.0, 0.5], dtype=np.float32))
    assert w.dtype == np.float64 and w.tolist() == [-1.0, -2 / 3]  # 2/3 in float64, not float32's nearest
    assert opt.residual.tolist() == [0.0, 0.5 - 2 / 3]


def test_a_remainder_that_overflows_is_refused_before_the_optimizer_in_either_mode() -> None:
    for checked in (False, True):
        a, b = Value(0.0, label="a"), Value(0.0, label="b")
        opt = Compressed(SGD([a, b], lr=0.1), TopK(0.5))
        opt.step_arrays(np.zeros(2), np.array([1e308, 1.7e308]))  # 1e308 kept back for the next step
        with pytest.raises(OverflowError) as caught:  # 1e308 + 1e308: past the float range, so nothing is sent
            opt.step_arrays(np.zeros(2), np.array([1e308, 0.0]), checked)
        assert str(caught.value) == ("Compressed(SGD, TopK(0.5), error_feedback=True): the gradient plus what earlier "
                                     "steps kept overflows at entry 0; nothing was sent, and what is kept is unchanged")


def test_repr_and_a_half_made_copy_name_what_they_are() -> None:
    opt = Compressed(SGD([Value(0.0)], lr=0.1), TopK(0.5), error_feedback=False)
    assert repr(opt) == "Compressed(SGD, TopK(0.5), error_feedback=False)"
    half_made = Compressed.__new__(Compressed)  # as copy and pickle make one, before its attributes are set
    with pytest.raises(AttributeError) as caught:
        half_made.lr
    assert str(caught.value) == "optimizer"
    assert copy.copy(opt).lr == 0.1
