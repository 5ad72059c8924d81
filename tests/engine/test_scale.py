"""Scale: graphs of a million nodes through every tool, within generous time ceilings (timings printed)."""

import io
import time

import pytest

import engine
import viz
from engine import Value

MILLION, HUNDRED_K = 1_000_000, 100_000


def chain(n: int) -> Value:
    a, b = Value(1.0 - 1e-7, label="a"), Value(1e-7, label="b")
    y = Value(0.5, label="y0")
    for _ in range(n):
        y = y * a + b
    return y


def timed(what: str, ceiling: float, call):
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    print(f"scale: {what}: {seconds:.2f} s (ceiling {ceiling:g} s)")
    assert seconds < ceiling, f"{what} took {seconds:.1f} s"
    return result


@pytest.mark.slow
def test_a_million_step_chain_backward_and_drawing() -> None:
    y = chain(MILLION)
    timed("backward, 1e6-step chain", 60, y.backward)
    graph = timed("draw_dot, 1e6-step chain (folds)", 60, lambda: viz.draw_dot(y))
    assert graph.source.count("<TABLE") <= 400 and "cut after" in graph.source  # to fit max_nodes and max_size


@pytest.mark.slow
def test_a_million_term_sum_backward_and_drawing() -> None:
    xs = [Value(1.0) for _ in range(MILLION)]
    total = engine.sum(x * 3 for x in xs)
    timed("backward, 1e6-term fused sum", 60, total.backward)
    assert xs[0].grad == 3.0
    graph = timed("draw_dot, 1e6-term sum (folds)", 60, lambda: viz.draw_dot(total))
    assert graph.source.count("<TABLE") <= 400


@pytest.mark.slow
def test_a_hundred_thousand_step_chain_through_every_tool() -> None:
    y = chain(HUNDRED_K)
    timed("backward(create_graph=True), 1e5", 60, lambda: y.backward(create_graph=True))
    every_line = timed("text view, 1e5", 60, lambda: viz.text_view(y, max_nodes=None, max_size=None))
    assert every_line.count("\n") == 2 * HUNDRED_K + 2
    out = io.StringIO()
    timed("explain (grouped by node), 1e5", 60, lambda: engine.explain(y, wrt=y._prev[0]._prev[0], file=out))
    assert "✓" in out.getvalue()
    table = io.StringIO()
    timed("table, 1e5", 60, lambda: engine.table(y, file=table))
    program = timed("compile + first call, 1e5-step chain of x", 120,
                    lambda: engine.compile(lambda x: chain_of(x, HUNDRED_K), 0.5))
    assert program(0.5).value == pytest.approx(chain_of(Value(0.5), HUNDRED_K).data, rel=1e-12)


@pytest.mark.slow
def test_a_million_step_chain_compiles_and_replays_within_seconds() -> None:
    program = timed("compile (trace), 1e6-step chain of x", 60,
                    lambda: engine.compile(lambda x: chain_of(x, MILLION), 0.5))
    assert program.interpreted  # generated code would spend most of a minute in CPython's compiler
    first = timed("first call (interpreter set-up + replay), 1e6-step chain", 20, lambda: program(0.5))
    again = timed("second call, 1e6-step chain", 10, lambda: program(0.25))
    a = 1.0 - 1e-7  # by hand: y_n = a^n y_0 + (1 - a^n), so dy_n/dy_0 = a^n
    assert first.grads[0] == pytest.approx(a ** MILLION, rel=1e-9)
    assert again.value == pytest.approx(a ** MILLION * 0.25 + 1.0 - a ** MILLION, rel=1e-9)


def chain_of(x, n: int):
    for _ in range(n):
        x = x * (1.0 - 1e-7) + 1e-7
    return x
