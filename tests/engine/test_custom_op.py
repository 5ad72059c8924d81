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
