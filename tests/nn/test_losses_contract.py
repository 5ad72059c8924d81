"""Each loss's value and gradient against PyTorch, its edge cases, and its error messages word for word."""

import pytest
torch = pytest.importorskip("torch")  # an oracle, not a dependency: without it this file is skipped
F = pytest.importorskip("torch.nn.functional")

from engine import Value
from nn import losses


def number(x):
    """The loss's number (test_losses_regressions pins that it is a Value)."""
    return x.data if isinstance(x, Value) else x


def grads_of(loss_fn, preds, targets):
    vs = [Value(p) for p in preds]
    out = loss_fn(vs, targets)
    out.backward()
    return out.data, [v.grad for v in vs]


def torch_grads(loss_fn, preds, targets):
    ts = torch.tensor(preds, dtype=torch.float64, requires_grad=True)
    out = loss_fn(ts, torch.tensor(targets, dtype=torch.float64))
    out.backward()
    return out.item(), ts.grad.tolist()


@pytest.mark.parametrize("ours, theirs, preds, targets", [
    (losses.binary_cross_entropy, F.binary_cross_entropy, [0.2, 0.7, 0.4], [0.3, 0.9, 0.5]),
    (losses.binary_cross_entropy, F.binary_cross_entropy, [0.2, 0.7, 0.4], [1.0, 0.0, 0.25]),
    (losses.bce_with_logits, F.binary_cross_entropy_with_logits, [-1.5, 0.3, 2.0], [0.0, 1.0, 0.4]),
    (losses.mse, F.mse_loss, [0.5, -1.0, 2.0], [1.0, 1.0, -0.5]),
    (lambda p, t: losses.mse(p, t, half=True), lambda p, t: 0.5 * F.mse_loss(p, t), [0.5, -1.0], [1.0, 0.25]),
])
def test_losses_match_pytorch(ours, theirs, preds, targets) -> None:
    value, grads = grads_of(ours, preds, targets)
    want, want_grads = torch_grads(theirs, preds, targets)
    assert value == pytest.approx(want, rel=1e-12)
    assert grads == pytest.approx(want_grads, rel=1e-12)


def test_bce_at_the_ends_of_the_probability_range() -> None:
    for p, y in [(0.0, 0), (1.0, 1), (0.0, 0.0), (1.0, 1.0)]:
        v = Value(p)
        out = losses.binary_cross_entropy(v, y)
        out.backward()
        assert out.data == 0.0
        assert v.grad == (1.0 if y == 0 else -1.0)
    assert losses.binary_cross_entropy(Value(0.25), 0).data == pytest.approx(0.2876820724517809, rel=1e-12)
    assert losses.binary_cross_entropy(Value(0.25), 1).data == pytest.approx(1.3862943611198906, rel=1e-12)


def test_soft_targets_and_single_samples() -> None:
    # one plain-number prediction works too
    assert losses.binary_cross_entropy(0.5, 0.5).data == pytest.approx(0.6931471805599453, rel=1e-12)
    assert losses.bce_with_logits(2.0, 1).data == pytest.approx(0.12692801104297263, rel=1e-12)
    assert losses.hinge(0.25, 1).data == 0.75
    probs = losses.softmax([1.0, 2.0])
    assert [p.data for p in probs] == pytest.approx(torch.softmax(torch.tensor([1.0, 2.0], dtype=torch.float64), 0).tolist())
    logp = losses.log_softmax([1.0, 2.0])
    assert [p.data for p in logp] == pytest.approx(
        torch.log_softmax(torch.tensor([1.0, 2.0], dtype=torch.float64), 0).tolist())


