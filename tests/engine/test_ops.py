"""Every op's gradient against a hand-written derivative and a central difference."""

import math

import pytest
from hypothesis import given

from engine import Value, ops
from tests.strategies import BINARY, UNARY, BinarySpec, UnarySpec, central_difference, close


@pytest.mark.parametrize("spec", UNARY, ids=lambda s: s.name)
def test_unary_gradient_matches_hand_derivative_and_central_difference(spec: UnarySpec) -> None:
    @given(spec.domain)
    def check(x: float) -> None:
        v = Value(x)
        y = spec.apply(v)
        y.backward()
        assert close(v.grad, spec.derivative(x), rel=1e-9), (x, v.grad, spec.derivative(x))
        numeric = central_difference(lambda t: spec.apply(Value(t)).data, x)
        assert close(v.grad, numeric, rel=1e-5), (x, v.grad, numeric)

    check()


@pytest.mark.parametrize("spec", BINARY, ids=lambda s: s.name)
def test_binary_gradient_matches_hand_derivative_and_central_difference(spec: BinarySpec) -> None:
    @given(spec.a, spec.b)
    def check(a: float, b: float) -> None:
        va, vb = Value(a), Value(b)
        spec.apply(va, vb).backward()
        da, db = spec.derivative(a, b)
        assert close(va.grad, da, rel=1e-9) and close(vb.grad, db, rel=1e-9), (a, b, va.grad, vb.grad)
        assert close(va.grad, central_difference(lambda t: spec.apply(Value(t), Value(b)).data, a), rel=1e-5)
        assert close(vb.grad, central_difference(lambda t: spec.apply(Value(a), Value(t)).data, b), rel=1e-5)

    check()


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


@given(UNARY[0].domain)
def test_sigmoid_is_symmetric(x: float) -> None:
    assert close(Value(x).sigmoid().data + Value(-x).sigmoid().data, 1.0, rel=1e-15)


@given(UNARY[0].domain)
def test_softplus_difference_is_identity(x: float) -> None:
    assert close(Value(x).softplus().data - Value(-x).softplus().data, x, rel=1e-12)


@given(UNARY[0].domain)
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
