"""engine.profile(): its counts are the graph's own (counted again here from the nodes), its phases are where the
work happened (a checkpoint's second forward pass is `recompute`), and nothing of it stays once the block ends."""

import gc
import math
import random
import sys
import threading
import tracemalloc
import weakref
from collections import Counter

import numpy as np
import pytest

import engine
from engine import Value, checkpoint, reverse
from engine.compiler.program import Program
from engine.graph import topological_order
from engine.profiler import Row
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


def test_a_checkpoint_inside_a_checkpoint_is_made_again_in_the_recompute_phase() -> None:
    def inner(t):
        return (t * 3.0).sin()

    def outer(t):
        return checkpoint(inner, t).exp() * 2.0

    x = Value(0.4)
    with engine.profile() as prof:
        checkpoint(outer, x).backward()
    assert x.grad == pytest.approx(2.0 * math.exp(math.sin(1.2)) * math.cos(1.2) * 3.0, rel=1e-12)
    # the first run: inner's mul and sin, its result, exp, outer's mul, outer's result
    assert counts(prof, "forward") == {"mul": 2, "sin": 1, "checkpoint": 2, "exp": 1}
    # backward reruns outer (inner's mul and sin, inner's result made again, exp, mul), then inner (mul, sin)
    assert counts(prof, "recompute") == {"mul": 3, "sin": 2, "checkpoint": 1, "exp": 1}


def test_a_checkpoint_run_by_another_thread_is_not_recorded() -> None:
    results = []

    def elsewhere():
        results.append(checkpoint(lambda t: [t * 2.0, t * 3.0], Value(1.0)))

    with engine.profile() as prof:
        worker = threading.Thread(target=elsewhere)
        worker.start()
        worker.join()
        Value(2.0).exp()
    assert [v.data for v in results[0]] == [2.0, 3.0]
    assert [(r.phase, r.kind, r.count) for r in prof.rows] == [("forward", "exp", 1)]
    assert prof.peak_nodes == 1


def test_a_long_loop_holds_no_memory_for_the_nodes_it_has_freed() -> None:
    x = Value(0.5)
    n = 5000
    with engine.profile() as prof:
        for _ in range(200):  # warm up: the rows and the size cache exist
            (x * 2.0).exp()
        gc.collect()
        tracing = tracemalloc.is_tracing()  # already on (python -X tracemalloc): left on
        if not tracing:
            tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(n):
                (x * 2.0).exp()  # two nodes made, and freed at once
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            if not tracing:
                tracemalloc.stop()
    assert counts(prof, "forward") == {"mul": n + 200, "exp": n + 200}
    assert prof.peak_nodes == 2 and prof.held_nodes == 0
    # anything kept per freed node costs at least a weak reference to it: 2n of them would be far more than this
    assert grown < 2 * n * sys.getsizeof(weakref.ref(x)) / 10, grown


def test_a_method_the_compiler_registers_is_timed_whole_in_the_compiled_phase() -> None:
    from engine.profiler import _watched, instrument

    class Replayer:
        def profiled_size(self):
            return 7, 4096  # 7 instructions in 4 KiB, as a compiled program reports its tape

        def run(self, x):
            return Value(x).exp().data  # its own ops are the replay's, not rows of their own

    registered = len(_watched)
    instrument(Replayer, "run", "my replay")
    try:
        original = Replayer.__dict__["run"]
        with engine.profile() as prof:
            assert Replayer().run(0.0) == 1.0 and Replayer().run(0.0) == 1.0
        assert Replayer.__dict__["run"] is original  # put back when the block ends
    finally:
        del _watched[registered:]
    assert [(r.phase, r.kind, r.count, r.nodes, r.bytes) for r in prof.rows] == [("compiled", "my replay", 2, 7, 4096)]
    assert [line[:3] + line[5:] for line in prof.table()] == [("compiled", "my replay", 2, 7, 4.0)]  # 4096 B: 4 KiB


def test_a_compiled_programs_size_is_its_tapes_arrays_and_one_float_a_slot() -> None:
    from array import array

    w = Value(0.5)
    program = engine.compile(lambda x: (x * w).tanh() + x, 0.2)
    # mul(x, w), tanh(mul), add(tanh, x): 3 ops, 3 outs, 2 + 1 + 2 = 5 arguments, 3 + 1 starts, 1 input, 1 parameter
    ints = 3 + 3 + 5 + 4 + 1 + 1
    slots = 5  # x, w, and the three results
    assert program.profiled_size() == (3, ints * array("i").itemsize + 8 * slots)
    with engine.profile() as prof:
        program(0.1)
    row = next(r for r in prof.rows if r.kind == "replay")
    assert (row.nodes, row.bytes) == (3, ints * array("i").itemsize + 8 * slots)


