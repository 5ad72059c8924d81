"""Optimizers and schedules against PyTorch's update rules, and their argument checks word for word."""

import math
import warnings

import pytest

from engine import Value
from nn import SGD, Adam, AdamW, CosineLR, LinearWarmup, StepLR, clip_grad_norm
from tests.torch_oracle import needs_torch, torch

GRADS = [[0.5, -1.5], [-0.25, 2.0], [1.0, 0.125], [0.75, -0.5]]
START = [1.0, -2.0]


def ours(make, grads=GRADS, start=START):
    ws = [Value(w) for w in start]
    opt = make(ws)
    seen = []
    for gs in grads:
        for w, g in zip(ws, gs):
            w.grad = g
        opt.step()
        seen.append([w.data for w in ws])
    return seen


def theirs(make, grads=GRADS, start=START):
    ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in start]
    opt = make(ws)
    seen = []
    for gs in grads:
        for w, g in zip(ws, gs):
            w.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        seen.append([w.item() for w in ws])
    return seen


@pytest.mark.parametrize("mine, torchs", [
    (lambda p: SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    (lambda p: SGD(p, lr=0.2, momentum=0.5, weight_decay=0.3),
     lambda p: torch.optim.SGD(p, lr=0.2, momentum=0.5, weight_decay=0.3)),
    (lambda p: SGD(p, lr=0.1, weight_decay=0.5), lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.5)),
    (lambda p: Adam(p), lambda p: torch.optim.Adam(p)),
    (lambda p: Adam(p, lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.2),
     lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.9), eps=1e-3, weight_decay=0.2)),
    (lambda p: Adam(p, lr=0.05, betas=(0.0, 0.5)), lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.0, 0.5))),
    (lambda p: AdamW(p), lambda p: torch.optim.AdamW(p)),
    (lambda p: AdamW(p, lr=0.1, betas=(0.7, 0.8), eps=1e-2, weight_decay=0.5),
     lambda p: torch.optim.AdamW(p, lr=0.1, betas=(0.7, 0.8), eps=1e-2, weight_decay=0.5)),
])
@needs_torch
def test_updates_match_pytorch(mine, torchs) -> None:
    got, want = ours(mine), theirs(torchs)
    for a, b in zip(got, want):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)


def test_adam_defaults_are_pytorchs() -> None:
    opt = Adam([Value(1.0)])
    assert (opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay) == (1e-3, 0.9, 0.999, 1e-8, 0.0)
    opt = AdamW([Value(1.0)])
    assert (opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay) == (1e-3, 0.9, 0.999, 1e-8, 1e-2)
    opt = SGD([Value(1.0)], lr=0.5)
    assert (opt.lr, opt.momentum, opt.weight_decay, opt.steps) == (0.5, 0.0, 0.0, 0)


def test_step_counts_and_zero_grad() -> None:
    ws = [Value(1.0, label="a"), Value(2.0, label="b")]
    opt = SGD(ws, lr=0.5)
    for w in ws:
        w.grad = 1.0
    opt.step()
    opt.step()
    assert opt.steps == 2
    assert [w.data for w in ws] == [0.0, 1.0]
    opt.zero_grad()
    assert [w.grad for w in ws] == [0.0, 0.0]
    assert opt.params == ws and isinstance(opt.params, list)
    assert type(opt.lr) is float and SGD(ws, lr=1).lr == 1.0


def test_a_grad_from_create_graph_is_read_as_its_number() -> None:
    x = Value(3.0)
    (x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value)
    SGD([x], lr=0.5).step()
    assert x.data == 0.0  # 3 - 0.5 * 6
    y = Value(1.0)
    (y * -2.0).backward(create_graph=True)  # a grad that is a Value (assigning one by hand is refused)
    clip_grad_norm([y], 10.0)
    assert y.grad.data == -2.0


