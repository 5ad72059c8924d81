"""fit against gradient descent by hand, its history, batches, schedules, warnings, progress bar, compiled replays and errors."""

import math
import random
import warnings

import pytest

from engine import Value
from nn import MLP, SGD, DeadNetworkWarning, StepLR, accuracy, fit, losses
from nn.data import blobs
from nn.train import DEAD_NETWORK, predict_label

X = [[0.5], [-1.0], [2.0], [1.5], [-0.5]]
Y = [1.0, -0.5, 2.5, 1.0, 0.0]


def linear_model(w=0.3, b=-0.2):
    random.seed(0)
    m = MLP(1, [1])
    m.layers[0].neurons[0].w[0].data = w
    m.layers[0].neurons[0].b.data = b
    return m


def torch_history(batches_per_epoch, lr, epochs, gamma=None, w=0.3, b=-0.2):
    """Plain gradient descent on mean((w x + b - y)^2), the derivatives worked out by hand."""
    history = []
    for epoch in range(epochs):
        total = 0.0
        for batch in batches_per_epoch(epoch):
            errs = [(w * X[i][0] + b - Y[i], X[i][0]) for i in batch]
            loss = sum(e * e for e, _ in errs) / len(batch)
            dw = sum(2 * e * x for e, x in errs) / len(batch)
            db = sum(2 * e for e, _ in errs) / len(batch)
            w, b = w - lr * dw, b - lr * db
            total += loss * len(batch)
        history.append(total / len(X))
        if gamma:
            lr *= gamma
    return history, w, b


def test_full_batch_matches_gradient_descent_by_hand() -> None:
    m = linear_model()
    opt = SGD(m.parameters(), lr=0.1)
    h = fit(m, X, Y, losses.mse, opt, epochs=4, progress=False)
    want, w, b = torch_history(lambda e: [list(range(5))], 0.1, 4)
    assert h["loss"] == pytest.approx(want, rel=1e-12)
    assert [p.data for p in m.parameters()] == pytest.approx([w, b], rel=1e-12)
    assert list(h) == ["loss", "accuracy", "seconds"] and all(a != a for a in h["accuracy"])  # regression: nan


def test_mini_batches_follow_the_seeded_shuffle_and_the_schedule() -> None:
    for seed, size in [(0, 2), (3, 2), (1, 1)]:
        m = linear_model()
        opt = SGD(m.parameters(), lr=0.05)
        h = fit(m, X, Y, losses.mse, opt, epochs=3, batch_size=size, seed=seed, progress=False,
                schedule=StepLR(opt, step_size=1, gamma=0.5))
        rng = random.Random(seed)
        orders = []
        for _ in range(3):
            order = list(range(5)) if not orders else list(orders[-1])
            rng.shuffle(order)
            orders.append(order)
        want, w, b = torch_history(lambda e: [orders[e][k:k + size] for k in range(0, 5, size)], 0.05, 3, gamma=0.5)
        assert h["loss"] == pytest.approx(want, rel=1e-12)
        assert [p.data for p in m.parameters()] == pytest.approx([w, b], rel=1e-12)
        assert opt.lr == pytest.approx(0.05 / 8)


def test_no_shuffle_keeps_the_order() -> None:
    m = linear_model()
    h = fit(m, X, Y, losses.mse, SGD(m.parameters(), lr=0.05), epochs=2, batch_size=2, shuffle=False, progress=False)
    want, w, b = torch_history(lambda e: [[0, 1], [2, 3], [4]], 0.05, 2)
    assert h["loss"] == pytest.approx(want, rel=1e-12)
    m = linear_model()
    h = fit(m, X, Y, losses.mse, SGD(m.parameters(), lr=0.05), epochs=2, batch_size=5, progress=False)
    want, w, b = torch_history(lambda e: [[0, 1, 2, 3, 4]], 0.05, 2)
    assert h["loss"] == pytest.approx(want, rel=1e-12)


