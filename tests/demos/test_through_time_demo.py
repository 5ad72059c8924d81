"""python -m demos through_time: a tanh RNN's gradient vanishes with the steps back, the LSTM's (forget bias +3)
does not; the per-step norms are those of central differences and of PyTorch; the tiny graph shares its weights."""

import math
import sys

import pytest

from demos import through_time as demo
from nn import RNN
from tests.torch_oracle import needs_torch


@pytest.fixture(scope="module")
def results():
    return demo.measure((10, 20))


def test_the_rnns_gradient_shrinks_with_the_distance_back(results) -> None:
    norms = results["RNN (tanh)"][20]
    assert len(norms) == 20
    # 19 steps back it is under a hundred-thousandth of the last input's, and every 4 steps back it is smaller
    assert norms[-1] < 1e-5 * norms[0]
    assert all(norms[k + 4] < norms[k] for k in range(len(norms) - 4))


def test_the_lstms_gradient_stays_large_at_the_far_end(results) -> None:
    rnn, lstm, closed = (results[name][20] for name in demo.MODELS)
    assert lstm[-1] > 0.1 * lstm[0]  # no vanishing over 20 steps
    assert lstm[-1] > 1e5 * rnn[-1]  # and far above the RNN's at the first input
    assert closed[-1] < 0.01 * lstm[-1]  # without the forget bias the LSTM's gradient shrinks too


def test_the_norms_are_those_of_central_differences_of_the_forward_pass() -> None:
    sequence = demo.inputs(6)
    for name in demo.MODELS[:2]:
        model = demo.build(name)
        got = demo.norms_back(model, sequence)

        def loss(xs):  # the forward pass only, in floats: no backward involved
            return sum(v.data for v in demo.last_hidden(model, xs))

        eps, want = 1e-6, []
        for t in reversed(range(len(sequence))):
            grad = []
            for j in range(len(sequence[t])):
                up = [list(step) for step in sequence]
                down = [list(step) for step in sequence]
                up[t][j] += eps
                down[t][j] -= eps
                grad.append((loss(up) - loss(down)) / (2 * eps))
            want.append(math.sqrt(sum(g * g for g in grad)))
        assert got == pytest.approx(want, rel=1e-6, abs=1e-10), name


@needs_torch
def test_the_per_step_norms_equal_pytorchs() -> None:
    sequence = demo.inputs(12)
    for name in demo.MODELS:
        ours = demo.norms_back(demo.build(name), sequence)
        theirs = demo.torch_norms_back(demo.build(name), sequence)
        assert len(theirs) == 12
        assert demo.relative_gap(ours, theirs) < 1e-12, name


def test_the_tiny_graph_uses_each_weight_at_every_step(tmp_path) -> None:
    path, loss = demo.tiny_graph(tmp_path / "graph.svg")
    assert path.exists() and path.stat().st_size > 0
    nodes, todo = set(), [loss]
    while todo:
        node = todo.pop()
        if id(node) not in {id(n) for n in nodes}:
            nodes.add(node)
            todo.extend(node._prev)
    weights = [v for v in nodes if v.label == "W_hh0_0"]
    assert len(weights) == 1  # one Value, not one per step
    consumers = [n for n in nodes if any(p is weights[0] for p in n._prev)]
    assert len(consumers) == 3  # read at each of the three steps


def test_main_quick_prints_the_table_and_the_comparison_and_writes_its_files(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert demo.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "§10" in out and "RNN (tanh)" in out and "T = 20" in out and "T = 40" not in out
    assert (tmp_path / "out" / "through_time.png").stat().st_size > 0
    assert (tmp_path / "out" / "through_time_graph.svg").stat().st_size > 0
    if "torch" in sys.modules:
        assert "against PyTorch" in out


def test_without_pytorch_the_comparison_is_skipped_with_the_reason(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    assert demo.compare_with_torch(5) is None
    assert "PyTorch is not installed" in capsys.readouterr().out


def test_build_gives_the_lstm_its_forget_bias_and_the_rnn_tanh() -> None:
    rnn, lstm, closed = (demo.build(name) for name in demo.MODELS)
    assert isinstance(rnn, RNN) and rnn.nonlinearity == "tanh"
    H = demo.HIDDEN
    for k in range(4 * H):
        extra = demo.FORGET_BIAS if H <= k < 2 * H else 0.0
        assert lstm.bias_ih[k].data == pytest.approx(closed.bias_ih[k].data + extra, abs=1e-15)