def test_cross_entropy_with_soft_targets_matches_pytorch() -> None:
    logits = [0.5, -1.0, 2.0]
    for target in ([0.2, 0.0, 0.8], [0.0, 1.0, 0.0], 2):
        zs = [Value(z) for z in logits]
        out = losses.cross_entropy(zs, target)
        out.backward()
        tz = torch.tensor([logits], dtype=torch.float64, requires_grad=True)
        tt = torch.tensor([target]) if isinstance(target, int) else torch.tensor([target], dtype=torch.float64)
        want = F.cross_entropy(tz, tt)
        want.backward()
        assert out.data == pytest.approx(want.item(), rel=1e-12)
        assert [z.grad for z in zs] == pytest.approx(tz.grad[0].tolist(), rel=1e-12)
    # an all-zero soft target has nothing to average: the loss is 0, not a stray constant
    assert number(losses.cross_entropy([Value(1.0), Value(2.0)], [0, 0])) == 0.0
    assert number(losses.cross_entropy([Value(1.0), Value(2.0)], [0.0, 0.0])) == 0.0


def test_mse_over_a_batch_of_several_outputs() -> None:
    pred = [[Value(1.0), Value(2.0)], [Value(0.0), Value(-1.0)]]
    assert losses.mse(pred, [[0.0, 0.0], [1.0, 1.0]]).data == pytest.approx((1 + 4 + 1 + 4) / 4)


@pytest.mark.parametrize("call, kind, message", [
    (lambda: losses.mse([Value(1.0), Value(2.0)], [1.0]), ValueError, "mse: 2 predictions but 1 targets"),
    (lambda: losses.mse([], []), ValueError, "mse: no predictions"),
    (lambda: losses.mse([[Value(1.0), Value(2.0)]], [[1.0]]), ValueError, "mse: 2 predictions but 1 targets"),
    (lambda: losses.mse([Value(1.0)], [[1.0, 2.0]]), TypeError, "sub operand must be a real number, got list [1.0, 2.0]"),
    (lambda: losses.binary_cross_entropy([Value(0.5)], [1, 0]), ValueError,
     "binary_cross_entropy: 1 predictions but 2 targets"),
    (lambda: losses.binary_cross_entropy(Value(1.5), 1), ValueError,
     "binary_cross_entropy: predictions must be probabilities in [0, 1], got 1.5; for raw scores use bce_with_logits"),
    (lambda: losses.binary_cross_entropy(Value(-0.5), 0), ValueError,
     "binary_cross_entropy: predictions must be probabilities in [0, 1], got -0.5; for raw scores use bce_with_logits"),
    (lambda: losses.binary_cross_entropy(Value(0.5), 1.5), ValueError,
     "binary_cross_entropy: targets must be in [0, 1], got 1.5"),
    (lambda: losses.binary_cross_entropy(Value(0.5), -1), ValueError,
     "binary_cross_entropy: targets must be in [0, 1], got -1"),
    (lambda: losses.bce_with_logits([Value(0.5)], []), ValueError, "bce_with_logits: 1 predictions but 0 targets"),
    (lambda: losses.hinge([Value(0.5)], [1, -1]), ValueError, "hinge: 1 predictions but 2 targets"),
    (lambda: losses.hinge(Value(0.5), 0), ValueError, "hinge: labels must be -1 or +1, got 0"),
    (lambda: losses.cross_entropy([Value(0.5), Value(1.0)], 2), ValueError,
     "cross_entropy: a class label must be an int in [0, 2), got 2"),
    (lambda: losses.cross_entropy([Value(0.5), Value(1.0)], -1), ValueError,
     "cross_entropy: a class label must be an int in [0, 2), got -1"),
    (lambda: losses.cross_entropy([Value(0.5), Value(1.0)], 1.0), ValueError,
     "cross_entropy: a class label must be an int in [0, 2), got 1.0"),
    (lambda: losses.cross_entropy([Value(0.5), Value(1.0)], True), ValueError,
     "cross_entropy: a class label must be an int in [0, 2), got True"),
    (lambda: losses.cross_entropy([Value(0.5), Value(1.0)], [1.0]), ValueError,
     "cross_entropy: target has 1 entries for 2 logits"),
    (lambda: losses.cross_entropy([[Value(0.5), Value(1.0)]], [0, 1]), ValueError,
     "cross_entropy: 1 predictions but 2 targets"),
])
def test_loss_errors(call, kind, message) -> None:
    with pytest.raises(kind) as e:
        call()
    assert type(e.value) is kind
    assert str(e.value) == message
