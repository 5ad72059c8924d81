"""A user-defined op works in every mode from its one derivative rule."""

import io
import math

import pytest

from engine import Value, explain, grad, gradcheck, jvp, op


@op(derivative=lambda x, out: (out * (1 - out),))
def logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@op(derivative=lambda xs, out: [2 * x for x in xs])
def sum_of_squares(*xs: float) -> float:
    return sum(x * x for x in xs)


def s(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_value_backward_create_graph_jvp_gradcheck() -> None:
    x = Value(0.4)
    y = logistic(x)
    assert y._op == "logistic" and y.data == s(0.4)
    y.backward()
    assert x.grad == pytest.approx(s(0.4) * (1 - s(0.4)), rel=1e-15)
    second = grad(grad(logistic))(0.4).data  # s'' = s (1 - s) (1 - 2 s)
    assert second == pytest.approx(s(0.4) * (1 - s(0.4)) * (1 - 2 * s(0.4)), rel=1e-12)
    assert jvp(logistic, (0.4,), (2.0,))[1] == pytest.approx(2 * s(0.4) * (1 - s(0.4)), rel=1e-15)
    gradcheck(lambda t: logistic(t), [0.4], order=3)
    assert logistic(0.0) == 0.5  # plain numbers in, a float out


def test_variadic_custom_op() -> None:
    xs = [Value(1.0), Value(-2.0), Value(0.5)]
    y = sum_of_squares(*xs)
    y.backward()
    assert y.data == 5.25 and [x.grad for x in xs] == [2.0, -4.0, 1.0]


def test_explain_prints_the_custom_rule_as_a_formula() -> None:
    x = Value(0.4, label="x")
    y = logistic(x)
    y.label = "y"
    out = io.StringIO()
    explain(y, wrt=x, file=out)
    assert "d logistic(u)/du = logistic(u)·(1 - logistic(u))" in out.getvalue()
    assert "✓" in out.getvalue()


def test_custom_value_errors_name_the_op() -> None:
    @op(derivative=lambda x, out: (0.5 / out,))
    def root(x: float) -> float:
        return math.sqrt(x)

    with pytest.raises(ValueError, match="root: math domain error; got x=-1.0"):
        root(Value(-1.0))
    with pytest.raises(TypeError, match="derivative must be a function"):
        op(derivative=3)


def test_a_rule_of_arithmetic_runs_on_plain_floats_and_its_errors_are_pythons() -> None:
    """engine.custom._works_on_floats: a rule tried at 0.5 that works on floats runs on the floats themselves (no
    wrapper: as fast as a built-in op's), so where it fails the message is Python's own, as its author sees it
    running the rule by hand; a variadic rule too. A rule that fails at 0.5 gets the engine's numbers instead."""
    @op(derivative=lambda x, out: (1 / x,))
    def log_ish(x: float) -> float:
        return x * x

    @op(derivative=lambda xs, out: [1 / x for x in xs])
    def logs_ish(*xs: float) -> float:
        return sum(xs)

    @op(derivative=lambda x, out: (1 / out,))  # the trial passes the op's own output too
    def less_one(x: float) -> float:
        return x - 1.0

    @op(derivative=lambda xs, out: [1 / out for x in xs])
    def total(*xs: float) -> float:
        return sum(xs)

    @op(derivative=lambda x, out: (1 / (x - 0.5),))  # fails at the trial's 0.5: lifted, to be safe
    def pole(x: float) -> float:
        return x

    for made, args, said in ((log_ish, [Value(0.0)], "at x=0.0 (float division by zero)"),
                             (logs_ish, [Value(1.0), Value(0.0)], "at 2 inputs (float division by zero)"),
                             (less_one, [Value(1.0)], "at x=1.0 (float division by zero)"),
                             (total, [Value(1.0), Value(-1.0)], "at 2 inputs (float division by zero)"),
                             (pole, [Value(0.5)], "at x=0.5 (div: division by zero with a=1.0, b=0.0)")):
        with pytest.raises(ZeroDivisionError) as caught:
            made(*args).backward()
        assert str(caught.value) == f"{made.name}: the local derivative is undefined {said}"


def test_a_rule_choosing_with_if_positive_works_on_values_and_dual_numbers() -> None:
    """engine.custom._lift: only plain floats are wrapped to get methods; the Values of create_graph and the dual
    numbers of jvp already have them (if_positive among them), and wrapped they lost them."""
    from engine.ops import if_positive

    @op(derivative=lambda x, out: (if_positive(x, x.cos(), 0.0),))
    def sin_above_zero(x: float) -> float:
        return math.sin(x) if x > 0 else 0.0

    x = Value(0.5)
    sin_above_zero(x).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == pytest.approx(math.cos(0.5), rel=1e-15)
    assert jvp(sin_above_zero, (0.5,), (1.0,)) == pytest.approx((math.sin(0.5), math.cos(0.5)), rel=1e-15)
    assert jvp(sin_above_zero, (-0.5,), (1.0,)) == (0.0, 0.0)
