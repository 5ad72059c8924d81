"""Scale: million-node graphs through every tool, time and peak memory (the slow tests check the work done, not the time)."""

from __future__ import annotations

import io
import time
from typing import Callable, List, Tuple

from .chain import peak_mb


def _chain(n: int):
    from engine import Value

    a, b = Value(1.0 - 1e-7, label="a"), Value(1e-7, label="b")
    y = Value(0.5, label="y0")
    for _ in range(n):
        y = y * a + b
    return y


def _chain_of(x, n: int = 1_000_000):
    for _ in range(n):
        x = x * (1.0 - 1e-7) + 1e-7
    return x


def _timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1e3


def run() -> List[str]:
    import engine
    import viz
    from engine import Value

    big, mid = 1_000_000, 100_000
    rows: List[Tuple[str, float, float]] = []

    def row(what: str, make: Callable[[], object], use: Callable[[object], object]) -> None:
        thing = make()
        ms = _timed(lambda: use(thing))
        mb = peak_mb(lambda: use(make()))
        rows.append((what, ms, mb))

    row("backward, 1e6-step chain", lambda: _chain(big), lambda y: y.backward())
    row("draw_dot, 1e6-step chain (folds)", lambda: _chain(big), lambda y: viz.draw_dot(y))
    row("backward, 1e6-term fused sum", lambda: engine.sum(Value(1.0) * 3 for _ in range(big)), lambda s: s.backward())
    row("backward(create_graph=True), 1e5", lambda: _chain(mid), lambda y: y.backward(create_graph=True))
    row("text view, 1e5 (every node)", lambda: _chain(mid), lambda y: viz.text_view(y, max_nodes=None, max_size=None))
    row("explain, 1e5", lambda: _chain(mid), lambda y: engine.explain(y, wrt=y._prev[0]._prev[0], file=io.StringIO()))
    row("table, 1e5", lambda: _chain(mid), lambda y: engine.table(y, file=io.StringIO()))
    row("compile (trace), 1e6-step chain of x", lambda: None, lambda _: engine.compile(_chain_of, 0.5))
    program = engine.compile(_chain_of, 0.5)
    row("first call (interpreter set-up + replay), 1e6", lambda: None, lambda _: program(0.5))
    row("second call, 1e6", lambda: None, lambda _: program(0.25))
    lines = ["### scale: million-node graphs through every tool", "",
             "| what | ms | peak MiB (tracemalloc, graph included) |", "| --- | ---: | ---: |"]
    lines += [f"| {what} | {ms:.0f} | {mb:.0f} |" for what, ms, mb in rows]
    return lines + [""]
