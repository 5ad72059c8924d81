"""Taylor mode: taylor(f, x, order) gives sympy's derivatives of every order, nested grad's where both run, and
v^T H v along a direction; what it cannot give is an error, never a nan."""

import math

import pytest
from hypothesis import example, given, settings, strategies as st

from engine import Series, Value, grad, hessian, ops, taylor
from engine.testing import Expression, close, expressions
from tests.engine.test_differential import sympy_ops

ORDER = 5


@given(expressions(inputs=1, max_depth=6))
@example(Expression(inputs=(0.5,), steps=(("log", (0,), 0.0), ("abs", (1,), 0.0))))  # |log x|: kinked, not at 0.5
@example(Expression(inputs=(0.5,), steps=(("exp", (0,), 0.0), ("relu", (0,), 0.0), ("exp", (0,), 0.0),
                                          ("log", (2,), 0.0), ("relu", (4,), 0.0))))  # relu(log(relu x)): sympy's zoo
@settings(max_examples=15, deadline=None)
def test_every_order_matches_sympy(e) -> None:
    import sympy as sp

    x = sp.symbols("x", real=True)
    at = {x: sp.Float(e.inputs[0], 40)}
    # |u| is u times u's sign at the point, a constant near it: sympy's own Abs leaves sign's derivatives unevaluated
    # from the second order on. Where u = 0 the sign is 0, so every derivative is 0, as the engine's abs'(0) = 0 gives
    rules = {**sympy_ops(), "abs": lambda u: u * sp.sign(u.subs(at))}
    # A kink (relu, leaky_relu) likewise is linear on the side the point is on. As a Piecewise, sympy folded a later
    # op into both sides, and the other side's log(0) (zoo) made it raise before the point was ever looked at

    def side(slope: object) -> object:
        return lambda u: u * (1 if sp.N(u.subs(at)) > 0 else slope)
    rules.update(relu=side(0), leaky_relu=side(sp.Rational(1, 10)),
                 leaky_relu_c=lambda u, c: side(sp.Rational(abs(c) / 3))(u))
    expr = e.run([x], rules)[-1]
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


def test_order_zero_is_the_value_alone() -> None:
    # the 0th derivative is f itself: one entry, for a number x and along a direction alike
    assert taylor(lambda t: t * t * t, 2.0, order=0) == [8.0]
    assert taylor(lambda v: v[0] * v[1], [2.0, 3.0], order=0, direction=[1.0, 1.0]) == [6.0]


def test_along_a_direction_there_is_one_entry_per_order() -> None:
    # (2 + t)(3 + t) = 6 + 5 t + t^2: derivatives 6, 5, 2, then 0 from the third on
    for order, want in [(1, [6.0, 5.0]), (2, [6.0, 5.0, 2.0]), (3, [6.0, 5.0, 2.0, 0.0])]:
        assert taylor(lambda v: v[0] * v[1], [2.0, 3.0], order=order, direction=[1.0, 1.0]) == want


@pytest.mark.parametrize("call, error, message", [
    (lambda: taylor(lambda v: v[0], [float("nan")], order=1, direction=[1.0]),
     ValueError, "taylor: x must not be nan, got nan"),
    (lambda: taylor(lambda v: v[0], [float("nan")], order=0, direction=[1.0]),
     ValueError, "taylor: x must not be nan, got nan"),
    (lambda: taylor(lambda v: v[0], [1.0], order=1, direction=[float("inf")]),
     ValueError, "taylor: direction must be finite, got inf"),
    (lambda: taylor(lambda v: v[0], [1.0], order=2),
     ValueError, "taylor: a list x needs a direction of the same length (and a number x none), got x=[1.0], "
                 "direction=None"),
    (lambda: taylor(lambda t: float("nan"), 1.0, order=2), ValueError, "taylor: f's result must not be nan, got nan"),
    (lambda: taylor(lambda t: "s", 1.0, order=2), TypeError, "taylor: f's result must be a real number, got str 's'"),
    (lambda: taylor(lambda t: t * float("nan"), 1.0, order=2), ValueError, "mul operand must not be nan, got nan"),
])
def test_bad_inputs_and_results_are_named_in_full(call, error, message) -> None:
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_an_op_whose_coefficient_overflows_is_named_with_its_degree() -> None:
    # along v = 1e200, x0 * x0 = 1 + 2e200 t + 1e400 t^2: the t^2 coefficient is past float's range
    with pytest.raises(OverflowError) as caught:
        taylor(lambda v: v[0] * v[0], [1.0], order=2, direction=[1e200])
    assert str(caught.value) == ("taylor: the degree-2 coefficient of mul is inf: a derivative of that order "
                                 "overflows (or is undefined) here")


