"""The lifted program on PyTorch tensors: the same numbers as the NumPy back-end and the eager engine."""

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import engine
from engine import Value
from engine.compiler.program import eager_call
from engine.testing import expressions, mlps
from nn import MLP
from engine.testing.oracles import TORCH_MISSING

torch = pytest.importorskip("torch", reason=TORCH_MISSING)


def agree(a, b, scale=1.0):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    assert np.all(np.abs(a - b) <= 1e-12 * np.maximum(np.maximum(np.abs(a), np.abs(b)), scale))


def both(program, *columns, **options):
    """The NumPy result and the torch result (moved to NumPy) of one batch."""
    on_numpy = program.batch(*columns, **options)
    on_torch = program.batch(*[torch.tensor(c) for c in columns], backend="torch", device="cpu", **options)
    assert isinstance(on_torch.values, torch.Tensor) and on_torch.values.dtype == torch.float64
    assert isinstance(on_torch.param_grads, torch.Tensor) and on_torch.param_grads.dtype == torch.float64
    return on_numpy, on_torch


@settings(max_examples=30, deadline=None)
@given(expressions(kinks=True, max_depth=10), st.integers(0, 2 ** 31 - 1))
def test_random_programs_give_numpys_numbers_on_torch(e, seed) -> None:
    program = engine.compile(lambda *xs: e(*xs), *e.inputs)
    rng = np.random.default_rng(seed)
    columns = [np.array([x, x + 1e-7 * rng.standard_normal(), x]) for x in e.inputs]
    a, b = both(program, *columns)
    scale = max(1.0, float(np.max(np.abs(a.values))))
    agree(a.values, b.values.numpy(), scale)
    for ga, gb in zip(a.grads, b.grads):
        agree(ga, gb.numpy(), scale)
    want = eager_call(program.f, [c[0] for c in columns], program.parameters)
    agree(b.values[0].item(), want.value, scale)


def test_a_gradient_scattered_into_the_rows_it_came_from() -> None:
    # Found by the test above: x1 + x0 and x0 + x0 lifted as one group send their gradients back through a
    # scatter, G[i] = G[2:4], and PyTorch refuses to scatter a view into the array it views.
    program = engine.compile(lambda x0, x1: (x1 + x0) + (x0 + x0), 0.0, 0.0)
    columns = [np.array([0.0, 0.5, 2.0]), np.array([1.0, -1.0, 3.0])]
    a, b = both(program, *columns)
    assert a.values.tolist() == b.values.tolist() == [1.0, 0.5, 9.0]
    assert a.grads[0].tolist() == b.grads[0].tolist() == [3.0] * 3
    assert a.grads[1].tolist() == b.grads[1].tolist() == [1.0] * 3


@settings(max_examples=10, deadline=None)
@given(mlps(MLP, nin=(1, 5), width=(1, 8)), st.integers(0, 2 ** 31 - 1))
def test_mlps_train_the_same_on_torch(model, seed) -> None:
    nin = len(model.layers[0].neurons[0].w)
    rng = np.random.default_rng(seed)
    X, t = rng.standard_normal((7, nin)), rng.standard_normal(7)

    def f(x, target):
        out = model(x)
        out = out if isinstance(out, list) else [out]
        return engine.logsumexp(out) - out[0] * target, out

    program = engine.compile(f, X[0].tolist(), float(t[0]))
    a, b = both(program, X, t)
    agree(a.values, b.values.numpy(), 10.0)
    agree(a.grads[0], b.grads[0].numpy(), 10.0)
    agree(a.param_grads, b.param_grads.numpy(), 100.0)
    agree(a.aux, b.aux.numpy(), 10.0)


def test_repeated_reads_and_parameters_as_a_tensor() -> None:
    w, c = Value(0.7), Value(-0.3)
    program = engine.compile(lambda x: engine.sum([engine.dot([w, c], [x[0], x[0]]).tanh(), x[1] * w]), [0.1, 0.2])
    X = np.random.default_rng(0).standard_normal((5, 2))
    P = torch.tensor([1.5, 2.5], dtype=torch.float64)
    on_torch = program.batch(torch.tensor(X), backend="torch", device="cpu", parameters=P)
    w.data, c.data = 1.5, 2.5  # the parameters' data as the tensor gave it, for the NumPy reference
    on_numpy = program.batch(X)
    agree(on_numpy.values, on_torch.values.numpy())
    agree(on_numpy.param_grads, on_torch.param_grads.numpy(), 10.0)


