"""Program's float replays: call, loop, backward, verify and repr, computed by the generated code or the
interpreter over the tape (every test runs both), never by Values."""

import functools
import math

import pytest

import engine
from engine import TraceError, Value

from . import no_fallback


@pytest.fixture(autouse=True, params=["generated", "interpreted"])
def replay_kind(request, monkeypatch) -> str:
    if request.param == "interpreted":  # every tape counts as large
        monkeypatch.setattr(engine.compiler.program, "GENERATED_UP_TO", -1)
    return request.param




def test_replays_give_hand_computed_values_and_gradients_without_values() -> None:
    w = Value(2.0)

    def f(x, v):  # x * w * v0 + relu(x) + |v1| - v0 / x + sigmoid(x) + x ** v1 + 2 ** x
        return engine.sum([x * w * v[0], x.relu(), v[1].abs()]) - v[0] / x + x.sigmoid() + x ** v[1] + 2.0 ** x

    program = engine.compile(f, 1.0, [3.0, -1.0])
    program(1.0, [3.0, -1.0])  # build once
    s = 1 / (1 + math.exp(-2.0))
    with no_fallback():
        r = program(2.0, [3.0, -4.0])
    assert r.value == pytest.approx(12.0 + 2.0 + 4.0 - 1.5 + s + 2.0 ** -4 + 4.0, rel=1e-15)
    dx = 6.0 + 1.0 + 3.0 / 4.0 + s * (1 - s) + (-4.0) * 2.0 ** -5 + 4.0 * math.log(2.0)
    assert r.grads[0] == pytest.approx(dx, rel=1e-15)
    assert r.grads[1] == pytest.approx([2.0 * 2.0 - 0.5, -1.0 + 2.0 ** -4 * math.log(2.0)], rel=1e-15)
    assert r.param_grads == [6.0] and r.aux is None


def test_kinked_helpers_at_and_around_their_kinks() -> None:
    program = engine.compile(lambda x: x.relu() + x.abs() + x.leaky_relu(0.25), 1.0)
    cases = {-2.0: 0.0 - 1.0 + 0.25, 0.0: 0.0 + 0.0 + 0.25, 0.5: 1.0 + 1.0 + 1.0, 3.0: 3.0}
    for x, dx in cases.items():
        with no_fallback():
            r = program(x)
        assert r.grads == (dx,), x


def test_power_with_a_value_exponent_uses_times_log() -> None:
    program = engine.compile(lambda a, b: a ** b, 2.0, 3.0)
    with no_fallback():
        r = program(2.0, 3.0)
        zero = program(0.0, 2.0)
        one = program(4.0, 0.0)
    assert r.value == 8.0 and r.grads == (12.0, pytest.approx(8.0 * math.log(2.0), rel=1e-15))
    assert zero.value == 0.0 and zero.grads == (0.0, 0.0)  # d/db 0 ** b = 0, not 0 * log 0
    assert one.value == 1.0 and one.grads == (0.0, pytest.approx(math.log(4.0), rel=1e-15))


def test_parameters_are_read_at_every_call_and_backward_accumulates() -> None:
    w = Value(2.0)
    program = engine.compile(lambda x: (x * w).tanh() * 3.0, 0.5)
    with no_fallback():
        a = program(0.5)
        w.data = -1.0
        b = program(0.5)
    assert a.value == pytest.approx(3.0 * math.tanh(1.0), rel=1e-15)
    assert b.value == pytest.approx(3.0 * math.tanh(-0.5), rel=1e-15)
    assert b.grads[0] == pytest.approx(3.0 * (1 - math.tanh(-0.5) ** 2) * -1.0, rel=1e-15)
    assert b.param_grads[0] == pytest.approx(3.0 * (1 - math.tanh(-0.5) ** 2) * 0.5, rel=1e-15)
    w.grad = 1.0
    program.backward(0.5)
    assert w.grad == pytest.approx(1.0 + b.param_grads[0], rel=1e-15)


