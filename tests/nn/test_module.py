"""Neurons, layers and MLPs: micrograd's shapes and semantics, gradients checked numerically."""

import math
import random
import statistics

import pytest

from engine import Value
from nn import MLP, Layer, Module, Neuron
from engine.testing import close, derivative as central_difference


def test_mlp_has_micrograd_parameter_count_and_layout() -> None:
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337 == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1)
    assert [n.nonlin for n in model.layers[0].neurons] == [True] * 16
    assert [n.nonlin for n in model.layers[-1].neurons] == [False]
    assert len({id(p) for p in model.parameters()}) == 337


def test_initialisation_is_reproducible_and_micrograd_like() -> None:
    random.seed(42)
    a = [p.data for p in MLP(3, [4, 2]).parameters()]
    random.seed(42)
    b = [p.data for p in MLP(3, [4, 2]).parameters()]
    assert a == b
    random.seed(42)  # micrograd draws each neuron's weights in order and sets its bias to 0
    expected = []
    for nin, nout in ((3, 4), (4, 2)):
        for _ in range(nout):
            expected += [random.uniform(-1, 1) for _ in range(nin)] + [0.0]
    assert a == expected


def test_output_is_a_value_for_one_output_and_a_list_otherwise() -> None:
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    out = MLP(2, [3, 2])([Value(1.0), 2])
    assert isinstance(out, list) and len(out) == 2 and all(isinstance(v, Value) for v in out)
    assert isinstance(Layer(2, 1)([1.0, 2.0]), Value)
    assert isinstance(Neuron(2)([1.0, 2.0]), Value)


def test_neuron_computes_relu_of_weighted_sum_with_hand_gradients() -> None:
    n = Neuron(3)
    n.w[0].data, n.w[1].data, n.w[2].data, n.b.data = 0.5, -1.0, 2.0, 0.25
    x = [Value(1.0), Value(2.0), Value(3.0)]
    y = n(x)
    assert y.data == 0.5 - 2.0 + 6.0 + 0.25
    y.backward()
    assert [w.grad for w in n.w] == [1.0, 2.0, 3.0] and n.b.grad == 1.0
    assert [xi.grad for xi in x] == [0.5, -1.0, 2.0]
    assert Neuron(3, nonlin=True)([0.0, 0.0, 0.0]).data == 0.0


def test_neuron_inputs_from_numbers_are_labelled() -> None:
    y = Neuron(2)([1.0, 2.0])
    inputs = y._prev[0]._prev[1::2][:2]
    assert [v.label for v in inputs] == ["x0", "x1"]


def test_mlp_gradients_match_central_differences() -> None:
    model = MLP(3, [4, 4, 1])
    X = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-0.2, 0.9, 0.1]]

    def loss() -> Value:
        return sum((model(x) - 1.0) ** 2 for x in X)

    model.zero_grad()
    loss().backward()
    for p in model.parameters()[::5]:
        analytic = p.grad
        saved = p.data

        def at(t: float) -> float:
            p.data = t
            return loss().data

        numeric = central_difference(at, saved)
        p.data = saved
        assert close(analytic, numeric, rel=1e-5), (analytic, numeric)


def test_zero_grad_clears_every_parameter() -> None:
    model = MLP(2, [3, 1])
    model([1.0, 1.0]).backward()
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert Module().parameters() == []


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: MLP(2, [3, 1])([1.0]), ValueError, "expects 2 inputs, got 1"),
        (lambda: Neuron(2)([1.0, 2.0, 3.0]), ValueError, "expects 2 inputs, got 3"),
        (lambda: MLP(2, [3, 1])(1.0), TypeError, "list of 2 numbers"),
        (lambda: MLP(2, [3, 1])(["a", 1.0]), TypeError, "str"),
        (lambda: Neuron(0), ValueError, "got 0"),
        (lambda: Layer(2, 0), ValueError, "got 0"),
        (lambda: MLP(2, []), ValueError, "at least one layer"),
    ],
)
def test_bad_shapes_and_inputs_are_clear_errors(call, error, text) -> None:
    with pytest.raises(error, match=text):
        call()


def test_repr_reads_like_micrograd() -> None:
    assert repr(MLP(2, [2, 1])) == "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]"


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_activations_apply_to_hidden_layers_only(activation: str) -> None:
    model = MLP(2, [3, 2], activation=activation)
    n = model.layers[0].neurons[0]
    x = [0.4, -1.3]
    pre = sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data
    expected = {"relu": max(pre, 0.0), "tanh": math.tanh(pre), "sigmoid": 1 / (1 + math.exp(-pre)),
                "leaky_relu": pre if pre > 0 else 0.01 * pre, "linear": pre}[activation]
    assert n(x).data == pytest.approx(expected, rel=1e-15)
    assert all(not m.nonlin for m in model.layers[-1].neurons)
    assert MLP(2, [3, 1], output_activation="sigmoid").layers[-1].neurons[0].activation == "sigmoid"


