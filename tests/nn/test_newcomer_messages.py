"""The mistakes of a first session with nn, each refused with a message naming the call, the value and the fix."""

import random
import re

import pytest

from nn import MLP, Layer, Neuron


@pytest.mark.parametrize("nouts", [1, 3, 2.5, "16"], ids=repr)
def test_mlp_with_a_number_for_nouts_asks_for_a_list_of_layer_sizes(nouts: object) -> None:
    size = nouts if isinstance(nouts, int) else 1
    with pytest.raises(TypeError, match=rf"MLP\(nin, nouts\): nouts must be a list of layer sizes such as \[{size}\], "
                                        rf"got {type(nouts).__name__} {nouts!r}\. Write MLP\(2, \[{size}\]\)"):
        MLP(2, nouts)
    random.seed(0)
    assert len(MLP(2, [size]).parameters()) == 3 * size  # the suggested call works: 2 weights and a bias each


def test_a_tuple_or_range_of_sizes_is_still_fine() -> None:
    assert [len(layer.neurons) for layer in MLP(2, (4, 1)).layers] == [4, 1]
    assert [len(layer.neurons) for layer in MLP(2, range(3, 0, -1)).layers] == [3, 2, 1]


def test_a_wrong_number_of_inputs_names_the_layer_and_the_model() -> None:
    with pytest.raises(ValueError, match=r"^layer 0 of MLP\(3, \[4, 1\]\) expects 3 inputs, got 2: \[1.0, 2.0\]$"):
        MLP(3, [4, 1])([1.0, 2.0])


def test_a_long_input_is_shortened_in_the_message() -> None:
    with pytest.raises(ValueError, match=r"expects 3 inputs, got 784: \[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, \.\.\.\]$"):
        MLP(3, [1])([0.5] * 784)


@pytest.mark.parametrize("make, who", [(lambda: MLP(3, [4, 1]), r"layer 0 of MLP\(3, \[4, 1\]\)"),
                                       (lambda: Layer(3, 2), "Layer"), (lambda: Neuron(3), "Neuron")])
def test_a_batch_where_one_sample_belongs_points_to_forward_batch(make, who) -> None:
    random.seed(1)
    model = make()
    X = [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]
    for batch in (X[:1], X, [tuple(x) for x in X]):
        with pytest.raises(TypeError, match=rf"^{who} takes one sample, a list of 3 numbers, got a batch of "
                                            rf"{len(batch)} lists?: .*write model.forward_batch\(X\) "
                                            rf"or \[model\(x\) for x in X\]$"):
            model(batch)
    # The fix does what it says: each sample's output, as calling the model on each.
    assert [repr(o) for o in model.forward_batch(X)] == [repr(model(x)) for x in X]


def test_a_batch_of_one_sample_with_one_input_is_also_caught() -> None:
    # [[1.0]] has the right length for MLP(1, ...): the batch shows up as a list where a number belongs.
    with pytest.raises(TypeError, match=r"layer 0 of MLP\(1, \[2, 1\]\) takes one sample, .*batch of 1 list: "
                                        r"\[\[1.0\]\]\. For the outputs"):
        MLP(1, [2, 1])([[1.0]])


def test_deeper_layers_are_named_by_their_index() -> None:
    model = MLP(2, [3, 1])
    assert [layer.who for layer in model.layers] == ["layer 0 of MLP(2, [3, 1])", "layer 1 of MLP(2, [3, 1])"]
    with pytest.raises(ValueError, match=r"^layer 1 of MLP\(2, \[3, 1\]\) expects 3 inputs, got 2"):
        model.layers[1]([1.0, 2.0])


def test_a_layer_inside_a_sequential_says_which_module_it_is() -> None:
    from nn import Activation, Sequential

    net = Sequential(Layer(3, 4), Activation("tanh"), Layer(4, 1))
    with pytest.raises(ValueError, match=re.escape("module 0 of Sequential, Layer(3, 4), expects 3 inputs, got 2: "
                                                   "[1.0, 2.0]")):
        net([1.0, 2.0])
    with pytest.raises(ValueError, match=re.escape("module 2 of Sequential, Layer(4, 1), expects 4 inputs, got 3")):
        net.layers[2]([1.0, 2.0, 3.0])
