"""Every op's gradient against a derivative written by hand and a finite difference (engine.testing)."""

import math
from typing import Callable, NamedTuple, Tuple

import pytest
from hypothesis import given, strategies as st

from engine import Value, ops
from engine.testing import assert_derivative, close, floats_in


class Spec(NamedTuple):
    name: str
    apply: Callable  # on Values
    domain: st.SearchStrategy  # of a float, or a tuple for a binary op
    derivative: Callable  # by hand, in a different form from the engine's rule where one exists


def _pair(a: st.SearchStrategy, b: st.SearchStrategy) -> st.SearchStrategy[Tuple[float, float]]:
    return st.tuples(a, b)


# tanh' = 1/cosh^2, not the rule's 1 - tanh^2, so the two are independent.
UNARY = [
    Spec("exp", Value.exp, floats_in("exp"), math.exp),
    Spec("log", Value.log, floats_in("log"), lambda x: 1 / x),
    Spec("sqrt", Value.sqrt, floats_in("sqrt"), lambda x: 0.5 * x ** -0.5),
    Spec("sin", Value.sin, floats_in("sin"), math.cos),
    Spec("cos", Value.cos, floats_in("cos"), lambda x: -math.sin(x)),
    Spec("tanh", Value.tanh, floats_in("tanh"), lambda x: 1 / math.cosh(x) ** 2),
    Spec("sigmoid", Value.sigmoid, floats_in("sigmoid"), lambda x: 1 / (2 + 2 * math.cosh(x))),
    Spec("softplus", Value.softplus, floats_in("softplus"), lambda x: 0.5 * (1 + math.tanh(x / 2))),
    Spec("relu", Value.relu, floats_in("relu"), lambda x: 1.0 if x > 0 else 0.0),
    Spec("leaky_relu", Value.leaky_relu, floats_in("leaky_relu"), lambda x: 1.0 if x > 0 else 0.01),
    Spec("abs", Value.abs, floats_in("abs"), lambda x: math.copysign(1.0, x)),
    Spec("neg", Value.__neg__, floats_in("neg"), lambda x: -1.0),
    Spec("square", lambda v: v ** 2, floats_in("real"), lambda x: 2 * x),
    Spec("cube", lambda v: v ** 3, floats_in("real"), lambda x: 3 * x * x),
    Spec("inverse", lambda v: v ** -1, floats_in("nonzero"), lambda x: -1 / (x * x)),
    Spec("root", lambda v: v ** 0.5, floats_in("positive"), lambda x: 0.5 / math.sqrt(x)),
    Spec("rpow", lambda v: 2 ** v, floats_in((-10, 10)), lambda x: math.log(2) * 2 ** x),
    Spec("rsub", lambda v: 3 - v, floats_in("real"), lambda x: -1.0),
    Spec("rdiv", lambda v: 3 / v, floats_in("nonzero"), lambda x: -3 / (x * x)),
]

BINARY = [
    Spec("add", lambda a, b: a + b, _pair(floats_in("add"), floats_in("add")), lambda a, b: (1.0, 1.0)),
    Spec("sub", lambda a, b: a - b, _pair(floats_in("sub"), floats_in("sub")), lambda a, b: (1.0, -1.0)),
    Spec("mul", lambda a, b: a * b, _pair(floats_in("mul"), floats_in("mul")), lambda a, b: (b, a)),
    Spec("div", lambda a, b: a / b, _pair(floats_in("real"), floats_in("div")), lambda a, b: (1 / b, -a / (b * b))),
    Spec("pow", lambda a, b: a ** b, _pair(floats_in("pow"), floats_in((-3, 3))),
         lambda a, b: (b * a ** (b - 1), a ** b * math.log(a))),
]


@pytest.mark.parametrize("spec", UNARY + BINARY, ids=lambda s: s.name)
def test_gradient_matches_hand_derivative_and_finite_difference(spec: Spec) -> None:
    assert_derivative(spec.apply, spec.derivative, at=spec.domain, rtol=1e-9, atol=1e-12,
                      numeric_rtol=1e-4, numeric_atol=1e-5)


