"""python -m demos lstm_cell: the hand-derived LSTM backward equals central differences of the forward pass, the
engine's backward() through nn.LSTM, and PyTorch's torch.nn.LSTM."""

import sys

import pytest

from demos import lstm_cell as demo
from tests.torch_oracle import needs_torch


def test_the_hand_formulas_equal_the_engines_gradients() -> None:
    hand, (engine, _, _) = demo.by_hand(), demo.by_engine()
    assert set(engine) == set(hand)
    for key in hand:
        assert engine[key] == pytest.approx(hand[key], rel=1e-12, abs=1e-15), key


@pytest.mark.parametrize("table", ["W_IH", "W_HH", "B_IH", "B_HH"])
def test_the_hand_formulas_equal_central_differences_for_the_weights(monkeypatch, table) -> None:
    hand, eps = demo.by_hand(), 1e-6
    name = {"W_IH": "dL/dW_ih_", "W_HH": "dL/dW_hh_", "B_IH": "dL/db_ih_", "B_HH": "dL/db_hh_"}[table]
    for k in demo.GATES:
        losses = []
        for step in (eps, -eps):
            monkeypatch.setattr(demo, table, {**getattr(demo, table), k: getattr(demo, table)[k] + step})
            losses.append(demo.by_hand()["loss"])
            monkeypatch.undo()
        assert hand[name + k] == pytest.approx((losses[0] - losses[1]) / (2 * eps), rel=1e-6, abs=1e-11), k


@pytest.mark.parametrize("name, key", [("X", "dL/dx"), ("H_PREV", "dL/dh_prev"), ("C_PREV", "dL/dc_prev")])
def test_the_hand_formulas_equal_central_differences_for_the_inputs(monkeypatch, name, key) -> None:
    eps, value = 1e-6, getattr(demo, name)
    losses = []
    for step in (eps, -eps):
        monkeypatch.setattr(demo, name, value + step)
        losses.append(demo.by_hand()["loss"])
    monkeypatch.undo()
    assert demo.by_hand()[key] == pytest.approx((losses[0] - losses[1]) / (2 * eps), rel=1e-6)


@needs_torch
def test_pytorchs_lstm_gives_the_same_gradients() -> None:
    hand, torch_grads = demo.by_hand(), demo.by_torch()
    assert len(torch_grads) == 3 + 3 + 16  # loss, h, c; x, h_prev, c_prev; four gates' W_ih, W_hh, b_ih, b_hh
    for key, value in torch_grads.items():
        assert value == pytest.approx(hand[key], rel=1e-12, abs=1e-15), key


def test_main_prints_the_three_columns_and_the_explained_paths(capsys) -> None:
    assert demo.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "dL/dc_prev" in out and "dL/dW_hh_f" in out
    assert "dL/dW_hh1_0 by the chain rule" in out and "✓" in out


def test_without_pytorch_main_still_checks_the_engine_and_says_why(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    assert demo.by_torch() is None
    assert demo.main([]) == 0
    assert "PyTorch is not installed" in capsys.readouterr().out
