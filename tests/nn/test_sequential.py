"""Sequential, Residual and Activation against the same network in PyTorch (float64), train and eval modes
reaching every module, saving and loading with the running averages, fit with batch norm, clear errors."""

import json
import random

import pytest

import nn
from engine import Value
from nn import Activation, BatchNorm, CheckpointError, Dropout, Layer, Residual, Sequential
from tests.torch_oracle import needs_torch, torch


def network(seed=0):
    random.seed(seed)
    return Sequential(Layer(3, 4, activation="linear"), BatchNorm(4), Activation("tanh"),
                      Residual(Sequential(Layer(4, 4, activation="relu"), Layer(4, 4, activation="linear"))),
                      Dropout(0.0), Layer(4, 2, activation="linear"))


def linear(layer):
    t = torch.nn.Linear(len(layer.neurons[0].w), len(layer.neurons), dtype=torch.float64)
    with torch.no_grad():
        t.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64))
        t.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
    return t


def torch_network(ours):
    class TorchResidual(torch.nn.Module):
        def __init__(self, block):
            super().__init__()
            self.block = block

        def forward(self, x):
            return x + self.block(x)

    l0, bn, _, res, _, l5 = ours.layers
    inner0, inner1 = res.block.layers
    tbn = torch.nn.BatchNorm1d(4, dtype=torch.float64)
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor([g.data for g in bn.gamma], dtype=torch.float64))
        tbn.bias.copy_(torch.tensor([b.data for b in bn.beta], dtype=torch.float64))
    return torch.nn.Sequential(linear(l0), tbn, torch.nn.Tanh(),
                               TorchResidual(torch.nn.Sequential(linear(inner0), torch.nn.ReLU(), linear(inner1))),
                               torch.nn.Dropout(0.0), linear(l5))


def torch_grads(t):
    grads = []
    for module in t.modules():
        if isinstance(module, torch.nn.Linear):
            w, b = module.weight.grad, module.bias.grad
            for j in range(w.shape[0]):  # ours: each neuron's weights, then its bias
                grads += w[j].tolist() + [b[j].item()]
        elif isinstance(module, torch.nn.BatchNorm1d):
            grads += module.weight.grad.tolist() + module.bias.grad.tolist()
    return grads


X = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 1.0, 0.0], [0.0, -2.0, 1.0], [2.0, 0.5, 0.5]]


@needs_torch
def test_train_mode_forward_and_every_gradient_match_pytorch() -> None:
    ours = network()
    theirs = torch_network(ours)
    out = ours.forward_batch(X)
    loss = sum((o * (k + 1) for row in out for k, o in enumerate(row)), nn.losses.mse([0.0], [0.0]))
    loss.backward()
    t_out = theirs(torch.tensor(X, dtype=torch.float64))
    (t_out * torch.tensor([1.0, 2.0], dtype=torch.float64)).sum().backward()
    assert [o.data for row in out for o in row] == pytest.approx(t_out.flatten().tolist(), rel=1e-10)
    assert [p.grad for p in ours.parameters()] == pytest.approx(torch_grads(theirs), rel=1e-8, abs=1e-12)
    bn, tbn = ours.layers[1], theirs[1]
    assert [v.data for v in bn.running_var] == pytest.approx(tbn.running_var.tolist(), rel=1e-12)


@needs_torch
def test_eval_reaches_every_module_and_matches_pytorch_one_sample_at_a_time() -> None:
    ours = network()
    theirs = torch_network(ours)
    ours.forward_batch(X)
    theirs(torch.tensor(X, dtype=torch.float64))
    ours.eval()
    theirs.eval()
    assert not any(m.training for m in ours.modules()) and len(ours.modules()) == 1 + 6 + 4 + 1 + 2 + 8 + 2  # with every layer and neuron
    assert [o.data for o in ours([0.3, 0.2, -0.7])] == pytest.approx(
        theirs(torch.tensor([[0.3, 0.2, -0.7]], dtype=torch.float64))[0].tolist(), rel=1e-10)
    assert ours.train() is ours and all(m.training for m in ours.modules())


def test_a_residual_passes_the_gradient_through_the_identity() -> None:
    # x + w x with one linear unit: d/dx = 1 + w, d/dw = x, by hand
    random.seed(0)
    block = Residual(Layer(1, 1, activation="linear"))
    w = block.block.neurons[0].w[0]
    (y,) = block([nn.losses.mse([0.0], [0.0]) + 3.0])
    y.backward()
    assert y.data == pytest.approx(3.0 + w.data * 3.0) and w.grad == 3.0
    with pytest.raises(ValueError, match=r"Residual: the block maps 2 features to 3, but x \+ block\(x\) needs"):
        Residual(Layer(2, 3))([1.0, 2.0])


