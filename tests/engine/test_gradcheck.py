"""gradcheck passes true derivatives and catches wrong ones, at first and second order."""

import math

import pytest

from engine import GradcheckError, Value, gradcheck, op


def test_passes_and_returns_the_table() -> None:
    table = gradcheck(lambda x, y: (x * y).exp() / (1 + y * y), [0.3, -0.8])
    assert [row.input for row in table] == ["d/dx0", "d/dx1"]
    assert all(row.ok and row.rel_error < 1e-8 for row in table)
    text = str(table)
    assert "analytic" in text and "numeric" in text and "rel. error" in text


def test_second_order_checks_the_hessian() -> None:
    table = gradcheck(lambda x, y: x ** 2 * y + (x * y).sin(), [1.0, 2.0], order=2)
    assert [row.input for row in table] == ["d2/dx0dx0", "d2/dx0dx1", "d2/dx1dx0", "d2/dx1dx1"]
    assert table[3].analytic == pytest.approx(-math.sin(2.0), rel=1e-12)


def test_catches_a_deliberately_wrong_custom_derivative() -> None:
    @op(derivative=lambda x, out: (3 * x,))  # wrong: d(x^2)/dx is 2x
    def bad_square(x: float) -> float:
        return x * x

    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x: bad_square(x) + x, [1.5])
    message = str(info.value)
    assert "mismatch" in message and "5.5" in message and "4" in message  # analytic 5.5, numeric 4
    row = info.value.table[0]
    assert row.rel_error == pytest.approx(abs(5.5 - 4) / (5.5 + 4), rel=1e-6)


def test_order_two_catches_a_rule_that_cannot_be_differentiated_again() -> None:
    # Right first derivative, but computed on plain floats, so its own derivative is lost.
    @op(derivative=lambda x, out: (2 * getattr(x, "data", x),))
    def frozen_square(x: float) -> float:
        return x * x

    gradcheck(lambda x: frozen_square(x), [1.5])
    with pytest.raises(GradcheckError, match="d2/dx0dx0"):
        gradcheck(lambda x: frozen_square(x), [1.5], order=2)


@pytest.mark.parametrize(
    "kwargs, text",
    [({"inputs": []}, "at least one input"), ({"order": 0}, "order"), ({"eps": 0.0}, "eps"),
     ({"inputs": ["a"]}, "str")],
)
def test_bad_arguments(kwargs, text) -> None:
    args = {"f": lambda x: x, "inputs": [1.0], **kwargs}
    with pytest.raises((ValueError, TypeError), match=text):
        gradcheck(**args)


def test_non_scalar_function_is_refused() -> None:
    with pytest.raises(TypeError, match="jacobian"):
        gradcheck(lambda x: [x, x], [1.0])
    assert isinstance(gradcheck(lambda x: Value(2.0) * x, [1.0]), list)
