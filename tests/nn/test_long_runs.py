"""Long runs: a thousand training steps, with detect_anomaly on and off, leave no memory behind."""

import gc
import random
import tracemalloc

import pytest

from engine import detect_anomaly
from engine.modes import state
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