def test_save_and_load_keep_the_architecture_parameters_and_running_averages(tmp_path) -> None:
    ours = network()
    ours.forward_batch(X)  # running averages away from their start
    ours.save(tmp_path / "net.json")
    state = random.getstate()
    loaded = nn.load(tmp_path / "net.json")
    assert random.getstate() == state  # building the model drew nothing from the caller's stream
    assert isinstance(Sequential.load(tmp_path / "net.json"), Sequential)
    assert [n for n, _ in loaded.named_parameters()] == [n for n, _ in ours.named_parameters()]
    assert [p.data for p in loaded.parameters()] == [p.data for p in ours.parameters()]
    assert [v.data for _, v in loaded.named_buffers()] == [v.data for _, v in ours.named_buffers()]
    ours.eval()
    loaded.eval()
    assert [o.data for o in loaded(X[0])] == [o.data for o in ours(X[0])]
    with pytest.raises(CheckpointError, match="architecture must describe an MLP, got {'type': 'Sequential'"):
        nn.MLP.load(tmp_path / "net.json")


def test_bad_buffers_are_refused_and_change_nothing(tmp_path) -> None:
    ours = network()
    ours.save(tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    target = network(seed=5)
    before = [p.data for p in target.parameters()] + [v.data for _, v in target.named_buffers()]
    for change, message in ((lambda d: d.pop("buffers"), "buffers must be a JSON object"),
                            (lambda d: d["buffers"].update({"1.running_var0": float("nan")}),
                             "buffer 1.running_var0 must be a finite number, got nan"),
                            (lambda d: d["buffers"].pop("1.running_mean2"), r"buffers do not match the model: 1 missing")):
        broken = json.loads(json.dumps(document))
        change(broken)
        (tmp_path / "bad.json").write_text(json.dumps(broken))
        with pytest.raises(CheckpointError, match=message):
            nn.load_into(target, tmp_path / "bad.json")
        assert [p.data for p in target.parameters()] + [v.data for _, v in target.named_buffers()] == before
    other = Sequential(Layer(3, 2))
    with pytest.raises(CheckpointError, match="the checkpoint is for {'type': 'Sequential', 'layers'"):
        nn.load_into(other, tmp_path / "net.json")


def test_fit_trains_batch_norm_over_each_batch_and_validates_in_eval_mode() -> None:
    Xm, ym = nn.data.moons(80, noise=0.1, seed=0)
    random.seed(1)
    net = Sequential(Layer(2, 8, activation="linear"), BatchNorm(8), Activation("relu"), Dropout(0.1),
                     Layer(8, 1, activation="linear"))
    history = nn.fit(net, Xm, ym, nn.losses.bce_with_logits, nn.Adam(net.parameters(), lr=0.05), 25, batch_size=16,
                     val=(Xm, ym), progress=False)
    assert history["val_accuracy"][-1] >= 0.85 and net.training  # back in training mode afterwards
    with pytest.raises(ValueError, match=r"fit\(compiled='python'\) traces one sample's loss .* BatchNorm\(8, "
                                         r"momentum=0.1, eps=1e-05\) in training mode takes its statistics over"):
        nn.fit(net, Xm, ym, nn.losses.bce_with_logits, nn.SGD(net.parameters(), lr=0.1), 1, compiled="python",
               progress=False)


def test_compiled_fit_takes_what_a_trace_can_stand_for_and_refuses_the_rest() -> None:
    Xm, ym = nn.data.moons(12, noise=0.1, seed=0)
    random.seed(2)
    for net in (Sequential(Layer(2, 3, activation="linear"), BatchNorm(3), Layer(3, 1, activation="linear")).eval(),
                Sequential(Layer(2, 3), Dropout(0.0), Layer(3, 1, activation="linear"))):
        nn.fit(net, Xm, ym, nn.losses.bce_with_logits, nn.SGD(net.parameters(), lr=0.1), 1, compiled="python",
               progress=False)  # batch norm by its averages, and dropout of nothing: one trace stands for all
    net = Sequential(Layer(2, 3), Dropout(0.5), Layer(3, 1, activation="linear"))
    with pytest.raises(ValueError) as caught:
        nn.fit(net, Xm, ym, nn.losses.bce_with_logits, nn.SGD(net.parameters(), lr=0.1), 1, compiled="python",
               progress=False)
    assert str(caught.value) == ("fit(compiled='python') traces one sample's loss and replays it, but Dropout(p=0.5) "
                                 "in training mode draws a new mask at every step; train with compiled=False (or call "
                                 "model.eval() first, to train with it fixed)")


def test_fit_refuses_a_single_sample_batch_for_batch_norm_before_training() -> None:
    random.seed(0)
    net = Sequential(Layer(3, 2, activation="linear"), BatchNorm(2), Layer(2, 1, activation="linear"))
    before = [p.data for p in net.parameters()]
    y = [1.0, -1.0, 1.0, -1.0, 1.0]
    for size, where in ((1, "batch_size=1"), (2, r"the last batch of each epoch \(5 samples in batches of 2\)")):
        with pytest.raises(ValueError, match=f"fit: {where} holds a single sample, and BatchNorm in training mode"):
            nn.fit(net, X, y, nn.losses.mse, nn.SGD(net.parameters(), lr=0.1), 1, batch_size=size, progress=False)
    assert [p.data for p in net.parameters()] == before
    nn.fit(net, X, y, nn.losses.mse, nn.SGD(net.parameters(), lr=0.1), 1, batch_size=5, progress=False)
    nn.fit(net, X, y, nn.losses.mse, nn.SGD(net.parameters(), lr=0.1), 1, batch_size=3, progress=False)  # 3, then 2
    net.eval()  # the running averages stand in: any batch size will do
    nn.fit(net, X, y, nn.losses.mse, nn.SGD(net.parameters(), lr=0.1), 1, batch_size=2, progress=False)


def test_construction_errors_say_what_was_wrong() -> None:
    with pytest.raises(ValueError, match="^Sequential needs at least one module$"):
        Sequential()
    with pytest.raises(TypeError, match="Sequential takes modules .* got int 3 at position 1"):
        Sequential(Layer(1, 1), 3)
    with pytest.raises(TypeError, match="Residual wraps a module, got str 'x'"):
        Residual("x")
    with pytest.raises(ValueError, match="activation must be one of relu, tanh"):
        Activation("swish")
    assert Sequential([Layer(1, 1)]).layers[0].scope == "0"


def test_loading_any_architecture_names_what_is_wrong_with_it(tmp_path) -> None:
    random.seed(0)
    net = Sequential(Layer(3, 1))  # a layer of one neuron: its spec reads its only neuron
    net.save(tmp_path / "one.json")
    assert nn.load(tmp_path / "one.json").layers[0].spec() == {"type": "Layer", "nin": 3, "nout": 1,
                                                               "activation": "relu", "init": "uniform"}
    document = json.loads((tmp_path / "one.json").read_text())
    for arch, message in (({"type": "CNN", "nin": 2}, "bad architecture {'nin': 2}: an architecture must be a dict "
                                                       "with a type of MLP, Layer, "),
                          (["MLP"], r"bad architecture \['MLP'\]: an architecture must be a dict with a type of "),
                          ({"type": "Sequential", "layers": {"type": "Layer"}},
                           "Sequential's layers must be a list, got {'type': 'Layer'}")):
        document["architecture"] = arch
        (tmp_path / "bad.json").write_text(json.dumps(document))
        with pytest.raises(CheckpointError, match=message):
            nn.load(tmp_path / "bad.json")
    random.seed(0)
    mlp = nn.MLP(2, [3, 1])
    document["architecture"] = ["x"]
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match=r"the checkpoint is for \['x'\], but the model is {'nin': 2"):
        nn.load_into(mlp, tmp_path / "bad.json")


