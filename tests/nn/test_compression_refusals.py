"""Compressed.compress and the eager step, by hand: what is sent, the bits counted, the remainder kept for the next
step, and a refusal that is only the refusal (no numpy warning printed alongside it)."""

import warnings

import numpy as np
import pytest

from engine import Value
from nn import SGD
from nn.compression import Compressed, TopK


def test_compress_sends_the_top_entries_counts_their_bits_and_keeps_the_rest() -> None:
    opt = Compressed(SGD([Value(0.0) for _ in range(4)], lr=1.0), TopK(0.5))
    assert opt.compress([1.0, -3.0, 2.0, 0.5]).tolist() == [0.0, -3.0, 2.0, 0.0]
    assert opt.bits_sent == 128 and opt.residual.tolist() == [1.0, 0.0, 0.0, 0.5]
    # kept + new: [1.5, 0, 0, 0.5 + 1.2]; the two largest are sent
    assert opt.compress(np.array([0.5, 0.0, 0.0, 1.2])).tolist() == [1.5, 0.0, 0.0, 1.7]
    assert opt.bits_sent == 256 and opt.residual.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_compress_without_error_feedback_keeps_nothing() -> None:
    opt = Compressed(SGD([Value(0.0), Value(0.0)], lr=1.0), TopK(0.5), error_feedback=False)
    assert opt.compress(np.array([1.0, 0.5])).tolist() == [1.0, 0.0]
    assert opt.compress(np.array([0.0, 0.75])).tolist() == [0.0, 0.75]  # the 0.5 dropped before is lost
    assert opt.bits_sent == 128 and opt.residual is None


def test_the_eager_step_keeps_what_it_did_not_send() -> None:
    a, b = Value(0.0, label="a"), Value(0.0, label="b")
    opt = Compressed(SGD([a, b], lr=1.0), TopK(0.5))
    a.grad, b.grad = 1.0, 0.5
    opt.step()
    assert (a.data, b.data) == (-1.0, 0.0) and opt.bits_sent == 64 and opt.residual.tolist() == [0.0, 0.5]
    a.grad, b.grad = 0.0, 0.6
    opt.step()  # 0.5 kept + 0.6 now
    assert (a.data, b.data) == (-1.0, -1.1) and opt.bits_sent == 128 and opt.residual.tolist() == [0.0, 0.0]


def test_an_overflowing_remainder_is_refused_without_a_numpy_warning() -> None:
    opt = Compressed(SGD([Value(0.0), Value(0.0)], lr=0.1), TopK(0.5))
    opt.compress(np.array([1e308, 1.7e308]))  # 1e308 kept
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(OverflowError) as raised:
            opt.compress(np.array([1e308, 0.0]))
    assert [str(w.message) for w in caught] == []
    assert str(raised.value) == ("Compressed(SGD, TopK(0.5), error_feedback=True): the gradient plus what earlier "
                                 "steps kept overflows at entry 0; nothing was sent, and what is kept is unchanged")
    assert opt.bits_sent == 64 and opt.residual.tolist() == [1e308, 0.0]
