"""nn.step: EagerStep.evaluate scores the model in eval mode (dropout off, batch norm by its running averages),
leaves every module in the mode it was in and the running averages where they were."""

import pytest

from nn import SGD, BatchNorm, Dropout, Layer, Sequential, losses
from nn.step import EagerStep


def test_evaluate_scores_in_eval_mode_and_leaves_the_modes_and_running_averages_alone() -> None:
    drop, bn = Dropout(0.9, seed=0), BatchNorm(2)
    model = Sequential(drop, bn)
    step = EagerStep(model, [], [], losses.mse, SGD(model.parameters(), lr=0.1))
    X, y = [[1.0, 2.0], [3.0, 5.0]], [[0.0, 0.0], [0.0, 0.0]]
    loss, acc = step.evaluate(X, y)
    # eval mode: dropout is the identity, batch norm uses its fresh running averages (mean 0, variance 1),
    # so each output is x / sqrt(1 + eps) and the mse is mean(x^2) / (1 + eps)
    assert loss == pytest.approx((1.0 + 4.0 + 9.0 + 25.0) / 4 / (1.0 + 1e-5), rel=1e-12)
    assert acc is None  # real-valued targets: no accuracy
    assert [m.training for m in (model, drop, bn)] == [True, True, True]
    assert [v.data for v in bn.running_mean + bn.running_var] == [0.0, 0.0, 1.0, 1.0]
    assert all(p.grad == 0.0 for p in model.parameters())  # no gradient taken


def test_train_steps_once_and_by_default_reports_whether_a_weight_got_a_gradient() -> None:
    def one_neuron() -> Layer:
        layer = Layer(2, 1, activation="linear")
        n = layer.neurons[0]
        n.w[0].data, n.w[1].data, n.b.data = 0.5, -1.0, 0.0
        return layer

    model = one_neuron()
    step = EagerStep(model, [[1.0, 2.0]], [0.5], losses.mse, SGD(model.parameters(), lr=0.1))
    # out = 0.5 - 2 = -1.5, loss (out - 0.5)^2 = 4; dloss/dw = 2 (out - 0.5) x = (-4, -8), so w += 0.1 (4, 8)
    assert step.train([0]) == (4.0, None, True)  # watch defaults to True: the weights' gradients are looked at
    assert [p.data for p in model.parameters()] == pytest.approx([0.9, -0.2, 0.4], rel=1e-12)
    model = one_neuron()
    step = EagerStep(model, [[1.0, 2.0]], [0.5], losses.mse, SGD(model.parameters(), lr=0.1))
    assert step.train([0], watch=False) == (4.0, None, False)  # not looked at
