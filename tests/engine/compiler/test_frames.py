"""Frames: a lifted program's arrays, reused call after call. Reuse must never show: each call's results are
its own, whatever came before it, on any thread, against the eager engine."""

import math
import threading

import numpy as np
import pytest

import engine
from engine import Value
from engine.compiler import batch as batches, frames
from engine.compiler.frames import Frames, named_views
from engine.compiler.numpy_backend import NUMPY
from engine.compiler.program import eager_call


def eager(program, *columns):
    """Per-sample values and input gradients, and the parameter gradients summed, by the eager engine."""
    outs = [eager_call(program.f, [float(c[i]) for c in columns], program.parameters) for i in range(len(columns[0]))]
    return ([o.value for o in outs], [[o.grads[j] for o in outs] for j in range(len(columns))],
            [math.fsum(o.param_grads[j] for o in outs) for j in range(len(program.parameters))])


def assert_eager(r, program, *columns) -> None:
    values, grads, param_grads = eager(program, *columns)
    assert r.values.tolist() == pytest.approx(values, rel=1e-13)
    for got, want in zip(r.grads, grads):
        assert got.tolist() == pytest.approx(want, rel=1e-13)
    assert list(r.param_grads) == pytest.approx(param_grads, rel=1e-13)


def test_a_second_call_on_the_same_frame_leaves_the_first_calls_results_alone() -> None:
    w = Value(0.5)
    program = engine.compile(lambda x, y: (x * w + y).tanh() * x, 1.0, 1.0)
    a, b = np.array([0.1, -2.0, 3.0]), np.array([1.0, 0.5, -0.25])
    first = program.batch(a, b)
    kept = (first.values.copy(), [g.copy() for g in first.grads], list(first.param_grads))
    second = program.batch(b, a)  # the same number of samples: the same frame
    assert len(batches.made_for(program, NUMPY).frames.free[3]) == 1
    assert first.values.tolist() == kept[0].tolist() and [g.tolist() for g in first.grads] == [g.tolist() for g in kept[1]]
    assert list(first.param_grads) == kept[2]
    assert_eager(first, program, a, b)
    assert_eager(second, program, b, a)


def test_what_backward_adds_to_before_it_assigns_is_zeroed_for_every_call() -> None:
    # y = e^(x0) read twice by one sum: its adjoint is first reached by add_at (the rows repeat); w read by both
    # products of one group: its gradient is first reached by add_at too. A stale frame would add the last call's.
    # f = 2 e^(x0) + e^(x1) + (x0 + x1) w: d/dx0 = 2 e^(x0) + w, d/dx1 = e^(x1) + w, d/dw = x0 + x1.
    w = Value(1.5)
    program = engine.compile(lambda x: (lambda y: engine.sum([y, y, x[1].exp()]))(x[0].exp()) + (x[0] * w + x[1] * w),
                             [0.0, 0.0])
    lifted = batches.made_for(program, NUMPY).lifted
    assert lifted.added_first == {"G": (2, 3), "GP": (0,)}  # y's rows (e^x0 and e^x1: one group), and w
    X = np.array([[0.5, -1.0], [2.0, 0.0]])
    for _ in range(3):
        r = program.batch(X)
        want = [[2 * math.exp(0.5) + 1.5, math.exp(-1.0) + 1.5], [2 * math.exp(2.0) + 1.5, 1.0 + 1.5]]
        assert r.grads[0].ravel().tolist() == pytest.approx(np.ravel(want).tolist(), rel=1e-14)
        assert list(r.param_grads) == pytest.approx([0.5 - 1.0 + 2.0 + 0.0], rel=1e-14)


def test_threads_never_share_a_frame() -> None:
    W = [[Value(0.1 * (i - j)) for j in range(3)] for i in range(4)]
    program = engine.compile(lambda x: engine.sum([engine.dot(w, x).tanh() for w in W]), [0.0] * 3)
    inputs = [np.random.default_rng(seed).standard_normal((16, 3)) for seed in range(8)]
    wanted = [program.batch(X) for X in inputs]  # one at a time
    got, failures = {}, []

    def work(k: int) -> None:
        try:
            for _ in range(30):
                got[k] = program.batch(inputs[k])
                assert got[k].values.tolist() == wanted[k].values.tolist()
                assert got[k].grads[0].tolist() == wanted[k].grads[0].tolist()
        except AssertionError as e:  # pragma: no cover (the failure this test looks for)
            failures.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and len(got) == 8