def test_an_undefined_coefficient_is_a_value_error() -> None:
    # q = 1 / (1 - d t) = 1 + d t + d^2 t^2 + ... with d^2 = 1.2e308: each q's second derivative, 2 d^2, is past
    # float's range, so q - q meets inf - inf in its t^2 term: nan, which is a ValueError (inf is an OverflowError)
    d = 1.2e308 ** 0.5
    with pytest.raises(ValueError) as caught:
        taylor(lambda t: 1.0 / (1.0 - d * t) - 1.0 / (1.0 - d * t), 0.0, order=2)
    assert str(caught.value) == ("taylor: the degree-2 coefficient of sub is nan: a derivative of that order "
                                 "overflows (or is undefined) here")


def test_series_take_ops_outside_taylor_too() -> None:
    # x^3 at 2 along t: 8 + 12 t + 6 t^2 + t^3, by the binomial theorem; sin(x) at 0: x - x^3/6
    assert (Series([2.0, 1.0, 0.0, 0.0]) ** 3).c == [8.0, 12.0, 6.0, 1.0]
    assert (Series([2.0, 1.0, 0.0]) * Series([2.0, 1.0, 0.0])).c == [4.0, 4.0, 1.0]
    assert Series([0.0, 1.0, 0.0, 0.0]).sin().c == pytest.approx([0.0, 1.0, 0.0, -1 / 6], abs=1e-15)


def count_evaluations(monkeypatch, op):
    calls = [0]
    value = op.value

    def counted(*args):
        calls[0] += 1
        return value(*args)

    monkeypatch.setattr(op, "value", counted)
    return calls


def test_each_inner_series_is_computed_once_per_degree(monkeypatch) -> None:
    # sin's rule is cos, whose rule is -sin: at degree n, sin needs cos of x cut to degree n - 1, which needs sin of
    # shorter cuts, and so on. Kept by their inputs, cos runs once on each of the `order` cuts of x (computing them
    # afresh each time would take 2^(order - 1) runs)
    cos = count_evaluations(monkeypatch, ops.COS)
    got = taylor(lambda t: t.sin(), 0.3, order=10)
    assert got == pytest.approx([math.sin(0.3), math.cos(0.3), -math.sin(0.3), -math.cos(0.3)] * 2
                                + [math.sin(0.3), math.cos(0.3), -math.sin(0.3)], rel=1e-13)
    assert cos[0] <= 10


def test_a_taylor_call_inside_f_leaves_the_outer_calls_series_kept(monkeypatch) -> None:
    cos = count_evaluations(monkeypatch, ops.COS)

    def f(t):
        slope = taylor(lambda s: s * s, 1.0, order=1)[1]  # d/ds s^2 at 1 = 2, by its own taylor call
        return slope * t.sin()

    got = taylor(f, 0.3, order=10)
    assert got[:4] == pytest.approx([2 * math.sin(0.3), 2 * math.cos(0.3), -2 * math.sin(0.3), -2 * math.cos(0.3)],
                                    rel=1e-13)
    assert cos[0] <= 10  # once per degree, as without the inner call


def test_a_derivative_past_a_float_is_an_error_not_inf() -> None:
    # 1/(1 - d t) = sum (d t)^n: the second derivative at 0 is 2 d^2, past the largest float when d^2 = 1.2e308
    d = 1.2e308 ** 0.5
    assert taylor(lambda t: 1 / (1 - d * t), 0.0, order=1) == [1.0, pytest.approx(d, rel=1e-15)]
    with pytest.raises(OverflowError, match=r"taylor: the derivative of order 2 is too large for a float"):
        taylor(lambda t: 1 / (1 - d * t), 0.0, order=2)
