"""Which replay fit's ``compiled`` option trains with: NumPy over whole batches, or Python sample by sample."""

import random

import pytest

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