def test_a_bad_gradient_changes_nothing_and_names_the_parameter() -> None:
    good, bad = Value(1.0, label="w0"), Value(2.0, label="w1")
    bad.scope = "layer0.neuron1"
    good.grad, bad.grad = 0.5, float("nan")
    opt = SGD([good, bad], lr=0.1)
    with pytest.raises(ValueError) as e:
        opt.step()
    assert str(e.value) == "SGD: the gradient of layer0.neuron1.w1 is nan"
    assert (good.data, bad.data, opt.steps) == (1.0, 2.0, 0)
    plain = Value(1.0)
    plain.grad = float("inf")
    with pytest.raises(ValueError) as e:
        Adam([plain]).step()
    assert str(e.value) == "Adam: the gradient of a parameter is inf"
    labelled = Value(1.0, label="bias")
    labelled.grad = float("-inf")
    with pytest.raises(ValueError) as e:
        clip_grad_norm([labelled], 1.0)
    assert str(e.value) == "clip_grad_norm: the gradient of bias is -inf"
    with pytest.raises(ValueError) as e:
        AdamW([labelled]).step()
    assert str(e.value) == "AdamW: the gradient of bias is -inf"


@pytest.mark.parametrize("make, kind, message", [
    (lambda: SGD([], lr=0.1), ValueError, "SGD got no parameters to optimize"),
    (lambda: Adam(iter([])), ValueError, "Adam got no parameters to optimize"),
    (lambda: AdamW([]), ValueError, "AdamW got no parameters to optimize"),
    (lambda: clip_grad_norm([], 1.0), ValueError, "clip_grad_norm got no parameters to optimize"),
    (lambda: SGD([Value(1.0), 2.0], lr=0.1), TypeError, "SGD optimizes Values, got float"),
    (lambda: clip_grad_norm([Value(1.0), "w"], 1.0), TypeError, "clip_grad_norm optimizes Values, got str"),
    (lambda: SGD([Value(1.0)], lr=0), ValueError, "lr must be > 0, got 0"),
    (lambda: SGD([Value(1.0)], lr=-0.1), ValueError, "lr must be > 0, got -0.1"),
    (lambda: SGD([Value(1.0)], lr=True), ValueError, "lr must be > 0, got True"),
    (lambda: SGD([Value(1.0)], lr="0.1"), ValueError, "lr must be > 0, got '0.1'"),
    (lambda: SGD([Value(1.0)], lr=float("nan")), ValueError, "lr must be > 0, got nan"),
    (lambda: SGD([Value(1.0)], lr=float("inf")), ValueError, "lr must be > 0, got inf"),
    (lambda: SGD([Value(1.0)], lr=0.1, momentum=-0.5), ValueError, "momentum must be >= 0, got -0.5"),
    (lambda: SGD([Value(1.0)], lr=0.1, weight_decay=-1), ValueError, "weight_decay must be >= 0, got -1"),
    (lambda: Adam([Value(1.0)], eps=0.0), ValueError, "eps must be > 0, got 0.0"),
    (lambda: Adam([Value(1.0)], weight_decay=-0.1), ValueError, "weight_decay must be >= 0, got -0.1"),
    (lambda: Adam([Value(1.0)], betas=(1.0, 0.999)), ValueError, "betas must be in [0, 1), got (1.0, 0.999)"),
    (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "betas must be in [0, 1), got (0.9, 1.0)"),
    (lambda: Adam([Value(1.0)], betas=(-0.1, 0.9)), ValueError, "betas must be in [0, 1), got (-0.1, 0.9)"),
    (lambda: Adam([Value(1.0)], betas=(0.9, -0.1)), ValueError, "betas must be in [0, 1), got (0.9, -0.1)"),
    (lambda: clip_grad_norm([Value(1.0)], 0), ValueError, "max_norm must be > 0, got 0"),
])
def test_argument_errors(make, kind, message) -> None:
    with pytest.raises(kind) as e:
        make()
    assert type(e.value) is kind
    assert str(e.value) == message


def test_zero_momentum_and_weight_decay_are_allowed() -> None:
    SGD([Value(1.0)], lr=0.1, momentum=0, weight_decay=0.0)
    Adam([Value(1.0)], betas=(0.0, 0.0), weight_decay=0)