def test_buffer_errors_name_the_file_and_state_dicts_load_into_objects_without_buffers(tmp_path) -> None:
    from nn.saving import architecture, load_state_dict

    ours = network()
    ours.save(tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    document["buffers"] = []
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match=f"^{tmp_path / 'bad.json'}: buffers must be a JSON object"):
        nn.load_into(network(), tmp_path / "bad.json")

    class Plain:  # parameters only: no named_buffers at all
        def __init__(self):
            self.p = Value(0.0)

        def named_parameters(self):
            return [("p", self.p)]

    plain = Plain()
    load_state_dict(plain, {"p": 2.5})
    assert plain.p.data == 2.5

    class MLP:  # named like a model, with a spec, but no parameters to save
        def spec(self):
            return {"type": "MLP"}

    with pytest.raises(TypeError, match="save writes GRU, LSTM, MLP, .* models, got MLP"):
        architecture(MLP())


def test_networks_inside_a_network_keep_their_own_names_and_clashing_names_are_refused(tmp_path) -> None:
    random.seed(0)
    net = Sequential(nn.MLP(2, [2]), nn.MLP(2, [1]))
    names = [n for n, _ in net.named_parameters()]
    assert names[0] == "0.layer0.neuron0.w0" and names[-1] == "1.layer0.neuron0.b" and len(set(names)) == len(names)
    net.save(tmp_path / "two.json")
    loaded = nn.load(tmp_path / "two.json")
    assert [p.data for p in loaded.parameters()] == [p.data for p in net.parameters()]

    class Twin(nn.Module):  # two parameters under one name
        def __init__(self):
            self.a, self.b = Value(1.0), Value(2.0)

        def named_parameters(self):
            return [("w", self.a), ("w", self.b)]

    from nn.saving import load_state_dict, state_dict

    with pytest.raises(CheckpointError, match="two parameters share the name 'w'"):
        state_dict(Twin())
    with pytest.raises(CheckpointError, match="two parameters share the name 'w'"):
        load_state_dict(Twin(), {"w": 3.0})
    with pytest.raises(TypeError, match="the module at position 1, Neuron, cannot be described in a checkpoint"):
        Sequential(Layer(2, 2), nn.Neuron(2)).save(tmp_path / "n.json")
    assert not (tmp_path / "n.json").exists()


