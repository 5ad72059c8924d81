"""MaxPool1d, MaxPool2d, AvgPool2d and Flatten: PyTorch's outputs and input gradients in float64 on random
shapes, strides and paddings; max pooling's gradient goes to the first largest entry of a window, as PyTorch's
does on the CPU, ties included; clear errors."""

import random

import numpy as np
import pytest
from hypothesis import given, settings

import engine
from engine import Value
from engine.testing import convolutions
from nn import AvgPool2d, Flatten, MaxPool1d, MaxPool2d
from tests.torch_oracle import needs_torch, torch


def _grid(rng, channels, shape, levels=None):
    """Random entries; with ``levels``, drawn from that few values, so that windows hold ties."""
    draw = (lambda: float(rng.randrange(levels))) if levels else (lambda: rng.uniform(-2, 2))
    if len(shape) == 1:
        return [[draw() for _ in range(shape[0])] for _ in range(channels)]
    return [[[draw() for _ in range(shape[1])] for _ in range(shape[0])] for _ in range(channels)]


def _check(ours, theirs, x, rng):
    X = [[Value(v) for v in c] if not isinstance(c[0], list) else [[Value(v) for v in r] for r in c] for c in x]
    out = Flatten()(ours(X))
    coef = [rng.uniform(-1, 1) for _ in out]
    engine.dot(coef, out).backward()
    tx = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    tout = theirs(tx)[0]
    (tout.flatten() * torch.tensor(coef, dtype=torch.float64)).sum().backward()
    assert np.allclose([v.data for v in out], tout.flatten().detach().numpy(), rtol=1e-12, atol=1e-12)
    assert np.allclose(Flatten()([[v.grad for v in c] if isinstance(c[0], Value) else [[v.grad for v in r] for r in c]
                                  for c in X]), tx.grad[0].flatten().numpy(), rtol=1e-12, atol=1e-12)


@needs_torch
@settings(max_examples=30, deadline=None)
@given(convolutions(dims=2))
def test_max_and_average_pools_match_pytorch_ties_included(s):
    rng = random.Random(s["seed"])
    k, st, p = s["kernel_size"], s["stride"], s["padding"]
    for levels in (None, 2):  # 2 levels: windows full of ties
        x = _grid(rng, s["in_channels"], s["shape"], levels)
        _check(MaxPool2d(k, st, p), torch.nn.MaxPool2d(k, st, p), x, rng)
        _check(AvgPool2d(k, st, p), torch.nn.AvgPool2d(k, st, p), x, rng)


@needs_torch
@settings(max_examples=30, deadline=None)
@given(convolutions(dims=1))
def test_max_pool_1d_matches_pytorch_ties_included(s):
    rng = random.Random(s["seed"])
    for levels in (None, 2):
        x = _grid(rng, s["in_channels"], s["shape"], levels)
        _check(MaxPool1d(s["kernel_size"], s["stride"], s["padding"]),
               torch.nn.MaxPool1d(s["kernel_size"], s["stride"], s["padding"]), x, rng)


def test_a_tie_sends_the_gradient_to_the_first_largest_entry():
    x = [[[Value(3.0), Value(1.0)], [Value(3.0), Value(3.0)]]]
    out = MaxPool2d(2)(x)[0][0][0]
    out.backward()
    assert out.data == 3.0
    assert [[v.grad for v in row] for row in x[0]] == [[1.0, 0.0], [0.0, 0.0]]


def test_the_stride_defaults_to_the_kernel_and_shapes_are_pytorchs():
    pool = MaxPool2d((2, 3))
    assert pool.stride == (2, 3) and repr(pool) == "MaxPool2d(kernel_size=(2, 3), stride=(2, 3))"
    out = pool([[[float(i * 7 + j) for j in range(7)] for i in range(5)]])
    assert (len(out[0]), len(out[0][0])) == (2, 2)  # floor((5 - 2) / 2) + 1, floor((7 - 3) / 3) + 1
    assert [[v.data for v in row] for row in out[0]] == [[9.0, 12.0], [23.0, 26.0]]
    assert repr(AvgPool2d(2, 1, 1)) == "AvgPool2d(kernel_size=2, stride=1, padding=1)"


def test_flatten_is_row_major_and_keeps_the_values():
    a, b = Value(1.0), Value(2.0)
    assert Flatten()([[[a, b]], [[b, a]]]) == [a, b, b, a]


@pytest.mark.parametrize("call, message", [
    (lambda: MaxPool2d(0), "MaxPool2d's kernel_size must be a positive whole number"),
    (lambda: MaxPool2d(2, padding=2), r"MaxPool2d: padding \(2, 2\) must be at most half the kernel \(2, 2\)"),
    (lambda: MaxPool2d(3)([[[1.0, 2.0], [3.0, 4.0]]]), r"the kernel 3 x 3 \(dilation 1 x 1\) is larger than the padded input 2 x 2"),
    (lambda: AvgPool2d(2)([]), r"AvgPool2d\(kernel_size=2, stride=2\) takes a non-empty list of channels"),
    (lambda: MaxPool1d((2, 2)), r"MaxPool1d's kernel_size must be a positive whole number \(or a tuple of one\)"),
    (lambda: MaxPool1d(2)([]), r"^MaxPool1d\(kernel_size=2, stride=2\) takes a non-empty list of channels, got \[\]$"),
    (lambda: MaxPool1d(2)([[1.0, 2.0], [1.0]]), r"^MaxPool1d\(kernel_size=2, stride=2\): channel 1 is 1 x 1, channel 0 1 x 2$"),
    (lambda: MaxPool1d(2)([1.0, 2.0]),  # not "takes 2 input channels, got 2 channels": a pool takes any number
     r"^MaxPool1d\(kernel_size=2, stride=2\) takes a list of channels, each a list, got float 1.0 as channel 0"),
])
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_flatten_prints_as_pytorch_writes_it() -> None:
    from nn import Flatten

    assert repr(Flatten()) == "Flatten()"


@pytest.mark.parametrize("call, message", [
    (lambda: MaxPool2d(2, stride=0), "MaxPool2d's stride must be a positive whole number or a pair of them, got 0"),
    (lambda: AvgPool2d(2, padding=-1),
     "AvgPool2d's padding must be a non-negative whole number or a pair of them, got -1"),
    # a number or a string is not a list of channels (a string has a length, but is no list)
    (lambda: MaxPool2d(2)(5.0), "MaxPool2d(kernel_size=2, stride=2) takes a non-empty list of channels, got 5.0"),
    (lambda: MaxPool2d(2)("ab"), "MaxPool2d(kernel_size=2, stride=2) takes a non-empty list of channels, got 'ab'"),
    (lambda: MaxPool2d(2)([[[1.0, 2.0], [3.0]]]),
     "MaxPool2d(kernel_size=2, stride=2): channel 0 has ragged or empty rows (lengths [2, 1])"),
    (lambda: MaxPool2d(3)([[[1.0, 2.0], [3.0, 4.0]]]),
     "MaxPool2d(kernel_size=3, stride=3): the kernel 3 x 3 (dilation 1 x 1) is larger than the padded input 2 x 2"),
])
def test_a_bad_input_is_told_whole(call, message) -> None:
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value) == message


def test_a_long_input_is_cut_to_300_characters_in_the_message() -> None:
    with pytest.raises(ValueError) as caught:
        AvgPool2d(2)("x" * 400)
    start = "AvgPool2d(kernel_size=2, stride=2) takes a non-empty list of channels, got '"
    assert str(caught.value) == start + "x" * (300 - len(start))
