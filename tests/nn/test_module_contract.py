"""Neuron, Layer and MLP: forward values by hand, initialisations by their formulas, names, reprs and errors."""

import math
import random

import pytest

import nn
from engine import Value, jvp
from nn import MLP, Layer, Module, Neuron
from nn.saving import CheckpointError
from nn.module import as_inputs, initial_weight


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


ACTS = {"relu": lambda x: max(0.0, x), "tanh": math.tanh, "sigmoid": sigmoid,
        "leaky_relu": lambda x: x if x > 0 else 0.01 * x, "linear": lambda x: x}


@pytest.mark.parametrize("activation", sorted(ACTS))
@pytest.mark.parametrize("x", [[1.0, -0.5, 2.0], [-3.0, 0.25, -1.0]])
def test_neuron_forward_by_hand(activation, x) -> None:
    random.seed(7)
    n = Neuron(3, activation=activation)
    n.b.data = 0.3
    s = sum(w.data * xi for w, xi in zip(n.w, x)) + 0.3
    out = n(x)
    assert out.data == pytest.approx(ACTS[activation](s), rel=1e-12, abs=1e-15)
    out.backward()
    h = 1e-6
    slope = (ACTS[activation](s + h) - ACTS[activation](s - h)) / (2 * h)
    assert n.b.grad == pytest.approx(slope, rel=1e-6, abs=1e-9)
    assert [w.grad for w in n.w] == pytest.approx([slope * xi for xi in x], rel=1e-6, abs=1e-9)
    assert n.activation == activation and n.nonlin == (activation != "linear")


def test_neuron_parameters_names_and_scopes() -> None:
    random.seed(0)
    n = Neuron(2)
    assert n.b.data == 0.0 and n.b.label == "b" and [w.label for w in n.w] == ["w0", "w1"]
    assert n.parameters() == n.w + [n.b]
    assert n.named_parameters() == [("neuron.w0", n.w[0]), ("neuron.w1", n.w[1]), ("neuron.b", n.b)]
    assert n.scope == "neuron" and all(p.scope == "neuron" for p in n.parameters())
    assert (n.activation, n.init, n.nonlin) == ("relu", "uniform", True)
    lin = Neuron(2, nonlin=False, activation="not one")  # micrograd's linear neuron ignores the activation
    assert (lin.activation, lin.nonlin) == ("linear", False)
    assert lin([1.0, 1.0]).data == pytest.approx(lin.w[0].data + lin.w[1].data)
    n.set_scope("head")
    assert [name for name, _ in n.named_parameters()] == ["head.w0", "head.w1", "head.b"]
    out = n([1.0, Value(2.0, label="q")])
    summed = out._prev[0] if n.activation != "linear" else out
    assert out.scope == "head" and summed.scope == "head"
    assert [p.label for p in summed._prev] == ["w0", "x0", "w1", "q", "b"]


def test_as_inputs_labels_plain_numbers_and_keeps_values() -> None:
    v = Value(2.0, label="given")
    got = as_inputs([1.0, v, 3], 3, "Neuron")
    assert [g.label for g in got] == ["x0", "given", "x2"]
    assert got[1] is v and [g.data for g in got] == [1.0, 2.0, 3.0]
    assert as_inputs((4.0,), 1, "Layer")[0].data == 4.0