@needs_torch
def test_clip_grad_norm_matches_pytorch() -> None:
    for grads, max_norm in [([3.0, 4.0], 1.0), ([0.3, -0.4], 0.1), ([1.0, 2.0, 2.0], 2.5), ([0.6, 0.8], 5.0)]:
        ws = [Value(0.0) for _ in grads]
        for w, g in zip(ws, grads):
            w.grad = g
        ts = [torch.zeros((), dtype=torch.float64, requires_grad=True) for _ in grads]
        for t, g in zip(ts, grads):
            t.grad = torch.tensor(g, dtype=torch.float64)
        want_total = torch.nn.utils.clip_grad_norm_(ts, max_norm).item()
        assert clip_grad_norm(ws, max_norm) == pytest.approx(want_total, rel=1e-12)
        assert [w.grad for w in ws] == pytest.approx([t.grad.item() for t in ts], rel=1e-12)
    # the 1e-6 guard is added to the norm, as PyTorch does: 5 -> 1 scales by 1 / (5 + 1e-6)
    a, b = Value(0.0), Value(0.0)
    a.grad, b.grad = 3.0, 4.0
    clip_grad_norm([a, b], 1.0)
    assert a.grad == pytest.approx(3.0 / (5.0 + 1e-6), rel=1e-13)
    assert a.grad != pytest.approx(3.0 / (5.0 - 1e-6), rel=1e-13)


def lrs(schedule_class, steps, lr=0.5, **kwargs):
    opt = SGD([Value(1.0)], lr=lr)
    s = schedule_class(opt, **kwargs)
    seen = [opt.lr]
    for _ in range(steps):
        assert s.step() == opt.lr
        seen.append(opt.lr)
    return seen


def torch_lrs(make, steps, lr=0.5):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    s = make(opt)
    seen = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        s.step()
        seen.append(opt.param_groups[0]["lr"])
    return seen


@pytest.mark.parametrize("mine, theirs", [
    (dict(schedule_class=StepLR, step_size=2), lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2)),
    (dict(schedule_class=StepLR, step_size=1, gamma=0.5),
     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.5)),
    (dict(schedule_class=CosineLR, total_steps=4),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4)),
    (dict(schedule_class=CosineLR, total_steps=5, min_lr=0.1),
     lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.1)),
    (dict(schedule_class=LinearWarmup, warmup_steps=4, start_factor=0.5),
     lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.5, total_iters=4)),
    (dict(schedule_class=LinearWarmup, warmup_steps=3, start_factor=0.25),
     lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=3)),
])
@needs_torch
def test_schedules_match_pytorch(mine, theirs) -> None:
    kwargs = dict(mine)
    cls = kwargs.pop("schedule_class")
    steps = 6
    got = lrs(cls, steps, **kwargs)
    want = torch_lrs(theirs, steps)
    if cls is CosineLR:  # PyTorch's cosine keeps going past T_max; ours stays at the minimum
        total = kwargs["total_steps"]
        want = want[:total + 1] + [want[total]] * (steps - total)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-15)


def test_schedule_edges_and_defaults() -> None:
    assert lrs(StepLR, 3, step_size=1) == pytest.approx([0.5, 0.05, 0.005, 0.0005])
    assert lrs(CosineLR, 2, total_steps=1) == pytest.approx([0.5, 0.0, 0.0], abs=1e-15)
    assert lrs(CosineLR, 2, total_steps=2, min_lr=0) == pytest.approx([0.5, 0.25, 0.0], abs=1e-15)
    assert lrs(LinearWarmup, 2, warmup_steps=1) == [0.0, 0.5, 0.5]
    assert lrs(LinearWarmup, 2, warmup_steps=2, start_factor=1) == [0.5, 0.5, 0.5]
    assert lrs(LinearWarmup, 2, warmup_steps=2, start_factor=0) == [0.0, 0.25, 0.5]