def test_an_identity_and_a_constant_replay() -> None:
    program = engine.compile(lambda x: x, 1.0)
    assert program.source.forward == ["pass"] and program.source.backward == ["pass"]
    with no_fallback():
        assert program(5.0) == (5.0, (1.0,), [], None)
    program = engine.compile(lambda x: x * 0.0 + 7.0, 1.0)
    with no_fallback():
        assert program(5.0) == (7.0, (0.0,), [], None)


def test_extra_outputs_one_value_or_a_list() -> None:
    one = engine.compile(lambda x: (x * x, x * 3.0), 2.0)
    many = engine.compile(lambda x: (x * x, [x * 3.0, x + 1.0, x - 1.0]), 2.0)
    pair = engine.compile(lambda x: (x * x, (x * 3.0, x + 1.0)), 2.0)
    with no_fallback():
        assert one(5.0) == (25.0, (10.0,), [], 15.0)
        assert many(5.0) == (25.0, (10.0,), [], [15.0, 6.0, 4.0])
        assert pair(5.0) == (25.0, (10.0,), [], [15.0, 6.0])
    assert (one.aux_kind, many.aux_kind, pair.aux_kind) == ("value", "list", "list")


def test_bad_arguments_are_refused_with_the_argument_named() -> None:
    program = engine.compile(lambda x, v: x * v[0] * v[1], 1.0, [1.0, 2.0])
    cases = [
        ((1.0,), TypeError, "the compiled function takes 2 arguments, got 1"),
        ((1.0, [1.0, 2.0], 3.0), TypeError, "the compiled function takes 2 arguments, got 3"),
        ((1.0, 2.0), ValueError, "argument 1 must be a list of 2 numbers, as when compiled; got 2.0"),
        ((1.0, [1.0]), ValueError, "argument 1 must be a list of 2 numbers, as when compiled; got [1.0]"),
        (("a", [1.0, 2.0]), TypeError, "argument 0 must be a real number, got str 'a'"),
        ((1.0, [1.0, "b"]), TypeError, "argument 1 must be a real number, got str 'b'"),
        ((float("nan"), [1.0, 2.0]), ValueError, "argument 0 must not be nan, got nan"),
    ]
    for args, kind, message in cases:
        with pytest.raises(kind) as e:
            program(*args)
        assert str(e.value) == message
    with no_fallback():
        assert program(2.0, (3.0, 4.0)) == (24.0, (12.0, [8.0, 6.0]), [], None)  # a tuple is a list argument


def test_errors_are_the_eager_engines_for_overflow_and_complex_results() -> None:
    cases = [
        (engine.compile(lambda x: x.exp(), 1.0), 1000.0, OverflowError,
         "exp: result too large for a float with x=1000.0"),
        (engine.compile(lambda x: x * 1e300 * 1e300 + 1.0, 1e-300), 1.0, OverflowError,
         "mul: result too large for a float with a=1e+300, b=1e+300"),
        (engine.compile(lambda x: x ** 0.5, 4.0), -4.0, ValueError,
         "pow: a negative base needs an integer exponent; got x=-4.0, k=0.5"),
        (engine.compile(lambda x: x.log(), 1.0), -1.0, ValueError, "log: log is defined only for x > 0; got x=-1.0"),
    ]
    for program, x, kind, message in cases:
        with pytest.raises(kind) as e:
            program(x)
        assert str(e.value) == message


def test_a_false_alarm_falls_back_to_the_eager_result() -> None:
    # sqrt'(0) is 1/0, but the square after it sends sqrt no adjoint: eager skips it, the floats cannot.
    w = Value(2.0)
    f = lambda x: (x * w).relu().sqrt() ** 2 + x * w  # noqa: E731
    program = engine.compile(f, 1.0)
    r = program(-1.0)
    assert (r.value, r.grads, r.param_grads) == (-2.0, (2.0,), [-1.0])


