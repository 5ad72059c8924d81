"""The interpreter over the tape: chosen for large tapes, bit for bit the generated code's results, and
variadic ops of any width through their float rules."""

import math

import pytest

import engine
from engine import Value
from engine.compiler import interpreter, program as program_module

from . import no_fallback


def both(f, *args):
    """The same function compiled twice: replayed by generated code, and by the interpreter."""
    generated, walked = engine.compile(f, *args), engine.compile(f, *args)
    generated.interpreted, walked.interpreted = False, True
    return generated, walked


def test_small_tapes_run_generated_code_and_large_ones_the_interpreter(monkeypatch) -> None:
    def f(x):  # 3 instructions reading 5 inputs: a size of 8
        return (x * x + 1.0).tanh()

    assert not engine.compile(f, 0.5).interpreted
    monkeypatch.setattr(program_module, "GENERATED_UP_TO", 8)
    assert not engine.compile(f, 0.5).interpreted
    monkeypatch.setattr(program_module, "GENERATED_UP_TO", 7)
    program = engine.compile(f, 0.5)
    assert program.interpreted
    r = program(0.5)
    t = math.tanh(1.25)
    assert r.value == t and r.grads[0] == pytest.approx((1 - t * t) * 2 * 0.5, rel=1e-15)
    assert isinstance(program._python[True][0][0], interpreter.Walk)


@pytest.mark.parametrize("width", [3, interpreter.SPELLED, interpreter.SPELLED + 1, 200])
def test_variadic_ops_of_every_width_against_hand_derivatives(width: int) -> None:
    w = [Value(0.1 * (i % 7) - 0.3) for i in range(width)]  # parameters

    def f(xs):  # logsumexp(xs) + dot(w, xs, bias=x0) + sum(x_i^2): a width past SPELLED runs the rule in a loop
        return engine.logsumexp(xs) + engine.dot(w, xs, bias=xs[0]) + engine.sum(x * x for x in xs)

    xs = [math.sin(i + 0.5) for i in range(width)]
    generated, walked = both(f, xs)
    with no_fallback():
        a, b = generated(xs), walked(xs)
    assert a == b
    soft = [math.exp(x) / math.fsum(math.exp(y) for y in xs) for x in xs]
    want = [s + wi.data + 2 * x + (i == 0) for i, (s, wi, x) in enumerate(zip(soft, w, xs))]
    assert b.grads[0] == pytest.approx(want, rel=1e-13)
    assert b.param_grads == pytest.approx(xs, rel=1e-15)
    lse = max(xs) + math.log(math.fsum(math.exp(x - max(xs)) for x in xs))
    assert b.value == pytest.approx(lse + math.fsum(wi.data * x for wi, x in zip(w, xs)) + xs[0]
                                    + math.fsum(x * x for x in xs), rel=1e-13)


def test_a_zero_adjoint_sends_nothing_as_in_the_eager_engine() -> None:
    def f(x):  # relu(-1) is 0, so nothing flows to sqrt, whose derivative at 0 is 1/0
        return (x - 1.0).relu() * x.sqrt()

    generated, walked = both(f, 0.25)
    eager = Value(0.0)
    f(eager).backward()
    with no_fallback():  # the interpreter skips the dead node as eager backward does: no fallback
        r = walked(0.0)
    assert r.value == 0.0 and r.grads == (eager.grad,) == (0.0,)
    assert generated(0.0) == r  # generated code reaches the same through the eager fallback


def test_stop_gradient_and_constants_through_the_interpreter() -> None:
    def f(x):
        return x * x.detach() + 3.0 * x

    _, walked = both(f, 1.0)
    with no_fallback():
        r = walked(2.0)
    assert r.value == 10.0 and r.grads == (2.0 + 3.0,)


def test_a_domain_error_names_the_op_as_eagerly() -> None:
    _, walked = both(lambda x: (x - 2.0).log(), 3.0)
    with pytest.raises(ValueError, match="log"):
        walked(1.0)


def test_the_walks_show_their_steps_source() -> None:
    wide = interpreter.SPELLED + 1

    def f(xs):  # sums of 2, 3 and SPELLED inputs are spelled out, one step each; wider ones share one loop
        return engine.sum(xs[:2]) * engine.sum(xs[:3]) + engine.sum(xs[:interpreter.SPELLED]) \
            - engine.sum(xs[:wide]) * engine.sum(xs)

    xs = [0.5 + i for i in range(wide + 4)]
    generated, walked = both(f, xs)
    r = walked(xs)
    assert r == generated(xs)
    s2, s3, s16, s17, s21 = 0.5 + 1.5, 0.5 + 1.5 + 2.5, math.fsum(xs[:16]), math.fsum(xs[:17]), math.fsum(xs)
    assert r.value == s2 * s3 + s16 - s17 * s21
    forward, backward = walked._python[True][0][0], walked._python[True][1][0]
    spelled = (", ".join(f"a{i}" for i in range(16)) + ", o = s\nv[o] = sum_0("
               + ", ".join(f"v[a{i}]" for i in range(16)))
    assert forward.source == ["a0, a1, o = s\nv[o] = sum_0(v[a0], v[a1])",
                              "a0, a1, a2, o = s\nv[o] = sum_0(v[a0], v[a1], v[a2])",
                              "a0, a1, o = s\nv[o] = v[a0]*v[a1]",
                              spelled + ")",
                              "a0, a1, o = s\nv[o] = v[a0] + v[a1]",
                              "# sum of any number of inputs, forward: its rule in a loop",
                              "a0, a1, o = s\nv[o] = v[a0] - v[a1]"]
    kinds = [forward.functions.index(c) for c in forward.calls]
    assert kinds == [0, 1, 2, 3, 4, 5, 5, 2, 6]  # the two wide sums share the loop
    assert backward.source[5] == "# sum of any number of inputs, backward: its rule in a loop"
    forward, backward = interpreter.steps(engine.compile(lambda x: x.detach() * 2.0, 1.0).tape)
    assert backward.source[0] == "pass"