def test_accuracy_history_and_validation() -> None:
    Xc, yc = blobs(20, centers=2, std=0.3, seed=1)
    random.seed(0)
    m = MLP(2, [4, 2], activation="tanh")
    h = fit(m, Xc[:15], yc[:15], losses.cross_entropy, SGD(m.parameters(), lr=0.2), epochs=3, batch_size=4,
            val=(Xc[15:], yc[15:]), progress=False)
    assert list(h) == ["loss", "accuracy", "val_loss", "val_accuracy", "seconds"]
    outs = [m(x) for x in Xc[15:]]
    assert h["val_loss"][-1] == pytest.approx(losses.cross_entropy(outs, yc[15:]).data, rel=1e-12)
    assert h["val_accuracy"][-1] == accuracy(outs, yc[15:])
    assert all(0.0 <= a <= 1.0 for a in h["accuracy"]) and h["accuracy"][-1] == 1.0
    # regression targets with a validation set: accuracies are nan
    m = linear_model()
    h = fit(m, X, Y, losses.mse, SGD(m.parameters(), lr=0.1), epochs=1, val=(X[:2], Y[:2]), progress=False)
    assert h["val_accuracy"][0] != h["val_accuracy"][0]
    assert h["val_loss"][0] == pytest.approx(losses.mse([m(x) for x in X[:2]], Y[:2]).data, rel=1e-12)


def test_training_accuracy_is_weighted_by_batch() -> None:
    # one output, labels 0/1: accuracy before each step; a dead constant model scores the share of label 0
    random.seed(0)
    m = MLP(1, [1])
    m.layers[0].neurons[0].w[0].data = 0.0
    m.layers[0].neurons[0].b.data = -1.0
    labels = [0, 0, 1, 0, 1]
    opt = SGD(m.parameters(), lr=1e-9)
    h = fit(m, X, labels, losses.mse, opt, epochs=1, batch_size=2, shuffle=False, progress=False)
    assert h["accuracy"] == [pytest.approx(0.6)]


def test_predict_label_and_accuracy() -> None:
    v = Value
    assert predict_label([v(0.1), v(0.7), v(0.7), v(-1.0)]) == 1
    assert predict_label([v(2.0), v(1.0)]) == 0
    assert predict_label(v(0.5)) == 1 and predict_label(v(0.0)) == 0 and predict_label(v(-0.5)) == 0
    outs = [v(0.5), v(-0.5), v(0.2), v(-0.1)]
    assert accuracy(outs, [1, 0, -1, -1]) == 0.75
    assert accuracy(outs, [1, -1, 1, 0]) == 1.0
    assert accuracy([[v(0.0), v(1.0)], [v(3.0), v(1.0)]], [1, 1]) == 0.5
    three = [[v(0.0), v(1.0), v(2.0)], [v(3.0), v(1.0), v(0.0)], [v(0.0), v(1.0), v(-1.0)]]
    assert accuracy(three, [2, 0, 1]) == 1.0 and accuracy(three, [1, 1, 2]) == 0.0
    assert accuracy(outs, [1.0, 0.0, 1.0, 0.0]) is None
    assert accuracy(outs, [True, False, True, False]) is None
    assert accuracy([], []) is None
    assert accuracy(outs, [1, 0, 1, 0.5]) is None


