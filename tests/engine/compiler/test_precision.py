"""Compiled batches in float32 and float16: the same program by the same rules, each number stored in the dtype;
checked against PyTorch computing the same network in that dtype, and against float64 within the dtype's
rounding. Overflow is an error, never a silent inf or a quiet float64 replay."""

import random
import warnings

import numpy as np
import pytest
from hypothesis import given, settings

import engine
from engine import Value
from engine.compiler.arrays import precision
from engine.testing import expressions
from engine.testing.oracles import TORCH_MISSING
from nn import MLP, SGD, fit, losses

EPS = {"float32": 2.0 ** -23, "float16": 2.0 ** -10}


def network(seed=0):
    random.seed(seed)
    model = MLP(3, [8, 8, 1], activation="tanh")
    return model, engine.compile(lambda x, t: (model(x) - t) ** 2, [0.1, 0.2, 0.3], 0.5)


def batch_data(n=64, seed=1):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, 3)), rng.uniform(-1, 1, n)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_an_mlps_batch_is_pytorchs_in_the_same_dtype(dtype, backend) -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    model, program = network()
    X, t = batch_data()
    r = program.batch(X, t, dtype=dtype, backend=backend)
    values = r.values.cpu().numpy() if backend == "torch" else r.values
    assert str(values.dtype) == dtype
    # PyTorch, the same weights, the same dtype: autograd over the batch
    tdt = getattr(torch, dtype)
    layers = [(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=tdt, requires_grad=True),
               torch.tensor([n.b.data for n in layer.neurons], dtype=tdt, requires_grad=True)) for layer in model.layers]
    h = torch.tensor(X, dtype=tdt)
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        h = torch.tanh(h) if i < len(layers) - 1 else h
    loss = (h[:, 0] - torch.tensor(t, dtype=tdt)) ** 2
    loss.sum().backward()
    ours = np.asarray([float(g) for g in r.param_grads])
    theirs = np.concatenate([np.append(W.grad[j].double().numpy(), b.grad[j].double().item())  # each neuron's w, b
                             for W, b in layers for j in range(W.shape[0])])
    scale = np.abs(theirs).max()
    assert np.abs(ours - theirs).max() <= 64 * EPS[dtype] * len(X) * scale
    assert np.abs(values.astype(float) - loss.detach().double().numpy()).max() <= 16 * EPS[dtype]


@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_the_dtype_is_float64s_answer_within_its_rounding(dtype) -> None:
    _, program = network(3)
    X, t = batch_data(200, 4)
    exact, low = program.batch(X, t), program.batch(X, t, dtype=dtype)
    assert low.values.dtype == np.dtype(dtype) and all(g.dtype == np.dtype(dtype) for g in low.grads)
    assert np.abs(low.values - exact.values).max() <= 32 * EPS[dtype]
    assert np.abs(np.array(low.param_grads) - exact.param_grads).max() <= 32 * EPS[dtype] * len(X)


@given(expressions(inputs=2, held=True))
@settings(max_examples=30, deadline=None)
def test_random_programs_in_float32_agree_with_float64(e) -> None:
    held = [Value(x) for x in e.inputs[e.traced:]]
    program = engine.compile(lambda *xs: e.run(list(xs) + held)[-1], *e.inputs[:e.traced])
    xs = [np.array([x, x * 0.5 + 0.1]) for x in e.inputs[:e.traced]]
    try:
        exact = program.batch(*xs)
    except (ArithmeticError, ValueError):
        return  # the second sample leaves a domain: the float64 batch says so already
    try:
        low = program.batch(*xs, dtype="float32")
    except OverflowError:
        assert max(np.abs(exact.values).max(), *(np.abs(g).max() for g in exact.grads)) > 1e30
        return
    scale = max(1.0, np.abs(exact.values).max())
    assert low.values.dtype == np.float32
    assert np.abs(low.values - exact.values).max() <= 1e-3 * scale, (low.values, exact.values)


def test_overflow_in_float16_is_an_error_that_says_what_to_do() -> None:
    program = engine.compile(lambda x: (x * 100.0) ** 2, 1.0)
    r = program.batch(np.array([0.5, 0.7]), dtype="float16")
    assert r.values.tolist() == [2500.0, 4900.0] and r.grads[0].tolist() == [10000.0, 14000.0]
    with pytest.raises(OverflowError, match="overflowed float16 .* at samples \\[1\\]; scale the loss down"):
        program.batch(np.array([0.5, 3.0]), dtype="float16")  # 90,000 > 65,504


def test_fit_computes_in_the_dtype_and_keeps_float64_weights() -> None:
    from demos.moons import data

    X, y = data()
    histories = {}
    for dtype in ("float64", "float32"):
        random.seed(1)
        model = MLP(2, [8, 1])
        histories[dtype] = fit(model, X, y, losses.hinge, SGD(model.parameters(), lr=0.1), epochs=20,
                               compiled="numpy", progress=False, dtype=dtype)["loss"]
        assert all(isinstance(p.data, float) for p in model.parameters())
    assert np.allclose(histories["float32"], histories["float64"], rtol=1e-5)
    assert histories["float32"] != histories["float64"]  # computed in float32 indeed, not quietly in float64
    model = MLP(2, [1])
    with pytest.raises(ValueError, match="fit: dtype='float32' needs compiled='numpy'"):
        fit(model, X, y, losses.hinge, SGD(model.parameters(), lr=0.1), epochs=1, progress=False, dtype="float32")


