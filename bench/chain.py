"""A chain of a million nodes, y = y * a + b repeated: time and peak memory, eager against compiled."""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from typing import List

from .timing import Row, table

STEPS = 500_000  # two nodes a step: a million in all


def chain(y, a, b):
    for _ in range(STEPS):
        y = y * a + b
    return y


ARGS = (0.5, 1.0 - 1e-7, 1e-7)


def eager_run() -> float:
    from engine import Value

    y0, a, b = (Value(x) for x in ARGS)
    out = chain(y0, a, b)
    out.backward()
    return b.grad


def python_run() -> float:
    """By hand: the forward values, then the adjoints backwards."""
    y0, a, b = ARGS
    ys = [y0]
    for _ in range(STEPS):
        ys.append(ys[-1] * a + b)
    gy, ga, gb = 1.0, 0.0, 0.0
    for k in range(STEPS - 1, -1, -1):
        ga += gy * ys[k]
        gb += gy
        gy *= a
    return gb


def micrograd_run() -> str:
    """micrograd on the same chain: what happens, in words."""
    try:
        from micrograd.engine import Value
    except ImportError:
        return "not installed"
    y0, a, b = (Value(x) for x in ARGS)
    out = chain(y0, a, b)
    try:
        out.backward()
    except RecursionError:
        return "RecursionError in backward() (its topological sort is recursive)"
    return f"ran: b.grad = {b.grad}"


def kept_bytes(program) -> int:
    """What the program holds instead of the graph: the tape's arrays, constants and slot template."""
    tape = program.tape
    arrays = (tape.ops, tape.outs, tape.args, tape.starts, tape.input_slots, tape.param_slots, tape.output_slots)
    size = sum(sys.getsizeof(a) for a in arrays) + sys.getsizeof(tape.constants) + sys.getsizeof(tape.params)
    size += sum(sys.getsizeof(c) + sys.getsizeof(c[1]) for c in tape.constants)
    return size + sys.getsizeof(tape.blank())  # the slot template (a copy of it: the same size)


def kept_mb(make, first_call) -> float:
    """Memory the first call leaves allocated: what the program keeps for its replays beyond the tape."""
    program = make()
    gc.collect()
    tracemalloc.start()
    try:
        first_call(program)
        gc.collect()
        return tracemalloc.get_traced_memory()[0] / 2 ** 20
    finally:
        tracemalloc.stop()


def peak_mb(run) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()


BATCH = 64


def batch_run(engine) -> tuple:  # noqa: ANN001
    """(first call in s, replay in ms) of the chain over a batch, on a fresh program, against the hand formula."""
    import numpy as np

    program = engine.compile(chain, *ARGS)
    columns = [np.full(BATCH, x) for x in ARGS]
    columns[0] = np.linspace(-1.0, 1.0, BATCH)
    start = time.perf_counter()
    first = program.batch(*columns)
    first_s = time.perf_counter() - start
    n, a, b = STEPS, ARGS[1], ARGS[2]
    want = a ** n * columns[0] + b * (1 - a ** n) / (1 - a)  # y_n = a^n y_0 + b (1 + a + ... + a^(n-1))
    assert np.allclose(first.values, want, rtol=1e-6), (first.values[:3], want[:3])
    start = time.perf_counter()
    program.batch(*columns)
    return first_s, (time.perf_counter() - start) * 1e3


def run() -> List[str]:
    import engine

    want = python_run()
    start = time.perf_counter()
    program = engine.compile(chain, *ARGS)
    trace_s = time.perf_counter() - start
    start = time.perf_counter()
    got = program(*ARGS)  # the first call sets up the interpreter over the tape (generated code for small tapes)
    build_s = time.perf_counter() - start
    assert program.interpreted
    assert abs(got.grads[2] - want) <= 1e-9 * abs(want), (got.grads, want)
    timings = {}
    for name, call in (("chainrule eager", eager_run), ("chainrule compiled (Python)", lambda: program(*ARGS)),
                       ("hand-written pure Python", python_run)):
        samples = []
        for _ in range(3):
            gc.collect()
            t = time.perf_counter()
            call()
            samples.append(time.perf_counter() - t)
        timings[name] = sorted(samples)[1] * 1e3
    # Memory: the eager graph at its peak, the tape the program keeps, and the peak of one replay.
    eager_mb = peak_mb(eager_run)
    tape_mb = kept_bytes(program) / 2 ** 20
    steps_mb = kept_mb(lambda: engine.compile(chain, *ARGS), lambda p: p(*ARGS))
    replay_mb = peak_mb(lambda: program(*ARGS))
    micrograd_note = micrograd_run()
    batch_first_s, batch_ms = batch_run(engine)
    rows: List[Row] = [
        ("micrograd 0.1.0", None, micrograd_note),
        ("chainrule eager", timings["chainrule eager"], "builds the graph and runs backward"),
        ("chainrule compiled (Python)", timings["chainrule compiled (Python)"],
         f"replay only; tracing took {trace_s:.1f} s (running the function on Values) and the first call "
         f"{build_s:.1f} s (the interpreter's set-up and a replay)"),
        ("hand-written pure Python", timings["hand-written pure Python"], ""),
        (f"chainrule batch (NumPy, {BATCH} samples)", batch_ms,
         f"replay only, per node on the interpreter (a tape this deep is not lifted: its groups would be of one "
         f"node each); the first call {batch_first_s:.1f} s (set-up and a replay)"),
    ]
    lines = table("1,000,000-node chain y = y*a + b (median of 3)", rows)
    ratio = tape_mb / eager_mb
    lines += [
        "| memory (tracemalloc) | MiB | of the eager graph |", "| --- | ---: | ---: |",
        f"| eager graph, peak while building and running backward | {eager_mb:.0f} | 100% |",
        f"| compiled tape, kept by the program (arrays, constants, slot template) | {tape_mb:.0f} | {ratio:.0%} (target <= 33%) |",
        f"| the interpreter's steps, kept after the first call (one tuple of slots per instruction) | {steps_mb:.0f} "
        f"| {steps_mb / eager_mb:.0%} |",
        f"| compiled replay, peak during a call (values and grads) | {replay_mb:.0f} | {replay_mb / eager_mb:.0%} |",
        "",
    ]
    return lines


def main() -> None:
    print("\n".join(run()))


if __name__ == "__main__":
    main()
