"""nn.step: EagerStep.evaluate scores the model in eval mode (dropout off, batch norm by its running averages),
leaves every module in the mode it was in and the running averages where they were."""

import pytest

from nn import SGD, BatchNorm, Dropout, Sequential, losses
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
