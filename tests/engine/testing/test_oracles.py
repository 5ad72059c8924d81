"""torch_reference: the same code through PyTorch, for every op."""

import math

import pytest

import engine
from engine import Value, ops
from engine.testing import close, torch_reference
from engine.testing.oracles import TORCH_MISSING

EVERY_OP = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b, "div": lambda a, b: a / b,
    "neg": lambda a, b: -a * b, "pow": lambda a, b: a ** 3 + b, "rpow": lambda a, b: 2.5 ** a * b,
    "vpow": lambda a, b: a ** b, "exp": lambda a, b: a.exp() * b, "log": lambda a, b: a.log() + b,
    "sqrt": lambda a, b: a.sqrt() * b, "sin": lambda a, b: a.sin() * b, "cos": lambda a, b: a.cos() * b,
    "tanh": lambda a, b: (a * b).tanh(), "sigmoid": lambda a, b: (a * b).sigmoid(),
    "softplus": lambda a, b: (a * 30 * b).softplus(), "relu": lambda a, b: (a - b).relu(),
    "leaky_relu": lambda a, b: (b - a).leaky_relu(0.1), "abs": lambda a, b: (b - a).abs(),
    "sum": lambda a, b: engine.sum([a, b, a * b]), "dot": lambda a, b: engine.dot([a, b], [b, a], bias=a),
    "logsumexp": lambda a, b: engine.logsumexp([a, b, a * b]),
    "stop_gradient": lambda a, b: ops.STOP(a) * b + a,
    "round": lambda a, b: (a * 3).round() * b + a, "floor": lambda a, b: (a * 3).floor() * b + a,
    "sign": lambda a, b: (a - b).sign() * b + a, "step": lambda a, b: (b - a).step() * b + a,
    "straight_through": lambda a, b: engine.straight_through(a * b) * b,
}


def test_every_op_is_covered() -> None:
    names = {ops.VPOW: "vpow", ops.RPOW: "rpow"}
    assert set(EVERY_OP) == {names.get(v, v.name) for v in vars(ops).values() if isinstance(v, ops.Op)}


@pytest.mark.parametrize("name", sorted(EVERY_OP))
def test_torch_agrees_with_the_engine_on_every_op(name: str) -> None:
    f = EVERY_OP[name]
    value, gradient = torch_reference(f, [0.8, 1.3])
    a, b = Value(0.8), Value(1.3)
    out = f(a, b)
    out.backward()
    assert close(value, out.data, rel=1e-14)
    assert close(gradient[0], a.grad, rel=1e-13) and close(gradient[1], b.grad, rel=1e-13)


def test_an_unused_input_gets_zero_and_a_constant_is_refused() -> None:
    pytest.importorskip("torch", reason=TORCH_MISSING)
    assert torch_reference(lambda x, y: x.tanh(), [0.5, 2.0])[1] == [pytest.approx(1 - math.tanh(0.5) ** 2), 0.0]
    with pytest.raises(TypeError, match="scalar computed from its inputs"):
        torch_reference(lambda x: 3.0, [1.0])

