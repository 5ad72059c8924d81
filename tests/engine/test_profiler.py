"""engine.profile(): its counts are the graph's own (counted again here from the nodes), its phases are where the
work happened (a checkpoint's second forward pass is `recompute`), and nothing of it stays once the block ends."""

import gc
import random
import threading
from collections import Counter

import numpy as np
import pytest

import engine
from engine import Value, checkpoint, reverse
from engine.compiler.program import Program
from engine.graph import topological_order
from nn import MLP


def counts(prof, phase):
    return {r.kind: r.count for r in prof.rows if r.phase == phase}


def kinds_in(root):
    return Counter(n._fn.name for n in topological_order(root) if n._prev)


def test_forward_and_backward_counts_are_the_graphs_nodes() -> None:
    random.seed(0)
    model = MLP(3, [6, 5, 1], activation="tanh")
    with engine.profile() as prof:
        out = model([0.3, -0.2, 0.5])
        loss = (out - 1.0) ** 2
        loss.backward()
    made = kinds_in(loss)
    assert counts(prof, "forward") == made  # every node of the graph, once, by its op's name
    assert counts(prof, "backward") == made  # tanh never stops a gradient: every node sends one
    forward = prof.total("forward")
    assert forward.nodes == sum(made.values()) and forward.bytes > 100 * forward.nodes
    assert 0 < prof.total().seconds <= prof.seconds
    assert all(r.seconds > 0 for r in prof.rows)


def test_a_dead_relu_sends_nothing_and_is_not_counted_in_backward() -> None:
    x = Value(-1.0)
    with engine.profile() as prof:
        y = (x * 2.0).relu() + x
        y.backward()
    assert counts(prof, "forward") == {"mul": 1, "relu": 1, "add": 1}
    assert counts(prof, "backward") == {"add": 1, "relu": 1}  # relu's adjoint is 1, its output 0: mul gets 0


def test_a_checkpoints_second_forward_pass_is_the_recompute_phase_and_holds_fewer_nodes() -> None:
    def block(t):
        for _ in range(50):
            t = (t * 1.01).tanh()
        return t

    def peak(use_checkpoint):
        x = Value(0.3)
        with engine.profile() as prof:
            t = x
            for _ in range(4):
                t = checkpoint(block, t) if use_checkpoint else block(t)
            t.backward()
        return prof, x.grad

    plain, g = peak(False)
    kept, g2 = peak(True)
    assert g == g2
    assert "recompute" not in {r.phase for r in plain.rows}
    assert counts(kept, "recompute") == {"mul": 200, "tanh": 200}  # each segment once more, in backward
    assert counts(kept, "forward")["tanh"] == 200 and counts(plain, "forward") == {"mul": 200, "tanh": 200}
    assert plain.peak_nodes == 400  # every node, until backward ends
    assert counts(kept, "forward")["checkpoint"] == 4  # the results kept, made outside the ops' path, counted too
    assert kept.peak_nodes <= 200 + 4  # a segment's 100 while it runs, the last recomputed one's, the 4 results


def test_compiled_replays_are_timed_whole_with_their_tapes_size() -> None:
    w = Value(0.5)
    program = engine.compile(lambda x: (x * w).tanh() + x, 0.2)
    with engine.profile() as prof:
        program(0.1)
        program.loop([0.1, 0.2])
        program.batch(np.array([0.1, 0.2, 0.3]))
    compiled = {r.kind: (r.count, r.nodes) for r in prof.rows if r.phase == "compiled"}
    assert compiled == {"replay": (1, 3), "loop": (1, 3), "batch": (1, 3)}  # mul, tanh, add
    assert program.profiled_size()[1] >= 8 * program.tape.size


def test_a_second_order_backward_counts_the_gradients_own_graph() -> None:
    x = Value(0.7)
    with engine.profile() as prof:
        y = (x * x).sin()
        y.backward(create_graph=True)
    assert counts(prof, "backward") == {"sin": 1, "mul": 1}
    assert prof.total("backward").nodes > 0  # the grads are Values: the nodes that make them are counted


