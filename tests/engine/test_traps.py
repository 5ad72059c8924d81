"""No silent traps: conversions that would cut the gradient refuse, and derivatives that exist never raise."""

import math
from typing import Callable

import pytest
from hypothesis import given, strategies as st

import engine
from engine import Value, grad, hessian, jvp, op
from engine.testing.oracles import TORCH_MISSING


@pytest.mark.parametrize("convert, use", [
    (math.sin, "float()"), (math.exp, "float()"), (float, "float()"), (int, "int()"), (round, "round()"),
    (lambda v: range(v), "an index"), (lambda v: [1, 2][v], "an index"), (complex, "complex()"),
    (math.isfinite, "float()"),
])
def test_conversions_that_would_cut_the_gradient_refuse(convert: Callable, use: str) -> None:
    v = Value(0.5)
    with pytest.raises(TypeError) as info:
        convert(v)
    message = str(info.value)
    assert use in message and "cut the gradient" in message and "v.sin()" in message and "0.5" in message


def test_numpy_refuses_to_make_floats_and_calls_the_value_methods() -> None:
    np = pytest.importorskip("numpy")
    v = Value(0.5)
    with pytest.raises(TypeError, match="cut the gradient"):
        np.asarray([v, v], dtype=float)
    y = np.exp(v) * np.tanh(v)  # numpy calls v.exp() and v.tanh(): the gradient flows
    assert isinstance(y, Value)
    y.backward()
    assert v.grad == pytest.approx(math.exp(0.5) * (math.tanh(0.5) + 1 - math.tanh(0.5) ** 2), rel=1e-12)


def test_bool_and_comparisons_look_at_the_data_and_format_shows_it() -> None:
    assert not Value(0.0) and Value(-2.0) and bool(Value(1e-300))
    assert Value(1.0) < 2 and max(Value(1.0), Value(3.0)).data == 3.0
    v = Value(2.0 / 3.0)
    assert f"{v:.3f}" == "0.667" and f"{v}" == repr(v)


def test_comparing_while_tracing_is_still_an_error() -> None:
    with pytest.raises(engine.TraceError, match="bool"):
        engine.compile(lambda x: x * 2 if x else x, 1.0)


# -- derivatives that exist, at every order -------------------------------------------------------


def test_x_to_the_zero_and_one_at_zero() -> None:
    assert grad(lambda x: x ** 0)(0.0).data == 0.0
    assert grad(lambda x: x ** 1)(0.0).data == 1.0
    assert grad(grad(lambda x: x ** 1))(0.0).data == 0.0
    assert [[h.data for h in row] for row in hessian(lambda v: v[0] ** 1)([0.0])] == [[0.0]]
    assert grad(grad(grad(lambda x: x ** 2)))(0.0).data == 0.0


@given(st.integers(0, 5), st.integers(1, 4), st.sampled_from([0.0, 0.5, -1.5]))
def test_every_derivative_of_an_integer_power(k: int, n: int, x: float) -> None:
    # d^n/dx^n x^k = k!/(k-n)! x^(k-n) for n <= k, else 0: by hand, at 0 too.
    f = lambda t: t ** k  # noqa: E731
    for _ in range(n):
        f = grad(f)
    want = math.factorial(k) // math.factorial(k - n) * x ** (k - n) if n <= k else 0.0
    assert f(x).data == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_zero_to_the_y_has_derivative_zero_as_in_pytorch() -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    y = Value(2.0)
    z = 0.0 ** y
    z.backward()
    ty = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (0.0 ** ty).backward()
    assert (z.data, y.grad) == (0.0, ty.grad.item()) == (0.0, 0.0)
    assert grad(grad(lambda t: 0.0 ** t))(2.0).data == 0.0


def test_a_number_base_is_exact_at_every_order() -> None:
    # d^n/dx^n 2^x = 2^x log(2)^n
    f = lambda t: 2.0 ** t  # noqa: E731
    for n in range(1, 4):
        f = grad(f)
        assert f(1.5).data == pytest.approx(2 ** 1.5 * math.log(2) ** n, rel=1e-12)
    with pytest.raises(ValueError, match="local derivative is undefined"):
        ((-2.0) ** Value(3.0)).backward()  # log of a negative base: no derivative in the exponent


# -- custom ops: a rule works in every mode or is refused at once ---------------------------------


@pytest.mark.parametrize("rule, why", [
    (lambda x, out: (math.cos(x),), "every kind of number"),
    (lambda x, out: (1.0 if x > 0 else 0.0,), "every kind of number"),
    (lambda x, out: (x, x), "one partial per input"),
])
def test_a_rule_that_cannot_work_everywhere_is_refused_up_front(rule, why: str) -> None:
    with pytest.raises(TypeError, match=why):
        op(derivative=rule)(math.sin)


def test_a_rule_with_value_methods_works_in_every_mode() -> None:
    @op(derivative=lambda x, out: (x.cos(),))
    def my_sin(x: float) -> float:
        return math.sin(x)

    assert grad(grad(my_sin))(0.3).data == pytest.approx(-math.sin(0.3), rel=1e-14)
    assert jvp(my_sin, (0.3,), (2.0,))[1] == pytest.approx(2 * math.cos(0.3), rel=1e-14)
    assert jvp(grad(my_sin), (0.3,), (1.0,))[1] == pytest.approx(-math.sin(0.3), rel=1e-14)
    assert engine.compile(lambda t: my_sin(t), 0.3)(0.3).grads[0] == pytest.approx(math.cos(0.3), rel=1e-14)
    assert "self.grad += cos(self.data) * out.grad" in str(my_sin(Value(0.3))._backward)


def test_a_value_exponent_at_base_zero_has_derivative_zero_as_in_pytorch() -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    a, b = Value(0.0), Value(2.0)
    (a ** b).backward()
    ta = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    (ta ** tb).backward()
    assert (a.grad, b.grad) == (ta.grad.item(), tb.grad.item()) == (0.0, 0.0)
    assert grad(lambda t: t ** Value(2.0))(0.0).data == 0.0


def test_printing_a_closure_never_raises_and_leaves_take_no_closure() -> None:
    y = (-2.0) ** Value(3.0)
    assert "no derivative here" in repr(y._backward)
    with pytest.raises(ValueError, match="no parents"):
        Value(1.0)._backward = lambda: None


def test_create_graph_makes_every_leaf_grad_a_value() -> None:
    a = Value(3.0)
    (a + a).backward(create_graph=True)
    assert isinstance(a.grad, Value) and a.grad.data == 2.0