@pytest.mark.parametrize("call, message", [
    (lambda m, o: fit(m, X, Y[:4], losses.mse, o, 1, progress=False),
     "fit needs as many targets as inputs (and some), got 5 inputs and 4 targets"),
    (lambda m, o: fit(m, [], [], losses.mse, o, 1, progress=False),
     "fit needs as many targets as inputs (and some), got 0 inputs and 0 targets"),
    (lambda m, o: fit(m, X, Y, losses.mse, o, 0, progress=False), "epochs must be a positive whole number, got 0"),
    (lambda m, o: fit(m, X, Y, losses.mse, o, 2.0, progress=False), "epochs must be a positive whole number, got 2.0"),
    (lambda m, o: fit(m, X, Y, losses.mse, o, 1, batch_size=0, progress=False),
     "batch_size must be a positive whole number or None, got 0"),
    (lambda m, o: fit(m, X, Y, losses.mse, o, 1, batch_size=2.0, progress=False),
     "batch_size must be a positive whole number or None, got 2.0"),
    (lambda m, o: fit(m, X, Y, losses.mse, o, 1, progress=False, compiled="jax"),
     "compiled must be True, False, 'numpy' or 'python'; got 'jax'"),
])
def test_fit_errors(call, message) -> None:
    m = linear_model()
    opt = SGD(m.parameters(), lr=0.1)
    with pytest.raises(ValueError) as e:
        call(m, opt)
    assert str(e.value) == message
    assert [p.data for p in m.parameters()] == [0.3, -0.2]


def test_a_dead_network_warns_once_and_a_live_one_never() -> None:
    random.seed(0)
    m = MLP(2, [2, 1])
    for n in m.layers[0].neurons:  # every hidden ReLU off for every input: no weight gets a gradient
        n.b.data = -100.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(m, [[1.0, 2.0], [0.5, -1.0]], [1.0, 0.0], losses.mse, SGD(m.parameters(), lr=0.01), epochs=3,
            progress=False)
    dead = [w for w in caught if issubclass(w.category, DeadNetworkWarning)]
    assert len(dead) == 1 and str(dead[0].message) == DEAD_NETWORK
    assert not dead[0].filename.endswith("train.py")  # attributed to the caller (stacklevel=2), not to fit
    assert DEAD_NETWORK.startswith("fit: every weight gradient was exactly 0 for a whole epoch (only biases can")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(linear_model(), X, Y, losses.mse, SGD(linear_model().parameters(), lr=0.01), epochs=2, progress=False)
        m = linear_model()
        fit(m, X, Y, losses.mse, SGD(m.parameters(), lr=0.01), epochs=2, batch_size=1, progress=False)
    assert not [w for w in caught if issubclass(w.category, DeadNetworkWarning)]


def test_a_network_alive_in_one_batch_only_is_alive() -> None:
    random.seed(0)
    m = MLP(1, [1, 1])
    hidden = m.layers[0].neurons[0]
    hidden.w[0].data, hidden.b.data = 1.0, 0.0  # relu(x): alive for x > 0 only
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(m, [[-1.0], [-2.0], [3.0]], [0.0, 0.0, 1.0], losses.mse, SGD(m.parameters(), lr=1e-6), epochs=1,
            batch_size=1, shuffle=False, progress=False)
    assert not [w for w in caught if issubclass(w.category, DeadNetworkWarning)]


def test_models_without_names_count_every_parameter() -> None:
    class Bare:
        def __init__(self) -> None:
            self.w = Value(0.0)

        def __call__(self, x):
            return self.w * x[0]

        def named_parameters(self):
            return []

        def parameters(self):
            return [self.w]

    bare = Bare()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(bare, [[0.0]], [1.0], losses.mse, SGD(bare.parameters(), lr=0.1), epochs=1, progress=False)
    assert [str(w.message) for w in caught if issubclass(w.category, DeadNetworkWarning)] == [DEAD_NETWORK]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(bare, [[1.0]], [1.0], losses.mse, SGD(bare.parameters(), lr=0.1), epochs=1, progress=False)
    assert not [w for w in caught if issubclass(w.category, DeadNetworkWarning)]
    assert bare.w.data == pytest.approx(0.2)