def test_only_the_thread_that_entered_is_recorded() -> None:
    def elsewhere():
        a = Value(1.0)
        (a * a * a).backward()

    with engine.profile() as prof:
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        (Value(2.0) + 1.0).backward()
    assert counts(prof, "forward") == {"add": 1} and counts(prof, "backward") == {"add": 1}


def test_nodes_held_at_the_end_are_those_still_referenced() -> None:
    with engine.profile() as prof:
        kept = Value(1.0).exp().exp()
        dropped = Value(1.0).sin().sin().sin()
        del dropped
        gc.collect()
    assert prof.held_nodes == 2 and prof.peak_nodes == 5
    assert kept.data > 0


def test_nothing_stays_once_the_block_ends_even_after_an_error() -> None:
    originals = (Value.__dict__["_apply"], reverse.contributions, reverse._run_by_hand, Program.__dict__["batch"],
                 Program.__dict__["replay"], Program.__dict__["loop"])
    with pytest.raises(ZeroDivisionError):
        with engine.profile():
            Value(1.0) / 0.0
    after = (Value.__dict__["_apply"], reverse.contributions, reverse._run_by_hand, Program.__dict__["batch"],
             Program.__dict__["replay"], Program.__dict__["loop"])
    assert all(a is b for a, b in zip(originals, after))  # the very same functions: profiling off costs nothing
    with engine.profile() as prof:
        with pytest.raises(RuntimeError, match="profiles do not nest"):
            with engine.profile():
                pass
        Value(1.0).exp()
    assert counts(prof, "forward") == {"exp": 1}


def test_the_table_prints_phase_by_phase_with_totals_and_shows_in_a_notebook() -> None:
    x = Value(0.5)
    with engine.profile() as prof:
        y = (x * x + x).tanh()
        y.backward()
    text = str(prof)
    lines = text.splitlines()
    assert lines[0].split() == ["phase", "op", "count", "ms", "µs/op", "nodes", "KiB"]
    phases = [line.split()[0] for line in lines[2:-1]]
    assert phases == ["forward"] * 4 + ["backward"] * 4  # three ops and a total, each
    assert [line.split()[1] for line in lines[2:-1]].count("total") == 2
    assert "graph nodes alive at most 3, at the end 3" in lines[-1]
    html = prof._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 1 + 8 and "<td>tanh</td>" in html
    assert [row[:3] for row in prof.table()][-1] == ("backward", "total", 3)


def test_a_prompt_shows_the_table_and_a_notebook_its_html() -> None:
    with engine.profile() as prof:
        (Value(1.0) * 2.0).backward()
    assert repr(prof) == str(prof) and repr(prof).startswith("phase")
    assert prof._repr_html_().count("<td>mul</td>") == 2  # forward and backward


def test_a_checkpoints_results_count_their_shared_inputs_once() -> None:
    import sys

    x = Value(0.3)
    with engine.profile() as prof:
        a, b, c = checkpoint(lambda t: [t * 2.0, t * 3.0, t * 4.0], x)
    row = next(r for r in prof.rows if r.kind == "checkpoint")
    node = sys.getsizeof(a) + sys.getsizeof(a._data)
    assert row.count == 3 and row.bytes == 3 * node + sys.getsizeof(a._prev)  # one tuple of inputs, shared
    assert a._prev is b._prev is c._prev


def test_nodes_another_thread_makes_during_a_backward_step_are_not_counted() -> None:
    made = threading.Event()

    def elsewhere():
        t = Value(1.0)
        for _ in range(50):
            t = t * 1.0
        made.set()

    x = Value(2.0)
    y = Value(x.data * 3, (x,), "triple")  # a node made by hand: its _backward runs as one step

    def _backward():
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        x.grad += 3 * y.grad

    y._backward = _backward
    with engine.profile() as prof:
        y.backward()
    assert made.is_set() and x.grad == 3.0
    assert [(r.phase, r.kind, r.count, r.nodes) for r in prof.rows] == [("backward", "triple (by hand)", 1, 0)]
    assert prof.peak_nodes == 0