@pytest.mark.parametrize("x", [-1e3, -700.0, -50.0, 0.0, 50.0, 700.0, 1e3])
def test_sigmoid_and_softplus_are_stable_for_large_inputs(x: float) -> None:
    v = Value(x)
    s, sp = v.sigmoid(), v.softplus()
    # softplus(x) = log1p(e^x) for x <= 0 and x + log1p(e^-x) for x > 0, both exact here;
    # sigmoid(x) = e^(x - softplus(x)) and sigmoid'(x) = e^(x - 2 softplus(x)).
    expected_softplus = math.log1p(math.exp(x)) if x <= 0 else x + math.log1p(math.exp(-x))
    expected_sigmoid = math.exp(x - expected_softplus)
    assert close(sp.data, expected_softplus, rel=1e-12, floor=1e-300)
    assert close(s.data, expected_sigmoid, rel=1e-12, floor=1e-300)
    s.backward()
    sp.backward()  # v is a leaf: its grad now holds sigmoid'(x) + softplus'(x)
    assert math.isfinite(v.grad)
    expected_grad = math.exp(x - 2 * expected_softplus) + expected_sigmoid
    assert close(v.grad, expected_grad, rel=1e-12, floor=1e-300)


@given(floats_in("sigmoid"))
def test_sigmoid_is_symmetric(x: float) -> None:
    assert close(Value(x).sigmoid().data + Value(-x).sigmoid().data, 1.0, rel=1e-15)


@given(floats_in("sigmoid"))
def test_softplus_difference_is_identity(x: float) -> None:
    assert close(Value(x).softplus().data - Value(-x).softplus().data, x, rel=1e-12)


@given(floats_in("sigmoid"))
def test_fan_out_square_by_self_multiplication(x: float) -> None:
    v = Value(x)
    y = v * v
    assert y._prev == (v, v)
    y.backward()
    assert close(v.grad, 2 * x, rel=1e-15, floor=1e-300)


def test_reuse_doubles_at_each_level() -> None:
    a = Value(-3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (b.grad, a.grad) == (2.0, 4.0)


@pytest.mark.parametrize("op", ["relu", "abs", "leaky_relu"])
def test_kinks_take_pytorch_subgradient_at_zero(op: str) -> None:
    x = Value(0.0)
    getattr(x, op)().backward()
    assert x.grad == (0.01 if op == "leaky_relu" else 0.0)  # PyTorch's choice at exactly 0


def test_leaky_relu_slope_is_a_parameter() -> None:
    x = Value(-2.0)
    y = x.leaky_relu(0.2)
    y.backward()
    assert (y.data, x.grad) == (-0.4, 0.2)


def test_fused_sum_and_dot_match_their_chains() -> None:
    import engine

    xs = [Value(0.5 * i - 2) for i in range(7)]
    ws = [Value(1.0 / (i + 1)) for i in range(7)]
    b = Value(0.3)
    fused = engine.dot(ws, xs, bias=b) + engine.sum(xs) * engine.mean(ws)
    fused.backward()
    grads = [v.grad for v in xs + ws + [b]]
    for v in xs + ws + [b]:
        v.grad = 0.0
    chain = sum((w * x for w, x in zip(ws, xs)), b) + sum(xs) * (sum(ws) / len(ws))
    chain.backward()
    assert close(fused.data, chain.data, rel=1e-14)
    for got, want in zip(grads, [v.grad for v in xs + ws + [b]]):
        assert close(got, want, rel=1e-14)


def test_dot_of_parameters_with_themselves_counts_both_factors() -> None:
    import engine

    ps = [Value(1.5), Value(-2.0)]
    engine.dot(ps, ps).backward()
    assert [p.grad for p in ps] == [3.0, -4.0]


ALL_OPS = [op for op in vars(ops).values() if isinstance(op, ops.Op)]


@pytest.mark.parametrize("op", ALL_OPS, ids=lambda op: f"{op.name}{op.arity}")
def test_each_rule_is_generic_floats_and_values_agree(op: ops.Op) -> None:
    # Later modes (gradients of gradients, forward mode) call the same rule with Values.
    inputs = [0.7, 1.3, 0.4, -0.9, 1.1][: op.arity or 5]
    param = {"pow": 3.0, "leaky_relu": 0.1}.get(op.name) if op.arity == 1 else None
    out = op(*inputs, param=param)
    assert isinstance(out, float)
    values = [Value(x) for x in inputs]
    out_value = op(*values, param=param)
    assert isinstance(out_value, Value) and out_value.data == out
    as_floats = op.local_derivatives(inputs, out, param)
    as_values = op.local_derivatives(values, out_value, param)
    assert len(as_floats) == len(as_values) == len(inputs)
    for f, v in zip(as_floats, as_values):
        assert (v.data if isinstance(v, Value) else v) == pytest.approx(f, rel=1e-15)
