"""Scale: graphs of a million nodes through every tool, checked by the work done (node counts, exact
gradients against a float loop), never by the clock: `make bench` times them (bench/scale.py)."""

import io

import pytest

import engine
import viz
from engine import Value, topological_order

MILLION, HUNDRED_K = 1_000_000, 100_000
A, B, Y0 = 1.0 - 1e-7, 1e-7, 0.5


def chain(n: int) -> Value:
    a, b = Value(A, label="a"), Value(B, label="b")
    y = Value(Y0, label="y0")
    for _ in range(n):
        y = y * a + b
    return y


def chain_gradients(n: int):
    """d y_n / d(y0, a, b) for y_{k+1} = y_k a + b, by a float loop that builds no graph (the oracle)."""
    y, dy0, da, db = Y0, 1.0, 0.0, 0.0
    for _ in range(n):
        y, dy0, da, db = y * A + B, dy0 * A, da * A + y, db * A + 1.0
    return y, dy0, da, db


def leaves(y: Value):
    """y0, a and b of a chain, found by walking back from its end (no recursion: one step at a time)."""
    node = y
    while node._prev:
        node = node._prev[0]
    step = y._prev[0]  # y * a
    return node, step._prev[1], y._prev[1]


@pytest.mark.slow
def test_a_million_step_chain_backward_and_drawing() -> None:
    y = chain(MILLION)
    assert len(topological_order(y)) == 2 * MILLION + 3  # every step's product and sum, and three leaves
    y.backward()
    want = chain_gradients(MILLION)
    y0, a, b = leaves(y)
    assert (y.data, y0.grad, a.grad, b.grad) == pytest.approx(want, rel=1e-9)
    graph = viz.draw_dot(y)
    assert graph.source.count("<TABLE") <= 400 and "cut after" in graph.source  # to fit max_nodes and max_size


@pytest.mark.slow
def test_a_million_term_sum_backward_and_drawing() -> None:
    xs = [Value(1.0) for _ in range(MILLION)]
    total = engine.sum(x * 3 for x in xs)
    # one fused node over the million products, each of an x and its constant 3
    assert len(total._prev) == MILLION and len(topological_order(total)) == 3 * MILLION + 1
    total.backward()
    assert all(x.grad == 3.0 for x in xs)
    graph = viz.draw_dot(total)
    assert graph.source.count("<TABLE") <= 400


@pytest.mark.slow
def test_a_hundred_thousand_step_chain_through_every_tool() -> None:
    y = chain(HUNDRED_K)
    y.backward(create_graph=True)
    y0, a, b = leaves(y)
    assert all(isinstance(v.grad, Value) for v in (y0, a, b))  # gradients as graphs, for a second order
    assert (y0.grad.data, a.grad.data, b.grad.data) == pytest.approx(chain_gradients(HUNDRED_K)[1:], rel=1e-9)
    assert viz.text_view(y, max_nodes=None, max_size=None).count("\n") == 2 * HUNDRED_K + 2
    out = io.StringIO()
    engine.explain(y, wrt=y._prev[0]._prev[0], file=out)
    assert "✓" in out.getvalue()
    table = io.StringIO()
    engine.table(y, file=table)
    assert table.getvalue().count("\n") >= 2 * HUNDRED_K + 3  # a row per node
    program = engine.compile(lambda x: chain_of(x, HUNDRED_K), 0.5)
    assert program(0.5).value == pytest.approx(chain_of(Value(0.5), HUNDRED_K).data, rel=1e-12)


@pytest.mark.slow
def test_a_million_step_chain_compiles_and_replays() -> None:
    program = engine.compile(lambda x: chain_of(x, MILLION), 0.5)
    assert len(program.tape) == 2 * MILLION  # a multiply and an add per step, nothing more
    assert program.interpreted  # generated code would spend most of a minute in CPython's compiler
    first, again = program(0.5), program(0.25)
    a = 1.0 - 1e-7  # by hand: y_n = a^n y_0 + (1 - a^n), so dy_n/dy_0 = a^n
    assert first.grads[0] == pytest.approx(a ** MILLION, rel=1e-9)
    assert again.value == pytest.approx(a ** MILLION * 0.25 + 1.0 - a ** MILLION, rel=1e-9)


def chain_of(x, n: int):
    for _ in range(n):
        x = x * (1.0 - 1e-7) + 1e-7
    return x
