"""Finite-difference schemes: each reaches its textbook order, and the error-versus-h curve is a V."""

import math

import pytest

from engine import gradcheck
from engine.testing import SCHEMES, derivative, step_error


# Differences of a float function; the complex step, which needs f on complex numbers, is tested with the engine's
# ops in tests/engine/transforms/test_complex_step.py.
DIFFERENCES = sorted(set(SCHEMES) - {"complex_step"})


@pytest.mark.parametrize("name", DIFFERENCES)
def test_each_scheme_reaches_its_order_of_accuracy(name: str) -> None:
    # Halving h divides the truncation error by 2^order, while h is large enough for round-off not to matter.
    f, x, exact = math.exp, 0.5, math.exp(0.5)
    order = SCHEMES[name].order
    hs = [0.1 / 2 ** k for k in range(4)] if order < 4 else [0.4 / 2 ** k for k in range(4)]
    errors = [abs(derivative(f, x, name, h) - exact) for h in hs]
    ratios = [a / b for a, b in zip(errors, errors[1:])]
    assert all(2 ** order * 0.85 < r < 2 ** order * 1.15 for r in ratios), (name, ratios)


@pytest.mark.parametrize("name", DIFFERENCES)
def test_each_default_step_is_accurate(name: str) -> None:
    expected = {1: 1e-7, 2: 1e-9, 4: 1e-11}[SCHEMES[name].order]
    assert derivative(math.sin, 1.2, name) == pytest.approx(math.cos(1.2), rel=expected)


def test_step_error_is_a_v_for_exp_sin_x_squared() -> None:
    # The exp(sin(x^2)) of Backpropagation: The Engine of Deep Learning, at 1.5:
    # falling error (truncation), then rising (round-off).
    f = lambda x: math.exp(math.sin(x * x))  # noqa: E731
    exact = math.exp(math.sin(2.25)) * math.cos(2.25) * 3.0
    for name, best in (("forward", 1.5e-8), ("central", 6e-6)):
        curve = step_error(f, 1.5, exact, name)
        h_best, e_best = min(curve, key=lambda p: p[1])
        assert best / 30 < h_best < best * 30, (name, h_best)  # near sqrt(eps) and eps^(1/3)
        assert curve[0][1] > 100 * e_best and curve[-1][1] > 100 * e_best  # both arms of the V


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_gradcheck_takes_every_scheme(name: str) -> None:
    table = gradcheck(lambda x, y: (x * y).sin() + x.exp(), [0.5, 1.5], scheme=name)
    assert all(row.ok for row in table)
    with pytest.raises(ValueError, match="unknown finite-difference scheme"):
        gradcheck(lambda x: x, [0.5], scheme="sideways")
