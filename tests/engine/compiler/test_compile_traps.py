"""Compile traps are errors, never silent replays of the traced path: reading a Value's number while tracing
is refused where it happens, and the first call at other inputs traces f once more and compares."""

import math

import numpy as np
import pytest

import engine
from engine import TraceError, Value
from engine.modes import state
from nn import MLP


def _line_of(marker: str) -> int:
    with open(__file__) as source:
        return next(i for i, line in enumerate(source, 1) if marker in line)


READS = [
    (lambda x: x * 2.0 if x.data > 0 else -x, "an input of f", "# branch"),  # branch
    (lambda x: engine.sum([x] * int(x.data)), "an input of f", "# loop"),  # loop
    (lambda x: x * max((x * 2.0).data, 1.0), "a result", "# max"),  # max
]


@pytest.mark.parametrize("f, kind, marker", READS)
def test_reading_data_while_tracing_names_what_was_read(f, kind, marker) -> None:
    """The kind of Value read, apart from the file:line test below (which mutation runs leave out: mutmut's
    trampolines stand in front of the caller)."""
    with pytest.raises(TraceError, match=rf"^compile: f reads \.data of .*, {kind}, at .+:\d+ while being traced"):
        engine.compile(f, 3.0)


@pytest.mark.parametrize("f, kind, marker", READS)
def test_reading_data_while_tracing_is_refused_where_it_happens(f, kind, marker) -> None:
    with pytest.raises(TraceError) as e:
        engine.compile(f, 3.0)
    message = str(e.value)
    assert message.startswith("compile: f reads .data of ") and f", {kind}, at {__file__}:{_line_of(marker)} " in message
    assert "would replay that number as a constant" in message
    assert state.tracing is False  # the switch is put back


def test_a_parameters_number_is_refused_too_and_named() -> None:
    w = Value(2.0, label="w")
    with pytest.raises(TraceError, match=r"reads \.data of leaf 'w' with data=2\.0, a parameter \(made before the trace\)"):
        engine.compile(lambda x: x * w.data, 1.0)  # would keep 2.0 after w trains


def test_the_traces_own_constants_and_everything_outside_a_trace_read_freely() -> None:
    def f(x):
        c = Value(0.5)
        return x * (c.data * 4.0)  # a number f made itself: the same at every call

    program = engine.compile(f, 1.0)
    assert program(3.0).value == 6.0
    x = Value(1.5)
    assert x.data == 1.5 and (x * 2).data == 3.0  # outside a trace nothing changes


def test_a_layer_added_after_compiling_is_caught_at_the_first_call() -> None:
    # The case: the replay gave -2.0 where eager gives 3.0.
    layers = [lambda x: x - 3.0]
    program = engine.compile(lambda x: layers[-1](x), 1.0)
    layers.append(lambda x: x + 2.0)
    assert layers[-1](Value(1.0)).data == 3.0
    with pytest.raises(TraceError) as e:
        program(1.0 + 1e-9)
    assert str(e.value) == (
        "compile: f at (1.000000001,) is not the traced program: instruction 0 is add(slot 0, slot 1) now, "
        "sub(slot 0, slot 1) when compiled. Compile f again (or call it eagerly); compile(..., check=False) "
        "turns this check off")


def test_a_model_rebound_after_compiling_is_caught() -> None:
    models = {"m": MLP(2, [3, 1], activation="tanh")}
    program = engine.compile(lambda x: models["m"](x), [0.5, -1.0])
    models["m"] = MLP(2, [3, 1], activation="tanh")  # same shape, other weights
    with pytest.raises(TraceError, match="it reads 13 parameters now, 13 when compiled, or other ones"):
        program([0.1, 0.2])


def test_a_number_read_from_outside_while_tracing_is_caught() -> None:
    scale = {"k": 2.0}
    program = engine.compile(lambda x: x * scale["k"], 1.0)
    scale["k"] = 5.0
    with pytest.raises(TraceError, match=r"the constant in slot 1 is 5\.0 now, 2\.0 when compiled"):
        program(2.0)


def test_the_check_runs_once_not_at_the_example_and_can_be_turned_off() -> None:
    calls = []

    def f(x):
        calls.append(1)
        return x * x

    program = engine.compile(f, 1.0)
    assert len(calls) == 1
    program(1.0)
    assert len(calls) == 1  # the example itself is no second point
    program(2.0)
    program(3.0)
    program.loop([4.0, 5.0])
    assert len(calls) == 2 and program.check is False  # one more trace, once
    calls.clear()
    unchecked = engine.compile(f, 1.0, check=False)
    assert unchecked(2.0).value == 4.0 and len(calls) == 1

    flag = {"on": True}
    branchy = engine.compile(lambda x: x * 2.0 if flag["on"] else x * 3.0, 1.0, check=False)
    flag["on"] = False
    assert branchy(1.0).value == 2.0  # as documented: without the check the traced path is replayed


def test_the_check_waits_for_a_point_where_f_runs() -> None:
    program = engine.compile(lambda x: x.log(), 1.0)
    with pytest.raises(ValueError, match="log is defined only for x > 0; got x=-1.0"):
        program(-1.0)  # the eager engine's error, as before
    assert program.check is True
    assert program(math.e).value == pytest.approx(1.0) and program.check is False


@pytest.mark.parametrize("replay", ["call", "loop", "batch", "lifted batch", "batch of a list"])
def test_every_replay_checks(replay) -> None:
    flag = {"on": True}
    program = engine.compile(lambda x: x * 2.0 if flag["on"] else x.exp(), 1.0)
    flag["on"] = False
    run = {"call": lambda: program(2.0), "loop": lambda: program.loop([1.0, 2.0]),
           "batch": lambda: program.batch(np.array([1.0, 2.0]), lifted=False),
           "lifted batch": lambda: program.batch(np.array([1.0, 2.0])),
           "batch of a list": lambda: program.batch([1.0, 2.0])}[replay]  # Python numbers, which have no .tolist()
    with pytest.raises(TraceError, match="instruction 0 is exp"):
        run()


def test_a_batch_checks_its_last_sample_when_the_first_is_the_example() -> None:
    flag = {"on": True}
    program = engine.compile(lambda x, v: x * v[0] if flag["on"] else x + v[1], 1.0, [1.0, 2.0])
    flag["on"] = False
    with pytest.raises(TraceError, match="f at \\(3.0, \\[4.0, 5.0\\]\\)"):
        program.batch(np.array([1.0, 3.0]), np.array([[1.0, 2.0], [4.0, 5.0]]))


def test_a_batch_of_the_wrong_shape_gets_batchs_own_error_not_the_checks() -> None:
    program = engine.compile(lambda x: x * 2.0, 1.0)
    with pytest.raises(ValueError, match="argument 0 must be an array of shape \\(n,\\)"):
        program.batch(np.array([[1.0, 2.0]]))
