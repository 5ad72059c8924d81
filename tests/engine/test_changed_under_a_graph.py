"""Data assigned between the forward pass and backward: the graph would mix the old and the new number, a
gradient of neither. Refused, naming the Value, as PyTorch refuses with its version counters."""

import math

import pytest

from engine import Value, grad
from nn import SGD


def test_the_issues_example_is_refused_naming_the_value_and_changes_no_grad() -> None:
    x, w = Value(2.0, label="x"), Value(0.5, label="w")
    y = (x * w).tanh()
    w.data = 3.0
    with pytest.raises(RuntimeError, match=r"the data of leaf 'w' with data=3\.0 was assigned after mul .* was "
                                           r"computed from it"):
        y.backward()
    assert (x.grad, w.grad, y.grad) == (0.0, 0.0, 0.0)
    y = (x * w).tanh()  # the forward pass again: the gradient of the new number, by hand
    y.backward()
    assert x.grad == pytest.approx(3.0 * (1 - math.tanh(6.0) ** 2), rel=1e-15)


def test_a_nodes_own_data_assigned_is_refused_too() -> None:
    x = Value(0.5, label="x")
    y = x.tanh()  # tanh's rule reads its own output: 1 - y^2
    y.data = 0.9
    with pytest.raises(RuntimeError, match="the data of tanh"):
        y.backward()


def test_grad_refuses_it_as_backward_does() -> None:
    w = Value(0.5, label="w")
    y = w * w
    w.data = 1.0
    with pytest.raises(RuntimeError, match="the data of leaf 'w'"):
        y.backward(create_graph=True)
    f = lambda v: v * w  # noqa: E731 (grad makes the graph itself, after the assignment: fine)
    assert grad(f)(2.0).data == 1.0


def test_a_training_loop_and_changes_after_backward_are_fine() -> None:
    w, b = Value(0.5, label="w"), Value(0.0, label="b")
    optimizer = SGD([w, b], lr=0.1)
    for x, t in [(1.0, 2.0), (2.0, 3.0), (0.5, 1.0)] * 3:
        loss = (w * x + b - t) ** 2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()  # after backward: the next forward pass reads the new numbers
    unrelated = Value(1.0)
    w.grad = 0.0
    y = w * 2.0
    unrelated.data = 5.0  # a Value the graph does not hold
    y.backward()
    assert w.grad == 2.0


def test_an_optimizer_step_between_forward_and_backward_is_caught() -> None:
    w = Value(0.5, label="w")
    w.grad = 1.0
    y = w * w
    SGD([w], lr=0.1).step()  # a step before backward: the graph holds w's old number
    with pytest.raises(RuntimeError, match="the data of leaf 'w'"):
        y.backward()
