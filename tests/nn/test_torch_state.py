"""load_torch_state: PyTorch's weights copied in under PyTorch's names give PyTorch's numbers; a mismatch changes
nothing and says what was wrong."""

import math
import random

import pytest

import nn
from nn import MLP, BatchNorm, Embedding, Layer, LayerNorm, Sequential, load_torch_state
from tests.torch_oracle import needs_torch, torch


def _values(module):
    return [p.data for p in module.parameters()]


@needs_torch
@pytest.mark.parametrize("seed", range(3))
def test_an_mlp_with_pytorchs_weights_gives_pytorchs_outputs_and_gradients(seed: int) -> None:
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    random.seed(seed)
    m = load_torch_state(MLP(3, [4, 2], activation="tanh"), net.state_dict())
    x = [0.3, -1.2, 0.7]
    out = m(x)
    (out[0] * out[1]).backward()
    t = net(torch.tensor(x, dtype=torch.float64))
    (t[0] * t[1]).backward()
    assert [o.data for o in out] == pytest.approx(t.tolist(), rel=1e-13)
    assert [w.grad for n in m.layers[0].neurons for w in n.w] == pytest.approx(
        net[0].weight.grad.flatten().tolist(), rel=1e-12)
    assert [n.b.grad for n in m.layers[1].neurons] == pytest.approx(net[2].bias.grad.tolist(), rel=1e-12)


@needs_torch
def test_norms_embeddings_and_a_sequential_take_pytorchs_names() -> None:
    torch.manual_seed(0)
    seq = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3), torch.nn.LayerNorm(3)).double()
    with torch.no_grad():
        seq[1].running_mean.uniform_(-1, 1)
        seq[1].running_var.uniform_(0.5, 2)
        seq[2].weight.uniform_(-1, 1)
    seq.eval()
    random.seed(0)
    ours = load_torch_state(Sequential(Layer(2, 3, activation="linear"), BatchNorm(3), LayerNorm(3)),
                            seq.state_dict()).eval()
    x = [0.5, -2.0]
    assert [v.data for v in ours(x)] == pytest.approx(seq(torch.tensor([x], dtype=torch.float64))[0].tolist(),
                                                     rel=1e-12)
    table = torch.nn.Embedding(5, 3).double()
    emb = load_torch_state(Embedding(5, 3), table.state_dict())
    assert [v.data for v in emb(4)] == table.weight[4].tolist()


def test_a_mismatch_is_a_clear_error_and_changes_nothing() -> None:
    random.seed(0)
    m = MLP(2, [2, 1], activation="tanh")
    before = _values(m)
    good = {"0.weight": [[1.0, 2.0], [3.0, 4.0]], "0.bias": [0.0, 0.0], "2.weight": [[1.0, 1.0]], "2.bias": [0.5]}
    cases = [
        ({k: v for k, v in good.items() if k != "2.bias"}, KeyError, "missing ['2.bias']"),
        ({**good, "4.weight": [[1.0]]}, KeyError, "unexpected ['4.weight']"),
        ({**good, "0.weight": [[1.0, 2.0]]}, ValueError, "0.weight has shape (1, 2), expected (2, 2)"),
        ({**good, "0.weight": [[1.0, 2.0], [3.0]]}, ValueError, "0.weight has shape (2, -1), expected (2, 2)"),
        ({**good, "2.bias": [float("nan")]}, ValueError, "2.bias holds nan"),
        ({**good, "2.bias": ["x"]}, ValueError, "2.bias holds 'x'"),
    ]
    for state, error, words in cases:
        with pytest.raises(error) as e:
            load_torch_state(m, state)
        assert words in str(e.value)
        assert _values(m) == before  # nothing changed
    with pytest.raises(TypeError, match="copies into a chainrule module, got str"):
        load_torch_state("m", good)
    load_torch_state(m, good)
    assert m([1.0, 0.0]).data == pytest.approx(math.tanh(1.0) + math.tanh(3.0) + 0.5)  # by hand


def test_a_graph_that_read_the_old_weights_refuses_its_backward() -> None:
    random.seed(0)
    layer = Layer(1, 1, activation="linear")
    y = layer([2.0])
    load_torch_state(layer, {"weight": [[3.0]], "bias": [0.0]})
    with pytest.raises(RuntimeError):
        y.backward()


@needs_torch
def test_a_nested_sequentials_batch_count_is_ignored_at_any_depth() -> None:
    """PyTorch's ``0.1.num_batches_tracked`` (two dots) has no counterpart: ignored by its last name, as ``1.num_...``."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))).double()
    with torch.no_grad():
        net[0][1].running_var.uniform_(0.5, 2)
    net.eval()
    assert "0.1.num_batches_tracked" in net.state_dict()
    random.seed(0)
    ours = load_torch_state(Sequential(Sequential(Layer(2, 3, activation="linear"), BatchNorm(3))),
                            net.state_dict()).eval()
    x = [0.5, -2.0]
    assert [v.data for v in ours(x)] == pytest.approx(net(torch.tensor([x], dtype=torch.float64))[0].tolist(),
                                                     rel=1e-12)


def test_what_is_not_a_state_dict_and_an_empty_entry_are_named_exactly() -> None:
    random.seed(0)
    layer = Layer(2, 1, activation="linear")
    with pytest.raises(TypeError) as caught:
        load_torch_state(layer, [("weight", [[1.0, 2.0]]), ("bias", [0.0])])
    assert str(caught.value) == "load_torch_state takes a state_dict (a mapping of names to tensors), got list"
    with pytest.raises(ValueError) as caught:
        load_torch_state(layer, {"weight": [], "bias": [0.0]})
    assert str(caught.value) == "load_torch_state: weight has shape (0,), expected (1, 2)"
    with pytest.raises(ValueError) as caught:
        load_torch_state(layer, {"weight": [[]], "bias": [0.0]})
    assert str(caught.value) == "load_torch_state: weight has shape (1, 0), expected (1, 2)"


def test_an_entry_is_detached_before_it_is_read() -> None:
    """Whatever has ``detach`` (a tensor, or a wrapper of one's own) is read through it, as a tensor that
    requires grad must be before ``.numpy()``."""

    class Held:  # hands out its numbers only once detached
        def __init__(self, numbers):
            self.numbers = numbers

        def detach(self):
            return self.numbers

    random.seed(0)
    layer = load_torch_state(Layer(2, 1, activation="linear"), {"weight": Held([[0.5, -1.0]]), "bias": Held([2.0])})
    assert layer([1.0, 1.0]).data == 1.5  # 0.5 - 1 + 2, by hand
