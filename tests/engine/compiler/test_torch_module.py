"""``Program.to_torch``: a compiled program as a PyTorch module, its gradients checked against the eager engine."""

import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import engine
from engine import Value
from engine.compiler.program import eager_call
from engine.testing import expressions
from engine.testing.oracles import TORCH_MISSING


def test_without_pytorch_the_errors_say_what_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails, as where it is not installed
    with pytest.raises(ImportError, match=r"PyTorch is not installed.*pip install torch==2\.13\.0.*to_torch\(\)"):
        engine.compile(lambda x: x * 2.0, 1.0).to_torch()
    with pytest.raises(ImportError, match=r"pip install torch==2\.13\.0.*backend='torch'"):
        engine.compile(lambda x: x * 2.0, 1.0).batch(np.array([1.0]), backend="torch", device="cpu")


torch = pytest.importorskip("torch", reason=TORCH_MISSING)


def test_the_docstrings_example_against_the_hand_derivative() -> None:
    w = Value(2.0, label="w")
    module = engine.compile(lambda x: (x * w - 1.0) ** 2, 1.0).to_torch()
    module(torch.tensor([1.0, 2.0])).mean().backward()
    assert module.weights.grad.tolist() == [7.0]  # mean of 2 (x w - 1) x at x = 1, 2: (2 + 12) / 2


@settings(max_examples=25, deadline=None)
@given(expressions(kinks=True, max_depth=8), st.integers(0, 2 ** 31 - 1))
def test_values_and_weighted_gradients_are_the_eager_engines(e, seed) -> None:
    w = Value(0.75)
    f = lambda *xs: e(*xs) * w + xs[0]  # noqa: E731  (a parameter, and an input read twice)
    program = engine.compile(f, *e.inputs)
    module = program.to_torch(device="cpu")
    rng = np.random.default_rng(seed)
    columns = [torch.tensor([x, x + 0.01 * rng.standard_normal(), x], dtype=torch.float64, requires_grad=True)
               for x in e.inputs]
    weights = torch.tensor(rng.standard_normal(3))  # PyTorch's incoming gradient: each sample's own weight
    values = module(*columns)
    (values * weights).sum().backward()
    per_sample = [eager_call(f, [c[i].item() for c in columns], program.parameters) for i in range(3)]
    scale = max(1.0, *(abs(r.value) for r in per_sample), *(abs(g) for r in per_sample for g in r.grads))
    close = lambda a, b: abs(a - b) <= 1e-10 * scale  # noqa: E731
    assert all(close(values[i].item(), r.value) for i, r in enumerate(per_sample))
    for k, c in enumerate(columns):
        assert all(close(c.grad[i].item(), weights[i].item() * r.grads[k]) for i, r in enumerate(per_sample))
    want = sum(weights[i].item() * r.param_grads[0] for i, r in enumerate(per_sample))
    assert close(module.weights.grad.item(), want)


def test_a_bad_sample_gets_the_eager_engines_error_and_a_false_alarm_its_result() -> None:
    module = engine.compile(lambda x: x.log() * Value(2.0), 1.0).to_torch(device="cpu")
    with pytest.raises(ValueError, match=r"log: log is defined only for x > 0; got x=-1\.0"):
        module(torch.tensor([1.0, -1.0]))
    # a dead relu before a sqrt at 0: the array pass meets 0 * inf in its backward; the eager engine gives 1
    w = Value(1.0)
    alarm = engine.compile(lambda x: (x * w).relu().sqrt() ** 2 + x * w, 1.0).to_torch(device="cpu")
    x = torch.tensor([-1.0, 4.0], requires_grad=True)
    values = alarm(x)
    values.sum().backward()
    assert values.tolist() == [-1.0, pytest.approx(8.0)]
    assert x.grad.tolist() == [1.0, pytest.approx(2.0)] and alarm.weights.grad.item() == pytest.approx(-1.0 + 8.0)


