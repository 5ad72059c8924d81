"""The generated Python: its exact text, its chunks, the names of its functions, and the float helpers it calls."""

import pytest

import engine
from engine import Value

from . import no_fallback




@engine.op(derivative=lambda xs, out: [x * 2.0 for x in xs])
def sq3(*xs):
    return sum(x * x for x in xs)


@engine.op(derivative=lambda xs, out: [out / x for x in xs])
def prod(*xs):
    total = 1.0
    for x in xs:
        total *= x
    return total


def _program():
    w = Value(3.0)
    f = lambda x, y: (sq3(x, y, x) - (-x) + (x - y) * 2.0 + x / 4.0 + (x.relu() + 1.0).log()  # noqa: E731
                      + engine.logsumexp([x, y]) * w + engine.dot([x, y], [y, w], bias=x))
    return w, f, engine.compile(f, 1.0, 2.0)


FORWARD = """v[3] = sq3_0(v[1], v[2], v[1])
v[4] = -v[1]
v[5] = v[3] - v[4]
v[6] = v[1] - v[2]
v[8] = v[6]*v[7]
v[9] = v[5] + v[8]
v[11] = v[1]/v[10]
v[12] = v[9] + v[11]
v[13] = relu_1(v[1])
v[15] = v[13] + v[14]
v[16] = log_3(v[15])
v[17] = v[12] + v[16]
v[18] = logsumexp_4(v[1], v[2])
v[19] = v[18]*v[0]
v[20] = v[17] + v[19]
v[21] = v[1]*v[2] + v[2]*v[0] + v[1]
v[22] = v[20] + v[21]"""

BACKWARD = """g[20] += g[22]
g[21] += g[22]
if g[21]:
    g[1] += g[21] * (v[2])
    g[2] += g[21] * (v[1])
    g[2] += g[21] * (v[0])
    g[0] += g[21] * (v[2])
    g[1] += g[21]
g[17] += g[20]
g[19] += g[20]
g[18] += g[19] * (v[0])
g[0] += g[19] * (v[18])
g[1] += g[18] * (exp_5(v[1] - v[18]))
g[2] += g[18] * (exp_5(v[2] - v[18]))
g[12] += g[17]
g[16] += g[17]
g[15] += g[16] * (1.0/v[15])
g[13] += g[15]
g[1] += g[13] * (if_positive_2(v[1], 1.0, 0.0))
g[9] += g[12]
g[11] += g[12]
g[1] += g[11] * (1.0/v[10])
g[5] += g[9]
g[8] += g[9]
g[6] += g[8] * (v[7])
g[1] += g[6]
g[2] -= g[6]
g[3] += g[5]
g[4] -= g[5]
g[1] -= g[4]
if g[3]:
    g[1] += g[3] * (v[1]*2.0)
    g[2] += g[3] * (v[2]*2.0)
    g[1] += g[3] * (v[1]*2.0)"""

# Arrays hold many samples, so one zero cannot skip a node: the same lines without the "if g[k]:" guards.
BACKWARD_ARRAYS = "\n".join(line.strip() for line in BACKWARD.splitlines() if not line.startswith("if "))


def test_the_generated_source_word_for_word() -> None:
    _, _, program = _program()
    source = program.source
    assert source.forward == [FORWARD]
    assert source.backward == [BACKWARD]  # a node with three or more partials is skipped when it receives 0
    assert source.backward_arrays == [BACKWARD_ARRAYS]
    assert {name: getattr(key, "name", key) for name, key in source.functions.items()} == {
        "sq3_0": "sq3", "relu_1": "relu", "if_positive_2": "if_positive", "log_3": "log",
        "logsumexp_4": "logsumexp", "exp_5": "exp"}
    assert program.tape.constants == [(7, 2.0), (10, 4.0), (14, 1.0)]  # no line sends them a gradient


def test_the_generated_source_replays_like_the_eager_engine() -> None:
    w, f, program = _program()
    from engine.compiler.program import eager_call

    for xs in [(1.0, 2.0), (-0.5, 0.25), (2.0, -1.5)]:
        with no_fallback():
            got = program(*xs)
        want = eager_call(f, xs, [w])
        assert got.value == pytest.approx(want.value, rel=1e-14)
        assert got.grads == pytest.approx(want.grads, rel=1e-14)
        assert got.param_grads == pytest.approx(want.param_grads, rel=1e-14)