def test_loop_replays_sample_by_sample_and_sums_parameter_gradients() -> None:
    w = Value(2.0)
    f = lambda x: ((x * w).relu().sqrt() ** 2 + x * w, x * 3.0)  # noqa: E731
    program = engine.compile(f, 1.0)
    r = program.loop([-1.0, 2.0, 3.0])  # the first sample falls back to the eager engine
    assert r.values == [-2.0, pytest.approx(8.0, rel=1e-15), pytest.approx(12.0, rel=1e-15)]
    assert r.grads == ([2.0, pytest.approx(4.0, rel=1e-15), pytest.approx(4.0, rel=1e-15)],)
    assert r.param_grads == [pytest.approx(-1.0 + 4.0 + 6.0, rel=1e-15)]
    assert r.aux == [-3.0, 6.0, 9.0]
    plain = engine.compile(lambda x, y: x * y * w, 1.0, 1.0)
    with no_fallback():
        r = plain.loop([1.0, 2.0], [3.0, 4.0])
    assert r == ([6.0, 16.0], ([6.0, 8.0], [2.0, 4.0]), [3.0 + 8.0], None)
    with no_fallback():
        assert plain.loop([], []) == ([], ([], []), [0.0], None)


def test_a_nan_the_floats_make_without_an_error_is_replayed_eagerly_input_gradients_included() -> None:
    # f = relu(log x) + x at a subnormal x: relu is dead, so log's adjoint is 0, but 1/x is inf (not an error
    # in floats) and 0 * inf is nan. The eager engine skips the dead branch: df/dx = 1.
    program = engine.compile(lambda x, y: (x.log().relu() + x) * y, 1.0, 1.0)
    assert program(1e-320, 2.0) == (2e-320, (2.0, 1e-320), [], None)
    assert program.loop([1e-320, 1.0], [2.0, 3.0]) == ([2e-320, 3.0], ([2.0, 3.0], [1e-320, 1.0]), [], None)  # relu'(log 1 = 0) is 0
    assert program.loop([1e-320], [2.0], input_grads=False) == ([2e-320], (), [], None)


def test_loop_without_input_gradients_never_differentiates_what_only_the_inputs_feed() -> None:
    # f = (x w - t)^2 sqrt(t): d/dt does not exist at t = 0 (sqrt'(0) = 1/0), and training never asks for it.
    # d/dw = 2 (x w - t) x sqrt(t), by hand.
    w = Value(0.5)
    program = engine.compile(lambda x, t: (x * w - t) ** 2 * t ** 0.5, 1.0, 1.0)
    xs, ts = [1.0, 2.0, -1.0], [0.0, 4.0, 1.0]
    with no_fallback():
        r = program.loop(xs, ts, input_grads=False)
    assert r.grads == () and r.values == [0.0, 18.0, 2.25]
    assert r.param_grads == [0.0 + 2 * (1.0 - 4.0) * 2.0 * 2.0 + 2 * (-0.5 - 1.0) * -1.0 * 1.0]
    with pytest.raises(ZeroDivisionError, match="undefined at x=0.0, k=0.5"):  # the inputs' own: it does not exist
        program.loop(xs, ts)
    # The eager fallback (a dead relu before sqrt at 0 sends 0 * inf in floats) does not differentiate t's branch
    # either: d/dw = 2 (x w - t) x sqrt(t) + x [x w > 0], here at x = -1, t = 0.
    dead = engine.compile(lambda x, t: (x * w - t) ** 2 * t ** 0.5 + (x * w).relu().sqrt() ** 2 + x * w, 1.0, 1.0)
    r = dead.loop([-1.0], [0.0], input_grads=False)
    assert r == ([-0.5], (), [-1.0], None)