def test_a_second_backward_and_a_forward_without_gradient() -> None:
    w = Value(3.0)
    program = engine.compile(lambda x: (x * w).tanh(), 0.5)
    module = program.to_torch(device="cpu")
    x = torch.tensor([0.1, -0.2, 0.3])
    out = module(x)
    out.sum().backward(retain_graph=True)
    first = module.weights.grad.clone()
    out.sum().backward()  # the frame went back after the first: the second runs Program.batch's path
    assert torch.allclose(module.weights.grad, 2 * first, rtol=1e-14, atol=0)
    want = sum(eager_call(program.f, [float(v)], program.parameters).param_grads[0] for v in x)
    assert first.item() == pytest.approx(want, rel=1e-12)
    frames = engine.compiler.batch.made_for(program, module.backend, input_grads=False).frames  # x wants none
    with torch.no_grad():
        for _ in range(5):
            module(x)
    assert len(frames.free[3]) == 1  # no frame held when nobody will call backward


def test_extra_outputs_come_back_without_gradient() -> None:
    w = Value(2.0)
    module = engine.compile(lambda x: (x * w, [x + w, x - w]), 1.0).to_torch(device="cpu")
    values, extra = module(torch.tensor([1.0, 3.0]))
    assert values.tolist() == [2.0, 6.0] and extra.tolist() == [[3.0, -1.0], [5.0, 1.0]]
    assert values.requires_grad and not extra.requires_grad


def test_write_back_puts_trained_numbers_into_the_values() -> None:
    w, b = Value(0.0), Value(0.0)
    program = engine.compile(lambda x: (x[0] * w + b - x[1]) ** 2, [1.0, 2.0])
    module = program.to_torch(device="cpu")
    data = torch.tensor([[1.0, 3.0], [2.0, 5.0], [3.0, 7.0]])  # y = 2x + 1
    optimizer = torch.optim.SGD(module.parameters(), lr=0.05)
    for _ in range(2000):
        optimizer.zero_grad()
        module(data).mean().backward()
        optimizer.step()
    module.write_back()
    assert (w.data, b.data) == (pytest.approx(2.0, abs=1e-6), pytest.approx(1.0, abs=1e-6))
    assert program(torch.tensor([1.0, 3.0]).tolist()).value == pytest.approx(0.0, abs=1e-10)


def test_float32_and_refusals() -> None:
    w = Value(1.5)
    module = engine.compile(lambda x: x * w, 1.0).to_torch(device="cpu", dtype="float32")
    assert module.weights.dtype == torch.float32 and module(torch.tensor([2.0])).dtype == torch.float32
    with pytest.raises(ValueError, match="an output of this program is a parameter itself"):
        engine.compile(lambda x: w, 1.0).to_torch(device="cpu")
    with pytest.raises(ValueError, match=r"dtype must be one of float64, float32, float16"):
        engine.compile(lambda x: x * w, 1.0).to_torch(dtype="int8")
    with pytest.raises(ValueError, match=r"argument 0 must be an array of shape \(n,\)"):
        module(torch.zeros(2, 2))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine: to_torch(device='cuda') "
                                                          "is checked where one is")
def test_on_a_gpu_the_same_numbers_as_on_the_cpu() -> None:
    w = Value(0.5)
    program = engine.compile(lambda x: (x[0] * w).tanh() + x[1] * w, [0.1, 0.2])
    x = torch.tensor([[0.1, 0.2], [0.3, -0.4]], dtype=torch.float64)
    results = []
    for device in ("cpu", "cuda"):
        module = program.to_torch(device=device)
        module(x.to(device)).sum().backward()
        results.append(module.weights.grad.cpu())
    assert torch.allclose(results[0], results[1], rtol=1e-12, atol=0)


def test_a_tied_weight_named_twice_gets_its_gradient_once() -> None:
    from engine.compiler.torch_module import to_torch

    a, b = Value(0.5), Value(-2.0)
    program = engine.compile(lambda x: x * a + x * x * b, 1.0)
    named = [("first", (2,), [a, b]), ("again", (1,), [a])]  # a appears twice: the program reads the first
    module = to_torch(program, named, device="cpu")
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    module(x).sum().backward()
    assert module.first.grad.tolist() == [3.0, 5.0] and module.again.grad.tolist() == [0.0]
