"""Long runs: a thousand training steps, with detect_anomaly on and off, leave no memory behind."""

import gc
import math
import random
import re
import sys
import tracemalloc

import pytest

from engine import Value, detect_anomaly
from engine.modes import site_of, state
from nn import MLP, SGD, losses

X = [[0.1 * i, -0.05 * i] for i in range(8)]
Y = [1 if i >= 4 else 0 for i in range(8)]


def train(steps: int, anomaly: bool) -> float:
    random.seed(0)
    model = MLP(2, [6, 2], activation="tanh")
    optimizer = SGD(model.parameters(), lr=0.5)
    loss = None
    for _ in range(steps):
        if anomaly:
            with detect_anomaly():
                loss = losses.cross_entropy([model(x) for x in X], Y)
                optimizer.zero_grad()
                loss.backward()
        else:
            loss = losses.cross_entropy([model(x) for x in X], Y)
            optimizer.zero_grad()
            loss.backward()
        optimizer.step()
    return loss.data


@pytest.mark.slow
@pytest.mark.parametrize("anomaly", [False, True])
def test_a_thousand_steps_leave_memory_where_it_was(anomaly: bool) -> None:
    train(20, anomaly)  # warm up caches that are made once
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    final = train(1000, anomaly)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"long run (detect_anomaly={anomaly}): 1000 steps, loss {final:.4f}, memory {before} -> {after} bytes")
    assert after - before < 200_000  # no growth from anomaly sites, caches or counters
    assert state.sites == {} and state.anomaly == 0
    assert final < 0.5  # it learned (the loss starts at log 2 = 0.69)


def test_training_inside_one_anomaly_block_keeps_no_graph_alive() -> None:
    # detect_anomaly remembers where each Value was made; it must not hold the Values themselves, or a training
    # loop written inside one block keeps every step's graph alive (it grew 128 KiB a step). Memory is compared
    # between step 20 and step 200, so only what is kept per step counts, not caches made once.
    random.seed(0)
    model = MLP(2, [8, 1], activation="tanh")
    optimizer = SGD(model.parameters(), lr=0.1)
    memory = {}
    tracemalloc.start()
    try:
        with detect_anomaly():
            kept, kept_line = Value(1.0) * 2, sys._getframe().f_lineno  # a Value still alive keeps its site
            for step in range(1, 201):
                loss = losses.mse([model(x) for x in X], Y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if step in (20, 200):
                    gc.collect()
                    memory[step] = tracemalloc.get_traced_memory()[0]
            assert re.search(rf"created at .*test_long_runs\.py:{kept_line}$", site_of(kept)), site_of(kept)
            # An anomaly after the loop is still traced to the line that made the Value.
            x, x_line = Value(1.0, label="x"), sys._getframe().f_lineno
            x._data = math.nan  # past the public setter, which refuses nan
            with pytest.raises(ValueError, match=rf"the leaf was created at .*test_long_runs\.py:{x_line};"):
                x.tanh()
    finally:
        tracemalloc.stop()
    # One step's graph is over 100 KiB; what stays must be far less than a hundred and eighty of them.
    assert memory[200] - memory[20] < 64 * 1024, memory
    assert len(state.sites) == 0  # the block's end forgets the rest