def test_a_bad_sample_gets_the_eager_engines_error_and_false_alarms_its_result() -> None:
    program = engine.compile(lambda x: x.log() * 2.0, 1.0)
    with pytest.raises(ValueError, match=r"log: log is defined only for x > 0; got x=-1\.0"):
        program.batch(torch.tensor([1.0, -1.0]), backend="torch", device="cpu")
    alarm = engine.compile(lambda x: x.relu().sqrt() ** 2 + x, 1.0)
    r = alarm.batch(torch.tensor([-1.0, 4.0]), backend="torch", device="cpu")
    assert r.values.tolist() == [-1.0, pytest.approx(8.0)] and r.grads[0].tolist() == [1.0, pytest.approx(2.0)]


def test_a_program_whose_output_is_a_parameter_still_replays() -> None:
    w = Value(3.0)
    r = engine.compile(lambda x: w, 1.0).batch(torch.tensor([1.0, 2.0]), backend="torch", device="cpu")
    assert r.values.tolist() == [3.0, 3.0] and r.param_grads.tolist() == [2.0]
    assert r.aux is None and r.grads[0].tolist() == [0.0, 0.0]
    r = engine.compile(lambda x: w, 1.0).batch(np.array([1.0, 2.0]), backend="torch", device="cpu")  # NumPy in
    assert isinstance(r.values, torch.Tensor) and r.values.tolist() == [3.0, 3.0] and r.param_grads.tolist() == [2.0]
    lean = engine.compile(lambda x: w, 1.0).batch(torch.tensor([1.0]), backend="torch", device="cpu", input_grads=False)
    assert lean.grads == () and lean.values.tolist() == [3.0]


def test_the_modules_example() -> None:
    w = Value(2.0)
    r = engine.compile(lambda x: x * x * w, 1.0).batch(torch.tensor([1.0, 2.0, 3.0]), backend="torch")
    assert (r.values.tolist(), r.grads[0].tolist(), r.param_grads.tolist()) == (
        [2.0, 8.0, 18.0], [4.0, 8.0, 12.0], [14.0])


def test_backend_choices_are_checked() -> None:
    program = engine.compile(lambda x: x * 2.0, 1.0)
    with pytest.raises(ValueError, match="backend must be 'numpy' or 'torch', got 'jax'"):
        program.batch(np.array([1.0]), backend="jax")
    with pytest.raises(ValueError) as e:
        program.batch(np.array([1.0]), backend="torch", lifted=False)
    assert str(e.value) == "batch: the torch back-end runs the lifted program only; use lifted=True"
    with pytest.raises(ValueError, match=r"parameters must be a tensor of shape \(0,\)"):
        program.batch(np.array([1.0]), backend="torch", device="cpu", parameters=torch.zeros(2))


def test_a_backend_is_made_once_per_device_and_defaults_to_a_gpu_where_there_is_one(monkeypatch) -> None:
    from engine.compiler import batch as batches, torch_backend

    monkeypatch.setattr(batches, "_TORCH", {})
    program = engine.compile(lambda x: x * 2.0, 1.0)
    assert program.batch(torch.tensor([1.0]), backend="torch", device="cpu").values.tolist() == [2.0]
    assert program.batch(torch.tensor([2.0]), backend="torch", device="cpu").values.tolist() == [4.0]
    (name, made), = batches._TORCH.items()
    assert name == made.name == "torch:cpu" and made.device == torch.device("cpu") and made.torch is torch
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert torch_backend.Torch().device == torch.device("cuda")  # a device object; no GPU is needed to name one
    assert program.batch(torch.tensor([3.0]), backend="torch", device="cpu").values.tolist() == [6.0]  # as asked
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert torch_backend.Torch().device == torch.device("cpu")