def test_training_walks_back_only_what_leads_to_a_parameter() -> None:
    # f = (x w - t)^2 sqrt(t): without the inputs' gradients, t ** 0.5 is not walked back, and steps send
    # nothing to x or t (which kind of step an instruction gets says which of its inputs want a gradient).
    w = Value(0.5)
    program = engine.compile(lambda x, t: (x * w - t) ** 2 * t ** 0.5, 1.0, 1.0)
    forward, backward = interpreter.steps(program.tape, input_grads=False)
    assert len(forward.calls) == 5 and len(backward.calls) == 4
    assert [backward.source[backward.functions.index(c)] for c in backward.calls] == [
        "a0, a1, o = s\ngo = g[o]\nif go:\n    g[a1] += go * (v[a0])",  # x * w: to w alone
        "a0, a1, o = s\ngo = g[o]\nif go:\n    g[a0] += go",  # x w - t: to x w alone
        "a0, o = s\ngo = g[o]\nif go:\n    g[a0] += go * (2.0*v[a0])",
        "a0, a1, o = s\ngo = g[o]\nif go:\n    g[a0] += go * (v[a1])"]  # the product: to the square alone
    v, g = [0.0] * program.tape.size, [0.0] * program.tape.size
    v[0], v[1], v[2] = 0.5, 2.0, 0.0  # w, x, t = 0: sqrt'(0) would be 1/0
    g[program.tape.output_slots[0]] = 1.0
    forward(v, g)
    backward(v, g)
    assert g[0] == 2 * (2.0 * 0.5 - 0.0) * 2.0 * 0.0 and g[1] == g[2] == 0.0


def test_on_arrays_every_kind_is_spelled_out_and_gives_the_generated_codes_bits() -> None:
    np = pytest.importorskip("numpy")
    from engine.compiler import numpy_backend

    w = Value(0.5)
    wide = interpreter.SPELLED + 4

    def f(x, y):  # a dead relu's adjoint is 0 for some samples: on arrays no step may skip on it
        return engine.sum([x * w] * 3 + [y] * wide) * (x * w).relu() + engine.logsumexp([x, y * w, x * y])

    generated, walked = both(f, 1.0, 2.0)
    forward, backward = interpreter.steps(walked.tape, True, numpy_backend.NUMPY)
    assert not any("if go" in src for src in backward.source)
    assert not any(src.startswith("#") for src in forward.source + backward.source)  # no float loop
    X, Y = np.array([-1.0, 0.0, 0.5, 2.0, -3.0]), np.array([1.0, -2.0, 0.25, 0.0, 4.0])
    a, b = generated.batch(X, Y, lifted=False), walked.batch(X, Y, lifted=False)
    assert a.values.tolist() == b.values.tolist() and [g.tolist() for g in a.grads] == [g.tolist() for g in b.grads]
    assert a.param_grads == b.param_grads
    for i in range(len(X)):  # and the eager engine's numbers, sample by sample
        want = program_module.eager_call(f, [X[i], Y[i]], [w])
        assert b.values[i] == pytest.approx(want.value, rel=1e-13)
        assert [g[i] for g in b.grads] == pytest.approx(list(want.grads), rel=1e-13, abs=1e-15)


def test_a_huge_tape_is_batched_per_node_by_the_interpreter_unless_lifting_is_asked_for(monkeypatch) -> None:
    np = pytest.importorskip("numpy")
    from engine.compiler import batch as batches

    a, b = Value(0.999), Value(0.001)
    made = lambda p, kind: [k for k in batches._MADE.get(p, {}) if k[0] == kind]  # noqa: E731

    def chain(x):  # y = a y + b, 50 times: y = a^50 x + b (1 - a^50) / (1 - a), dy/dx = a^50
        for _ in range(50):
            x = x * a + b
        return x

    monkeypatch.setattr(batches, "LIFTED_UP_TO", 99)  # the 100 instructions count as huge
    monkeypatch.setattr(batches, "LIFTED_GROUPS", 99)  # and their 100 groups (a chain's are of one node) as many
    monkeypatch.setattr(program_module, "GENERATED_UP_TO", 99)
    program = engine.compile(chain, 0.5)
    xs = np.linspace(-1.0, 1.0, 7)
    r = program.batch(xs)
    assert program.interpreted and made(program, "lifted") == [] and made(program, "per node") == [("per node", True)]
    A = 0.999 ** 50
    assert r.values.tolist() == pytest.approx((A * xs + 0.001 * (1 - A) / (1 - 0.999)).tolist(), rel=1e-13)
    assert r.grads[0].tolist() == pytest.approx([A] * 7, rel=1e-13)
    lifted = program.batch(xs, lifted=True)
    assert made(program, "lifted") and lifted.values.tolist() == pytest.approx(r.values.tolist(), rel=1e-14)
    monkeypatch.setattr(batches, "LIFTED_UP_TO", 100)
    small = engine.compile(chain, 0.5)
    small.batch(xs)
    assert made(small, "lifted") and not made(small, "per node")  # up to the limit, lifted
