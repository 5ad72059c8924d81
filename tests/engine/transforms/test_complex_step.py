"""The complex-step scheme: every op's complex extension gives the engine's derivative at smooth points, to the
last digits at any tiny step; what has no complex extension is refused by name."""

import math

import pytest
from hypothesis import given, settings

import engine
from engine import Value, ops
from engine import gradcheck
from engine.testing import SCHEMES, derivative, expressions, step_error
from engine.transforms.complex_step import ON_COMPLEX, Complex, _by_real, complex_step
from tests.engine.testing.test_oracles import EVERY_OP

SMOOTH = {name: f for name, f in EVERY_OP.items() if name != "straight_through"}


def test_every_op_but_straight_through_has_a_complex_extension() -> None:
    names = {ops.VPOW: "vpow", ops.RPOW: "rpow"}
    assert {names.get(op, op.name) for op in ON_COMPLEX} == set(SMOOTH)


@pytest.mark.parametrize("name", sorted(SMOOTH))
def test_each_op_gives_the_engines_gradient(name) -> None:
    f = SMOOTH[name]
    a, b = Value(0.8), Value(1.3)
    f(a, b).backward()
    for j, want in enumerate((a.grad, b.grad)):
        got = [complex_step(lambda t: f(t, Value(1.3)) if j == 0 else f(Value(0.8), t), (0.8, 1.3)[j], h)
               for h in (1e-20, 1e-100)]
        assert got == pytest.approx([want, want], rel=1e-14, abs=1e-15), (name, j)  # any tiny step


@given(expressions(max_depth=6))
@settings(max_examples=60, deadline=None)
def test_random_expressions_match_reverse_mode_to_rounding(e) -> None:
    xs = [Value(x) for x in e.inputs]
    e(*xs).backward()
    for j, x in enumerate(e.inputs):
        def along(t, j=j):
            args = [Value(x) for x in e.inputs]  # the others held, as Values (f is written for them)
            args[j] = t
            return e(*args)
        got = derivative(along, x, "complex_step")
        assert got == pytest.approx(xs[j].grad, rel=1e-9, abs=1e-9), (j, got, xs[j].grad)


def test_no_cancellation_whatever_the_step() -> None:
    f = lambda t: (t * t).sin().exp()  # noqa: E731
    exact = math.exp(math.sin(2.25)) * math.cos(2.25) * 3
    curve = step_error(lambda t: f(Value(t)).data if not isinstance(t, Complex) else f(t), 1.5, exact, "complex_step",
                       steps=[10.0 ** -k for k in range(4, 300, 20)])
    assert all(err < 4e-15 for h, err in curve if h < 1e-7)  # a central difference's best is about 1e-11
    assert SCHEMES["complex_step"].order == 2
    table = gradcheck(lambda x, y: (x * y).sin().exp() / y, [0.5, 2.0], scheme="complex_step", atol=1e-14, rtol=1e-13)
    assert all(row.rel_error < 1e-15 for row in table)


def test_its_truncation_error_falls_as_h_squared() -> None:
    # Im exp(x + ih) / h = e^x sin(h) / h: an error of e^x h^2 / 6 while h is large
    errors = [abs(complex_step(lambda t: t.exp(), 0.5, 0.1 / 2 ** k) - math.exp(0.5)) for k in range(4)]
    assert all(3.9 < a / b < 4.1 for a, b in zip(errors, errors[1:]))


def test_what_has_no_complex_extension_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="complex step: the op straight_through cannot be evaluated on complex numbers "
                                        r"\(its gradient is not the derivative of its value\)"):
        complex_step(lambda t: engine.straight_through(t), 0.3)
    square = engine.op(lambda x, out: (2 * x,), name="square")(lambda x: x * x)
    with pytest.raises(TypeError, match="the op square cannot be evaluated on complex numbers"):
        complex_step(lambda t: square(t), 0.3)
    with pytest.raises(TypeError, match="the complex step evaluates f on complex numbers, which f refused"):
        derivative(math.sin, 0.3, "complex_step")


def test_abs_at_zero_and_higher_orders() -> None:
    # abs'(0) is 0 in the engine (PyTorch's convention); the complex step agrees
    assert all(row.ok for row in gradcheck(lambda x: x.abs() * 2.0, [0.0], scheme="complex_step"))
    with pytest.raises(ValueError, match="gradcheck: the complex step differentiates f itself"):
        gradcheck(lambda x: x * x * x, [1.0], scheme="complex_step", order=2)