def test_the_progress_bar(capsys) -> None:
    Xc, yc = blobs(8, centers=2, std=0.3, seed=1)
    random.seed(0)
    m = MLP(2, [2], activation="tanh")
    fit(m, Xc, yc, losses.cross_entropy, SGD(m.parameters(), lr=0.1), epochs=2, val=(Xc[:2], yc[:2]))
    err = capsys.readouterr().err
    assert err.startswith("\rfit:   0%|") or err.startswith("fit:   0%|")
    last = err.rstrip().split("\r")[-1]
    assert last.startswith("fit: 100%|") and " 2/2 [" in last and "epoch/s, loss=" in last
    assert ", acc=" in last and "%, val_loss=" in last
    fit(linear_model(), X, Y, losses.mse, SGD(linear_model().parameters(), lr=0.1), epochs=1)
    last = capsys.readouterr().err.rstrip().split("\r")[-1]
    assert "loss=" in last and "acc=" not in last and "val_loss" not in last
    fit(linear_model(), X, Y, losses.mse, SGD(linear_model().parameters(), lr=0.1), epochs=1, progress=False)
    assert capsys.readouterr().err == ""


def classifier_run(compiled, freeze=False, data=None, epochs=2, batch_size=5):
    Xc, yc = data or blobs(12, centers=2, std=0.5, seed=1)
    random.seed(0)
    m = MLP(2, [3, 2], activation="tanh")
    params = m.layers[1].parameters() if freeze else m.parameters()
    h = fit(m, Xc, yc, losses.cross_entropy, SGD(params, lr=0.1), epochs=epochs, batch_size=batch_size,
            val=(Xc[:4], yc[:4]), progress=False, compiled=compiled)
    seconds = h.pop("seconds")  # the numbers are compared, not the time they took
    assert len(seconds) == epochs and all(t > 0 for t in seconds)
    return h, [p.grad for p in m.parameters()], [p.data for p in m.parameters()]


@pytest.mark.parametrize("compiled", ["python", "numpy", True])
def test_compiled_replays_train_as_eager_does(compiled) -> None:
    for freeze in (False, True):
        eager = classifier_run(False, freeze)
        replay = classifier_run(compiled, freeze)
        assert list(replay[0]) == list(eager[0])
        for key in eager[0]:
            assert replay[0][key] == pytest.approx(eager[0][key], rel=1e-9)
        for a, b in zip(eager[1:], replay[1:]):
            assert a == pytest.approx(b, rel=1e-9, abs=1e-12)
    if compiled == "python":
        h, _, _ = replay
        assert all(type(v) is float for v in h["loss"] + h["val_loss"])  # plain Python, no NumPy numbers


def test_compiled_true_is_numpy_when_numpy_is_there_else_python(without) -> None:
    assert classifier_run(True) == classifier_run("numpy")
    python_run = classifier_run("python")
    without("numpy")
    assert classifier_run(True) == python_run


def test_compiled_with_a_single_sample_and_one_output() -> None:
    for compiled in ("python", "numpy"):
        random.seed(0)
        m = MLP(2, [2, 1], activation="tanh")
        h = fit(m, [[1.0, -1.0]], [1], losses.bce_with_logits, SGD(m.parameters(), lr=0.1), epochs=2,
                progress=False, compiled=compiled, val=([[1.0, -1.0]], [1]))
        random.seed(0)
        e = MLP(2, [2, 1], activation="tanh")
        want = fit(e, [[1.0, -1.0]], [1], losses.bce_with_logits, SGD(e.parameters(), lr=0.1), epochs=2,
                   progress=False, val=([[1.0, -1.0]], [1]))
        assert h["loss"] == pytest.approx(want["loss"], rel=1e-12)
        assert h["accuracy"] == want["accuracy"] and h["val_accuracy"] == want["val_accuracy"]
        assert [p.grad for p in m.parameters()] == pytest.approx([p.grad for p in e.parameters()], rel=1e-9)


class CountingMLP(MLP):
    calls = 0

    def __call__(self, x):
        CountingMLP.calls += 1
        return super().__call__(x)


