"""Taylor mode: taylor(f, x, order) gives sympy's derivatives of every order, nested grad's where both run, and
v^T H v along a direction; what it cannot give is an error, never a nan."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from engine import Value, grad, hessian, taylor
from engine.testing import close, expressions
from tests.engine.test_differential import sympy_ops

ORDER = 5


@given(expressions(inputs=1, max_depth=6))
@settings(max_examples=15, deadline=None)
def test_every_order_matches_sympy(e) -> None:
    import sympy as sp

    x = sp.symbols("x", real=True)
    expr = e.run([x], sympy_ops())[-1]
    at = {x: sp.Float(e.inputs[0], 40)}
    try:
        got = taylor(lambda t: e.run([t])[-1], e.inputs[0], order=ORDER)
    except (ArithmeticError, ValueError):
        return  # a higher derivative overflows where the value does not: said, never a wrong number
    for n, value in enumerate(got):
        exact = float(sp.N(sp.diff(expr, x, n).subs(at), 30))
        scale = max(1.0, *(abs(float(sp.N(sp.diff(expr, x, m).subs(at), 20))) for m in range(n + 1)))
        assert abs(value - exact) <= 1e-7 * scale, (n, value, exact)


def test_nested_grad_agrees_up_to_the_fourth_order() -> None:
    f = lambda t: (t.sin() * t).exp() / (1.0 + t * t)  # noqa: E731
    nested, df = [f(Value(0.3)).data], f
    for _ in range(4):
        df = grad(df)
        nested.append(df(0.3).data)
    assert taylor(f, 0.3, order=4) == pytest.approx(nested, rel=1e-12)


def test_hand_derivatives_of_every_order() -> None:
    assert taylor(lambda t: t.exp(), 0.5, order=6) == pytest.approx([math.exp(0.5)] * 7, rel=1e-14)
    assert taylor(lambda t: t.sin(), 0.0, order=5) == pytest.approx([0.0, 1.0, 0.0, -1.0, 0.0, 1.0], abs=1e-15)
    # 1 / (1 - t) at 0: n! as each derivative
    assert taylor(lambda t: 1.0 / (1.0 - t), 0.0, order=6) == [float(math.factorial(n)) for n in range(7)]
    assert taylor(lambda t: t ** 2.5, 1.0, order=3) == pytest.approx([1.0, 2.5, 3.75, 1.875], rel=1e-14)
    assert taylor(lambda t: 3.0, 1.0, order=2) == [3.0, 0.0, 0.0]  # a constant
    w = Value(2.0)  # a Value f closes over is a constant along the curve
    assert taylor(lambda t: w * t * t, 1.0, order=3) == [2.0, 4.0, 4.0, 0.0]


def test_along_a_direction_order_two_is_v_H_v() -> None:
    f = lambda v: (v[0] * v[1]).sin() + v[0] ** 3  # noqa: E731
    x, v = [0.4, -1.1], [0.6, 0.8]
    H = [[d.data for d in row] for row in hessian(f)(x)]
    vHv = sum(v[i] * H[i][j] * v[j] for i in range(2) for j in range(2))
    series = taylor(f, x, order=3, direction=v)
    assert series[2] == pytest.approx(vHv, rel=1e-12)
    # order 3 along v: the third derivative of t -> f(x + t v), by hand
    a, b = x[0] + 0.0, x[1] + 0.0
    u, du = a * b, v[0] * b + a * v[1]
    d2u = 2 * v[0] * v[1]
    third = -math.cos(u) * du ** 3 - 3 * math.sin(u) * du * d2u + 6 * v[0] ** 3
    assert series[3] == pytest.approx(third, rel=1e-12)


@pytest.mark.parametrize("call, message", [
    (lambda: taylor(lambda t: t, 1.0, order=-1), "taylor: order must be a whole number >= 0, got -1"),
    (lambda: taylor(lambda t: t, 1.0, order=True), "taylor: order must be a whole number >= 0, got True"),
    (lambda: taylor(lambda v: v[0], [1.0], order=2), "taylor: a list x needs a direction of the same length"),
    (lambda: taylor(lambda v: v[0], [1.0, 2.0], order=2, direction=[1.0]),
     "taylor: direction has 1 entries for 2 inputs"),
    (lambda: taylor(lambda t: t, float("nan"), order=1), "taylor: x must not be nan"),
])
def test_bad_calls_say_what_was_wrong(call, message) -> None:
    with pytest.raises((ValueError, TypeError), match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_a_derivative_that_overflows_is_an_error_naming_the_op_and_order() -> None:
    with pytest.raises(OverflowError, match="taylor: the degree-2 coefficient of div is inf"):
        taylor(lambda t: 1.0 / t, 1e-110, order=3)


def test_a_closed_over_value_as_the_result_and_the_largest_order() -> None:
    w = Value(2.0)
    assert taylor(lambda t: w, 1.0, order=2) == [2.0, 0.0, 0.0]
    assert taylor(lambda t: t * 3.0, 1.0, order=170)[:3] == [3.0, 3.0, 0.0]
    with pytest.raises(ValueError, match="taylor: order 171 is past 170"):
        taylor(lambda t: t, 1.0, order=171)
