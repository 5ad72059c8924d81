"""Gradients of gradients: create_graph, grad to any order, jacobian, hessian, against hand derivatives."""

import math

import pytest
from hypothesis import given

from engine import Value, grad, hessian, jacobian, value_and_grad
from engine.testing import close, floats_in


def tanh_derivatives(x: float):
    t = math.tanh(x)
    s = 1 - t * t
    return [s, -2 * t * s, -2 * s * (1 - 3 * t * t), 8 * t * (2 - 3 * t * t) * s,
            (16 - 120 * t * t + 120 * t ** 4) * s]


@given(floats_in((-3, 3)))
def test_first_five_derivatives_of_tanh(x: float) -> None:
    d = Value.tanh
    for order, expected in enumerate(tanh_derivatives(x), 1):
        d = grad(d)
        assert close(d(x).data, expected, rel=1e-9), (order, d(x).data, expected)


@given(floats_in((-5, 5)))
def test_exp_to_order_six(x: float) -> None:
    d = Value.exp
    for _ in range(6):
        d = grad(d)
        assert close(d(x).data, math.exp(x), rel=1e-12)


def f_xy(v):
    x, y = v
    return x ** 2 * y + (x * y).sin()


@given(floats_in((-2, 2)), floats_in((-2, 2)))
def test_hessian_of_x2y_plus_sin_xy(x: float, y: float) -> None:
    H = [[h.data for h in row] for row in hessian(f_xy)([x, y])]
    s = math.sin(x * y)
    by_hand = [[2 * y - y * y * s, 2 * x + math.cos(x * y) - x * y * s],
               [2 * x + math.cos(x * y) - x * y * s, -x * x * s]]
    for got_row, want_row in zip(H, by_hand):
        for got, want in zip(got_row, want_row):
            assert close(got, want, rel=1e-10)


def test_backward_with_create_graph_gives_differentiable_grads() -> None:
    x = Value(2.0)
    y = x ** 3
    y.backward(create_graph=True)
    g = x.grad
    assert isinstance(g, Value) and g.data == 12.0  # 3 x^2
    x.grad = 0.0
    g.backward()
    assert x.grad == 12.0  # 6 x


def test_grad_leaves_every_existing_grad_alone() -> None:
    x = Value(1.5)
    (x * x).backward()
    before = x.grad
    assert grad(lambda t: t.sin() * x)(x).data == pytest.approx(math.cos(1.5) * 1.5 + math.sin(1.5))
    assert x.grad == before


def test_argnums_lists_and_value_and_grad() -> None:
    def f(a, b, c):
        return a * b[0] + b[1] * c

    gb = grad(f, argnums=1)(2.0, [3.0, 4.0], 5.0)
    assert [g.data for g in gb] == [2.0, 5.0]
    ga, gc = grad(f, argnums=(0, 2))(2.0, [3.0, 4.0], 5.0)
    assert (ga.data, gc.data) == (3.0, 4.0)
    value, g = value_and_grad(f, argnums=-1)(Value(2.0), [3.0, 4.0], 5.0)
    assert (value.data, g.data) == (26.0, 4.0)


def test_constant_and_independent_functions_have_zero_gradient() -> None:
    assert grad(lambda x: 3.0)(1.0).data == 0.0
    assert grad(lambda x, y: y * y, argnums=0)(1.0, 2.0).data == 0.0


def test_jacobian_matches_hand_derivatives() -> None:
    def f(v):
        x, y = v
        return [x * y, x.exp() + y, y.sin()]

    J = [[d.data for d in row] for row in jacobian(f)([0.5, 2.0])]
    assert J == [[2.0, 0.5], [math.exp(0.5), 1.0], [0.0, math.cos(2.0)]]
    assert [d.data for d in jacobian(lambda t: [t * t, 3 * t])(2.0)] == [4.0, 3.0]


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: grad(lambda x: [x, x])(1.0), TypeError, "returned a list of 2 values; use jacobian"),
        (lambda: grad(lambda x: "a")(1.0), TypeError, "scalar Value, got str"),
        (lambda: grad(lambda x: x, argnums=3)(1.0), ValueError, "argnums 3"),
        (lambda: grad(lambda x: x)("a"), TypeError, "numbers or Values.*str"),
        (lambda: hessian(lambda x, y: x, argnums=(0, 1)), TypeError, "one int"),
    ],
)
def test_bad_calls_are_clear(call, error, text) -> None:
    with pytest.raises(error, match=text):
        call()