# Compiled: once for the output's size, once to trace, once more for compile's check at a second sample.
@pytest.mark.parametrize("compiled, calls", [(False, 3 * (6 + 2)), ("numpy", 3), ("python", 3)])
def test_a_compiled_fit_runs_the_model_only_to_trace(compiled, calls) -> None:
    Xc, yc = blobs(6, centers=2, std=0.3, seed=1)
    random.seed(0)
    m = CountingMLP(2, [2, 2], activation="tanh")
    CountingMLP.calls = 0
    kwargs = {} if compiled is False else {"compiled": compiled}
    fit(m, Xc, yc, losses.cross_entropy, SGD(m.parameters(), lr=0.1), epochs=3, batch_size=4,
        val=(Xc[:2], yc[:2]), progress=False, **kwargs)
    assert CountingMLP.calls == calls


def test_the_default_seed_is_zero() -> None:
    runs = []
    for kwargs in ({}, {"seed": 0}, {"seed": 1}):
        m = linear_model()
        runs.append(fit(m, X, Y, losses.mse, SGD(m.parameters(), lr=0.05), epochs=2, batch_size=2, progress=False,
                        **kwargs)["loss"])
    assert runs[0] == runs[1] != runs[2]


def test_the_bar_shows_the_epochs_figures_and_redraws_at_its_own_pace(capsys) -> None:
    Xc, yc = blobs(8, centers=2, std=1.5, seed=2)
    random.seed(0)
    m = MLP(2, [2], activation="tanh")
    h = fit(m, Xc, yc, losses.cross_entropy, SGD(m.parameters(), lr=0.05), epochs=2, batch_size=3,
            val=(Xc[:3], yc[:3]))
    last = capsys.readouterr().err.rstrip().split("\r")[-1]
    assert last.endswith(f"loss={h['loss'][-1]:.4f}, acc={h['accuracy'][-1]:.1%}, val_loss={h['val_loss'][-1]:.4f}]")
    fit(linear_model(), X[:1], Y[:1], losses.mse, SGD(linear_model().parameters(), lr=1e-3), epochs=40)
    redraws = [part for part in capsys.readouterr().err.split("\r") if part.startswith("fit:")]
    assert len(redraws) < 15  # not one redraw per epoch


def fresh_tqdm_auto(monkeypatch, widgets):
    """Make the next ``import tqdm.auto`` run again as in a notebook kernel, with or without ipywidgets."""
    import sys
    import types

    import tqdm.notebook

    for name in ("tqdm.auto", "tqdm.autonotebook"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "IPython.utils._process_emscripten", types.ModuleType("fake"))
    monkeypatch.setattr(tqdm.notebook, "IProgress", object if widgets else None)


