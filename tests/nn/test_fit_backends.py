"""Which replay fit's ``compiled`` option trains with: NumPy over whole batches, or Python sample by sample."""

import random

import pytest

import engine
from engine.compiler import program as program_module
from engine.compiler.program import Program
from nn import MLP, SGD, fit, losses
from nn.data import blobs


@pytest.mark.parametrize("compiled, runs", [("numpy", "batch"), ("python", "loop")])
def test_compiled_fit_replays_batches_on_the_back_end_it_names(compiled: str, runs: str, monkeypatch) -> None:
    pytest.importorskip("numpy")
    calls = {"batch": 0, "loop": 0}
    for name in calls:
        original = getattr(Program, name)

        def counted(self, *args, _name=name, _original=original, **kwargs):
            calls[_name] += 1
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Program, name, counted)
    X, y = blobs(12, centers=2, std=0.5, seed=1)
    random.seed(0)
    m = MLP(2, [3, 2], activation="tanh")
    fit(m, X, y, losses.cross_entropy, SGD(m.parameters(), lr=0.1), epochs=2, batch_size=4, progress=False,
        compiled=compiled)
    assert calls[runs] == 2 * 3 and sum(calls.values()) == 2 * 3  # three batches an epoch, all on one back-end


def _root_weighted(outs, ts):
    """Squared error weighted by sqrt(target): its derivative in the target does not exist at 0."""
    return engine.mean([(o - t) ** 2 * t ** 0.5 for o, t in zip(outs, ts)])


def _power_of_target(outs, ts):
    """(o^t - 1)^2: compiled, t is an input and d/dt o^t = o^t log o does not exist for o < 0."""
    return engine.mean([(o ** t - 1.0) ** 2 for o, t in zip(outs, ts)])


BACK_ENDS = [False, "python", "python-interpreted", "numpy"]


def _fit(compiled, loss, X, y, hidden, monkeypatch, epochs=3):
    if compiled == "python-interpreted":
        monkeypatch.setattr(program_module, "GENERATED_UP_TO", -1)  # every tape counts as large
        compiled = "python"
    if compiled == "numpy":
        pytest.importorskip("numpy")
    random.seed(3)
    m = MLP(1, hidden + [1], activation="tanh")
    fit(m, X, y, loss, SGD(m.parameters(), lr=0.05), epochs=epochs, batch_size=2, shuffle=False, progress=False,
        compiled=compiled)
    return [p.data for p in m.parameters()]


@pytest.mark.parametrize("compiled", BACK_ENDS)
def test_one_step_where_the_targets_derivative_does_not_exist_matches_the_hand_derivative(compiled, monkeypatch):
    # o = w x + b, L = mean (o - t)^2 sqrt(t): dL/dw = mean 2 (o - t) sqrt(t) x, dL/db = mean 2 (o - t) sqrt(t).
    X, y = [[1.0], [-2.0]], [0.0, 4.0]
    random.seed(3)
    w, b = (p.data for p in MLP(1, [1]).parameters())
    o = [w * x + b for (x,), in zip(X)]
    dw = sum(2 * (oi - t) * t ** 0.5 * x for oi, t, (x,) in zip(o, y, X)) / 2
    db = sum(2 * (oi - t) * t ** 0.5 for oi, t in zip(o, y)) / 2
    got = _fit(compiled, _root_weighted, X, y, [], monkeypatch, epochs=1)
    assert got == pytest.approx([w - 0.05 * dw, b - 0.05 * db], rel=1e-14)


@pytest.mark.parametrize("loss", [_root_weighted, _power_of_target])
@pytest.mark.parametrize("compiled", BACK_ENDS[1:])
def test_compiled_training_never_differentiates_the_targets(compiled, loss, monkeypatch) -> None:
    X = [[0.3], [-1.2], [0.8], [2.0], [-0.4], [1.1]]
    y = [0.0, 1.0, 2.0, 0.0, 3.0, 1.0] if loss is _root_weighted else [2.0, 3.0, 2.0, 1.0, 3.0, 2.0]
    eager = _fit(False, loss, X, y, [4], monkeypatch)
    assert _fit(compiled, loss, X, y, [4], monkeypatch) == pytest.approx(eager, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("compiled", ["numpy", "python"])
def test_a_validation_set_larger_than_one_replay_is_evaluated_in_pieces_to_the_eager_mean(compiled,
                                                                                          monkeypatch) -> None:
    """The validation loss and accuracy over 10 samples, replayed 3 at a time, are the eager engine's means."""
    import nn.compiled_step

    monkeypatch.setattr(nn.compiled_step, "EVALUATE_AT_ONCE", 3)
    X, y = blobs(10, centers=2, std=2.0, seed=4)
    random.seed(0)
    m = MLP(2, [3, 2], activation="tanh")
    history = fit(m, X, y, losses.cross_entropy, SGD(m.parameters(), lr=0.1), epochs=1, batch_size=5,
                  progress=False, compiled=compiled, val=(X, y))
    each = [losses.cross_entropy([m(x)], [t]).data for x, t in zip(X, y)]
    right = [max(range(2), key=lambda k: m(x)[k].data) == t for x, t in zip(X, y)]
    assert history["val_loss"] == pytest.approx([sum(each) / 10], rel=1e-12)
    assert history["val_accuracy"] == pytest.approx([sum(right) / 10], rel=1e-12)
    assert 0.0 < history["val_accuracy"][0] < 1.0  # some right, some wrong: the pieces' counts are added


def _trained_eagerly_and_on_numpy(X, y, outputs, loss, **options):
    """The parameters after the same two epochs, trained eagerly and on NumPy."""
    trained = []
    for compiled in (False, "numpy"):
        random.seed(0)
        m = MLP(2, [3, outputs], activation="tanh")
        fit(m, X, y, loss, SGD(m.parameters(), lr=0.1), epochs=2, batch_size=2, progress=False, compiled=compiled,
            shuffle=False, **options)
        trained.append([p.data for p in m.parameters()])
    return trained


def test_data_of_fractions_trains_on_numpy_as_it_does_eagerly() -> None:
    """Any numbers NumPy reads as floats are data: fractions are made floats once, not kept as Python objects."""
    pytest.importorskip("numpy")
    from fractions import Fraction

    X = [[Fraction(1, 2), Fraction(-1, 3)], [Fraction(2), Fraction(1, 4)], [Fraction(-3, 2), Fraction(0)],
         [Fraction(1), Fraction(1)]]
    eager, numpy = _trained_eagerly_and_on_numpy(X, [0, 1, 0, 1], 2, losses.cross_entropy, val=(X, [0, 1, 0, 1]))
    assert numpy == pytest.approx(eager, rel=1e-12, abs=1e-15)
    targets = [Fraction(1, 2), Fraction(-1), Fraction(3, 4), Fraction(0)]  # real-valued targets: fractions too
    eager, numpy = _trained_eagerly_and_on_numpy(X, targets, 1, losses.mse)
    assert numpy == pytest.approx(eager, rel=1e-12, abs=1e-15)