def test_everything_the_backend_makes_is_float64_on_its_device() -> None:
    # "meta" is a second device on every machine (tensors with shapes and no data), so these checks
    # tell "on the back-end's device" from "on the default device" without a GPU.
    from engine.compiler.torch_backend import Torch

    meta = Torch("meta")
    made = [meta.empty((2, 3)), meta.zeros((2, 3)), meta.asarray(np.array([1, 2])), meta.asarray([1.0, 2.0]),
            meta.asarray(torch.tensor([1.0, 2.0], dtype=torch.float32)), meta._full(meta.zeros((2,)), 2.0)]
    for tensor in made:
        assert tensor.device.type == "meta" and tensor.dtype == torch.float64
    index = meta.index((0, 2))
    assert index.device.type == "meta" and index.dtype == torch.long
    like = torch.zeros(3, dtype=torch.float64)
    assert Torch("cpu")._full(like, 2).tolist() == 2.0 and Torch("cpu")._full(like, like) is like


def test_an_ordinary_program_runs_on_torch_itself_and_can_leave_out_the_inputs_gradients(monkeypatch) -> None:
    from engine.compiler import batch as batches

    def refuse(*args, **kwargs):
        raise AssertionError("the torch back-end fell back to the NumPy per-node replay")

    monkeypatch.setattr(batches, "per_node", refuse)
    w = Value(0.5)
    program = engine.compile(lambda x: (x * w).tanh() + x * x, 1.0)
    full = program.batch(torch.tensor([0.5, -1.0]), backend="torch", device="cpu")
    lean = program.batch(torch.tensor([0.5, -1.0]), backend="torch", device="cpu", input_grads=False)
    assert len(full.grads) == 1 and lean.grads == ()
    assert lean.values.tolist() == full.values.tolist() and lean.param_grads.tolist() == full.param_grads.tolist()


def test_the_finiteness_check_at_the_largest_float_and_at_opposite_infinities() -> None:
    from engine.compiler.torch_backend import Torch

    check = Torch("cpu").finite
    assert check(torch.tensor([1e308, 1e308, -2.0], dtype=torch.float64)) is True  # the sum overflows; all finite
    assert check(torch.tensor([[1.0, 2.0], [3.0, -4.0]], dtype=torch.float64)) is True
    assert check(torch.tensor([float("inf"), float("-inf")], dtype=torch.float64)) is False  # the sum is nan
    assert check(torch.tensor([1.0, float("nan")], dtype=torch.float64)) is False
    assert check(torch.tensor([float("inf"), 1.0], dtype=torch.float64)) is False
    assert check(torch.zeros((0, 3), dtype=torch.float64)) is True
    big = torch.tensor([1e308], dtype=torch.float64)
    assert check(big, big) is True and check(big, torch.tensor([float("nan")], dtype=torch.float64)) is False
    per_column = Torch("cpu").finite_columns(torch.tensor([[1.0, float("nan")], [2.0, 3.0]], dtype=torch.float64))
    assert per_column.tolist() == [True, False]
    # A batch whose intermediate overflows is still found and explained, as on NumPy (exp(800) is inf).
    with pytest.raises(OverflowError):
        engine.compile(lambda x: (x * 100.0).exp(), 1.0).batch(torch.tensor([8.0]), backend="torch", device="cpu")


def test_logsumexp_of_two_far_apart_inputs_needs_no_sample_replayed_alone(monkeypatch) -> None:
    # log(e^0 + e^1000) = 1000 (plus e^-1000, lost): shifted by the larger input, no exp overflows
    from engine.compiler import batch as batches

    alone = []
    real = batches.with_data
    monkeypatch.setattr(batches, "with_data", lambda *a: alone.append(1) or real(*a))
    program = engine.compile(lambda x, y: engine.logsumexp([x, y]), 0.0, 0.0)
    r = program.batch(torch.tensor([0.0, 1000.0]), torch.tensor([1000.0, 0.0]), backend="torch", device="cpu")
    assert r.values.tolist() == [1000.0, 1000.0] and r.grads[1].tolist() == [1.0, 0.0] and alone == []


def test_torch_reduces_a_stacked_sum_and_logsumexp_in_one_call() -> None:
    from engine.compiler.torch_backend import Torch

    bound = Torch("cpu").bind({"s": ("over", engine.ops.SUM), "l": ("over", engine.ops.LOGSUMEXP)})
    assert (bound["s"].__name__, bound["l"].__name__) == ("sum_over", "logsumexp_over")
    block = torch.arange(12.0, dtype=torch.float64).reshape(3, 2, 2)
    assert bound["s"](block).tolist() == block.sum(dim=0).tolist()
    agree(bound["l"](block), torch.logsumexp(block, dim=0))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine: backend='torch' on "
                                                          "device='cuda' is checked where one is")
