"""Reliability: modes per thread, replays that never go stale, eager sums in replays, state after errors."""

import io
import threading

import numpy as np
import pytest

import engine
from engine import Value, detect_anomaly, enable_grad, grad, hessian, no_grad
from engine.modes import state


def test_no_grad_in_one_thread_leaves_another_recording() -> None:
    inside, built = threading.Barrier(2), threading.Barrier(2)
    seen = {}

    def quiet() -> None:
        with no_grad():
            inside.wait()  # the other thread now builds while this one is inside no_grad
            built.wait()
            seen["quiet"] = (Value(2.0) * 3)._prev

    def busy() -> None:
        inside.wait()
        x = Value(3.0)
        y = x * x
        built.wait()
        y.backward()
        seen["busy"] = (y._prev, x.grad)

    threads = [threading.Thread(target=quiet), threading.Thread(target=busy)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["quiet"] == ()
    prev, g = seen["busy"]
    assert len(prev) == 2 and g == 6.0


def test_fit_in_one_thread_and_no_grad_evaluation_in_another() -> None:
    import random

    from nn import MLP, SGD, fit, losses
    from nn.data import blobs

    X, y = blobs(60, centers=2, std=0.5, seed=1)
    random.seed(0)
    model, twin = MLP(2, [6, 2]), None
    random.seed(0)
    twin = MLP(2, [6, 2])
    stop = threading.Event()
    evaluated = []

    def evaluate() -> None:
        while not stop.is_set():
            with no_grad():
                evaluated.append(len(model([0.5, -0.5])[0]._prev))

    watcher = threading.Thread(target=evaluate)
    watcher.start()
    try:
        history = fit(model, X, y, losses.cross_entropy, SGD(model.parameters(), lr=0.1), 5, progress=False)
    finally:
        stop.set()
        watcher.join()
    alone = fit(twin, X, y, losses.cross_entropy, SGD(twin.parameters(), lr=0.1), 5, progress=False)
    assert history["loss"] == alone["loss"]  # the other thread's no_grad changed nothing here
    assert evaluated and set(evaluated) == {0}


def test_detach_and_no_grad_are_replayed_not_frozen() -> None:
    def f(x, w):
        with no_grad():
            scale = x * w
        return x * x.detach() + scale * x

    compiled = engine.compile(f, 1.0, 2.0)
    for x, w in [(3.0, 2.0), (-1.5, 0.5)]:
        got = compiled(x, w)
        want = engine.compiler.program.eager_call(f, (x, w), [])
        assert got.value == want.value == x * x + x * w * x
        assert got.grads == want.grads == (x + x * w, 0.0)  # d/dx: x.detach() + scale; nothing through w
        batch = compiled.batch(np.array([x]), np.array([w]))
        assert batch.values.tolist() == [want.value] and batch.grads[0].tolist() == [want.grads[0]]
        assert compiled.loop([x], [w]).values == [want.value]
        compiled.verify(x, w)


def test_detach_of_a_parameter_follows_its_updates() -> None:
    w = Value(2.0)
    compiled = engine.compile(lambda x: x * w.detach() + w * x, 1.0)
    w.data = 5.0  # a training step
    r = compiled.backward(3.0)
    assert r.value == 30.0 and r.grads == (10.0,) and w.grad == 3.0  # only the attached use sends to w


def test_replayed_sums_add_exactly_as_eager_does() -> None:
    f = lambda a, b: engine.sum([a, b, -a])  # noqa: E731
    eager = engine.compiler.program.eager_call(f, (1e16, 1.0), [])
    assert eager.value == 1.0 == engine.compile(f, 0.0, 0.0)(1e16, 1.0).value
    engine.compile(lambda a, b: engine.sum([a, b, -(a + b)]), 0.0, 0.0).verify(1.3, 1.0)


def test_errors_name_the_transform_the_user_called() -> None:
    with pytest.raises(TypeError, match="^hessian: f must return a scalar"):
        hessian(lambda v: [v[0], v[1]])([1.0, 2.0])
    with pytest.raises(TypeError, match="^grad: f must return a scalar"):
        grad(lambda x: [x])(1.0)
    with pytest.raises(ValueError, match="^value_and_grad: argnums 3"):
        engine.value_and_grad(lambda x: x, 3)(1.0)


def test_explain_flags_a_wrong_derivation_however_small(monkeypatch) -> None:
    from engine.transforms import explain as module

    x = Value(0.5, label="x")
    y = x
    for _ in range(60):
        y = y * x
    y.label = "y"
    real = module._by_nodes

    def off(*args):  # a derivation wrong by one part in a million
        return real(*args) * (1 + 1e-6)

    monkeypatch.setattr(module, "_by_nodes", off)
    out = io.StringIO()
    engine.explain(y, wrt=x, file=out, max_paths=1)
    assert "MISMATCH" in out.getvalue()  # the derivative is about 5e-17: an absolute 1e-9 check passed it


def test_a_huge_integer_gets_the_engines_own_message() -> None:
    with pytest.raises(OverflowError, match="Value data is too large for a float: int with 401 digits"):
        Value(10 ** 400)
    with pytest.raises(OverflowError, match="mul operand is too large"):
        Value(1.0) * 10 ** 400


class Boom(Exception):
    pass


def raising(*_):
    raise Boom()


@pytest.mark.parametrize("block", [no_grad, enable_grad, detect_anomaly])
def test_modes_are_restored_when_the_block_raises(block) -> None:
    before = (state.recording, state.anomaly, state.tracing, dict(state.sites))
    with pytest.raises(Boom):
        with block():
            raising()
    assert (state.recording, state.anomaly, state.tracing, dict(state.sites)) == before


def test_tracing_and_grads_are_restored_when_f_raises() -> None:
    x = Value(2.0)
    x.grad = 7.0

    def f(t):
        (t * x).backward()  # a user's f that touches grads, then fails
        raise Boom()

    with pytest.raises(Boom):
        engine.compile(f, 1.0)
    assert state.tracing is False
    w = Value(3.0)
    w.grad = 5.0
    with pytest.raises(ZeroDivisionError):  # sqrt'(0): the backward pass fails midway
        grad(lambda t: (t * w).sqrt() + t * w)(0.0)
    with pytest.raises(ZeroDivisionError):
        hessian(lambda v: (v[0] * w).sqrt() * w)([0.0])
    assert w.grad == 5.0  # put back as it was


def test_fit_leaves_the_model_usable_when_the_loss_raises() -> None:
    import random

    from nn import MLP, SGD, fit

    random.seed(0)
    model = MLP(2, [3, 1])
    calls = []

    def loss(outs, targets):
        calls.append(1)
        if len(calls) == 3:
            raise Boom()
        return engine.sum([(o - t) ** 2 for o, t in zip(outs, targets)])

    with pytest.raises(Boom):
        fit(model, [[1.0, 2.0]] * 4, [1.0] * 4, loss, SGD(model.parameters(), lr=0.01), 5, batch_size=2,
            progress=False)
    assert state.recording and not state.tracing
    model([0.1, 0.2]).backward()  # still a working model