def test_frames_are_kept_for_a_few_batch_sizes_and_not_for_a_whole_data_set(monkeypatch) -> None:
    program = engine.compile(lambda x: x * x * Value(2.0), 1.0)
    free = lambda: batches.made_for(program, NUMPY).frames.free  # noqa: E731
    for n in (1, 2, 3, 4, 5, 2):
        program.batch(np.arange(float(n)))
    assert sorted(free()) == [2, 3, 4, 5]  # the size seen first went first
    monkeypatch.setattr(frames, "KEPT_ENTRIES", 100)
    rows = batches.made_for(program, NUMPY).lifted.rows
    r = program.batch(np.arange(float(60 // rows + 1)))  # V and G together past 100 entries: made, used, dropped
    assert r.values.tolist() == [2.0 * x * x for x in range(60 // rows + 1)]
    assert 60 // rows + 1 not in free()


def test_a_view_that_would_be_a_copy_is_refused() -> None:
    class Copying(type(NUMPY)):
        def shares_memory(self, view, base):
            return False

    code = frames.bind("V[1:2] = V[0:1] * 2.0", "G[0:1] += G[1:2] * 2.0")
    with pytest.raises(RuntimeError, match=r"lifting: a view of V came out a copy, shape \(1, 3\)"):
        frames.Frame(code, {}, Copying(), 2, 3, 0, ())
    frame = frames.Frame(code, {}, NUMPY, 2, 3, 0, ())
    frame.V[0] = [1.0, 2.0, 3.0]
    frame.G[1] = 1.0
    frame.forward()
    frame.backward()
    assert frame.V[1].tolist() == [2.0, 4.0, 6.0] and frame.G[0].tolist() == [2.0, 2.0, 2.0]


def test_named_views_keep_gathers_and_write_through_their_targets() -> None:
    text, views = named_views("GP[0:4].reshape(2, 2)[:, :1] = G[2:4] @ V[0:1].T\n"
                              "add_at(GP, i0, (G[2:4] * V[i1]).sum(axis=1))\n"
                              "G[4:6].reshape(2, 1, -1)[...] += G[6:7] * (exp_1(V[4:6].reshape(2, 1, -1) - V[6:7][None]))")
    assert text.splitlines() == [
        "matmul_into(_v0, _v1, _v2)",
        "add_at(GP, i0, (_v1 * V[i1]).sum(axis=1))",  # a gather is no view: it stays, read at each call
        "iadd(_v3, _v4 * (exp_1(_v5 - _v6)))"]
    assert views == {"GP[0:4].reshape(2, 2)[:, :1]": "_v0", "G[2:4]": "_v1", "V[0:1].T": "_v2",
                     "G[4:6].reshape(2, 1, -1)": "_v3", "G[6:7]": "_v4", "V[4:6].reshape(2, 1, -1)": "_v5",
                     "V[6:7][None]": "_v6"}


def test_a_frame_pool_gives_a_taken_frame_to_nobody_else() -> None:
    code = frames.bind("V[1:2] = V[0:1] * 2.0", "pass")
    pool = Frames(code, {}, NUMPY, 2, 0, ())
    a, b = pool.take(3), pool.take(3)
    assert a is not b
    pool.give(3, a)
    assert pool.take(3) is a and pool.take(3) is not a
    pool.give(3, a)
    pool.give(3, b)  # two of one size, both kept
    assert pool.take(3) is b and pool.take(3) is a


def test_a_frame_is_kept_up_to_its_entries_limit_and_not_past_it(monkeypatch) -> None:
    code = frames.bind("V[1:2] = V[0:1] * 2.0", "pass")
    pool = Frames(code, {}, NUMPY, 2, 0, ())
    monkeypatch.setattr(frames, "KEPT_ENTRIES", 2 * 2 * 5)  # V and G of two rows, five samples
    pool.give(5, pool.take(5))
    pool.give(6, pool.take(6))
    assert list(pool.free) == [5]


def test_an_argument_read_only_through_views_is_read_where_it_lies_and_not_kept() -> None:
    import gc
    import weakref

    layer = [([Value(0.5), Value(-1.0), Value(0.25)], Value(0.1)), ([Value(2.0), Value(0.3), Value(-0.5)], Value(0.0))]
    f = lambda x, t: engine.sum([(engine.dot(w, x, bias=b).relu() - t) ** 2 for w, b in layer])  # noqa: E731
    program = engine.compile(f, [0.1, 0.2, 0.3], 0.5)
    made = batches.made_for(program, NUMPY)
    x_views, t_views = made.frames.code.arguments
    assert x_views and t_views is None  # x is read by views (the layer's product), t by a gather (once per unit)
    X = np.random.default_rng(0).standard_normal((6, 3))
    t = np.linspace(-1.0, 1.0, 6)
    r = program.batch(X, t)
    outs = [eager_call(f, [X[i].tolist(), float(t[i])], program.parameters) for i in range(6)]
    assert r.values.tolist() == pytest.approx([o.value for o in outs], rel=1e-13)
    assert r.grads[0].ravel().tolist() == pytest.approx([g for o in outs for g in o.grads[0]], rel=1e-13)
    assert r.grads[1].tolist() == pytest.approx([o.grads[1] for o in outs], rel=1e-13)
    kept = weakref.ref(X)
    del X, r
    gc.collect()
    assert kept() is None  # the frame kept for the next call holds no view of the caller's array


def test_an_argument_that_a_gather_reads_is_copied_in() -> None:
    w = Value(0.7)
    program = engine.compile(lambda x, y: (x * w).detach() * y + x * w, 0.7, 0.3)  # x and x*w lifted as one group
    made = batches.made_for(program, NUMPY)
    assert made.frames.code.arguments[0] is None
    r = program.batch(np.array([-2.0, 1.0]), np.array([0.5, 2.0]))
    assert r.values.tolist() == pytest.approx([-2.1, 2.1], rel=1e-13)
