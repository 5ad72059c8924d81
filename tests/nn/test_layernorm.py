"""LayerNorm against torch.nn.LayerNorm in float64: outputs, input gradients and the gain's and bias's gradients;
alike in train and eval mode, traceable by compile, saved and loaded, clear errors."""

import random

import pytest
from hypothesis import given, settings, strategies as st

import nn
from engine import Value, compile
from nn import LayerNorm, Layer, Sequential
from tests.torch_oracle import needs_torch, torch


@needs_torch
@settings(max_examples=50, deadline=None)
@given(st.integers(1, 6), st.sampled_from([1e-5, 1e-2, 0.5]), st.integers(0, 10 ** 6))
def test_matches_pytorch_in_float64(n, eps, seed) -> None:
    rng = random.Random(seed)
    data = [rng.gauss(0.0, 2.0) for _ in range(n)]
    gain = [rng.uniform(0.2, 2.0) for _ in range(n)]
    shift = [rng.uniform(-1.0, 1.0) for _ in range(n)]
    upstream = [rng.uniform(-1.0, 1.0) for _ in range(n)]
    ours = LayerNorm(n, eps=eps)
    for p, g in zip(ours.gamma + ours.beta, gain + shift):
        p.data = g
    x = [Value(v) for v in data]
    out = ours(x)
    sum((o * u for o, u in zip(out, upstream)), Value(0.0)).backward()
    theirs = torch.nn.LayerNorm(n, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gain, dtype=torch.float64))
        theirs.bias.copy_(torch.tensor(shift, dtype=torch.float64))
    xt = torch.tensor([data], dtype=torch.float64, requires_grad=True)
    yt = theirs(xt)
    (yt * torch.tensor([upstream], dtype=torch.float64)).sum().backward()
    assert [o.data for o in out] == pytest.approx(yt[0].tolist(), rel=1e-10, abs=1e-12)
    assert [v.grad for v in x] == pytest.approx(xt.grad[0].tolist(), rel=1e-8, abs=1e-10)
    assert [g.grad for g in ours.gamma] == pytest.approx(theirs.weight.grad.tolist(), rel=1e-10, abs=1e-12)
    assert [b.grad for b in ours.beta] == pytest.approx(theirs.bias.grad.tolist(), rel=1e-10, abs=1e-12)


def test_the_same_in_eval_mode_traceable_and_saved_with_a_network(tmp_path) -> None:
    random.seed(0)
    net = Sequential(Layer(3, 4, activation="linear"), LayerNorm(4), Layer(4, 1, activation="linear"))
    x = [0.5, -1.0, 2.0]
    train_out = net(x).data
    assert net.eval()(x).data == train_out
    program = compile(lambda a, b, c: net([a, b, c]), *x)
    assert program(*x).value == pytest.approx(train_out, rel=1e-15)
    net.layers[1].gamma[2].data = 1.5
    net.save(tmp_path / "ln.json")
    loaded = nn.load(tmp_path / "ln.json")
    assert loaded(x).data == net(x).data and repr(loaded.layers[1]) == "LayerNorm(4, eps=1e-05)"
    assert [n for n, _ in net.named_parameters()][16:18] == ["1.gamma0", "1.gamma1"]


def test_errors_say_what_was_wrong() -> None:
    with pytest.raises(ValueError, match=r"LayerNorm\(2\) expects 2 features, got \[1.0\]"):
        LayerNorm(2)([1.0])
    with pytest.raises(ValueError, match="LayerNorm eps must be a positive number, got -1"):
        LayerNorm(2, eps=-1)
    with pytest.raises(ValueError, match="LayerNorm's number of features must be a positive whole number, got 0"):
        LayerNorm(0)


def test_parameters_are_named_ln_unless_told() -> None:
    assert [n for n, _ in LayerNorm(2).named_parameters()] == ["ln.gamma0", "ln.gamma1", "ln.beta0", "ln.beta1"]
    assert LayerNorm(2, scope="norm").named_parameters()[0][0] == "norm.gamma0"
