"""Every op, on every array back-end (NumPy lifted, NumPy per node, PyTorch), against the eager engine sample
by sample: values, input gradients and parameter gradients, at points that include each op's kinks and both
branches of its formulas (sigmoid and softplus far out on either side, relu and abs at 0, 0 ** x)."""

import math

import numpy as np
import pytest

import engine
from engine import Value
from engine.compiler import batch as batches
from engine.compiler.program import eager_call
from engine.custom import op
from engine.testing.oracles import TORCH_MISSING

w = Value(1.0)  # a parameter in every program (times 1.0 exactly, so kinks stay where they are)


@op(derivative=lambda x, out: (2.0 * x,), name="square")
def square(x):
    return x * x


@op(derivative=lambda xs, out: [1.0 for _ in xs], name="total")
def total(*xs):
    return math.fsum(xs)


CASES = {  # name: f of two inputs
    "add sub mul div neg": lambda x, y: -(x * w + y) * (x - y) / (y * y + 1.0),
    "pow": lambda x, y: (x * w) ** 3 + (y * y + 1.0) ** 0.5 + x ** 0,
    "rpow": lambda x, y: 2.0 ** (x * w) + 0.5 ** y,
    "rpow of 0": lambda x, y: 0.0 ** (y * y + 1.0) + x * w,
    "vpow": lambda x, y: (x * x + 1.0) ** (y * w),
    "vpow at 0": lambda x, y: (x * w).relu() ** (y * y + 1.0),
    "exp log sqrt": lambda x, y: (x * w).exp() + (y * y + 1.0).log() + (x * x + 1.0).sqrt(),
    "sin cos tanh": lambda x, y: (x * w).sin() * y.cos() + (x + y).tanh(),
    "sigmoid": lambda x, y: (x * w).sigmoid() + (y * 40.0).sigmoid(),
    "softplus": lambda x, y: (x * w).softplus() + (y * 40.0).softplus(),
    "relu": lambda x, y: (x * w).relu() + y.relu() * x,
    "leaky_relu": lambda x, y: (x * w).leaky_relu(0.1) + (y * x).leaky_relu(0.3),
    "abs": lambda x, y: abs(x * w) + abs(y) * x,
    "stop_gradient": lambda x, y: (x * w).detach() * y + x * w,
    "sum": lambda x, y: engine.sum([x * w, y, x * y, x - y]),
    "mean": lambda x, y: engine.mean([x * w, y * y, x + y]),
    "dot": lambda x, y: engine.dot([w, x], [x, y], bias=y),
    "logsumexp of 2": lambda x, y: engine.logsumexp([x * w, y]),
    "logsumexp of 4": lambda x, y: engine.logsumexp([x * w, y, x * y, -x]),
    "logsumexp, the largest second": lambda x, y: engine.logsumexp([x * w, y * 400.0 + 400.0, x]),
    "user-defined ops": lambda x, y: square(x * w) + total(x, y, x * y),
}
POINTS = np.array([[-2.0, 0.5], [-0.5, -1.5], [0.0, 0.0], [0.0, 2.0], [0.5, -0.25], [3.0, 1.0], [1.5, 0.0]])


def results(program, backend):
    X, Y = POINTS[:, 0], POINTS[:, 1]
    if backend == "torch":
        torch = pytest.importorskip("torch", reason=TORCH_MISSING)
        r = program.batch(torch.tensor(X), torch.tensor(Y), backend="torch", device="cpu")
        return (r.values.numpy(), [g.numpy() for g in r.grads], r.param_grads.numpy())
    program.interpreted = backend == "numpy per node, interpreted"  # the interpreter's steps on arrays
    r = program.batch(X, Y, lifted=backend == "numpy lifted")
    return r.values, list(r.grads), np.asarray(r.param_grads, dtype=float)


@pytest.mark.parametrize("backend", ["numpy lifted", "numpy per node", "numpy per node, interpreted", "torch"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_op_gives_the_eager_engines_numbers_on_arrays(case, backend, monkeypatch) -> None:
    f = CASES[case]
    program = engine.compile(f, 0.7, 0.3)
    alone = []
    real = batches.with_data
    monkeypatch.setattr(batches, "with_data", lambda *a: alone.append(1) or real(*a))
    values, grads, param_grads = results(program, backend)
    assert not alone  # every number finite, so no sample was replayed alone on floats: the arrays computed all
    summed = 0.0
    for i, (x, y) in enumerate(POINTS.tolist()):
        want = eager_call(f, [x, y], program.parameters)
        assert values[i] == pytest.approx(want.value, rel=1e-12, abs=1e-12), (case, x, y)
        assert [g[i] for g in grads] == pytest.approx(list(want.grads), rel=1e-12, abs=1e-12), (case, x, y)
        summed += want.param_grads[0]
    assert param_grads.tolist() == pytest.approx([summed], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("backend", ["numpy lifted", "numpy per node", "torch"])
def test_relu_on_arrays_is_the_eager_relu_to_the_sign_of_zero(backend) -> None:
    # max(x, 0) alone gives -0.0 at x = -0.0 (and NumPy's vector and scalar loops disagree on it); relu gives 0.0
    xs = np.array([-0.0, 0.0, -1.0, 2.0, 5e-324, -5e-324, 1e308, -1e308] * 3)  # long enough for vector loops
    program = engine.compile(lambda x: x.relu(), 0.5)
    if backend == "torch":
        torch = pytest.importorskip("torch", reason=TORCH_MISSING)
        values = program.batch(torch.tensor(xs), backend="torch", device="cpu").values.numpy()
    else:
        values = program.batch(xs, lifted=backend == "numpy lifted").values
    want = [eager_call(lambda x: x.relu(), [x], []).value for x in xs.tolist()]
    assert values.tolist() == want and np.signbit(values).tolist() == [math.copysign(1.0, w) < 0 for w in want]
    assert not np.signbit(values).any()  # relu never gives -0.0
