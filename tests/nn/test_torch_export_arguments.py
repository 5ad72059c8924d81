"""``nn.to_torch``'s arguments and refusals: the exact wording of its errors, the device and dtype asked for, the
targets it takes (labels and soft rows), buffers without a loss, and the zero sample it traces at."""

import random
import sys

import pytest

import nn
from engine import TraceError
from engine.testing.oracles import TORCH_MISSING
from nn import MLP, losses


def test_without_pytorch_the_message_names_nn_to_torch(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError) as caught:
        nn.to_torch(MLP(2, [1]))
    assert str(caught.value) == ("PyTorch is not installed; it is optional in chainrule: `pip install torch==2.13.0` "
                                 "(or any PyTorch 2) to use nn.to_torch")


torch = pytest.importorskip("torch", reason=TORCH_MISSING)


def test_the_refusals_name_the_type_given() -> None:
    with pytest.raises(TypeError) as caught:
        nn.to_torch(torch.nn.Linear(2, 1))
    assert str(caught.value) == "nn.to_torch takes a chainrule model (an nn.Module), got Linear"
    with pytest.raises(TypeError) as caught:
        nn.to_torch(nn.Sequential(nn.Layer(2, 3), nn.Layer(3, 1, activation="linear")))
    assert str(caught.value) == "nn.to_torch: pass example=, one sample's input, to trace Sequential with"


@pytest.mark.parametrize("loss", [None, losses.mse])
def test_device_and_dtype_are_the_ones_asked_for(monkeypatch, loss) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # as on a machine with a GPU
    random.seed(2)
    model = MLP(2, [3, 1])
    module = nn.to_torch(model, loss, device="cpu", dtype="float32")
    assert {(p.device.type, p.dtype) for p in module.parameters()} == {("cpu", torch.float32)}
    x = torch.tensor([[0.5, -1.0]], dtype=torch.float32)
    out = module(x) if loss is None else module(x, torch.tensor([0.0]))[1]
    assert out.dtype == torch.float32
    assert out.reshape(-1).tolist() == pytest.approx([model([0.5, -1.0]).data], rel=1e-6)


def test_integer_labels_of_a_one_output_model_are_numbers_not_classes() -> None:
    random.seed(0)
    model = MLP(2, [3, 1])
    module = nn.to_torch(model, losses.hinge, device="cpu")
    x = torch.tensor([[0.5, -1.0], [2.0, 0.1]], dtype=torch.float64)
    per_sample, _ = module(x, torch.tensor([1, -1]))  # hinge's labels, +-1, as whole numbers
    want = [losses.hinge(model(row.tolist()), y).data for row, y in zip(x, [1, -1])]
    assert per_sample.tolist() == pytest.approx(want, rel=1e-12)


def test_soft_targets_are_taken_as_they_are() -> None:
    random.seed(0)
    model = MLP(2, [3, 3])
    module = nn.to_torch(model, losses.cross_entropy, device="cpu")
    x = torch.tensor([[0.5, -1.0], [2.0, 0.1]], dtype=torch.float64)
    t = torch.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], dtype=torch.float64)
    per_sample, _ = module(x, t)
    want = [losses.cross_entropy([model(row.tolist())], [soft.tolist()]).data for row, soft in zip(x, t)]
    assert per_sample.tolist() == pytest.approx(want, rel=1e-12)


def test_without_a_loss_running_averages_are_buffers() -> None:
    random.seed(7)
    model = nn.Sequential(nn.Layer(3, 4), nn.BatchNorm(4), nn.Layer(4, 2, activation="linear"))
    model.eval()
    module = nn.to_torch(model, example=[0.1, 0.2, 0.3], device="cpu")
    assert "1.running_var" in dict(module.named_buffers()) and "1.running_var" not in dict(module.named_parameters())
    assert "0.weight" in dict(module.named_parameters())


def test_outputs_near_the_largest_float_are_exported() -> None:
    layer = nn.Layer(1, 2, activation="linear")
    for neuron in layer.neurons:
        neuron.b.data = 1.5e308  # finite; their sum is not
    module = nn.to_torch(layer, device="cpu")
    assert module(torch.zeros(1, 1, dtype=torch.float64)).tolist() == [[1.5e308, 1.5e308]]


def test_the_trace_runs_at_a_zero_sample_and_zero_target_as_its_errors_say() -> None:
    layer = nn.Layer(2, 1, activation="sigmoid")
    layer.neurons[0].b.data = 0.25  # at the zero input, the neuron's sum is its bias
    with pytest.raises(TraceError) as caught:
        nn.to_torch(layer, losses.binary_cross_entropy, device="cpu")  # it checks p is in [0, 1]: reads p's number
    assert "f reads .data of sigmoid with x=0.25, a result" in str(caught.value)

    def weighted(outputs: list, targets: list):  # reads a target's number: refused while tracing
        return sum((o - t) ** 2 * (2.0 if t.data > 0.5 else 1.0) for o, t in zip(outputs[0], targets[0]))

    random.seed(3)
    for nouts in ([2, 2], [2, 1]):
        single = nouts[-1] == 1
        loss = (lambda o, t: weighted([[o[0]]], [[t[0]]])) if single else weighted
        with pytest.raises(TraceError) as caught:
            nn.to_torch(MLP(2, nouts), loss, device="cpu")
        assert "f reads .data of leaf with data=0.0, an input of f" in str(caught.value)
