"""gradcheck passes true derivatives and catches wrong ones at first and second order; its printed table, tolerance,
step and the exact words of its refusals."""

import math

import pytest

from engine import GradcheckError, Value, gradcheck, op
from engine import GradcheckError, Value, gradcheck
from engine.transforms.gradcheck import step, value_at


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


def product_by_hand(dy_extra: float = 0.0):  # noqa: ANN201
    """x*y as a micrograd-style node whose hand-written _backward adds ``dy_extra`` to dy (a wrong rule if not 0)."""
    def f(x: Value, y: Value) -> Value:
        out = Value(x.data * y.data, (x, y), "mul_by_hand")

        def _backward() -> None:
            x.grad += y.data * out.grad
            y.grad += (x.data + dy_extra) * out.grad
        out._backward = _backward
        return out
    return f


def test_the_failure_message_is_the_table_with_mismatches_marked() -> None:
    # eps = 0.5 at (1, 2): steps 0.5 and 1, so the central differences are exact: d/dx = 2, d/dy = 1.
    with pytest.raises(GradcheckError) as e:
        gradcheck(product_by_hand(dy_extra=1.0), [1.0, 2.0], eps=0.5)
    assert str(e.value) == """\
gradcheck failed:
input                 analytic         numeric  rel. error
----------------------------------------------------------
d/dx0                        2               2    0.00e+00
d/dx1                        2               1    3.33e-01  <-- mismatch"""
    assert [row.ok for row in e.value.table] == [True, False]


def test_a_passing_table_prints_without_marks() -> None:
    table = gradcheck(product_by_hand(), [1.0, 2.0], eps=0.5)
    assert str(table) == """\
input                 analytic         numeric  rel. error
----------------------------------------------------------
d/dx0                        2               2    0.00e+00
d/dx1                        1               1    0.00e+00"""


def test_the_default_absolute_tolerance_is_small() -> None:
    # Off by 0.01 where the derivative is 2: beyond 1e-5 + 1e-3 * 2.
    with pytest.raises(GradcheckError):
        gradcheck(product_by_hand(dy_extra=0.01), [1.0, 2.0], eps=0.5)


def test_the_relative_tolerance_scales_with_the_numeric_derivative() -> None:
    # d/dy x y = x = 100; off by 0.05, within 1e-5 + 1e-3 * 100.
    table = gradcheck(product_by_hand(dy_extra=0.05), [100.0, 2.0], eps=0.5)
    assert [row.ok for row in table] == [True, True]
    assert table[1].analytic == 100.05 and table[1].numeric == 100.0


def test_an_exact_match_passes_with_no_tolerance_at_all() -> None:
    # 2x at 0: (2h - (-2h)) / 2h is exactly 2.
    table = gradcheck(lambda x: 2 * x, [0.0], atol=0.0, rtol=0.0)
    assert table[0].numeric == 2.0 and table[0].ok


@pytest.mark.parametrize("x, eps, numeric", [
    # x^3 by central differences is 3x^2 + h^2, with h = eps * max(1, |x|):
    (1.0, 0.5, 3.25),      # h = 0.5
    (0.5, 0.25, 0.8125),   # |x| < 1: h = eps = 0.25
    (4.0, 0.5, 52.0),      # h = 2
])
def test_eps_is_the_step_before_scaling(x: float, eps: float, numeric: float) -> None:
    table = gradcheck(lambda v: v ** 3, [x], eps=eps, rtol=1.0)
    assert table[0].numeric == numeric and table[0].analytic == 3 * x * x


@pytest.mark.parametrize("eps, x, expected", [(None, 3.0, None), (0.5, 0.5, 0.5), (0.5, 1.5, 0.75),
                                              (0.5, -4.0, 2.0)])
def test_step_scales_eps_by_max_one_and_abs_x(eps, x, expected) -> None:
    assert step(eps, x) == expected


def test_value_at_reads_a_plain_number_and_refuses_anything_else() -> None:
    assert value_at(lambda a, b: 3, [1.0, 2.0]) == 3.0
    assert value_at(lambda a, b: a * b, [1.5, 2.0]) == 3.0
    with pytest.raises(TypeError) as e:
        value_at(lambda a: "s", [1.0])
    assert str(e.value) == "f's result must be a real number, got str 's'"


@pytest.mark.parametrize("kwargs, error, message", [
    ({"inputs": []}, ValueError, "gradcheck needs at least one input, got none"),
    ({"inputs": ["a"]}, TypeError, "gradcheck input must be a real number, got str 'a'"),
    ({"f": lambda x: [x, x]}, TypeError,
     "gradcheck: f must return a scalar, but it returned a list of 2 values; "
     "use jacobian(f) for functions with several outputs"),
    ({"scheme": "complex_step", "order": 2}, ValueError,
     "gradcheck: the complex step differentiates f itself, not its derivatives (grad takes no complex numbers); "
     "check order 2 and above with a difference scheme such as 'central'"),
])
def test_refusals_are_worded_for_the_user(kwargs: dict, error: type, message: str) -> None:
    args = {"f": lambda x: x, "inputs": [1.0], **kwargs}
    with pytest.raises(error) as e:
        gradcheck(**args)
    assert str(e.value) == message


def test_a_second_derivative_too_large_for_a_float_names_the_op_that_overflowed() -> None:
    # (1e200 x)^2 at 1e-150: the value (1e100) and the first derivative (2e250) are floats, the second (2e400) is not.
    with pytest.raises(OverflowError, match=r"^mul: result too large for a float"):
        gradcheck(lambda x: (x * 1e200) * (x * 1e200), [1e-150], order=2)
