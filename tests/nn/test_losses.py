"""Losses against hand formulas and the identities of their gradients."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from engine import Value
from nn import losses
from engine.testing import close, floats_in

logits = st.lists(floats_in((-30, 30)), min_size=2, max_size=6)


@given(logits)
def test_softmax_sums_to_one_and_matches_the_formula(zs) -> None:
    ps = [p.data for p in losses.softmax([Value(z) for z in zs])]
    assert close(sum(ps), 1.0, rel=1e-12)
    m = max(zs)
    by_hand = [math.exp(z - m) / sum(math.exp(w - m) for w in zs) for z in zs]
    assert all(close(p, q, rel=1e-12, floor=1e-300) for p, q in zip(ps, by_hand))


@given(logits, st.data())
def test_cross_entropy_gradient_is_softmax_minus_onehot(zs, data) -> None:
    label = data.draw(st.integers(0, len(zs) - 1))
    vs = [Value(z) for z in zs]
    losses.cross_entropy(vs, label).backward()
    ps = [p.data for p in losses.softmax([Value(z) for z in zs])]
    for i, v in enumerate(vs):
        assert close(v.grad, ps[i] - (i == label), rel=1e-9, floor=1e-12)


@given(logits, st.data())
def test_one_hot_and_index_targets_agree(zs, data) -> None:
    label = data.draw(st.integers(0, len(zs) - 1))
    onehot = [1.0 if i == label else 0.0 for i in range(len(zs))]
    a = losses.cross_entropy([Value(z) for z in zs], label).data
    b = losses.cross_entropy([Value(z) for z in zs], onehot).data
    assert close(a, b, rel=1e-12)


@given(floats_in((-30, 30)), st.sampled_from([0, 1]))
def test_sigmoid_plus_bce_gradient_is_sigmoid_minus_target(z, y) -> None:
    s = 1 / (1 + math.exp(-z))
    v = Value(z)
    losses.bce_with_logits(v, y).backward()
    assert close(v.grad, s - y, rel=1e-9, floor=1e-12)
    w = Value(z)
    if 1e-12 < s < 1 - 1e-12:  # the probability form needs log(s) and log(1 - s) finite
        losses.binary_cross_entropy(w.sigmoid(), y).backward()
        assert close(w.grad, s - y, rel=1e-6, floor=1e-9)


def test_extreme_logits_give_finite_losses_and_gradients() -> None:
    zs = [Value(1000.0), Value(-1000.0), Value(0.0)]
    loss = losses.cross_entropy(zs, 1)
    loss.backward()
    assert close(loss.data, 2000.0, rel=1e-12)
    assert [z.grad for z in zs] == [1.0, -1.0, 0.0]  # softmax (1, 0, e^-1000) minus onehot
    assert all(math.isfinite(z.grad) for z in zs)
    v = Value(-1000.0)
    b = losses.bce_with_logits(v, 1)
    b.backward()
    assert (b.data, v.grad) == (1000.0, -1.0)
    assert [round(p.data, 12) for p in losses.log_softmax([Value(1000.0), Value(1000.0)])] == [-0.693147180560] * 2


def test_batches_are_averaged() -> None:
    batch = [[Value(1.0), Value(0.0)], [Value(0.0), Value(2.0)]]
    want = (math.log(1 + math.exp(-1)) + math.log(1 + math.exp(-2))) / 2
    assert close(losses.cross_entropy(batch, [0, 1]).data, want, rel=1e-12)


def test_mse_hinge_and_bce_by_hand() -> None:
    p = [Value(1.0), Value(3.0)]
    loss = losses.mse(p, [0.0, 1.0])
    loss.backward()
    assert loss.data == 2.5 and [v.grad for v in p] == [1.0, 2.0]  # 2 (p - t) / n
    half = [Value(1.0), Value(3.0)]
    losses.mse(half, [0.0, 1.0], half=True).backward()
    assert [v.grad for v in half] == [0.5, 1.0]
    assert losses.hinge([Value(0.5), Value(-2.0), Value(0.2)], [1, -1, -1]).data == pytest.approx((0.5 + 0 + 1.2) / 3)
    assert close(losses.binary_cross_entropy([Value(0.8), Value(0.3)], [1, 0]).data,
                 -(math.log(0.8) + math.log(0.7)) / 2, rel=1e-12)
    assert losses.binary_cross_entropy(Value(1.0), 1).data == 0.0  # no log(0) for the unused term


@pytest.mark.parametrize(
    "call, text",
    [
        (lambda: losses.cross_entropy([Value(1.0), Value(2.0)], 2), r"int in \[0, 2\), got 2"),
        (lambda: losses.cross_entropy([Value(1.0)], [1.0, 0.0]), "2 entries for 1 logits"),
        (lambda: losses.binary_cross_entropy(Value(1.5), 1), "probabilities in \\[0, 1\\], got 1.5"),
        (lambda: losses.hinge(Value(1.0), 0), "-1 or \\+1, got 0"),
        (lambda: losses.mse([Value(1.0)], [1.0, 2.0]), "1 predictions but 2 targets"),
    ],
)
def test_bad_inputs(call, text) -> None:
    with pytest.raises(ValueError, match=text):
        call()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-20.0, 20.0), min_size=1, max_size=6), st.data())
def test_the_softmax_jacobian_is_diag_s_minus_s_s_transposed_and_cross_entropy_gives_s_minus_y(z, data) -> None:
    # Chapter 16: Backpropagation -- The Complete Derivation, exercise 16.4: the softmax Jacobian,
    # and (BP1) for a softmax output under cross-entropy
    from engine import grad, jacobian

    top = max(z)
    e = [math.exp(v - top) for v in z]
    s = [v / math.fsum(e) for v in e]
    J = jacobian(losses.softmax)(z)
    for i in range(len(z)):
        for j in range(len(z)):
            # to rounding: logsumexp's last bit, amplified where s_i is near 1, is a few 1e-16 absolute
            assert J[i][j].data == pytest.approx((s[i] if i == j else 0.0) - s[i] * s[j], abs=1e-14, rel=1e-12)
    label = data.draw(st.integers(0, len(z) - 1))
    delta = grad(lambda v: losses.cross_entropy(v, label))(z)
    assert [d.data for d in delta] == pytest.approx([p - (k == label) for k, p in enumerate(s)], abs=1e-14, rel=1e-12)