def hand_made_profile():
    """A profile written out by hand, in seconds that are exact in binary, so every column can be worked out."""
    return engine.profiler.Profile([
        Row("forward", "mul", 4, 0.25, 4, 4 * 256),
        Row("forward", "tanh", 1, 0.5, 1, 2048),
        Row("backward", "mul", 1, 0.125, 0, 0),
        Row("compiled", "batch", 1, 0.0625, 3, 512),
    ], peak_nodes=1234, held_nodes=3, seconds=2.0)


def test_the_table_puts_the_slowest_first_and_a_total_after_two_rows_or_more() -> None:
    assert hand_made_profile().table() == [
        # phase, op, count, ms, µs per op, nodes, KiB
        ("forward", "tanh", 1, 500.0, 500_000.0, 1, 2.0),
        ("forward", "mul", 4, 250.0, 62_500.0, 4, 1.0),
        ("forward", "total", 5, 750.0, 150_000.0, 5, 3.0),
        ("backward", "mul", 1, 125.0, 125_000.0, 0, 0.0),  # one row: no total
        ("compiled", "batch", 1, 62.5, 62_500.0, 3, 0.5),  # one call: its time per call is its time
    ]


def test_totals_add_up_a_phase_or_everything() -> None:
    prof = hand_made_profile()
    assert prof.total() == Row("all", "total", 7, 0.9375, 8, 1024 + 2048 + 512)
    assert prof.total("forward") == Row("forward", "total", 5, 0.75, 5, 3072)
    assert prof.total("recompute") == Row("recompute", "total", 0, 0, 0, 0)


def test_the_printed_table_and_its_html_show_the_columns_and_the_times_in_milliseconds() -> None:
    prof = hand_made_profile()
    lines = str(prof).splitlines()
    assert lines[1] == "-" * len(lines[0])
    widths = [10, 14, 9, 10, 9, 10, 10]  # phase and op to the left, the numbers to the right
    starts = [sum(widths[:i]) for i in range(len(widths) + 1)]
    assert len(lines[0]) == starts[-1] and all(len(line) == starts[-1] for line in lines[2:-1])
    assert [[line[a:b].strip() for a, b in zip(starts, starts[1:])] for line in lines[2:-1]] == [
        ["forward", "tanh", "1", "500.000", "500000.00", "1", "2.0"],
        ["forward", "mul", "4", "250.000", "62500.00", "4", "1.0"],
        ["forward", "total", "5", "750.000", "150000.00", "5", "3.0"],
        ["backward", "mul", "1", "125.000", "125000.00", "0", "0.0"],
        ["compiled", "batch", "1", "62.500", "62500.00", "3", "0.5"],
    ]
    assert lines[-1] == ("in all 2000.000 ms in the block, 937.500 ms in ops; graph nodes alive at most 1,234, "
                         "at the end 3")
    html = prof._repr_html_()
    body = html[html.index("<tbody>") + len("<tbody>"):html.index("</tbody>")]
    assert body == ("<tr><td>forward</td><td>tanh</td><td>1</td><td>500.000</td><td>500000.00</td><td>1</td>"
                    "<td>2.0</td></tr>"
                    "<tr><td>forward</td><td>mul</td><td>4</td><td>250.000</td><td>62500.00</td><td>4</td>"
                    "<td>1.0</td></tr>"
                    "<tr><td>forward</td><td>total</td><td>5</td><td>750.000</td><td>150000.00</td><td>5</td>"
                    "<td>3.0</td></tr>"
                    "<tr><td>backward</td><td>mul</td><td>1</td><td>125.000</td><td>125000.00</td><td>0</td>"
                    "<td>0.0</td></tr>"
                    "<tr><td>compiled</td><td>batch</td><td>1</td><td>62.500</td><td>62500.00</td><td>3</td>"
                    "<td>0.5</td></tr>")
    assert html.endswith("<p>in all 2000.000 ms; graph nodes alive at most 1,234, at the end 3</p>")