def test_the_missing_ipywidgets_warning_is_left_out(monkeypatch) -> None:
    from nn.train import progress_bar

    fresh_tqdm_auto(monkeypatch, widgets=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            progress_bar(range(1), disable=True)
        except Exception:  # the notebook bar itself needs a real kernel; only the import's warnings matter here
            pass
    assert not [w for w in caught if "IProgress not found" in str(w.message)]


def test_a_full_batch_is_given_in_the_data_order() -> None:
    seen = []

    def recording_mse(outputs, targets):
        seen.append(list(targets))
        return losses.mse(outputs, targets)

    for batch_size in (None, 5):
        seen.clear()
        m = linear_model()
        fit(m, X, Y, recording_mse, SGD(m.parameters(), lr=0.01), epochs=3, batch_size=batch_size, progress=False)
        assert seen == [Y] * 3


def test_an_interrupted_compiled_fit_leaves_the_model_where_training_reached() -> None:
    pytest.importorskip("numpy")

    class Interrupt:
        def step(self):  # Ctrl-C after the first epoch
            raise KeyboardInterrupt

    runs = {}
    for name, schedule, epochs in (("interrupted", Interrupt(), 5), ("one epoch", None, 1)):
        Xc, yc = blobs(12, centers=2, std=0.5, seed=1)
        random.seed(0)
        m = MLP(2, [3, 2], activation="tanh")
        try:
            fit(m, Xc, yc, losses.cross_entropy, SGD(m.parameters(), lr=0.1), epochs=epochs, batch_size=5,
                progress=False, compiled="numpy", schedule=schedule)
        except KeyboardInterrupt:
            pass
        runs[name] = [p.data for p in m.parameters()]
    assert runs["interrupted"] == runs["one epoch"]  # the flat arrays' numbers were written back


@pytest.mark.parametrize("compiled", [False, "numpy"])
def test_a_loss_of_exactly_zero_is_not_a_dead_network(compiled) -> None:
    # Every margin already past 1: the hinge loss is 0 and so is every gradient, but nothing is dead.
    m = MLP(1, [1])
    m.layers[0].neurons[0].w[0].data, m.layers[0].neurons[0].b.data = 5.0, 0.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit(m, [[1.0], [-2.0]], [1, -1], losses.hinge, SGD(m.parameters(), lr=0.1), epochs=2,
                      progress=False, compiled=compiled)
    assert history["loss"] == [0.0, 0.0]
    assert not [w for w in caught if issubclass(w.category, DeadNetworkWarning)]


@pytest.mark.parametrize("compiled", ["python", "numpy"])
def test_the_compiled_paths_warn_for_a_dead_network_and_only_then(compiled) -> None:
    random.seed(0)
    dead = MLP(2, [2, 1])
    for n in dead.layers[0].neurons:  # every hidden ReLU off for every input
        n.b.data = -100.0
    live = linear_model()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(dead, [[1.0, 2.0], [0.5, -1.0]], [1.0, 0.0], losses.mse, SGD(dead.parameters(), lr=0.01), epochs=2,
            progress=False, compiled=compiled)
    assert [str(w.message) for w in caught if issubclass(w.category, DeadNetworkWarning)] == [DEAD_NETWORK]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(live, X, Y, losses.mse, SGD(live.parameters(), lr=0.01), epochs=2, batch_size=2, progress=False,
            compiled=compiled)
    assert not [w for w in caught if issubclass(w.category, DeadNetworkWarning)]


@pytest.mark.parametrize("compiled", [False, "numpy", "python"])
def test_seconds_time_each_epoch_and_leave_out_the_tracing(compiled, monkeypatch) -> None:
    # A clock that only the loss (100 s a call) and the schedule (1 s an epoch) move: compiled, the loss runs
    # twice, to be traced and checked at a second sample before the first epoch; eager, once a batch.
    import nn.train

    clock = [0.0]
    monkeypatch.setattr(nn.train, "perf_counter", lambda: clock[0])

    def slow_mse(outputs, targets):
        clock[0] += 100.0
        return losses.mse(outputs, targets)

    class Tick:
        def step(self) -> None:
            clock[0] += 1.0

    m = linear_model()
    h = fit(m, X, Y, slow_mse, SGD(m.parameters(), lr=0.1), epochs=3, progress=False, compiled=compiled,
            schedule=Tick())
    assert h["seconds"] == ([1.0] * 3 if compiled else [101.0] * 3)
    assert clock[0] == (203.0 if compiled else 303.0)


@pytest.mark.parametrize("where", ["X", "y", "val[0]", "val[1]"])
def test_compiled_numpy_fit_names_a_nan_in_its_data_before_it_trains(where) -> None:
    # The data is checked once, whole, so no batch checks its part again; an error comes before any step.
    data = {"X": [[float(i)] for i in range(6)], "y": [float(i) for i in range(6)],
            "val[0]": [[0.5], [1.5]], "val[1]": [1.0, 2.0]}
    data[where] = list(data[where])
    data[where][1] = [math.inf] if where in ("X", "val[0]") else math.nan
    m = linear_model()
    before = [p.data for p in m.parameters()]
    with pytest.raises(ValueError) as e:
        fit(m, data["X"], data["y"], losses.mse, SGD(m.parameters(), lr=0.1), epochs=2, batch_size=2, progress=False,
            compiled="numpy", val=(data["val[0]"], data["val[1]"]))
    shown = "[inf]" if where in ("X", "val[0]") else "nan"
    assert str(e.value) == f"fit: {where} holds nan or inf (sample 1: {shown})"
    assert [p.data for p in m.parameters()] == before
