"""python -m demos dying_relu (The Backpropagation Algorithm, lines 310-319): with
every hidden bias at -5 no ReLU unit fires, no
hidden weight moves at all and fit warns; leaky ReLU's slope passes a gradient and the units come back."""

import random

import numpy as np

import nn
from demos import dying_relu as demo
from nn import MLP


def test_dead_units_are_those_no_input_fires_by_numpy() -> None:
    X, _ = nn.data.moons(demo.SAMPLES, noise=0.1, seed=demo.SEED)
    random.seed(4)
    model = MLP(2, [5, 4, 1], activation="relu", init="he")
    model.layers[0].neurons[2].b.data = -50.0  # this one never fires
    h = np.array(X)
    dead = 0
    for layer in model.layers[:-1]:
        W = np.array([[w.data for w in n.w] for n in layer.neurons])
        b = np.array([n.b.data for n in layer.neurons])
        h = np.maximum(h @ W.T + b, 0.0)
        dead += int((h.max(axis=0) <= 0).sum())
    assert demo.dead_units(model, X) == dead >= 1


def test_relu_stays_dead_with_its_hidden_weights_untouched_and_leaky_relu_recovers() -> None:
    relu, leaky = demo.train("relu", epochs=15), demo.train("leaky_relu", epochs=15)
    assert relu.dead_before == relu.dead_after == leaky.dead_before == 32
    assert relu.warned and not leaky.warned
    assert relu.moved == 0.0 and leaky.moved > 0.1  # no gradient reaches a dead unit's weights: not one bit moves
    assert abs(relu.losses[-1] - np.log(2)) < 0.01  # chance: only the output bias can move
    assert leaky.dead_after < 16 and leaky.losses[-1] < 0.5 * leaky.losses[0]


def test_the_demo_prints_both_and_draws_them(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path), "--epochs", "3"]) == 0
    out = capsys.readouterr().out
    assert "relu                   32 of 32     32" in out and "yes" in out
    assert (tmp_path / "dying_relu.png").read_bytes()[:4] == b"\x89PNG"