def test_a_node_that_receives_nothing_is_skipped_on_floats() -> None:
    program = engine.compile(lambda x, y, z: prod(x, y, z) * x.relu() + z, 1.0, 2.0, 3.0)
    with no_fallback():  # prod's rule out / y is 0 / 0 at y = 0, but a dead relu sends prod nothing
        r = program(-1.0, 0.0, 2.0)
    assert r == (2.0, (0.0, 0.0, 1.0), [], None)
    with no_fallback():
        assert program(2.0, 3.0, 4.0) == (52.0, (2 * 24.0, 16.0, 13.0), [], None)


def _chain(n):
    def f(x):
        for _ in range(n):
            x = -x
        return x
    return engine.compile(f, 1.0)


@pytest.mark.parametrize("n, lines", [(1999, [1999]), (2000, [2000]), (2001, [2000, 1]), (4001, [2000, 2000, 1])])
def test_long_programs_are_cut_into_functions_of_2000_lines(n, lines) -> None:
    program = _chain(n)
    source = program.source
    assert [body.count("\n") + 1 for body in source.forward] == lines
    assert [body.count("\n") + 1 for body in source.backward] == lines
    assert source.forward[0].startswith("v[1] = -v[0]\nv[2] = -v[1]\n")
    assert source.forward[-1].endswith(f"v[{n}] = -v[{n - 1}]")
    assert source.backward[0].startswith(f"g[{n - 1}] -= g[{n}]\n")
    with no_fallback():
        assert program(2.0) == ((-1) ** n * 2.0, (float((-1) ** n),), [], None)


def test_tracebacks_name_the_generated_functions() -> None:
    @engine.op(derivative=lambda x, out: (1.0,))
    def fragile(x):
        if x > 10:
            raise RuntimeError("too big")
        return x

    @engine.op(derivative=lambda x, out: (fragile(x),))
    def uses_fragile(x):
        return x * x / 2

    # check=False: compile's check would trace f at 20.0 and meet the error there first
    cases = [(engine.compile(lambda x: fragile(x) * 2.0, 1.0, check=False), "forward"),
             (engine.compile(lambda x: uses_fragile(x) * 2.0, 1.0, check=False), "backward")]
    for program, kind in cases:
        with pytest.raises(RuntimeError, match="^too big$") as e:
            program(20.0)
        frames = [(tb.tb_frame.f_code.co_filename, tb.tb_frame.f_code.co_name) for tb in _walk(e.value.__traceback__)]
        assert (f"<chainrule python {kind} 0>", f"{kind}_0") in frames
        import numpy as np

        for lifted, where in ((False, f"<chainrule numpy {kind} 0>"), (True, f"<chainrule lifted {kind}>")):
            with pytest.raises(RuntimeError, match="^too big$") as e:
                program.batch(np.array([1.0, 20.0]), lifted=lifted)
            assert where in [tb.tb_frame.f_code.co_filename for tb in _walk(e.value.__traceback__)]


def _walk(tb):
    while tb is not None:
        yield tb
        tb = tb.tb_next


def test_an_op_with_no_derivative_at_its_parameter_is_refused() -> None:
    program = engine.compile(lambda x: (-2.0) ** x, 2.0)
    with pytest.raises(ValueError) as e:
        program(2.0)
    assert str(e.value) == ("compile: pow has no derivative with base=-2.0 (for example log of a negative base), "
                            "so it cannot be compiled; run f eagerly")
    assert e.value.__cause__ is None and e.value.__suppress_context__


def test_zero_partials_write_no_line_whatever_their_sign() -> None:
    @engine.op(derivative=lambda x, out: (0.0 * -1.0,))  # a step: its derivative is -0.0
    def floor_(x):
        import math
        return float(math.floor(x))

    program = engine.compile(lambda x, y: floor_(x) * y + (x * y).detach(), 1.0, 2.0)
    assert program.source.forward == [
        "v[2] = floor__0(v[0])\nv[3] = v[2]*v[1]\nv[4] = v[0]*v[1]\nv[5] = stop_gradient_1(v[4])\nv[6] = v[3] + v[5]"]
    assert program.source.backward == [
        "g[3] += g[6]\ng[5] += g[6]\ng[0] += g[4] * (v[1])\ng[1] += g[4] * (v[0])\n"
        "g[2] += g[3] * (v[1])\ng[1] += g[3] * (v[2])"]
    with no_fallback():
        assert program(2.5, 3.0) == (6.0 + 7.5, (0.0, 2.0), [], None)