@pytest.mark.parametrize("call, kind, message", [
    (lambda: Neuron(2)(1.0), TypeError, "Neuron expects a list of 2 numbers or Values, got float 1.0"),
    (lambda: Neuron(2)(3), TypeError, "Neuron expects a list of 2 numbers or Values, got int 3"),
    (lambda: Neuron(1)(Value(1.0)), TypeError,
     "Neuron expects a list of 1 numbers or Values, got Value Value(data=1.0, grad=0.0)"),
    (lambda: Neuron(2)([1.0]), ValueError, "Neuron expects 2 inputs, got 1: [1.0]"),
    (lambda: Layer(2, 3)([1.0, 2.0, 3.0]), ValueError, "Layer expects 2 inputs, got 3: [1.0, 2.0, 3.0]"),
    (lambda: Layer(2, 3)(None), TypeError, "Layer expects a list of 2 numbers or Values, got NoneType None"),
    (lambda: MLP(3, [2, 1])([1.0]), ValueError, "layer 0 of MLP(3, [2, 1]) expects 3 inputs, got 1: [1.0]"),
    (lambda: Neuron(0), ValueError, "Neuron's number of inputs must be a positive whole number, got 0"),
    (lambda: Neuron(True), ValueError, "Neuron's number of inputs must be a positive whole number, got True"),
    (lambda: Neuron(2.0), ValueError, "Neuron's number of inputs must be a positive whole number, got 2.0"),
    (lambda: Layer(2, 0), ValueError, "Layer's number of outputs must be a positive whole number, got 0"),
    (lambda: Layer(0, 2), ValueError, "Neuron's number of inputs must be a positive whole number, got 0"),
    (lambda: MLP(0, [1]), ValueError, "MLP's number of inputs must be a positive whole number, got 0"),
    (lambda: MLP(2, []), ValueError, "MLP needs at least one layer size in nouts, got none"),
    (lambda: MLP(2, [3, 0]), ValueError, "Layer's number of outputs must be a positive whole number, got 0"),
    (lambda: Neuron(2, activation="gelu"), ValueError,
     "activation must be one of relu, tanh, sigmoid, leaky_relu, linear; got 'gelu'"),
    (lambda: Neuron(2, init="normal"), ValueError, "init must be one of uniform, xavier, he, pytorch; got 'normal'"),
    (lambda: MLP(2, [1], activation="Tanh"), ValueError,
     "activation must be one of relu, tanh, sigmoid, leaky_relu, linear; got 'Tanh'"),
    (lambda: MLP(2, [1], output_activation="softmax"), ValueError,
     "output_activation must be one of relu, tanh, sigmoid, leaky_relu, linear; got 'softmax'"),
    (lambda: MLP(2, [3, 1], init="glorot"), ValueError, "init must be one of uniform, xavier, he, pytorch; got 'glorot'"),
])
def test_module_errors(call, kind, message) -> None:
    with pytest.raises(kind) as e:
        call()
    assert type(e.value) is kind
    assert str(e.value) == message


def test_generator_inputs_are_refused() -> None:
    with pytest.raises(TypeError, match=r"^Neuron expects a list of 2 numbers or Values, got generator <generator "):
        Neuron(2)(x for x in (1.0, 2.0))


@pytest.mark.parametrize("init, fan_in, fan_out", [("uniform", 3, 4), ("xavier", 3, 5), ("he", 4, 2), ("xavier", 1, 1)])
def test_initial_weights_follow_their_formulas(init, fan_in, fan_out) -> None:
    random.seed(11)
    layer = Layer(fan_in, fan_out, init=init)
    random.seed(11)
    want = []
    for _ in range(fan_out):
        for _ in range(fan_in):
            if init == "uniform":
                want.append(random.uniform(-1.0, 1.0))
            elif init == "xavier":
                bound = math.sqrt(6.0 / (fan_in + fan_out))
                want.append(random.uniform(-bound, bound))
            else:
                want.append(random.gauss(0.0, math.sqrt(2.0 / fan_in)))
    assert [w.data for n in layer.neurons for w in n.w] == pytest.approx(want, rel=1e-12)
    assert all(n.b.data == 0.0 and n.init == init for n in layer.neurons)


def test_initial_weight_ranges() -> None:
    random.seed(3)
    xs = [initial_weight("xavier", 2, 1) for _ in range(2000)]
    assert max(abs(x) for x in xs) <= math.sqrt(2.0) and max(abs(x) for x in xs) > 0.95 * math.sqrt(2.0)
    hs = [initial_weight("he", 8, 1) for _ in range(4000)]
    sd = math.sqrt(sum(h * h for h in hs) / len(hs))
    assert 0.45 < sd < 0.55 and min(hs) < 0 < max(hs)
    us = [initial_weight("uniform", 8, 1) for _ in range(2000)]
    assert -1 <= min(us) < -0.95 and 0.95 < max(us) <= 1


