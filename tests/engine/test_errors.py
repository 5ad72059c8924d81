"""Bad input gets a clear error naming what was wrong and with which value; never nan, inf or complex."""

import math

import pytest

import engine
from engine import Value


@pytest.mark.parametrize("bad", ["3", None, 1j, [1.0], object()], ids=lambda v: type(v).__name__)
def test_non_numbers_are_refused_with_their_type(bad: object) -> None:
    type_name = type(bad).__name__
    with pytest.raises(TypeError, match=type_name):
        Value(bad)
    for operation in (lambda: Value(1.0) + bad, lambda: bad * Value(1.0), lambda: Value(1.0) ** Value(1.0) - bad):
        with pytest.raises(TypeError, match=type_name):
            operation()


def test_as_value_names_what_it_was_given_as() -> None:
    """engine.as_value: an operand by default, or what the caller says; the message says which."""
    with pytest.raises(TypeError, match=r"^operand must be a real number, got str 'a'$"):
        engine.as_value("a")
    with pytest.raises(TypeError, match=r"^target must be a real number, got NoneType None$"):
        engine.as_value(None, "target")


def test_label_must_be_text() -> None:
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, label=3)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_data_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match=repr(bad)):
        Value(bad)
    with pytest.raises(ValueError, match=repr(bad)):
        Value(1.0) + bad


@pytest.mark.parametrize(
    "make, op, value",
    [
        (lambda: Value(-2.0).log(), "log", "x=-2.0"),
        (lambda: Value(0.0).log(), "log", "x=0.0"),
        (lambda: Value(-1.0).sqrt(), "sqrt", "x=-1.0"),
        (lambda: Value(-8.0) ** (1 / 3), "pow", "x=-8.0"),
        (lambda: Value(-8.0) ** Value(0.5), "pow", "a=-8.0"),
        (lambda: (-8.0) ** Value(0.5), "pow", "base=-8.0"),
    ],
)
def test_out_of_domain_is_a_value_error_naming_op_and_value(make, op: str, value: str) -> None:
    with pytest.raises(ValueError) as info:
        make()
    assert op in str(info.value) and value in str(info.value)


def test_negative_base_with_integer_exponent_is_fine() -> None:
    x = Value(-2.0)
    y = x ** 3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


@pytest.mark.parametrize(
    "make, op",
    [
        (lambda: Value(1000.0).exp(), "exp"),
        (lambda: Value(1e200) * Value(1e200), "mul"),
        (lambda: Value(1e308) + 1e308, "add"),
        (lambda: Value(10.0) ** 400, "pow"),
        (lambda: 10 ** Value(400.0), "pow"),
    ],
)
def test_overflow_is_an_overflow_error_naming_the_op(make, op: str) -> None:
    with pytest.raises(OverflowError, match=f"^{op}: "):
        make()


@pytest.mark.parametrize(
    "make",
    [lambda: Value(1.0) / 0, lambda: 1 / Value(0.0), lambda: Value(0.0) ** -1, lambda: Value(2.0) / Value(0.0)],
)
def test_division_by_zero(make) -> None:
    with pytest.raises(ZeroDivisionError, match="division by zero"):
        make()


def test_infinite_local_derivative_is_reported_at_backward() -> None:
    x = Value(0.0, label="x")
    y = x.sqrt()
    assert y.data == 0.0
    with pytest.raises(ZeroDivisionError, match=r"sqrt: the local derivative is undefined at x=0.0 \(float division by zero\)"):
        y.backward()


def test_exponent_gradient_of_negative_base_is_undefined() -> None:
    y = Value(-2.0) ** Value(3.0)
    assert y.data == -8.0
    with pytest.raises(ValueError, match="pow: the local derivative is undefined at a=-2.0, b=3.0 .*log"):
        y.backward()


def test_nan_set_by_hand_is_refused_at_the_assignment_as_by_value() -> None:
    x = Value(1.0)
    with pytest.raises(ValueError, match="Value.data must not be nan, got nan"):
        x.data = math.nan  # as a runaway optimizer might
    with pytest.raises(ValueError, match="must be finite, got -inf"):
        x.data = -math.inf
    assert x.data == 1.0  # left as it was


def test_nan_that_gets_in_all_the_same_is_caught_at_the_next_op() -> None:
    x = Value(1.0)
    x._data = math.nan  # past the check, as code writing the private slot might
    with pytest.raises(ValueError, match="tanh: result is nan with x=nan"):
        x.tanh()


def test_gradient_overflow_is_reported_naming_the_node() -> None:
    leaf = Value(1e-300, label="tiny")
    y = leaf * 1e300 * 1e300  # data 1e300 is finite, but dy/dleaf = 1e600 is not
    assert y.data == pytest.approx(1e300)
    with pytest.raises(OverflowError, match="gradient reaching leaf 'tiny' .* is inf"):
        y.backward()


def test_empty_reductions_and_length_mismatch() -> None:
    with pytest.raises(ValueError, match="at least one"):
        engine.sum([])
    with pytest.raises(ValueError, match="engine.mean needs at least one"):
        engine.mean([])
    with pytest.raises(ValueError, match="equal length, got 2 and 1"):
        engine.dot([1.0, 2.0], [3.0])


def test_an_infinite_gradient_is_reported_at_the_first_node_it_reaches() -> None:
    x = Value(1e-300, label="x")
    w = x * 1.0
    w.label = "w"
    y = w * 1e200 * 1e200  # finite: 1e100; but dy/dw = 1e400 overflows
    with pytest.raises(OverflowError, match=r"gradient reaching mul 'w' .* is inf"):
        y.backward()


def test_grad_with_respect_to_an_unused_value_is_zero_whatever_its_grad_held() -> None:
    from engine import grad

    w = Value(1.0)
    w.grad = 5.0  # left from an earlier backward()
    assert grad(lambda a: Value(3.0) * 2)(w).data == 0.0
    assert w.grad == 5.0


def test_an_infinite_gradient_at_the_input_names_it() -> None:
    from engine import gradcheck

    with pytest.raises(OverflowError, match="gradient reaching leaf with data=1e-300 is inf"):
        gradcheck(lambda t: t * 1e200 * 1e200, [1e-300])  # the float pass: inf arrives at the input
