"""torch_reference builds its op table from scratch right: every op and every shape of dot, and clear refusals."""

import math
import sys

import pytest

import engine
from engine import Value, op, ops
from engine.testing import close, torch_reference
from engine.testing.oracles import TorchNumber
from engine.testing.oracles import TORCH_MISSING

torch = pytest.importorskip("torch", reason=TORCH_MISSING)


@pytest.fixture
def fresh_table(monkeypatch):
    """torch_reference as on its first call in a process: the op table not yet built."""
    monkeypatch.setattr(TorchNumber, "functions", {})


CASES = {
    "add": (lambda a, b: a + b, [0.8, -1.3]),
    "sub": (lambda a, b: a - b, [0.8, -1.3]),
    "mul": (lambda a, b: a * b, [0.8, -1.3]),
    "div": (lambda a, b: a / b, [0.8, -1.3]),
    "neg": (lambda a, b: -a * b, [0.8, -1.3]),
    "pow": (lambda a, b: a ** 3 * b, [0.8, -1.3]),
    "rpow": (lambda a, b: 2.5 ** a * b, [0.8, -1.3]),
    "vpow": (lambda a, b: a ** b, [0.8, -1.3]),
    "exp": (lambda a, b: a.exp() * b, [0.8, -1.3]),
    "log": (lambda a, b: a.log() * b, [0.8, -1.3]),
    "sqrt": (lambda a, b: a.sqrt() * b, [0.8, -1.3]),
    "sin": (lambda a, b: a.sin() * b, [0.8, -1.3]),
    "cos": (lambda a, b: a.cos() * b, [0.8, -1.3]),
    "tanh": (lambda a, b: (a * b).tanh(), [0.8, -1.3]),
    "sigmoid": (lambda a, b: (a * b).sigmoid(), [0.8, -1.3]),
    "softplus": (lambda a, b: (a * b).softplus(), [0.8, -1.3]),
    "softplus far out": (lambda a, b: (a * b * 30).softplus(), [0.8, 1.3]),
    "relu": (lambda a, b: (a + b).relu() + (a - b).relu(), [0.8, -1.3]),
    "leaky_relu below 0": (lambda a, b: (a + b).leaky_relu(0.1), [0.8, -1.3]),
    "leaky_relu above 0": (lambda a, b: (a - b).leaky_relu(0.1), [0.8, -1.3]),
    "abs": (lambda a, b: (a + b).abs(), [0.8, -1.3]),
    "sum": (lambda a, b: engine.sum([a, b, a * b]), [0.8, -1.3]),
    "mean": (lambda a, b: engine.mean([a, b, a * b]), [0.8, -1.3]),
    "logsumexp": (lambda a, b: engine.logsumexp([a, b, a * b]), [0.8, -1.3]),
    "stop_gradient": (lambda a, b: ops.STOP(a) * b + a, [0.8, -1.3]),
    "straight_through": (lambda a, b: engine.straight_through(a * b) * b + a, [0.8, -1.3]),  # round(-1.04) = -1
    "dot, only a bias": (lambda a, b: engine.dot([], [], bias=a) * b, [0.8, -1.3]),
    "dot, one pair": (lambda a, b: engine.dot([a], [b]), [0.8, -1.3]),
    "dot, one pair and a bias": (lambda a, b: engine.dot([a], [b], bias=a * a), [0.8, -1.3]),
    "dot, two pairs": (lambda a, b: engine.dot([a, b], [b, a * a]), [0.8, -1.3]),
    "dot, two pairs and a bias": (lambda a, b: engine.dot([a, b], [b, a * a], bias=b * 3), [0.8, -1.3]),
    "dot, three pairs and a bias": (lambda a, b: engine.dot([a, b, a], [b, a * a, 2.0], bias=b), [0.8, -1.3]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_freshly_built_table_agrees_with_the_engine(name: str, fresh_table) -> None:
    f, args = CASES[name]
    value, gradient = torch_reference(f, args)
    leaves = [Value(x) for x in args]
    out = f(*leaves)
    out.backward()
    assert close(value, out.data, rel=1e-13), (value, out.data)
    assert all(close(g, leaf.grad, rel=1e-12) for g, leaf in zip(gradient, leaves)), (gradient, leaves)


def test_the_table_is_built_once_and_then_reused(fresh_table) -> None:
    torch_reference(lambda x: x.sin(), [0.5])
    table = TorchNumber.functions
    assert set(table) == {v for v in vars(ops).values() if isinstance(v, ops.Op)}
    torch_reference(lambda x: x.cos(), [0.5])
    assert TorchNumber.functions is table


def test_a_number_from_outside_the_arguments_is_refused_word_for_word() -> None:
    with pytest.raises(TypeError) as info:
        torch_reference(lambda x: x * Value(2.0), [1.0])
    assert str(info.value) == ("torch_reference: f uses a Value from outside its arguments (Value(data=2.0, grad=0.0)); "
                               "pass every number it depends on as an argument")


@op(derivative=lambda x, out: (out,))
def my_exp(x: float) -> float:
    return math.exp(x)


def test_an_op_of_ones_own_is_refused_word_for_word() -> None:
    with pytest.raises(TypeError) as info:
        torch_reference(lambda x: my_exp(x) * 2, [1.0])
    assert str(info.value) == ("torch_reference: the op 'my_exp' has no PyTorch counterpart here; "
                               "check it against finite differences instead")


REASON = "PyTorch oracle: PyTorch is not installed; `pip install torch==2.13.0` runs these tests"  # the tested pin


def test_without_torch_the_calling_test_is_skipped_with_the_reason(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(pytest.skip.Exception) as info:
        torch_reference(lambda x: x.sin(), [0.5])
    assert info.value.msg == REASON


def test_without_torch_or_pytest_it_is_an_import_error_with_the_reason(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "pytest", None)
    try:
        torch_reference(lambda x: x.sin(), [0.5])
    except ImportError as e:
        error = e
    monkeypatch.undo()
    assert type(error) is ImportError and str(error) == REASON and error.__cause__ is None