def test_initialisations_have_their_scales() -> None:
    import statistics

    random.seed(0)
    xavier = [p.data for p in Layer(200, 100, init="xavier").parameters() if p.label != "b"]
    bound = math.sqrt(6 / 300)
    assert max(abs(w) for w in xavier) <= bound and statistics.pstdev(xavier) == pytest.approx(bound / math.sqrt(3), rel=0.05)
    he = [p.data for p in Layer(200, 100, init="he").parameters() if p.label != "b"]
    assert statistics.pstdev(he) == pytest.approx(math.sqrt(2 / 200), rel=0.05)
    random.seed(5)
    a = [p.data for p in MLP(4, [3, 2], init="he").parameters()]
    random.seed(5)
    assert a == [p.data for p in MLP(4, [3, 2], init="he").parameters()]


def test_named_parameters_and_scopes() -> None:
    model = MLP(2, [3, 1])
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layer0.neuron0.w0", "layer0.neuron0.w1", "layer0.neuron0.b"]
    assert names[-1] == "layer1.neuron0.b" and len(names) == 13
    out = model([1.0, 2.0])
    assert out.scope == "layer1.neuron0"
    assert [v.scope for v in out._prev[1:6:2]] == ["layer0.neuron0", "layer0.neuron1", "layer0.neuron2"]
    hidden = model.layers[0].neurons[2]([1.0, 2.0])
    assert hidden.scope == "layer0.neuron2" and hidden._prev[0].scope == "layer0.neuron2"


def test_layer_grad_norms_by_hand() -> None:
    model = MLP(2, [2, 1], activation="linear")
    model([1.0, 2.0]).backward()
    by_hand = [math.sqrt(sum(p.grad ** 2 for p in layer.parameters())) for layer in model.layers]
    assert model.layer_grad_norms() == pytest.approx(by_hand, rel=1e-15)
    out = model.layers[1].neurons[0]  # the output layer's gradients are its inputs and 1
    h = [n([1.0, 2.0]).data for n in model.layers[0].neurons]
    assert model.layer_grad_norms()[1] == pytest.approx(math.sqrt(h[0] ** 2 + h[1] ** 2 + 1), rel=1e-12)
    assert out.b.grad == 1.0


def test_bad_activation_and_init() -> None:
    with pytest.raises(ValueError, match="activation must be one of"):
        MLP(2, [3, 1], activation="swish")
    with pytest.raises(ValueError, match="init must be one of"):
        MLP(2, [3, 1], init="zeros")


def test_pytorch_init_draws_weights_and_biases_in_its_bound() -> None:
    random.seed(0)
    layer = Layer(400, 30, init="pytorch")
    bound = 1 / 400 ** 0.5
    weights = [w.data for n in layer.neurons for w in n.w]
    biases = [n.b.data for n in layer.neurons]
    assert max(map(abs, weights)) <= bound and max(map(abs, weights)) > 0.99 * bound
    assert max(map(abs, biases)) <= bound and len(set(biases)) == 30  # drawn, not 0
    assert statistics.pstdev(weights) == pytest.approx(bound / 3 ** 0.5, rel=0.02)  # uniform's standard deviation


def test_a_linear_mlps_torch_state_numbers_its_layers_one_apart() -> None:
    """nn.Sequential(Linear, Linear) for a linear MLP, (Linear, act, Linear) otherwise: the keys PyTorch uses."""
    import random as _random

    from nn import MLP

    _random.seed(0)
    linear = [name for name, _, _ in MLP(2, [3, 1], activation="linear").torch_state()]
    tanh = [name for name, _, _ in MLP(2, [3, 1], activation="tanh").torch_state()]
    assert linear == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert tanh == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_a_batch_of_one_is_named_in_the_singular() -> None:
    import random as _random

    import pytest as _pytest

    from nn import MLP

    _random.seed(0)
    model = MLP(2, [1])
    with _pytest.raises(TypeError, match=r"got a batch of 1 list: "):
        model([[1.0, 2.0]])
    with _pytest.raises(TypeError, match=r"got a batch of 2 lists: "):
        model([[1.0, 2.0], [3.0, 4.0]])


def test_train_takes_only_true_or_false_and_says_what_it_got() -> None:
    random.seed(0)
    layer = Layer(1, 1)
    for mode, shown in ((1, "int 1"), (None, "NoneType None"), ("eval", "str 'eval'")):
        with pytest.raises(TypeError) as caught:
            layer.train(mode)
        assert str(caught.value) == f"train(mode) takes True or False, got {shown}"
    assert layer.train(False) is layer and not layer.training
