"""python -m demos xor_by_hand (Chapter 16, exercise 16.2): the hand-worked gradients against the same network in
NumPy matrix form and against the engine, explain's chain rule checked, and one step that lowers the loss."""

import numpy as np
import pytest

from demos import xor_by_hand as demo


def numpy_gradients():
    X = np.array([x for x, _ in demo.POINTS])
    y = np.array([t for _, t in demo.POINTS])
    W1, b1, W2, b2 = np.array(demo.W1), np.array(demo.B1), np.array(demo.W2), demo.B2
    a1 = 1 / (1 + np.exp(-(X @ W1.T + b1)))
    a2 = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = np.outer(d2, W2) * a1 * (1 - a1)
    n = len(X)
    return {"loss": float(np.mean(0.5 * (a2 - y) ** 2)), "W2": d2 @ a1 / n, "b2": d2.mean(),
            "W1": d1.T @ X / n, "b1": d1.mean(axis=0)}


def test_the_hand_gradients_are_numpys_and_the_engines() -> None:
    hand, want = demo.by_hand(), numpy_gradients()
    for key in ("loss", "W2", "b2", "W1", "b1"):
        assert np.allclose(hand[key], want[key], rtol=1e-13, atol=1e-16), key
    net = demo.Network()
    loss = net.loss()
    loss.backward()
    assert loss.data == pytest.approx(want["loss"], rel=1e-14)
    assert [w.grad for w in net.w2] == pytest.approx(list(want["W2"]), rel=1e-12)
    assert [[w.grad for w in row] for row in net.w1] == [pytest.approx(list(r), rel=1e-10, abs=1e-18) for r in want["W1"]]
    assert [b.grad for b in net.b1] + [net.b2.grad] == pytest.approx(list(want["b1"]) + [want["b2"]], rel=1e-12)


def test_the_demo_prints_both_columns_explains_one_weight_and_steps_down(capsys) -> None:
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    want = numpy_gradients()
    assert f"{want['W1'][0][0]:.9f}" in out and f"{want['b2']:.9f}" in out
    assert "dL/dw1[0][0] by the chain rule: 4 paths from w1[0][0] to L" in out and "✓" in out
    before, after = out.rsplit("L goes from ", 1)[1].split(" to ")
    assert float(after) < float(before)


def test_no_number_is_printed_as_minus_zero(capsys) -> None:
    # explain's product of 0 and a negative number came out as "-0", in its path and in the sum
    import re

    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert re.findall(r"(?<![\w.])-0(?![\w.])", out) == []
    products = re.findall(r"^  product = (\S+)$", out, flags=re.M)
    assert products[:2] == ["0", "0"] and len(products) == 4
    total = re.search(r"^sum over paths: dL/dw1\[0\]\[0\] = (.+) = (\S+)$", out, flags=re.M)
    # the sum reads as arithmetic: its terms, minus signs for the negative ones, add up to what it says
    terms = total.group(1).replace(" - ", " + -").split(" + ")
    assert terms[:2] == ["0", "0"] and sum(map(float, terms)) == pytest.approx(float(total.group(2)), rel=1e-5)
    assert "+ -" not in total.group(0)