def test_an_mlps_scope_prefixes_its_layers_and_clashing_buffers_are_refused() -> None:
    from nn.saving import buffers_dict

    random.seed(0)
    mlp = nn.MLP(2, [2, 1])
    mlp.set_scope("")
    assert [n for n, _ in mlp.named_parameters()][0] == "layer0.neuron0.w0"
    mlp.set_scope("net")
    assert [n for n, _ in mlp.named_parameters()][-1] == "net.layer1.neuron0.b"

    class TwinBuffers(nn.Module):
        def named_buffers(self):
            return [("avg", Value(0.0)), ("avg", Value(1.0))]

    with pytest.raises(CheckpointError, match="two buffers share the name 'avg'"):
        buffers_dict(TwinBuffers())


def test_repr_lists_the_layers_by_index_as_pytorch_does() -> None:
    random.seed(0)
    from nn import Embedding, Layer

    assert repr(Sequential(Layer(2, 3), Embedding(4, 2))) == (
        "Sequential(\n  (0): Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)]\n  (1): Embedding(4, 2)\n)")


def test_a_residual_is_scoped_residual_unless_told() -> None:
    random.seed(0)
    block = Residual(Layer(1, 1, activation="linear"))
    assert block.scope == "residual"
    assert [name for name, _ in block.named_parameters()] == ["residual.block.neuron0.w0", "residual.block.neuron0.b"]
    block.set_scope("skip")
    assert block.scope == "skip" and block.named_parameters()[0][0] == "skip.block.neuron0.w0"


def test_a_sequential_is_the_top_scope_until_nested_and_names_its_modules_by_position() -> None:
    random.seed(0)
    net = Sequential(Layer(1, 1, activation="linear"))
    assert net.scope == "" and net.layers[0].scope == "0"
    net.set_scope("body")  # as a Residual or an outer Sequential sets it
    assert net.scope == "body" and net.named_parameters()[0][0] == "body.0.neuron0.w0"


def test_activation_is_the_identity_for_linear_and_names_itself_in_errors() -> None:
    xs = [Value(1.0), 2.0]
    out = Activation("linear")(xs)
    assert out == xs and out[0] is xs[0] and out is not xs  # the inputs themselves, in a new list
    relu = Activation("relu")([Value(-1.0), 2.0])
    assert [v.data for v in relu] == [0.0, 2.0] and all(isinstance(v, Value) for v in relu)
    for bad, message in [(5, "Activation expects a list of numbers or Values, got int 5"),
                         (Value(1.0), "Activation expects a list of numbers or Values, got Value Value(data=1.0, grad=0.0)"),
                         (["a", 1.0], "Activation: input 0 must be a real number, got str 'a'")]:
        for name in ("relu", "linear") if bad == 5 else ("relu",):
            with pytest.raises(TypeError) as caught:
                Activation(name)(bad)
            assert str(caught.value) == message
