"""The complex-step scheme: every op's complex extension gives the engine's derivative at smooth points, to the
last digits at any tiny step; what has no complex extension is refused by name."""

import math

import pytest
from hypothesis import given, settings

import engine
from engine import Value, ops
from engine import gradcheck
from engine.testing import SCHEMES, derivative, expressions, step_error
from engine.transforms.complex_step import ON_COMPLEX, Complex, complex_step
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
