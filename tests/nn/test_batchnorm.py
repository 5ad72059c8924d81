"""BatchNorm against torch.nn.BatchNorm1d in float64: outputs, input and parameter gradients and running
averages in training mode, outputs in eval mode; once-only updates under engine.checkpoint; clear errors."""

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

from engine import Value, checkpoint, compile, TraceError
from nn import BatchNorm
from tests.torch_oracle import needs_torch, torch


def ours_and_torch(n, c, momentum, eps, seed):
    rng = random.Random(seed)
    ours = BatchNorm(c, momentum=momentum, eps=eps)
    theirs = torch.nn.BatchNorm1d(c, eps=eps, momentum=momentum, dtype=torch.float64)
    with torch.no_grad():
        for j in range(c):
            g, b = rng.uniform(0.5, 2.0), rng.uniform(-1.0, 1.0)
            ours.gamma[j].data, ours.beta[j].data = g, b
            theirs.weight[j], theirs.bias[j] = g, b
    return ours, theirs, rng


def batch(rng, n, c):
    return [[rng.gauss(0.0, 1.0) * (j + 1) + j for j in range(c)] for _ in range(n)]


@needs_torch
@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(1, 4), st.sampled_from([0.0, 0.1, 0.5, 1.0]), st.sampled_from([1e-5, 1e-3, 0.5]),
       st.integers(0, 10 ** 6))
def test_training_mode_matches_pytorch(n, c, momentum, eps, seed) -> None:
    ours, theirs, rng = ours_and_torch(n, c, momentum, eps, seed)
    for _ in range(2):  # two steps, so the running averages move from where the first left them
        data = batch(rng, n, c)
        weights = [[rng.uniform(-1, 1) for _ in range(c)] for _ in range(n)]
        X = [[Value(v) for v in row] for row in data]
        for p in ours.parameters():
            p.grad = 0.0
        out = ours.forward_batch(X)
        loss = sum((o * w for row, wrow in zip(out, weights) for o, w in zip(row, wrow)), Value(0.0))
        loss.backward()
        x = torch.tensor(data, dtype=torch.float64, requires_grad=True)
        theirs.zero_grad()
        y = theirs(x)
        (y * torch.tensor(weights, dtype=torch.float64)).sum().backward()
        assert [o.data for row in out for o in row] == pytest.approx(y.flatten().tolist(), rel=1e-10, abs=1e-12)
        assert [v.grad for row in X for v in row] == pytest.approx(x.grad.flatten().tolist(), rel=1e-8, abs=1e-10)
        assert [g.grad for g in ours.gamma] == pytest.approx(theirs.weight.grad.tolist(), rel=1e-10, abs=1e-12)
        assert [b.grad for b in ours.beta] == pytest.approx(theirs.bias.grad.tolist(), rel=1e-10, abs=1e-12)
        assert [v.data for v in ours.running_mean] == pytest.approx(theirs.running_mean.tolist(), rel=1e-12)
        assert [v.data for v in ours.running_var] == pytest.approx(theirs.running_var.tolist(), rel=1e-12)


@needs_torch
def test_eval_mode_uses_the_running_averages_as_pytorch_does() -> None:
    ours, theirs, rng = ours_and_torch(5, 3, 0.1, 1e-5, 7)
    for _ in range(4):
        data = batch(rng, 5, 3)
        ours.forward_batch(data)
        theirs(torch.tensor(data, dtype=torch.float64))
    ours.eval()
    theirs.eval()
    sample = [0.3, -1.2, 4.0]
    x = [Value(v) for v in sample]
    out = ours(x)  # one sample at a time works in eval mode
    sum(out, Value(0.0)).backward()
    xt = torch.tensor([sample], dtype=torch.float64, requires_grad=True)
    theirs(xt).sum().backward()
    assert [o.data for o in out] == pytest.approx(theirs(torch.tensor([sample], dtype=torch.float64))[0].tolist(),
                                                  rel=1e-12)
    assert [v.grad for v in x] == pytest.approx(xt.grad[0].tolist(), rel=1e-12)
    before = [v.data for v in ours.running_mean]
    ours.forward_batch([sample, sample])
    assert [v.data for v in ours.running_mean] == before  # eval mode leaves them alone


def test_a_normalised_batch_has_mean_beta_and_standard_deviation_gamma_by_hand() -> None:
    bn = BatchNorm(1, eps=0.0 + 1e-12)
    bn.gamma[0].data, bn.beta[0].data = 3.0, -1.0
    out = [row[0].data for row in bn.forward_batch([[1.0], [2.0], [6.0]])]
    mean = sum(out) / 3
    sd = math.sqrt(sum((o - mean) ** 2 for o in out) / 3)
    assert mean == pytest.approx(-1.0, abs=1e-12) and sd == pytest.approx(3.0, rel=1e-9)
    assert bn.running_mean[0].data == pytest.approx(0.1 * 3.0)  # 0.9 * 0 + 0.1 * mean(1, 2, 6)
    assert bn.running_var[0].data == pytest.approx(0.9 + 0.1 * 7.0)  # unbiased variance of 1, 2, 6 is 7


