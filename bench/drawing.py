"""Render times of graphs that reuse weights in a loop: the drawings that used to hang a notebook."""

from __future__ import annotations

import math
import random
import statistics
import time
from typing import List

from engine import Value


def chain(steps: int) -> Value:
    """y = y * a + b, the loop a learner writes for a power series: a and b are used at every step."""
    a, b = Value(0.9, label="a"), Value(0.1, label="b")
    y = Value(1.0, label="x")
    for _ in range(steps):
        y = y * a + b
    return y


def rnn_cell(steps: int = 10, width: int = 3) -> Value:
    """h_t = tanh(W h_(t-1) + U x_t): the same weights at every step."""
    random.seed(0)
    W = [[Value(random.uniform(-1, 1), label=f"W{i}{j}") for j in range(width)] for i in range(width)]
    U = [Value(random.uniform(-1, 1), label=f"U{i}") for i in range(width)]
    h = [Value(0.0, label=f"h{i}") for i in range(width)]
    for t in range(steps):
        x = Value(math.sin(t), label=f"x{t}")
        h = [(sum((W[i][j] * h[j] for j in range(width)), U[i] * x)).tanh() for i in range(width)]
    return sum(h, Value(0.0))


def run(rounds: int = 3) -> List[str]:
    import viz

    renderer = viz.find_renderer()
    if renderer is None:
        return ["### drawing", "", "no Graphviz renderer: nothing to time", ""]
    lines = ["### drawing: render time of loops over shared weights (SVG, median of 3)", "",
             f"renderer: {renderer}", "", "| graph | values | render ms |", "| --- | ---: | ---: |"]
    for name, root in (("chain of 100 steps", chain(100)), ("chain of 300 steps", chain(300)),
                       ("10-step RNN cell, width 3", rnn_cell())):
        root.backward()
        source = viz.draw_dot(root, max_size=None).source  # every step: the layout these loops used to hang
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            viz.render(source, "svg", timeout=120)
            times.append(time.perf_counter() - start)
        values = len(viz.plan.topological_order(root))
        lines.append(f"| {name} | {values} | {statistics.median(times) * 1e3:.0f} |")
    return lines + [""]