def test_on_a_gpu_the_numbers_of_the_cpu() -> None:
    w = Value(0.5)
    program = engine.compile(lambda x: engine.dot([w, w], x).tanh() * w, [0.1, 0.2])
    X = torch.tensor(np.random.default_rng(2).standard_normal((9, 2)))
    on_cpu = program.batch(X, backend="torch", device="cpu")
    on_gpu = program.batch(X.cuda(), backend="torch", device="cuda")
    assert on_gpu.values.device.type == "cuda" and on_gpu.param_grads.device.type == "cuda"
    agree(on_cpu.values.numpy(), on_gpu.values.cpu().numpy())
    agree(on_cpu.param_grads.numpy(), on_gpu.param_grads.cpu().numpy(), 10.0)


def test_a_users_op_runs_on_numpy_from_tensors_on_any_device() -> None:
    """engine.compiler.torch_backend Torch.vectorized: an op with no PyTorch function (a user's own) runs through
    NumPy. A tensor on a GPU is one NumPy cannot read: it is brought to the CPU first; a plain number (an op's
    constant argument) is passed as it is. No GPU here: a stand-in that NumPy refuses, as it refuses a CUDA one."""
    from engine.compiler.torch_backend import Torch

    @engine.op(derivative=lambda x, k, out: (k, x))
    def times(x: float, k: float) -> float:
        return x * k

    class OnAGpu:
        def __init__(self, values: list) -> None:
            self.values = values

        def cpu(self) -> "torch.Tensor":
            return torch.tensor(self.values, dtype=torch.float64)

        def __array__(self, *args: object, **kwargs: object) -> None:
            raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() first")

    run = Torch("cpu").vectorized(times)
    assert run(OnAGpu([1.0, -2.0]), 3.0).tolist() == [3.0, -6.0]  # by hand: x * k
    assert run(OnAGpu([1.5]), OnAGpu([2.0])).tolist() == [3.0]


def test_the_backend_is_float64_unless_asked() -> None:
    from engine.compiler.batch import torch_backend

    assert torch_backend("cpu").dtype == torch.float64 and torch_backend("cpu").precision == "float64"
    assert torch_backend("cpu", "float32").dtype == torch.float32


def test_a_cotangent_weighs_the_gradients_on_torch_lifted_and_per_node() -> None:
    w = Value(2.0)
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    c = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    lifted = engine.compile(lambda x: x * x * w, 1.0)
    r = lifted.batch(x, backend="torch", device="cpu", cotangent=c)
    # by hand: d/dx x^2 w = 2 w x = 4, 8, 12, times c; d/dw = x^2, times c and summed: 1 + 8 + 27
    assert r.values.tolist() == [2.0, 8.0, 18.0] and r.grads[0].tolist() == [4.0, 16.0, 36.0]
    assert r.param_grads.tolist() == [36.0]
    assert lifted.batch(x, backend="torch", device="cpu", cotangent=0.5).param_grads.tolist() == [7.0]  # (1+4+9)/2
    alone = engine.compile(lambda x: w, 1.0)  # an output that is a parameter: the per-node replay, moved over
    for cotangent, want in ((c, 6.0), (0.5, 1.5), (np.array([1.0, 0.0, -1.0]), 0.0)):  # d/dw = 1, weighed, summed
        r = alone.batch(x, backend="torch", device="cpu", cotangent=cotangent)
        assert r.values.tolist() == [2.0] * 3 and r.grads[0].tolist() == [0.0] * 3 and r.param_grads.tolist() == [want]
    with pytest.raises(ValueError, match=r"^batch: cotangent must be finite; sample 2's is -inf$"):
        lifted.batch(x, backend="torch", device="cpu", cotangent=torch.tensor([1.0, 2.0, -math.inf]))