def test_mlp_structure_config_and_calls() -> None:
    random.seed(2)
    model = MLP(2, (3, 2), activation="tanh", init="xavier", output_activation="sigmoid")
    assert model.config == {"nin": 2, "nouts": [3, 2], "activation": "tanh", "init": "xavier",
                            "output_activation": "sigmoid"}
    assert [len(layer.neurons) for layer in model.layers] == [3, 2]
    assert [n.activation for n in model.layers[0].neurons] == ["tanh"] * 3
    assert [n.activation for n in model.layers[1].neurons] == ["sigmoid"] * 2
    assert all(n.init == "xavier" for layer in model.layers for n in layer.neurons)
    assert [layer.scope for layer in model.layers] == ["layer0", "layer1"]
    names = [name for name, _ in model.named_parameters()]
    assert names[:4] == ["layer0.neuron0.w0", "layer0.neuron0.w1", "layer0.neuron0.b", "layer0.neuron1.w0"]
    assert names[-1] == "layer1.neuron1.b" and len(names) == 3 * 3 + 2 * 4
    assert model.parameters() == [p for _, p in model.named_parameters()]
    assert model.layers[0].parameters() == [p for n in model.layers[0].neurons for p in n.parameters()]
    out = model([0.5, -1.0])
    assert isinstance(out, list) and len(out) == 2
    hidden = [math.tanh(sum(w.data * x for w, x in zip(n.w, [0.5, -1.0])) + n.b.data) for n in model.layers[0].neurons]
    want = [sigmoid(sum(w.data * h for w, h in zip(n.w, hidden)) + n.b.data) for n in model.layers[1].neurons]
    assert [o.data for o in out] == pytest.approx(want, rel=1e-12)
    assert [o.scope for o in out] == ["layer1.neuron0", "layer1.neuron1"]
    single = MLP(2, [3, 1])
    assert isinstance(single([1.0, 2.0]), Value)
    assert [n.activation for n in single.layers[0].neurons] == ["relu"] * 3
    assert single.layers[1].neurons[0].activation == "linear"
    assert single.config["init"] == "uniform" and single.config["output_activation"] == "linear"
    lone = Layer(2, 1)
    assert isinstance(lone([1.0, 2.0]), Value) and isinstance(Layer(2, 2)([1.0, 2.0]), list)
    assert lone.scope == "layer" and lone.neurons[0].scope == "layer.neuron0"


def test_xavier_bounds_use_each_layers_fan_out() -> None:
    random.seed(5)
    model = MLP(4, [1, 50], init="xavier")
    # layer 0: fan_in 4, fan_out 1, bound sqrt(6/5); layer 1: fan_in 1, fan_out 50, bound sqrt(6/51)
    first = [w.data for w in model.layers[0].neurons[0].w]
    second = [w.data for n in model.layers[1].neurons for w in n.w]
    assert max(abs(w) for w in second) <= math.sqrt(6 / 51) < 0.35
    random.seed(5)
    bound = math.sqrt(6 / 5)
    assert first == pytest.approx([random.uniform(-bound, bound) for _ in range(4)], rel=1e-12)


def test_reprs() -> None:
    random.seed(0)
    assert [repr(Neuron(2, activation=a)) for a in ("relu", "tanh", "sigmoid", "leaky_relu", "linear")] == [
        "ReLUNeuron(2)", "TanhNeuron(2)", "SigmoidNeuron(2)", "Leaky_reluNeuron(2)", "LinearNeuron(2)"]
    assert repr(Neuron(3, nonlin=False)) == "LinearNeuron(3)"
    assert repr(Layer(2, 2, activation="tanh")) == "Layer of [TanhNeuron(2), TanhNeuron(2)]"
    assert repr(MLP(2, [2, 1])) == "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]"


def test_zero_grad_and_layer_grad_norms() -> None:
    random.seed(4)
    model = MLP(2, [3, 1], activation="tanh")
    out = model([0.5, -0.25])
    out.backward()
    want = [math.sqrt(sum(p.grad ** 2 for p in layer.parameters())) for layer in model.layers]
    assert model.layer_grad_norms() == pytest.approx(want, rel=1e-12) and all(w > 0 for w in want)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters()) and model.layer_grad_norms() == [0.0, 0.0]
    assert Module().parameters() == [] and Module().named_parameters() == []
    n = Neuron(2)
    n.w[0].grad = 3.0
    n.zero_grad()
    assert n.w[0].grad == 0.0


def test_models_work_inside_forward_mode() -> None:
    random.seed(9)
    model = MLP(2, [3, 1], activation="tanh")
    value, slope = jvp(lambda a, b: model([a, b]), (0.5, -1.0), (1.0, 0.0))
    h = 1e-6
    fd = (model([0.5 + h, -1.0]).data - model([0.5 - h, -1.0]).data) / (2 * h)
    assert value.data == pytest.approx(model([0.5, -1.0]).data, rel=1e-12)
    assert slope.data == pytest.approx(fd, rel=1e-6)



def _planes(a, b):
    return [[[a, 1.0, b], [0.5, b, -a], [a * b, 0.2, 1.5]]]


def _steps(a, b):
    return [[a, 1.0], [0.5, b], [b, -a]]


