"""python -m demos backprop_necessity (Backpropagation: The Engine of Deep Learning, lines 90-272): the
experiment's numbers, and the gradient check
of the chapter's hand-written backward pass: each of its errors found, against PyTorch's gradient of the same loss."""

import numpy as np
import pytest

from demos import backprop_necessity as demo
from tests.torch_oracle import needs_torch, torch


@pytest.fixture(scope="module")
def setup():
    X_train, X_test, y_train, y_test = demo.data()
    start = demo.initial(np.random.default_rng(demo.SEED))
    return X_train, X_test, y_train, y_test, start


def torch_gradients(X, y, p):
    """The chapter's loss (mean binary cross-entropy of its network) differentiated by PyTorch."""
    t = {k: torch.tensor(v, requires_grad=True) for k, v in p.items()}
    h1 = torch.relu(torch.tensor(X) @ t["W1"].T + t["b1"])
    pred = torch.sigmoid(h1 @ t["W2"].T + t["b2"]).ravel()
    yt = torch.tensor(y)
    (-(yt * torch.log(pred) + (1 - yt) * torch.log(1 - pred)).mean()).backward()
    return {k: t[k].grad.numpy() for k in ("W1", "W2")}


def test_the_split_and_the_start_are_the_chapters(setup) -> None:
    X_train, X_test, y_train, y_test, start = setup
    assert (X_train.shape, X_test.shape) == ((700, 2), (300, 2))
    assert {k: v.shape for k, v in start.items()} == {"W1": (10, 2), "b1": (10,), "W2": (1, 10), "b2": (1,)}


@needs_torch
def test_chainrules_gradient_and_the_mended_hand_code_are_pytorchs(setup) -> None:
    X_train, _, y_train, _, start = setup
    want = torch_gradients(X_train, y_train, start)
    ours = demo.engine_gradients(X_train, y_train, start)
    mended = demo.chapters_backward(X_train, y_train, start, fixes=3)
    for k in ("W1", "W2"):
        assert np.allclose(ours[k], want[k], rtol=1e-10, atol=1e-14)
        assert np.allclose(mended[k], want[k], rtol=1e-10, atol=1e-14)


@needs_torch
def test_each_error_of_the_hand_code_shows(setup) -> None:
    X_train, _, y_train, _, start = setup
    want = torch_gradients(X_train, y_train, start)
    assert demo.chapters_backward(X_train, y_train, start, fixes=0)["W2"].shape == (700, 10)  # the broadcast
    no_sigmoid = demo.chapters_backward(X_train, y_train, start, fixes=1)["W2"]
    assert demo.relative_error(no_sigmoid, want["W2"]) > 0.5
    no_mean = demo.chapters_backward(X_train, y_train, start, fixes=2)["W2"]
    assert np.allclose(no_mean, 700 * want["W2"], rtol=1e-10)  # off by exactly m
    swapped = {"W1": start["W1"], "b1": start["b1"], "W2": start["b2"], "b2": start["W2"]}  # line 210's unpacking
    with pytest.raises(ValueError):
        demo.accuracy(X_train, y_train, swapped)


def test_the_experiment(setup) -> None:
    X_train, X_test, y_train, y_test, start = setup
    searched, curve = demo.random_search(X_train, y_train, start, np.random.default_rng(1), 200)
    assert all(b <= a for a, b in zip(curve, curve[1:])) and curve[-1] < curve[0]
    slow, slow_curve = demo.gradient_descent(X_train, y_train, start, 200)
    assert abs(slow_curve[-1] - slow_curve[0]) < 0.01  # rate 0.1 from small weights: barely moves
    fast, _ = demo.gradient_descent(X_train, y_train, start, 500, rate=demo.FASTER)
    assert demo.accuracy(X_test, y_test, fast) > 0.75


def test_the_demo_prints_the_table_and_the_check(capsys) -> None:
    assert demo.main(["--iterations", "100"]) == 0
    out = capsys.readouterr().out
    assert "dW2 has shape (700, 10), not (1, 10)" in out and "|dW2| is 700x chainrule's" in out
    assert "+ the 1/m of the mean" in out and "W2 and b2 swapped" in out
