"""MLP(..., checkpoint_every=k): the same outputs and parameter gradients, to the last bit, as the plain
network (the oracle), with far fewer nodes kept; not part of the architecture a checkpoint file saves."""

import random
import struct

import pytest
from hypothesis import given, settings, strategies as st

import nn
from engine import topological_order
from engine.testing import mlps
from nn import MLP


def grad_bits(model):
    return b"".join(struct.pack("<d", p.grad) for p in model.parameters())


@settings(max_examples=30, deadline=None)
@given(mlps(MLP, layers=(1, 7)), st.sampled_from([1, 2, 3, "sqrt"]), st.lists(st.floats(-2, 2), min_size=4, max_size=4))
def test_checkpointed_gradients_are_the_plain_networks_to_the_last_bit(model, every, x) -> None:
    x = x[:len(model.layers[0].neurons[0].w)]

    def loss():
        model.zero_grad()
        out = model(x)
        out = out if not isinstance(out, list) else sum(out[1:], out[0])
        (out * out).backward()
        return struct.pack("<d", out.data), grad_bits(model)

    model.checkpoint_every = None
    plain = loss()
    model.checkpoint_every = every
    assert loss() == plain


def test_only_the_segment_boundaries_are_kept() -> None:
    random.seed(0)
    model = MLP(3, [4] * 8 + [1], activation="tanh", checkpoint_every=3)
    y = model([0.5, -1.0, 2.0])
    kept = [v for v in topological_order(y) if v._prev]
    # 9 layers in segments of 3, 3 and 3: 4 results, 4 results, then the output
    assert [v._op for v in kept] == ["checkpoint"] * 9
    model.checkpoint_every = None
    assert len([v for v in topological_order(model([0.5, -1.0, 2.0])) if v._prev]) == 8 * 4 * 2 + 1


def test_sqrt_rounds_the_square_root_of_the_depth() -> None:
    random.seed(0)
    assert [MLP(1, [2] * (d - 1) + [1], checkpoint_every="sqrt").segment_size for d in (1, 2, 3, 9, 10, 20)] \
        == [1, 1, 2, 3, 3, 4]
    assert MLP(1, [1]).segment_size is None


@pytest.mark.parametrize("bad", [0, -2, 1.5, "half", True])
def test_a_bad_segment_size_is_a_clear_error(bad) -> None:
    with pytest.raises(ValueError, match=r"checkpoint_every \(a number of layers, \"sqrt\" or None\) must be a "
                                         r"positive whole number, got " + repr(bad).replace("(", r"\(")):
        MLP(2, [3, 1], checkpoint_every=bad)


def test_checkpoints_are_not_saved_with_the_architecture(tmp_path) -> None:
    random.seed(0)
    model = MLP(2, [3, 1], checkpoint_every=1)
    model.save(tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert loaded.checkpoint_every is None and "checkpoint_every" not in loaded.config
    assert loaded([0.5, 1.0]).data == model([0.5, 1.0]).data


def test_fit_trains_a_checkpointed_model_as_the_plain_one() -> None:
    X = [[0.1 * i, -0.05 * i] for i in range(12)]
    y = [1.0 if i % 2 else -1.0 for i in range(12)]
    histories = []
    for every, compiled in ((None, False), (2, False), (2, "python")):
        random.seed(3)
        model = MLP(2, [4, 4, 1], activation="tanh", checkpoint_every=every)
        history = nn.fit(model, X, y, nn.losses.mse, nn.SGD(model.parameters(), lr=0.1), 3, batch_size=4,
                         progress=False, compiled=compiled)
        histories.append(history["loss"] + [p.data for p in model.parameters()])
    assert histories[1] == histories[0]  # eager: bit for bit
    assert histories[2] == pytest.approx(histories[0], rel=1e-12)  # compiled traces straight through f
