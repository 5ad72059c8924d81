"""The traced tape: slots in creation order, leaves sorted into inputs, parameters and constants, and trace errors."""

import inspect

import pytest

import engine
from engine import TraceError, Value
from engine.compiler.codegen import generate
from engine.compiler.interpreter import steps
from engine.compiler.lifting import lift


def _traced():
    w = Value(3.0)

    def f(x, y, z):
        a = (x * x) ** 3
        b = x.leaky_relu(0.2)
        return engine.sum([a, b, y]) * w + 2.0, [z * 1.5, x]

    return w, engine.compile(f, 1.0, 2.0, 3.0)


def test_instructions_slots_and_leaves_of_a_traced_function() -> None:
    w, program = _traced()
    tape = program.tape
    assert [(op.name, list(args), param, out) for op, args, param, out in tape.instructions()] == [
        ("mul", [1, 1], None, 4), ("pow", [4], 3.0, 5), ("leaky_relu", [1], 0.2, 6), ("sum", [5, 6, 2], None, 7),
        ("mul", [7, 0], None, 8), ("add", [8, 9], None, 10), ("mul", [3, 11], None, 12)]
    assert len(tape) == 7 and tape.size == 13
    assert list(tape.input_slots) == [1, 2, 3]
    assert tape.parameters == [w] and program.parameters == [w] and list(tape.param_slots) == [0]
    assert tape.constants == [(9, 2.0), (11, 1.5)]
    assert list(tape.output_slots) == [10, 12, 1]
    assert [op.name for op in tape.op_list] == ["mul", "pow", "leaky_relu", "sum", "add"]
    assert list(tape.ops) == [0, 1, 2, 3, 0, 4, 0]
    assert list(tape.starts) == [0, 2, 3, 4, 7, 9, 11, 13]
    assert tape.params == {1: 3.0, 2: 0.2}
    assert program.shapes == [None, None, None] and program.aux_kind == "list"
    r = program(1.0, 2.0, 3.0)  # ((x^2)^3 + leaky(x) + y) * w + 2; d/dx = (6x^5 + 1) w
    assert (r.value, r.grads, r.param_grads, r.aux) == (14.0, (21.0, 3.0, 0.0), [4.0], [4.5, 1.0])


def test_which_slots_need_a_gradient_with_and_without_the_inputs() -> None:
    _, program = _traced()
    tape = program.tape
    everything = tape.needs_gradient()  # by default the inputs' gradients are wanted, as from program(...)
    assert list(everything) == [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1]  # all but the constants 2.0 and 1.5
    assert list(tape.needs_gradient(True)) == list(everything)
    assert list(tape.needs_gradient(False)) == [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0]  # w, (...) * w, + 2.0
    # So does every replay's code, by default: x's, y's and z's gradients are computed.
    assert generate(tape).backward == program.source_for(True).backward != program.source_for(False).backward
    assert "g[3] +=" in generate(tape).backward[0] and "g[3] +=" not in program.source_for(False).backward[0]
    assert len(steps(tape)[1].calls) == 7 and len(steps(tape, False)[1].calls) == 2
    assert lift(tape).backward == lift(tape, True).backward != lift(tape, False).backward


def test_unused_inputs_get_slots_and_zero_gradients() -> None:
    program = engine.compile(lambda x, y, v: x * 2.0, 1.0, 5.0, [1.0, 2.0])
    tape = program.tape
    assert list(tape.input_slots) == [3, 0, 1, 2] and tape.size == 6  # unused inputs first
    assert tape.constants == [(4, 2.0)] and tape.parameters == []
    assert program.shapes == [None, None, 2]
    r = program(3.0, 4.0, [5.0, 6.0])
    assert (r.value, r.grads, r.param_grads, r.aux) == (6.0, (2.0, 0.0, [0.0, 0.0]), [], None)


def test_extra_outputs_outside_the_main_graph_are_traced_in_creation_order() -> None:
    w = Value(2.0)

    def f(x):
        side = w * 5.0  # made first, not an ancestor of the result
        return x * x, side

    program = engine.compile(f, 3.0)
    assert [(op.name, list(args), out) for op, args, _, out in program.tape.instructions()] == [
        ("mul", [0, 2], 3), ("mul", [1, 1], 4)]
    assert list(program.tape.output_slots) == [4, 3]
    assert program.aux_kind == "value"
    assert program(3.0) == (9.0, (6.0,), [0.0], 10.0)


def test_a_plain_number_result_is_a_constant() -> None:
    for f in (lambda x: 3, lambda x: 3.5):
        program = engine.compile(f, 1.0)
        assert len(program.tape) == 0 and program.tape.size == 2
        r = program(2.0)
        assert (r.value, r.grads, r.param_grads, r.aux) == (float(f(0)), (0.0,), [], None)
        assert program.verify(2.0).value == float(f(0))


def test_tracing_errors_name_what_was_wrong() -> None:
    hand_made_line = inspect.currentframe().f_lineno + 3

    def hand_made(x):
        out = Value(x.data * 2, (x,), "dbl")

        def _backward():
            x.grad += 2 * out.grad

        out._backward = _backward
        return out

    cases = [
        (lambda: engine.compile(lambda x: x * 2, "a"), TypeError,
         "compile traces functions of numbers (or lists of numbers), got str 'a'"),
        (lambda: engine.compile(lambda x: x * 2, True), TypeError,
         "compile traces functions of numbers (or lists of numbers), got bool True; write 1.0 if you mean the number"),
        (lambda: engine.compile(lambda v: v[0], [1.0, None]), TypeError,
         "compile traces functions of numbers (or lists of numbers), got NoneType None"),
        (lambda: engine.compile(lambda x: True, 1.0), TypeError,
         "compile: f must return a scalar Value (or a tuple of one and extra outputs), got bool"),
        (lambda: engine.compile(lambda x: [x], 1.0), TypeError,
         "compile: f must return a scalar Value (or a tuple of one and extra outputs), got list"),
        (lambda: engine.compile(lambda x: (x, [x, 1.0]), 1.0), TypeError,
         "compile: extra outputs must be Values or a list of Values"),
        (lambda: engine.compile(hand_made, 1.0), TraceError,
         f"compile: f reads .data of leaf with data=1.0, an input of f, at {__file__}:{hand_made_line} while being "
         f"traced: the compiled program would replay that number as a constant, wrong at other inputs or once the "
         f"parameters change. Compute with Values instead (relu, abs and leaky_relu choose per call; detach() stops "
         f"the gradient and is replayed; a node made by hand needs @engine.op(derivative=...)), or run f eagerly"),
        (lambda: engine.compile(lambda x: x if x > 0 else -x, 1.0), TraceError,
         "compile: f uses a Value in > while being traced, so its Python control flow depends on values and one "
         "trace cannot stand for every input. Use relu, abs or leaky_relu for data-dependent choices, or run f "
         "eagerly"),
        (lambda: engine.compile(3), TypeError, "compile needs a function, got int"),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind) as e:
            call()
        assert str(e.value) == message


def test_tracing_is_switched_off_again_afterwards() -> None:
    engine.compile(lambda x: x * 2.0, 1.0)
    assert (Value(1.0) < Value(2.0)) is True