FORWARD_MODE_LAYERS = {  # each layer, and a call of it on entries that hold a and b
    "Conv1d": (lambda: nn.Conv1d(1, 2, 2), lambda m, a, b: m([[a, 1.0, b, 0.5]])),
    "Conv2d": (lambda: nn.Conv2d(1, 2, 2, padding=1), lambda m, a, b: m(_planes(a, b))),
    "MaxPool2d": (lambda: nn.MaxPool2d(2, stride=1), lambda m, a, b: m([[[a, -1, b], [-0.5, b, -a], [a * b, -0.2, -1]]])),
    "AvgPool2d": (lambda: nn.AvgPool2d(2), lambda m, a, b: m(_planes(a, b))),
    "RNN": (lambda: nn.RNN(2, 3), lambda m, a, b: m(_steps(a, b))),
    "LSTM": (lambda: nn.LSTM(2, 3), lambda m, a, b: m(_steps(a, b))),
    "GRU": (lambda: nn.GRU(2, 3), lambda m, a, b: m(_steps(a, b))),
    "LayerNorm": (lambda: nn.LayerNorm(3), lambda m, a, b: m([a, b, 1.0])),
    "BatchNorm": (lambda: nn.BatchNorm(2), lambda m, a, b: m.forward_batch([[a, 1.0], [b, 0.5], [0.3, a]])),
    "MultiHeadAttention": (lambda: nn.MultiHeadAttention(2, 1), lambda m, a, b: m(_steps(a, b))),
    "TransformerBlock": (lambda: nn.TransformerBlock(2, 1, hidden=3, causal=True), lambda m, a, b: m(_steps(a, b))),
}


def _entries(out):
    """Every number in a layer's nested output (a recurrent layer's outputs and its last state), in order."""
    return nn.Flatten()(out)


@pytest.mark.parametrize("name", sorted(FORWARD_MODE_LAYERS))
def test_every_kind_of_layer_works_inside_forward_mode(name) -> None:
    """A dual number among the inputs stays one through the layer (it is not made a Value, nor labelled):
    jvp's tangents are the central differences, output by output."""
    make, call = FORWARD_MODE_LAYERS[name]
    random.seed(5)
    model = make()
    values, tangents = jvp(lambda a, b: _entries(call(model, a, b)), (0.3, -0.7), (1.0, -2.0))
    h = 1e-6
    up, down = (_entries(call(model, Value(0.3 + s * h), Value(-0.7 - 2 * s * h))) for s in (1, -1))
    assert [v.data for v in values] == pytest.approx([v.data for v in _entries(call(model, 0.3, -0.7))], rel=1e-13)
    central = [(u.data - d.data) / (2 * h) for u, d in zip(up, down)]
    assert [getattr(t, "data", t) for t in tangents] == pytest.approx(central, rel=1e-6, abs=1e-8)
    assert any(c != pytest.approx(0.0, abs=1e-3) for c in central)  # the inputs reach the outputs

def test_load_keeps_the_random_stream_and_explains_a_bad_architecture(tmp_path) -> None:
    random.seed(1)
    model = MLP(2, [3, 1], activation="tanh", init="he")
    path = tmp_path / "m.json"
    model.save(str(path))
    random.seed(42)
    expected_next = random.random()
    random.seed(42)
    loaded = MLP.load(path)
    assert random.random() == expected_next
    assert loaded.config == model.config and repr(loaded) == repr(model)
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]
    import json
    doc = json.loads(path.read_text())
    doc["architecture"]["activation"] = "gelu"
    path.write_text(json.dumps(doc))
    random.seed(42)
    with pytest.raises(CheckpointError) as e:
        MLP.load(str(path))
    assert random.random() == expected_next
    assert str(e.value) == (f"{path}: bad architecture {{'nin': 2, 'nouts': [3, 1], 'activation': 'gelu', 'init': 'he', "
                            f"'output_activation': 'linear'}}: activation must be one of relu, tanh, sigmoid, "
                            f"leaky_relu, linear; got 'gelu'")
    doc["architecture"] = {"type": "MLP", "nin": 2, "nouts": [3, 1], "width": 3}
    path.write_text(json.dumps(doc))
    with pytest.raises(CheckpointError) as e:
        MLP.load(str(path))
    assert str(e.value).startswith(f"{path}: bad architecture {{'nin': 2, 'nouts': [3, 1], 'width': 3}}: ")
    assert str(e.value).endswith("got an unexpected keyword argument 'width'")


def test_a_lone_neuron_has_fan_out_one() -> None:
    random.seed(8)
    n = Neuron(3, init="xavier")
    random.seed(8)
    bound = math.sqrt(6.0 / (3 + 1))
    assert [w.data for w in n.w] == pytest.approx([random.uniform(-bound, bound) for _ in range(3)], rel=1e-12)
