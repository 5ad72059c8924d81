"""Each update rule pinned against a hand computation of two steps."""

import math

import pytest

from engine import Value
from nn import SGD, Adam, AdamW, CosineLR, LinearWarmup, StepLR, clip_grad_norm
from engine.testing.oracles import TORCH_MISSING


def two_steps(optimizer_class, grads=(0.5, -0.25), w0=1.0, **kwargs):
    w = Value(w0)
    opt = optimizer_class([w], **kwargs)
    seen = []
    for g in grads:
        w.grad = g
        opt.step()
        seen.append(w.data)
    return seen


def test_sgd_plain_momentum_and_weight_decay() -> None:
    assert two_steps(SGD, lr=0.1) == [1.0 - 0.05, 0.95 + 0.025]
    # momentum 0.9: v1 = g1 = 0.5; w1 = 1 - 0.05; v2 = 0.9*0.5 - 0.25 = 0.2; w2 = w1 - 0.02
    w1, w2 = two_steps(SGD, lr=0.1, momentum=0.9)
    assert (w1, w2) == (pytest.approx(0.95), pytest.approx(0.93))
    # weight decay 0.1: g1 = 0.5 + 0.1; w1 = 1 - 0.06 = 0.94; g2 = -0.25 + 0.094; w2 = 0.94 + 0.0156
    w1, w2 = two_steps(SGD, lr=0.1, weight_decay=0.1)
    assert (w1, w2) == (pytest.approx(0.94), pytest.approx(0.9556))


def adam_by_hand(grads, w, lr, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, decoupled=False):
    m = v = 0.0
    out = []
    for t, g in enumerate(grads, 1):
        if decoupled:
            w -= lr * wd * w
        else:
            g += wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w -= lr * (m / (1 - b1 ** t)) / (math.sqrt(v / (1 - b2 ** t)) + eps)
        out.append(w)
    return out


def test_adam_and_adamw_two_steps() -> None:
    got = two_steps(Adam, lr=0.1)
    assert got == pytest.approx(adam_by_hand((0.5, -0.25), 1.0, 0.1), rel=1e-15)
    assert got[0] == pytest.approx(0.9, rel=1e-7)  # the first Adam step moves lr * sign(g)
    assert two_steps(Adam, lr=0.1, weight_decay=0.1) == pytest.approx(adam_by_hand((0.5, -0.25), 1.0, 0.1, wd=0.1))
    assert two_steps(AdamW, lr=0.1, weight_decay=0.1) == pytest.approx(
        adam_by_hand((0.5, -0.25), 1.0, 0.1, wd=0.1, decoupled=True))