def test_verify_accepts_matching_calls_and_names_any_difference() -> None:
    w = Value(2.0)
    k = {"value": 1.0}
    program = engine.compile(lambda x: x * k["value"] * w, 1.0)  # the constant is frozen at the trace
    assert program.verify(3.0) == (6.0, (2.0,), [3.0], None)
    assert program.verify(3.0, rel=0.0) == (6.0, (2.0,), [3.0], None)

    def differs(traced, now, rel=1e-9):
        k["value"] = traced
        compiled = engine.compile(lambda x: x * k["value"] * w, 1.0)
        k["value"] = now
        try:
            compiled.verify(1.0, rel=rel)
        except TraceError as e:
            return str(e)
        return None

    w.data = 1.0
    assert differs(1.0, 1.5) == "compile: the compiled program gives 1.0 where the eager engine gives 1.5"
    assert differs(1e-10, 2e-10) == "compile: the compiled program gives 1e-10 where the eager engine gives 2e-10"
    assert differs(1e6, 1e6 * (1 + 1e-12)) is None
    assert differs(2.0, 1.0, rel=0.6) is None and differs(1.0, 2.0, rel=0.6) is None
    assert differs(2.0, 1.0, rel=0.4) == "compile: the compiled program gives 2.0 where the eager engine gives 1.0"
    assert differs(0.0, 1e-310) is None  # differences below 1e-300 are no differences
    assert differs(0.0, 1e-290) == "compile: the compiled program gives 0.0 where the eager engine gives 1e-290"


def test_verify_compares_parameter_gradients_and_extra_outputs_run() -> None:
    w = Value(2.0)
    k = {"value": 1.0}
    program = engine.compile(lambda x: (x * x + w * k["value"], [x * w, x]), 1.0)
    assert program.verify(3.0) == (11.0, (6.0,), [1.0], [6.0, 3.0])
    k["value"] = 3.0
    with pytest.raises(TraceError) as e:
        program.verify(3.0)
    assert str(e.value) == "compile: the compiled program gives 11.0 where the eager engine gives 15.0"
    k["value"] = 1.0
    constant = engine.compile(lambda x: (2.5, x * 2.0), 1.0)
    assert constant.verify(3.0) == (2.5, (0.0,), [], 6.0)


def test_verify_catches_a_different_graph_whatever_differs() -> None:
    # A branch the trace cannot see (reading x.data is refused while tracing): a switch outside f.
    on = {"first": True}
    same_ops = engine.compile(lambda x: x * x if on["first"] else x * 2.0, 1.0, check=False)  # other arguments
    other_op = engine.compile(lambda x: x.exp() if on["first"] else x.tanh(), 1.0, check=False)  # other op
    longer = engine.compile(lambda x: x.exp() if on["first"] else x.exp().exp(), 1.0, check=False)
    other_power = engine.compile(lambda x: x ** 2 if on["first"] else x ** 3, 1.0, check=False)  # other parameter
    differences = ["instruction 0 is mul(slot 0, slot 1) now, mul(slot 0, slot 0) when compiled",
                   "instruction 0 is tanh(slot 0) now, exp(slot 0) when compiled",
                   "2 instructions now, 1 when compiled",
                   "instruction 0 is pow(slot 0, 3.0) now, pow(slot 0, 2.0) when compiled"]
    for program, difference in zip((same_ops, other_op, longer, other_power), differences):
        assert program.verify(2.0).value == program(2.0).value
        on["first"] = False
        with pytest.raises(TraceError) as e:
            program.verify(-1.0)
        on["first"] = True
        assert str(e.value) == (f"compile: f traces to a different graph for these inputs ({difference}), so the "
                                f"compiled program does not stand for it; Python control flow in f depends on values")


def test_repr_names_the_function_and_counts() -> None:
    w = Value(1.0)

    def model(x, v):
        return x * w + v[0] * v[1]

    assert repr(engine.compile(model, 1.0, [1.0, 2.0])) == "<compiled model: 3 instructions, 3 inputs, 1 parameters>"
    unnamed = functools.partial(lambda x, y: x * y, y=2.0)
    assert repr(engine.compile(unnamed, 1.0)) == "<compiled function: 1 instructions, 1 inputs, 0 parameters>"


def test_large_finite_numbers_replay_without_the_eager_engine() -> None:
    program = engine.compile(lambda x, y: x * y * 1.0, 1.0, 1.0)
    with no_fallback():  # slots near the largest float, of both signs, are no overflow
        assert program(1e308, -1.0) == (-1e308, (-1.0, 1e308), [], None)