def test_dtypes_are_named_or_refused() -> None:
    import numpy as np

    assert [precision(d) for d in ("float32", np.float16, np.dtype("float64"))] == ["float32", "float16", "float64"]
    with pytest.raises(ValueError, match="dtype must be one of float64, float32, float16 .* got 'int32'"):
        precision("int32")
    program = engine.compile(lambda x: x * x, 1.0)
    with pytest.raises(ValueError, match="batch: dtype='float32' runs the lifted program only"):
        program.batch(np.array([1.0]), dtype="float32", lifted=False)


def test_every_overflowing_sample_is_named_on_both_back_ends_and_an_input_past_the_range_too() -> None:
    program = engine.compile(lambda x: (x * 100.0) ** 2, 1.0)
    xs = np.array([0.5, 3.0, 0.1, 3.0])
    with pytest.raises(OverflowError, match=r"at samples \[1, 3\]"):
        program.batch(xs, dtype="float16")
    try:
        import torch
    except ImportError:
        return
    with pytest.raises(OverflowError, match=r"at samples \[1, 3\]"):
        program.batch(torch.tensor(xs), dtype="float16", backend="torch", device="cpu")
    with pytest.raises(ValueError, match="argument 0 holds nan or inf, or a number past float16's range"):
        program.batch(np.array([1e5, 1.0]), dtype="float16")


def test_fit_refuses_data_past_the_dtypes_range_by_sample() -> None:
    random.seed(2)
    model = MLP(2, [1])
    X, y = [[0.5, 1.0], [7e4, 1.0], [0.0, 0.0]], [1.0, -1.0, 1.0]  # 70,000 is past float16's largest, 65,504
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused by sample, with no NumPy warning before it
        with pytest.raises(ValueError, match=r"^fit: X holds a number past float16's range \(sample 1: \[70000\.0, 1\.0\]\)"):
            fit(model, X, y, losses.hinge, SGD(model.parameters(), lr=0.1), epochs=1, compiled="numpy",
                progress=False, dtype="float16")
        with pytest.raises(ValueError, match=r"^fit: y holds a number past float16's range \(sample 2: 70000\.0\)"):
            fit(model, [[0.5, 1.0]] * 3, [1.0, -1.0, 7e4], losses.mse, SGD(model.parameters(), lr=0.1), epochs=1,
                compiled="numpy", progress=False, dtype="float16")
    history = fit(model, X, y, losses.hinge, SGD(model.parameters(), lr=0.1), epochs=1, compiled="numpy",
                  progress=False, dtype="float32")  # within float32's range
    assert np.isfinite(history["loss"][0])


def test_each_numpy_back_end_computes_in_its_own_dtype_after_the_others() -> None:
    from engine.compiler import batch as batches
    from engine.compiler.numpy_backend import NumpyBackend

    program = engine.compile(lambda x: x * x / 3.0, 1.0)
    x = np.array([0.1, 0.7, 1.3])
    # one program on each back-end in turn: what is made for it is kept per back-end, under the back-end's name,
    # which says its dtype as the PyTorch back-ends' do ("torch:cpu float32")
    for dtype, name in [("float64", "numpy"), ("float32", "numpy float32"), ("float16", "numpy float16")]:
        backend = NumpyBackend(dtype)
        assert (backend.name, backend.dtype, backend.precision) == (name, dtype, dtype)
        r = batches.run_lifted(program, [x], backend)
        assert r.values.dtype == np.dtype(dtype) and r.grads[0].dtype == np.dtype(dtype)
        low, three = x.astype(dtype), np.dtype(dtype).type(3.0)
        assert r.values.tolist() == (low * low / three).tolist()  # each step rounded to the dtype
        assert r.grads[0].tolist() == pytest.approx((2 * x / 3).tolist(), rel=4 * EPS.get(dtype, 2.0 ** -52))


def test_a_parameters_gradient_past_the_range_is_named_as_such() -> None:
    w = Value(1.0)
    program = engine.compile(lambda x: x * w, 1.0)
    # d/dw is x = 100 for every sample, summed over them: 600 samples give 60,000, 700 give 70,000 > 65,504
    assert program.batch(np.full(600, 100.0), dtype="float16").param_grads == [60000.0]
    with pytest.raises(OverflowError) as info:
        program.batch(np.full(700, 100.0), dtype="float16")
    assert str(info.value) == ("batch: a value or gradient overflowed float16 (or is nan) at a parameter's gradient; "
                               "scale the loss down, or compute in a wider dtype")


def test_of_many_overflowing_samples_the_first_ten_are_named() -> None:
    program = engine.compile(lambda x: (x * 100.0) ** 2, 1.0)
    # (100 x)^2 passes 65,504 from x = 3 on (x = 2 gives 40,000): samples 3 to 19 overflow, seventeen of them
    with pytest.raises(OverflowError) as info:
        program.batch(np.arange(20.0), dtype="float16")
    assert str(info.value) == ("batch: a value or gradient overflowed float16 (or is nan) at samples "
                               "[3, 4, 5, 6, 7, 8, 9, 10, 11, 12]; scale the loss down, or compute in a wider dtype")


def test_a_parameter_as_an_output_is_refused_below_float64_and_says_why() -> None:
    w = Value(0.5)
    program = engine.compile(lambda x: (x * w, w), 1.0)
    r = program.batch(np.array([1.0, 2.0]))  # float64: the per-node replay serves it
    assert r.values.tolist() == [0.5, 1.0] and r.aux.tolist() == [0.5, 0.5] and r.param_grads == [3.0]
    for dtype in ("float32", "float16"):
        with pytest.raises(ValueError) as info:
            program.batch(np.array([1.0, 2.0]), dtype=dtype)
        assert str(info.value) == (f"batch: dtype={dtype!r} needs the lifted program, but an output of this program "
                                   f"is a parameter itself, which only the per-node replay (in float64) serves")