def test_against_torch_when_installed() -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    for ours, theirs, kwargs in [(SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
                                 (Adam, torch.optim.Adam, {"lr": 0.1, "weight_decay": 0.01}),
                                 (AdamW, torch.optim.AdamW, {"lr": 0.1, "weight_decay": 0.05})]:
        w = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
        opt = theirs([w], **kwargs)
        expected = []
        for g in (0.5, -0.25, 0.125):
            w.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            expected.append(w.item())
        assert two_steps(ours, grads=(0.5, -0.25, 0.125), **kwargs) == pytest.approx(expected, rel=1e-12)


def test_zero_grad_and_clip_grad_norm() -> None:
    a, b = Value(0.0), Value(0.0)
    a.grad, b.grad = 3.0, 4.0
    assert clip_grad_norm([a, b], 10.0) == 5.0 and (a.grad, b.grad) == (3.0, 4.0)  # under the limit
    assert clip_grad_norm([a, b], 2.5) == 5.0
    assert math.hypot(a.grad, b.grad) == pytest.approx(2.5, rel=1e-6)
    opt = SGD([a, b], lr=0.1)
    opt.zero_grad()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_schedules() -> None:
    opt = SGD([Value(1.0)], lr=1.0)
    step = StepLR(opt, step_size=2, gamma=0.5)
    assert [opt.lr] + [step.step() for _ in range(4)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    opt = SGD([Value(1.0)], lr=1.0)
    cos = CosineLR(opt, total_steps=4, min_lr=0.2)
    lrs = [opt.lr] + [cos.step() for _ in range(5)]
    assert lrs[0] == 1.0 and lrs[2] == pytest.approx(0.6) and lrs[4] == pytest.approx(0.2) and lrs[5] == pytest.approx(0.2)
    opt = SGD([Value(1.0)], lr=1.0)
    warm = LinearWarmup(opt, warmup_steps=4)
    assert [opt.lr] + [warm.step() for _ in range(5)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]


@pytest.mark.parametrize(
    "call, error, text",
    [
        (lambda: SGD([], lr=0.1), ValueError, "no parameters"),
        (lambda: SGD([Value(1.0)], lr=0), ValueError, "lr must be > 0"),
        (lambda: SGD([1.0], lr=0.1), TypeError, "optimizes Values, got float"),
        (lambda: Adam([Value(1.0)], betas=(1.0, 0.9)), ValueError, "betas"),
        (lambda: StepLR(SGD([Value(1.0)], lr=1), step_size=0), ValueError, "step_size"),
    ],
)
def test_bad_arguments(call, error, text) -> None:
    with pytest.raises(error, match=text):
        call()


def test_non_finite_gradient_is_refused_before_any_update() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    a.grad, b.grad = 1.0, math.nan
    with pytest.raises(ValueError, match="gradient of b is nan"):
        SGD([a, b], lr=0.1).step()
    assert (a.data, b.data) == (1.0, 2.0)


@pytest.mark.parametrize("make", [
    lambda ps: SGD(ps, lr=0.1), lambda ps: SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda ps: Adam(ps, lr=0.01, weight_decay=0.1), lambda ps: AdamW(ps, lr=0.01),
], ids=["sgd", "sgd-momentum-decay", "adam-l2", "adamw"])
@pytest.mark.parametrize("n", [5, 1])
def test_the_rule_written_once_updates_floats_and_a_flat_array_identically(make, n) -> None:
    # The same rule on each Value's float and on one array of every parameter, switching paths midway
    # (the state moves with it), gives the same numbers to the last bit.
    import random

    np = pytest.importorskip("numpy")
    rng = random.Random(0)
    values = [Value(rng.uniform(-1, 1)) for _ in range(n)]
    twins = [Value(v.data) for v in values]
    by_value, by_array = make(values), make(twins)
    W = np.array([p.data for p in twins])
    for step in range(6):
        grads = [rng.uniform(-1, 1) for _ in values]
        for p, g in zip(values, grads):
            p.grad = g
        by_value.step()
        if step == 2:  # one step the per-Value way, from the array's numbers
            for p, w, g in zip(twins, W.tolist(), grads):
                p.data, p.grad = w, g
            by_array.step()
            assert all(type(p.data) is float for p in twins)  # the state came back from arrays as floats
            assert all(x is None or type(x) is float for state in by_array.state.values() for x in state)
            W = np.array([p.data for p in twins])
        else:
            W = by_array.step_arrays(W, np.array(grads))
    assert [p.data for p in values] == W.tolist()
    assert all(type(p.data) is float for p in values)


def test_a_non_finite_gradient_in_an_array_is_refused_naming_the_parameter() -> None:
    np = pytest.importorskip("numpy")
    w = [Value(1.0, label="w0"), Value(2.0, label="w1")]
    with pytest.raises(ValueError, match=r"^SGD: the gradient of w1 is nan$"):
        SGD(w, lr=0.1).step_arrays(np.array([1.0, 2.0]), np.array([0.5, float("nan")]))


def test_the_first_momentum_step_keeps_its_own_copy_of_the_gradient() -> None:
    # Found by test_compiled_fit_with_an_optimizer_over_other_parameters...: fit reuses its gradient array, and
    # a velocity that was that very array changed with it.
    np = pytest.importorskip("numpy")
    opt = SGD([Value(1.0), Value(2.0)], lr=0.1, momentum=0.9)
    g = np.array([1.0, -1.0])
    opt.step_arrays(np.array([1.0, 2.0]), g)
    g[:] = 100.0
    assert opt.state["velocity"].tolist() == [1.0, -1.0]


def test_an_array_steps_overflow_names_the_arrays_own_weight() -> None:
    """Optimizer._not_finite: step_arrays says the number it had (the array's), not the Value's stale one."""
    import numpy as _np

    p = Value(1.0, label="w")
    with pytest.raises(OverflowError, match=r"gives -inf \(from 5\.0 with gradient 1e\+300\)"):
        SGD([p], lr=1e10).step_arrays(_np.array([5.0]), _np.array([1e300]))
