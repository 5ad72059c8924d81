"""``Program.to_torch``'s arguments and refusals: the device asked for is the one used (on a machine with a GPU
too), and the errors' exact wording."""

import sys

import pytest

import engine
from engine import Value
from engine.testing.oracles import TORCH_MISSING


def test_without_pytorch_the_message_names_to_torch(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails, as where it is not installed
    with pytest.raises(ImportError) as caught:
        engine.compile(lambda x: x * 2.0, 1.0).to_torch()
    assert str(caught.value) == ("PyTorch is not installed; it is optional in chainrule: `pip install torch==2.13.0` "
                                 "(or any PyTorch 2) to use to_torch()")


def test_without_pytorch_the_message_names_the_torch_back_end(monkeypatch) -> None:
    import numpy as np

    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError) as caught:
        engine.compile(lambda x: x * 2.0, 1.0).batch(np.array([1.0]), backend="torch")
    assert str(caught.value) == ("PyTorch is not installed; it is optional in chainrule: `pip install torch==2.13.0` "
                                 "(or any PyTorch 2) to use the PyTorch back-end (backend='torch')")


torch = pytest.importorskip("torch", reason=TORCH_MISSING)


def test_device_cpu_is_kept_where_a_gpu_would_be_the_default(monkeypatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # as on a machine with a GPU
    w = Value(2.0)
    module = engine.compile(lambda x: x * w + 1.0, 1.0).to_torch(device="cpu", dtype="float32")
    assert module.weights.device.type == "cpu" and module.weights.dtype == torch.float32
    assert module(torch.tensor([1.0, 3.0])).tolist() == [3.0, 7.0]
    assert repr(module) == "Compiled(2 instructions, 1 parameters, on torch:cpu float32)"


def test_an_output_that_is_a_parameter_is_refused_with_the_fix() -> None:
    w = Value(1.5)
    with pytest.raises(ValueError) as caught:
        engine.compile(lambda x: w, 1.0).to_torch(device="cpu")
    assert str(caught.value) == ("to_torch: an output of this program is a parameter itself, which the lifted program "
                                 "has no row for; return it times 1.0")
