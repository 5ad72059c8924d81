"""gradcheck_model: the layer-by-layer gradient check of Backpropagation: The Engine of Deep Learning
(§7.4.4, lines 1181-1203). It passes correct models, names
the layers a wrong derivative reaches (and only those), and leaves parameters, grads and running averages as
they were."""

import math
import random

import pytest

import nn
from engine import GradcheckError, Value
from nn import MLP, BatchNorm, Layer, Module, Sequential, gradcheck_model, losses


class BuggyTanh(Module):
    """tanh with a hand-written _backward that forgets to square: 1 - out instead of 1 - out^2."""

    def __call__(self, x):
        outs = []
        for v in x:
            out = Value(math.tanh(v.data), (v,), "tanh")

            def _backward(v=v, out=out):
                v.grad += (1 - out.data) * out.grad

            out._backward = _backward
            outs.append(out)
        return outs


def data():
    return [[0.5, -1.0], [1.0, 2.0], [-0.5, 0.3], [2.0, -0.7]], [1.0, 0.0, -1.0, 0.5]


def test_a_correct_network_passes_every_layer_with_its_parameter_count() -> None:
    random.seed(0)
    X, y = data()
    net = Sequential(Layer(2, 4, activation="linear"), BatchNorm(4), Layer(4, 3, activation="tanh"),
                     Layer(3, 1, activation="linear"))
    table = gradcheck_model(net, lambda: losses.mse(net.forward_batch(X), y))
    assert [(r.layer, r.parameters, r.ok) for r in table] == [("0", 12, True), ("1", 8, True), ("2", 15, True),
                                                               ("3", 4, True)]
    assert all(r.rel_error < 1e-8 and r.backprop_norm > 0 for r in table)
    assert str(table).splitlines()[0].split() == ["layer", "parameters", "|backprop|", "|numeric|", "relative",
                                                  "error"]


def test_a_wrong_derivative_fails_the_layers_before_it_and_only_those() -> None:
    random.seed(1)
    X, y = data()
    net = Sequential(Layer(2, 3, activation="linear"), BuggyTanh(), Layer(3, 3, activation="tanh"),
                     Layer(3, 1, activation="linear"))
    with pytest.raises(GradcheckError) as caught:
        gradcheck_model(net, lambda: losses.mse(net.forward_batch(X), y))
    table = caught.value.table
    assert [(r.layer, r.ok) for r in table] == [("0", False), ("2", True), ("3", True)]
    assert table[0].rel_error > 1e-2 and "<-- mismatch" in str(caught.value)


def test_parameters_grads_and_running_averages_are_left_as_they_were() -> None:
    random.seed(2)
    X, y = data()
    net = Sequential(Layer(2, 2, activation="linear"), BatchNorm(2), Layer(2, 1, activation="linear"))
    net.forward_batch(X)
    for k, p in enumerate(net.parameters()):
        p.grad = 0.25 * k
    before = [(p.data, p.grad) for p in net.parameters()] + [v.data for _, v in net.named_buffers()]
    gradcheck_model(net, lambda: losses.mse(net.forward_batch(X), y))
    assert [(p.data, p.grad) for p in net.parameters()] + [v.data for _, v in net.named_buffers()] == before


def test_an_mlp_is_checked_by_its_layers_and_bad_arguments_are_clear() -> None:
    random.seed(3)
    model = MLP(3, [4, 4, 1], activation="tanh")
    table = gradcheck_model(model, lambda: losses.mse([model([0.1, 0.2, 0.3])], [1.0]))
    assert [r.layer for r in table] == ["layer0", "layer1", "layer2"]
    with pytest.raises(TypeError, match="loss must be a function of no arguments"):
        gradcheck_model(model, 3.0)
    with pytest.raises(TypeError, match="loss\\(\\) must return a Value, got float 1.0"):
        gradcheck_model(model, lambda: 1.0)
    with pytest.raises(ValueError, match="eps and tolerance must be positive, got eps=0"):
        gradcheck_model(model, lambda: model([0.1, 0.2, 0.3]), eps=0)
    assert nn.gradcheck_model is gradcheck_model


def test_dropout_in_training_mode_draws_the_same_masks_for_every_evaluation() -> None:
    random.seed(5)
    X, y = data()
    net = Sequential(Layer(2, 6, activation="tanh"), nn.Dropout(0.5), Layer(6, 1, activation="linear"))
    state = random.getstate()
    table = gradcheck_model(net, lambda: losses.mse(net.forward_batch(X), y))
    assert all(r.ok for r in table) and random.getstate() == state


def test_the_table_reads_as_designed_and_layers_are_named_by_scope_or_position() -> None:
    from nn.gradcheck import LayerCheck, ModelCheck, layers_of

    table = ModelCheck([LayerCheck("layer0", 9, 0.5, 0.5, 1e-10, True), LayerCheck("1", 4, 2.0, 1.0, 0.3333, False)])
    assert str(table) == (
        "layer            parameters    |backprop|     |numeric|  relative error\n"
        + "-" * 71 + "\n"
        "layer0                    9           0.5           0.5        1.00e-10\n"
        "1                         4             2             1        3.33e-01  <-- mismatch")

    class Bare(Module):  # children without a scope are named by position
        def __init__(self):
            self.parts = [nn.Neuron(2), nn.Neuron(2)]
            for part in self.parts:
                del part.scope

        def children(self):
            return self.parts

        def parameters(self):
            return [p for part in self.parts for p in part.parameters()]

    assert [name for name, _ in layers_of(Bare())] == ["0", "1"]
    random.seed(0)
    assert [name for name, _ in layers_of(nn.Neuron(3))] == ["model"]


def test_zero_gradients_small_gradients_and_the_tolerance_itself() -> None:
    from nn.gradcheck import _check

    flat = [Value(1.0), Value(2.0)]
    row = _check("flat", flat, lambda: flat[0] * 0.0 + 5.0, 1e-6, 1e-6)  # no gradient either way
    assert (row.rel_error, row.ok) == (0.0, True)
    small = Value(0.1)
    small.grad = 0.3  # wrong: the loss 0.01 x has slope 0.01
    row = _check("small", [small], lambda: small * 0.01, 1e-6, 1e-6)
    assert row.rel_error == pytest.approx(0.29 / 0.31, rel=1e-6) and not row.ok
    random.seed(3)
    X, y = data()
    model = MLP(2, [3, 1], activation="tanh")
    loss = lambda: losses.mse([model(x) for x in X], y)  # noqa: E731
    first = gradcheck_model(model, loss, tolerance=1.0)
    worst = max(r.rel_error for r in first)
    assert all(r.ok for r in gradcheck_model(model, loss, tolerance=worst))  # at exactly the tolerance: passes
    with pytest.raises(ValueError, match="eps and tolerance must be positive, got eps=1e-06, tolerance=0"):
        gradcheck_model(model, loss, tolerance=0)