@pytest.mark.parametrize("make, message", [
    (lambda o: StepLR(o, 0), "step_size must be a positive whole number, got 0"),
    (lambda o: StepLR(o, 2.0), "step_size must be a positive whole number, got 2.0"),
    (lambda o: StepLR(o, 2, gamma=0), "gamma must be > 0, got 0"),
    (lambda o: StepLR(o, 2, gamma=-1.0), "gamma must be > 0, got -1.0"),
    (lambda o: CosineLR(o, 0), "total_steps must be a positive whole number, got 0"),
    (lambda o: CosineLR(o, 2.5), "total_steps must be a positive whole number, got 2.5"),
    (lambda o: CosineLR(o, 3, min_lr=-0.1), "min_lr must be >= 0, got -0.1"),
    (lambda o: LinearWarmup(o, 0), "warmup_steps must be a positive whole number, got 0"),
    (lambda o: LinearWarmup(o, 1.5), "warmup_steps must be a positive whole number, got 1.5"),
    (lambda o: LinearWarmup(o, 3, start_factor=1.5), "start_factor must be in [0, 1], got 1.5"),
    (lambda o: LinearWarmup(o, 3, start_factor=-0.5), "start_factor must be in [0, 1], got -0.5"),
])
def test_schedule_argument_errors(make, message) -> None:
    opt = SGD([Value(1.0)], lr=0.5)
    with pytest.raises(ValueError) as e:
        make(opt)
    assert str(e.value) == message
    assert opt.lr == 0.5


def test_schedule_keeps_its_count_and_base() -> None:
    opt = SGD([Value(1.0)], lr=0.4)
    s = StepLR(opt, 2)
    assert (s.base_lr, s.count, s.optimizer) == (0.4, 0, opt)
    s.step()
    s.step()
    s.step()
    assert s.count == 3 and s.base_lr == 0.4
    assert opt.lr == pytest.approx(0.04)
    assert math.isclose(s.factor(4), 0.01)


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=10.0), lambda ps: SGD(ps, lr=10.0, momentum=0.9),
                                  lambda ps: Adam(ps, lr=1e308)])
def test_an_update_that_overflows_changes_nothing_and_names_the_parameter(make) -> None:
    first, big = Value(1.0, label="first"), Value(1e308, label="big")
    first.grad, big.grad = 1.0, -1e308  # big's step overflows (SGD: inf; Adam: inf - inf)
    optimizer = make([first, big])
    with pytest.raises(OverflowError, match=r"the update of big gives (inf|nan) .*nothing was changed: try a smaller lr"):
        optimizer.step()
    assert (first.data, big.data, optimizer.steps) == (1.0, 1e308, 0)  # the parameter before it untouched too
    big.grad = 0.0
    optimizer.step()  # a step that fits goes on as if the failed one never happened
    assert optimizer.steps == 1 and first.data < 1.0 and big.data == 1e308


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=10.0, momentum=0.9), lambda ps: Adam(ps, lr=1e308)])
def test_the_array_step_refuses_an_overflow_and_keeps_its_state(make) -> None:
    np = pytest.importorskip("numpy")
    first, big = Value(1.0, label="first"), Value(1e308, label="big")
    optimizer = make([first, big])
    w = optimizer.step_arrays(np.array([1.0, 1e308]), np.array([0.0, 0.0]))  # a step that fits: state made
    state = {name: None if v is None else v.copy() for name, v in optimizer.state.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused by name, with no NumPy warning before it
        with pytest.raises(OverflowError, match=r"the update of big gives (inf|nan) .*nothing was changed"):
            optimizer.step_arrays(w, np.array([0.0, -1e308]))
    assert optimizer.steps == 1
    assert all(np.array_equal(optimizer.state[k], v) for k, v in state.items())  # the state as it was


def test_compiled_fit_that_overflows_names_the_parameter_and_leaves_the_model_whole() -> None:
    pytest.importorskip("numpy")
    import random

    from nn import MLP, fit, losses

    random.seed(0)
    model = MLP(2, [1], activation="linear")
    before = [p.data for p in model.parameters()]
    with pytest.raises(OverflowError, match=r"SGD: the update of layer0\.neuron0\.w\d gives inf .*try a smaller lr"):
        fit(model, [[1e-6, 1e3]], [1e5], losses.mse, SGD(model.parameters(), lr=1e305), 2, progress=False,
            compiled=True)
    assert [p.data for p in model.parameters()] == before  # the first step already overflowed: nothing written