def test_tensors_that_require_grad_give_their_numbers_and_leave_no_history_in_the_kept_frames() -> None:
    # batch is no autograd (to_torch is), and its frames are kept for the next call. Such a tensor once left its
    # history in a frame: its results, and the next plain call's, carried a grad_fn; a cotangent that required grad
    # failed, and so did every call after it ("a leaf Variable that requires grad is being used in an in-place
    # operation"). The per-node replay could not read it at all, nor a bfloat16 tensor (NumPy has no bfloat16).
    def grad_needing(*xs):
        return torch.tensor(xs, dtype=torch.float64, requires_grad=True)

    w = Value(3.0)
    lifted, alone = engine.compile(lambda x: x * w, 1.0), engine.compile(lambda x: w, 1.0)
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    # x * w, by hand: values 3x; d/dx = 3, times c; d/dw = x, times c and summed
    cases = [(lifted, dict(), [3.0, 6.0], [3.0, 3.0], 3.0),
             (lifted, dict(cotangent=grad_needing(1.0, 2.0)), [3.0, 6.0], [3.0, 6.0], 5.0),
             (lifted, dict(parameters=grad_needing(2.0)), [2.0, 4.0], [2.0, 2.0], 3.0),
             (alone, dict(), [3.0, 3.0], [0.0, 0.0], 2.0),
             (alone, dict(cotangent=grad_needing(1.0, 2.0)), [3.0, 3.0], [0.0, 0.0], 3.0),
             (alone, dict(parameters=grad_needing(2.0)), [2.0, 2.0], [0.0, 0.0], 2.0)]
    for program, options, values, grads, param_grad in cases:
        for given in (grad_needing(1.0, 2.0), x.to(torch.bfloat16)):
            r = program.batch(given, backend="torch", device="cpu", **options)
            assert (r.values.tolist(), r.grads[0].tolist(), r.param_grads.tolist()) == (values, grads, [param_grad])
            assert not any(t.requires_grad for t in (r.values, r.grads[0], r.param_grads))
        plain = program.batch(x, backend="torch", device="cpu")  # on the same kept frame
        want = [3.0, 6.0] if program is lifted else [3.0, 3.0]
        assert not plain.values.requires_grad and plain.values.tolist() == want


def test_samples_may_be_any_numbers_numpy_reads_as_floats_on_torch() -> None:
    from decimal import Decimal

    from engine.compiler.torch_backend import Torch

    assert Torch("cpu").asarray([10 ** 20, Decimal("0.5")]).tolist() == [1e20, 0.5]  # past int64; not a float
    assert Torch("cpu").asarray(np.array([0.25], dtype=np.longdouble)).tolist() == [0.25]
    f = lambda x, y: x.relu().sqrt() ** 2 + x * y  # noqa: E731 (sample 0 is replayed one by one)
    r = engine.compile(f, 1.0, 1.0).batch([Decimal("-1"), Decimal("4")], [Decimal("2"), 2.0], backend="torch",
                                          device="cpu")
    assert r.values.tolist() == [-2.0, pytest.approx(12.0)]
    assert r.grads[0].tolist() == [2.0, pytest.approx(3.0)] and r.grads[1].tolist() == [-1.0, 4.0]


def test_signed_zeros_match_the_eager_engine_on_torch() -> None:
    import math

    for f in (lambda x: x.relu(), lambda x: x.leaky_relu(-0.5), lambda x: x.leaky_relu(0.5)):
        program = engine.compile(f, 1.0)
        got = program.batch(torch.tensor([-0.0, 0.0], dtype=torch.float64), backend="torch", device="cpu")
        want = [eager_call(f, [x], []).value for x in (-0.0, 0.0)]
        assert [math.copysign(1.0, v) for v in got.values.tolist()] == [math.copysign(1.0, v) for v in want]


def test_the_per_node_replay_brings_tensors_to_the_cpu_before_numpy_reads_them() -> None:
    """engine.compiler.batch._on_torch: an output that is a parameter itself is replayed per node on NumPy, which
    cannot read a tensor on a GPU: the arguments and the cotangent go through .cpu().numpy() first. No GPU here:
    a stand-in tensor that NumPy refuses, as it refuses a CUDA one."""

    class OnAGpu(torch.Tensor):
        def __array__(self, *args: object, **kwargs: object) -> None:
            raise TypeError("can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() first")

    def on_a_gpu(*xs):
        return torch.tensor(xs, dtype=torch.float64).as_subclass(OnAGpu)

    w = Value(3.0)
    r = engine.compile(lambda x: w, 1.0).batch(on_a_gpu(1.0, 2.0), backend="torch", device="cpu",
                                               cotangent=on_a_gpu(1.0, 2.0))
    assert r.values.tolist() == [3.0, 3.0] and r.param_grads.tolist() == [3.0]  # d/dw = 1, times 1 and 2, summed