def test_under_checkpoint_the_running_averages_move_once() -> None:
    plain, kept = BatchNorm(2), BatchNorm(2)
    data = [[1.0, -2.0], [3.0, 0.5], [0.0, 4.0]]

    def flat(bn, *xs):
        rows = bn.forward_batch([list(xs[i:i + 2]) for i in range(0, len(xs), 2)])
        return [v for row in rows for v in row]

    xs = [Value(v) for row in data for v in row]
    sum((o * o for o in flat(plain, *xs)), Value(0.0)).backward()
    want = [v.grad for v in xs]
    xs = [Value(v) for row in data for v in row]
    sum((o * o for o in checkpoint(flat, kept, *xs)), Value(0.0)).backward()  # f runs twice
    assert [v.grad for v in xs] == want
    assert [v.data for v in kept.running_mean + kept.running_var] == \
        [v.data for v in plain.running_mean + plain.running_var]


def test_errors_say_what_was_wrong() -> None:
    bn = BatchNorm(2)
    with pytest.raises(ValueError, match="needs at least 2 samples, got 1. Pass a batch .* or call model.eval"):
        bn([1.0, 2.0])
    with pytest.raises(ValueError, match=r"BatchNorm\(2\) expects samples of 2 features, got \[1.0\]"):
        bn.forward_batch([[1.0], [2.0]])
    with pytest.raises(ValueError, match="momentum must be a number from 0 to 1, got 1.5"):
        BatchNorm(2, momentum=1.5)
    with pytest.raises(ValueError, match="eps must be a positive number, got 0"):
        BatchNorm(2, eps=0)
    with pytest.raises(ValueError, match="BatchNorm's number of features must be a positive whole number, got 0"):
        BatchNorm(0)
    with pytest.raises(TraceError) as e:
        compile(lambda a, b: bn.forward_batch([[a, b], [b, a]])[0][0], 1.0, 2.0)
    assert str(e.value) == ("BatchNorm in training mode updates its running averages at every call, which a "
                            "compiled tape would not; train with fit(compiled=False), or call model.eval() first")
    bn.eval()
    program = compile(lambda a, b: bn([a, b])[0], 1.0, 2.0)  # eval mode is one sample at a time: traceable
    assert program(3.0, 4.0).value == pytest.approx(3.0 / math.sqrt(1.0 + 1e-5))


def test_names_parameters_and_buffers() -> None:
    default = BatchNorm(1)  # scope "bn" unless given (a Sequential renames it by position)
    assert [n for n, _ in default.named_parameters() + default.named_buffers()] == \
        ["bn.gamma0", "bn.beta0", "bn.running_mean0", "bn.running_var0"]
    bn = BatchNorm(2, scope="1")
    assert [n for n, _ in bn.named_parameters()] == ["1.gamma0", "1.gamma1", "1.beta0", "1.beta1"]
    assert [n for n, _ in bn.named_buffers()] == ["1.running_mean0", "1.running_mean1", "1.running_var0",
                                                  "1.running_var1"]
    assert repr(bn) == "BatchNorm(2, momentum=0.1, eps=1e-05)"


@pytest.mark.parametrize("how", ["python", "numpy"])
def test_a_compiled_program_reads_the_running_averages_at_every_call(how) -> None:
    # They were read as numbers while tracing, so baked in: after another checkpoint's averages were loaded, the
    # program gave the old model's output. Now they are read afresh, as the weights are, and get no gradient.
    import engine
    from nn import Activation, Layer, Sequential

    random.seed(0)
    net = Sequential(Layer(2, 3, activation="linear"), BatchNorm(3), Activation("tanh"), Layer(3, 1, activation="linear"))
    net.forward_batch([[0.5, -1.0], [1.0, 2.0], [0.0, 1.0]])  # training mode moves the averages
    net.eval()
    program = engine.compile(lambda a, b: net([a, b]), 0.5, -1.0)
    bn = net.layers[1]
    for k, v in enumerate(bn.running_mean + bn.running_var):
        v.data += 0.1 * (k + 1)  # as loading another checkpoint would
    eager = net([0.5, -1.0])
    eager.backward()
    if how == "python":
        got = program(0.5, -1.0)
        value, grads = got.value, got.param_grads
    else:
        np = pytest.importorskip("numpy")
        got = program.batch(np.array([0.5]), np.array([-1.0]))
        value, grads = got.values[0], got.param_grads
    assert value == pytest.approx(eager.data, rel=1e-12)
    by_value = dict(zip(map(id, program.parameters), list(grads)))
    assert all(by_value[id(v)] == 0.0 for v in bn.running_mean + bn.running_var)  # no gradient reaches them
    assert [by_value[id(p)] for p in net.parameters()] == pytest.approx([p.grad for p in net.parameters()], rel=1e-9)