def test_the_default_step_gives_the_derivative_to_the_last_digits() -> None:
    # d/dx exp(x) = exp(x); d/dx sin(x^2) = 2x cos(x^2). A step as large as 1 would be off by a third (sin(1) / 1)
    assert complex_step(lambda t: t.exp(), 0.5) == pytest.approx(math.exp(0.5), rel=1e-15)
    assert complex_step(lambda t: (t * t).sin(), 1.5) == pytest.approx(3.0 * math.cos(2.25), rel=1e-14)


def test_the_complex_step_scheme_takes_the_step_it_is_given() -> None:
    # Im exp(x + ih) / h = e^x sin(h) / h exactly: with h = 0.1 that is not e^x, and tells the step used
    assert derivative(lambda t: t.exp(), 0.5, "complex_step", h=0.1) == pytest.approx(
        math.exp(0.5) * math.sin(0.1) / 0.1, rel=1e-15)


@pytest.mark.parametrize("f, df", [
    # w·x over pairs (t, 3), (2, t^2): 3t + 2t^2, derivative 3 + 4t
    (lambda t: engine.dot([t, 2.0], [3.0, t * t]), lambda t: 3.0 + 4.0 * t),
    # one pair and a bias: 3t + sin t
    (lambda t: engine.dot([t], [3.0], bias=t.sin()), lambda t: 3.0 + math.cos(t)),
    # two pairs and a bias: 3t + 2t^2 + sin t
    (lambda t: engine.dot([t, 2.0], [3.0, t * t], bias=t.sin()), lambda t: 3.0 + 4.0 * t + math.cos(t)),
    # three pairs, no bias: t e^t + 5t + t^3
    (lambda t: engine.dot([t, 5.0, t], [t.exp(), t, t * t]), lambda t: (1 + t) * math.exp(t) + 5.0 + 3 * t * t),
])
def test_a_fused_dot_product_has_the_derivative_of_its_sum_of_products(f, df) -> None:
    for x in (0.7, -1.2):
        assert complex_step(f, x) == pytest.approx(df(x), rel=1e-14)


def test_logsumexp_on_complex_numbers_is_stable_and_has_its_value() -> None:
    # d/dt log(e^t + e^(t/2)) = w + (1 - w) / 2 with w = e^t / (e^t + e^(t/2)) = 1 / (1 + e^(-t/2)): at t = 800
    # e^t is past float's range, and the stable form never forms it
    w = 1.0 / (1.0 + math.exp(-400.0))
    assert complex_step(lambda t: engine.logsumexp([t, t * 0.5]), 800.0) == pytest.approx(w + (1 - w) / 2, rel=1e-15)
    # its value feeds the next op: d/dt sin(log(e^t + e^2)) = cos(L) e^t / (e^t + e^2), L = log(e^t + e^2)
    L = math.log(math.exp(1.5) + math.exp(2.0))
    want = math.cos(L) * math.exp(1.5) / (math.exp(1.5) + math.exp(2.0))
    assert complex_step(lambda t: engine.logsumexp([t, 2.0]).sin(), 1.5) == pytest.approx(want, rel=1e-14)


def test_an_op_with_no_complex_extension_says_why_in_full() -> None:
    square = engine.op(lambda x, out: (2 * x,), name="square")(lambda x: x * x)
    with pytest.raises(TypeError) as caught:
        complex_step(lambda t: square(t), 0.3)
    assert str(caught.value) == ("complex step: the op square cannot be evaluated on complex numbers (it has no "
                                 "complex extension here); use a finite-difference scheme such as 'central'")


def test_a_complex_number_chooses_a_branch_by_its_real_part_as_the_float_rule_does() -> None:
    for x in (-1.0, -0.0, 0.0, 0.5, 1.0, 2.0):
        z = Complex(complex(x, 1e-20))
        assert z.if_positive("then", "otherwise") == ops.if_positive(x, "then", "otherwise"), x


@pytest.mark.parametrize("f, x, want", [
    (lambda x: float(round(x)), 2.6, 3.0), (lambda x: float(math.floor(x)), -0.5, -1.0),
    (lambda x: float((x > 0) - (x < 0)), -3.0, -1.0), (lambda x: float(x > 0), 0.25, 1.0),
])
def test_a_piecewise_constant_function_on_complex_numbers_is_its_real_value_and_no_slope(f, x, want) -> None:
    # near x such a function is a constant: f at the real part, with a zero imaginary part (a zero derivative)
    z = _by_real(f)(complex(x, 1e-3))
    assert (z.real, z.imag) == (want, 0.0)
    assert isinstance(z, complex)
