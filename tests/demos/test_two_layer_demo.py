"""python -m demos two_layer: the one-input example of The Backpropagation Algorithm (lines 82-212),
every number against the same
derivatives written out by hand in plain floats, and the chapter's rounding shown where it drifts."""

import math

import pytest

from demos import two_layer as demo


def by_hand():
    x, t, w1, b1, w2, b2, lr = 2.0, 1.0, 0.5, 0.1, 0.3, -0.2, 0.01
    z1 = w1 * x + b1
    a1 = max(0.0, z1)
    z2 = w2 * a1 + b2
    p = 1 / (1 + math.exp(-z2))
    dp = 2 * (p - t)
    dz2 = dp * p * (1 - p)
    da1 = dz2 * w2
    dz1 = da1 * (1.0 if z1 > 0 else 0.0)
    values = [z1, a1, z2, p, (p - t) ** 2, dp, p * (1 - p), dz2, dz2 * a1, dz2, da1, 1.0, dz1, dz1 * x, dz1]
    w1, b1, w2, b2 = w1 - lr * dz1 * x, b1 - lr * dz1, w2 - lr * dz2 * a1, b2 - lr * dz2
    a1 = max(0.0, w1 * x + b1)
    after = (1 / (1 + math.exp(-(w2 * a1 + b2))) - t) ** 2
    return values + [w2, b2, w1, b1, after]


def test_every_number_is_the_hand_derivative() -> None:
    steps = demo.run()
    assert [s.value for s in steps] == pytest.approx(by_hand(), rel=1e-14)
    assert f"{steps[4].value:.6f}" == "0.218599" and f"{steps[-1].value:.6f}" == "0.217158"
    assert f"{steps[8].value:.6f}" == "-0.256067"  # where the chapter has -0.257


def test_the_chapters_rounding_drifts_where_it_multiplies_rounded_numbers() -> None:
    steps = demo.run()[:-1]
    assert [s.name for s in steps if not s.agrees] == ["dL/dz2", "dL/dw2", "dL/db2", "w2 after the step",
                                                       "b2 after the step"]
    assert [(s.chapter, s.rounded) for s in steps if s.name == "dL/dw2"] == [("-0.257", "-0.256")]


def test_the_demo_prints_each_step_beside_the_chapter(capsys) -> None:
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert "dL/dw2                              153    -0.257    -0.256067         -0.256" in out
    assert "loss before the step 0.218599, after 0.217158: lower, as line 212 says" in out
