"""engine.compile: both back-ends against the eager engine, on random graphs and on MLPs."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, reject, strategies as st

import engine
from engine import TraceError, Value
from engine.compiler.program import eager_call
from nn import MLP
from engine.testing import close, expressions, floats_in
from engine.testing.strategies import well_conditioned


def usable(e, inputs) -> bool:
    """Whether the eager engine computes this expression here, away from kinks and tiny divisors."""
    try:
        regs = e.run([Value(x) for x in inputs])
        regs[-1].backward()
    except (ArithmeticError, ValueError):
        return False
    return well_conditioned(e.steps, regs)


def assert_same(got: float, want: float) -> None:
    assert close(got, want, rel=1e-12, floor=1e-12), (got, want)


@given(expressions(), st.lists(floats_in((-2, 2)), min_size=3, max_size=3))
def test_random_graphs_replay_like_the_eager_engine(f, other) -> None:
    inputs = list(f.inputs)
    other = other[: len(inputs)]
    if not (usable(f, inputs) and usable(f, other)):
        reject()
    compiled = engine.compile(f, *inputs)
    for xs in (inputs, other):  # the traced inputs and new ones
        got, want = compiled(*xs), eager_call(f, xs, [])
        assert_same(got.value, want.value)
        for a, b in zip(got.grads, want.grads):
            assert_same(a, b)
        # NumPy's exp, tanh, ... may differ from math's in the last bit, which a graph can amplify:
        # the batch agrees to rounding at the scale of the numbers involved.
        batch = compiled.batch(*[np.array([x, x]) for x in xs])
        scale = max([1.0] + [abs(r.data) for r in f.run([Value(x) for x in xs])] + [abs(g) for g in want.grads])
        assert close(float(batch.values[1]), want.value, rel=1e-9, floor=scale)
        for a, b in zip(batch.grads, want.grads):
            assert close(float(a[0]), b, rel=1e-9, floor=scale)


def test_relu_kinks_are_decided_per_call_and_reused_nodes_sum() -> None:
    def f(x, y):
        h = (x * y).relu()
        return h * h + h + x.abs() + (x - y).leaky_relu(0.1)

    compiled = engine.compile(f, 1.0, 2.0)  # traced with every kink on its positive side
    for xs in [(1.0, 2.0), (-1.0, 2.0), (0.0, 3.0), (2.0, 2.0), (-0.5, -4.0)]:
        got, want = compiled(*xs), eager_call(f, xs, [])
        assert got.value == want.value and got.grads == pytest.approx(want.grads, rel=1e-15)
    assert compiled(0.0, 3.0).grads == pytest.approx((0.1, -0.1))  # relu'(0) = abs'(0) = 0; leaky'(-3) = 0.1
    batch = compiled.batch(np.array([1.0, -1.0, 0.0]), np.array([2.0, 2.0, 3.0]))
    for i, xs in enumerate([(1.0, 2.0), (-1.0, 2.0), (0.0, 3.0)]):
        want = eager_call(f, xs, [])
        assert batch.values[i] == pytest.approx(want.value, rel=1e-15)
        assert [batch.grads[0][i], batch.grads[1][i]] == pytest.approx(list(want.grads), rel=1e-15)


def svm_sample(model):
    return lambda x, y: ((1 - y * model(x)).relu(), model(x))


def test_mlp_parameters_are_read_fresh_and_gradients_match() -> None:
    random.seed(0)
    model = MLP(2, [8, 8, 1])
    f = svm_sample(model)
    compiled = engine.compile(f, [0.5, -1.0], 1.0)
    assert compiled.parameters == model.parameters()
    X = [[0.5, -1.0], [1.2, 0.3], [-0.7, 0.9], [0.1, 0.1]]
    y = [1.0, -1.0, 1.0, -1.0]
    for _ in range(3):
        total = [0.0] * len(model.parameters())
        for x, t in zip(X, y):
            got, want = compiled(x, t), eager_call(f, (x, t), model.parameters())
            assert_same(got.value, want.value)
            assert got.aux == pytest.approx(want.aux, rel=1e-12)
            for a, b in zip(got.param_grads, want.param_grads):
                assert_same(a, b)
            total = [s + g for s, g in zip(total, got.param_grads)]
        batch = compiled.batch(np.array(X), np.array(y))
        assert batch.param_grads == pytest.approx(total, rel=1e-12, abs=1e-15)  # batched = sum over samples
        looped = compiled.loop(X, y)
        assert looped.param_grads == pytest.approx(total, rel=1e-15, abs=1e-15)
        assert looped.values == pytest.approx(batch.values.tolist(), rel=1e-12)
        assert np.array(looped.grads[0]) == pytest.approx(batch.grads[0], rel=1e-12, abs=1e-15)
        for p, g in zip(model.parameters(), total):  # an optimizer step between calls
            p.data -= 0.1 * g


def test_backward_accumulates_into_parameter_grads() -> None:
    w = Value(3.0)
    compiled = engine.compile(lambda x: w * x * x, 2.0)
    compiled.backward(2.0)
    compiled.backward(1.0)
    assert w.grad == 4.0 + 1.0


def test_no_values_are_made_per_call(monkeypatch) -> None:
    random.seed(0)
    model = MLP(2, [4, 1])
    compiled = engine.compile(svm_sample(model), [0.5, -1.0], 1.0)
    compiled([0.1, 0.2], -1.0)
    made = []
    original = Value.__init__
    monkeypatch.setattr(Value, "__init__", lambda self, *a, **k: (made.append(1), original(self, *a, **k))[1])
    compiled([0.3, 0.2], 1.0)
    compiled.batch(np.array([[0.3, 0.2]]), np.array([1.0]))
    assert made == []


def test_value_dependent_python_is_caught() -> None:
    def branchy(x):
        return x * 2 if x > 0 else -x

    with pytest.raises(TraceError, match="uses a Value in >"):
        engine.compile(branchy, 1.0)

    def sneaky(x):  # reads the number, as a branch would: refused where it happens
        return x * 2 if x.data > 0 else -x

    with pytest.raises(TraceError, match="reads .data of leaf with data=1.0, an input of f"):
        engine.compile(sneaky, 1.0)


def test_errors_are_the_eager_engines() -> None:
    compiled = engine.compile(lambda x: x.log() + x.sqrt(), 1.0)
    with pytest.raises(ValueError, match="log: log is defined only for x > 0; got x=-1.0"):
        compiled(-1.0)
    with pytest.raises(ValueError, match="got x=-2.0"):
        compiled.batch(np.array([1.0, -2.0]))
    with pytest.raises(ZeroDivisionError, match="sqrt: the local derivative is undefined at x=0.0"):
        engine.compile(lambda x: x.sqrt(), 1.0)(0.0)
    with pytest.raises(OverflowError, match="exp"):
        engine.compile(lambda x: x.exp(), 1.0)(1000.0)
    with pytest.raises(TypeError, match="takes 1 arguments, got 2"):
        compiled(1.0, 2.0)
    with pytest.raises(ValueError, match="list of 2 numbers"):
        engine.compile(lambda v: v[0] * v[1], [1.0, 2.0])([1.0])
    with pytest.raises(TypeError, match="scalar Value"):
        engine.compile(lambda x: [x, x], 1.0)
    with pytest.raises(ValueError, match="shape"):
        compiled.batch(np.array([[1.0, 2.0]]))


def test_custom_ops_and_fused_nodes_compile() -> None:
    @engine.op(derivative=lambda x, out: (out * (1 - out),))
    def logistic(x):
        import math
        return 1 / (1 + math.exp(-x))

    def f(v):
        return engine.logsumexp([logistic(v[0]), v[1] * 2, engine.dot(v, v)]) + engine.sum(v).softplus()

    compiled = engine.compile(f, [0.3, -0.2])
    for xs in ([0.3, -0.2], [1.5, 0.7]):
        got, want = compiled(xs), eager_call(f, (xs,), [])
        assert_same(got.value, want.value)
        assert got.grads[0] == pytest.approx(want.grads[0], rel=1e-12)
        batch = compiled.batch(np.array([xs]))
        assert batch.grads[0][0].tolist() == pytest.approx(want.grads[0], rel=1e-12)


def test_batch_replays_where_an_array_pass_meets_zero_times_infinity() -> None:
    # sqrt'(0) is infinite, but a dead relu sends it no adjoint: eager skips it, an array pass gets 0 * inf.
    f = lambda x, y: x / y ** x + (x.relu().sqrt()) ** 2  # noqa: E731 (y ** x at x = 0 too)
    compiled = engine.compile(f, 1.0, 2.0)
    xs, ys = np.array([-1.0, 0.0, 2.0]), np.array([1.5, -1.2, 0.5])
    batch = compiled.batch(xs, ys)
    for i in range(3):
        want = eager_call(f, (xs[i], ys[i]), [])
        assert batch.values[i] == pytest.approx(want.value, rel=1e-12)
        assert [batch.grads[0][i], batch.grads[1][i]] == pytest.approx(list(want.grads), rel=1e-12)


def test_zero_to_a_power_compiles_with_its_zero_exponent_derivative() -> None:
    compiled = engine.compile(lambda a, b: a ** b, 0.0, 2.0)
    assert compiled(0.0, 2.0).grads == (0.0, 0.0)
    assert compiled.batch(np.array([0.0, 2.0]), np.array([2.0, 2.0])).grads[1].tolist() == \
        [0.0, pytest.approx(4 * math.log(2.0))]


# -- what runs: Program.runs and Program.code --------------------------------------------------------------


def _tanh_program():
    w = Value(2.0)
    return engine.compile(lambda x: (x * x * w + 3 * x).tanh(), 1.5), w


def test_the_python_code_shown_is_the_code_a_call_runs() -> None:
    """code("python") executed by hand, with math's functions, gives the hand derivatives of tanh(x^2 w + 3x)."""
    import re

    p, w = _tanh_program()
    text = p.code()
    helpers = set(re.findall(r"\b([a-z]+)_\d+\(", text)) - {"forward", "backward"}
    namespace = {f"{name}_{k}": getattr(math, name) for name in helpers for k in range(10)}
    exec(text, namespace)  # noqa: S102 (the code under test)
    t = p.tape
    v, g = [0.0] * t.size, [0.0] * t.size
    for slot, c in t.constants:
        v[slot] = c
    x = 0.7
    (xs,), (ws,), (out,) = t.input_slots, t.param_slots, t.output_slots
    v[xs], v[ws] = x, w.data
    namespace["forward_0"](v, g)
    g[out] = 1.0
    namespace["backward_0"](v, g)
    y = math.tanh(x * x * 2.0 + 3 * x)
    assert v[out] == pytest.approx(y, rel=1e-15)
    assert g[xs] == pytest.approx((1 - y * y) * (2 * x * 2.0 + 3), rel=1e-14)
    assert g[ws] == pytest.approx((1 - y * y) * x * x, rel=1e-14)
    r = p(x)
    assert (r.value, r.grads[0], r.param_grads[0]) == (v[out], g[xs], g[ws])


def test_code_names_each_instruction_once_and_input_grads_false_leaves_the_inputs_out() -> None:
    p, _ = _tanh_program()
    text = p.code()
    forward = text.split("def backward_0")[0]
    assert forward.count(" = ") == len(p.tape) == 5
    lean = p.code(input_grads=False)
    assert "g[1] +=" in text and "g[1] +=" not in lean  # slot 1 is x: its gradient is not computed for training
    assert p.code("lifted", input_grads=False) != p.code("lifted")
    with pytest.raises(ValueError, match="code: kind must be 'python' or 'lifted', got 'numpy'"):
        p.code("numpy")


def test_runs_says_which_path_each_call_takes_and_agrees_with_the_code() -> None:
    random.seed(0)
    model = MLP(3, [4, 2])
    p = engine.compile(lambda x: engine.sum(model(x)), [0.1, 0.2, 0.3])
    lifted = p.code("lifted")
    forward = lifted.split("def backward")[0]
    operations = forward.count("\n    ")
    products = forward.count(" @ ")
    assert products == 2  # one matrix product per layer
    assert p.runs().splitlines() == [
        f'call, loop, backward, verify: the generated Python ({len(p.tape)} instructions), shown by code("python")',
        f"batch: the lifted array program on NumPy: {operations} array operations for {len(p.tape)} instructions "
        f'({products} matrix products), shown by code("lifted")']
    assert p.runs(backend="torch").splitlines()[1].startswith("batch: the lifted array program on PyTorch: ")
    assert p.runs(lifted=False).splitlines()[1] == (
        f"batch: per node on NumPy arrays: the generated code, one array call per instruction ({len(p.tape)})")


def test_runs_names_the_interpreter_and_the_per_node_route_of_large_or_unliftable_programs(monkeypatch) -> None:
    from engine.compiler import batch, program as program_module

    p, w = _tanh_program()
    monkeypatch.setattr(batch, "LIFTED_GROUPS", 3)  # its 5 nodes fall into 4 groups (x^2 and 3x alike): past 3, not lifted
    monkeypatch.setattr(batch, "LIFTED_UP_TO", 5)  # a tape of 5: lifted up to 5 instructions, and not past
    assert p.runs().splitlines()[1].startswith("batch: the lifted array program on NumPy")
    monkeypatch.setattr(batch, "LIFTED_UP_TO", 4)
    assert p.runs().splitlines()[1].startswith("batch: per node")
    monkeypatch.setattr(batch, "LIFTED_GROUPS", 4)  # ... and a large tape in few groups is lifted after all
    assert p.runs().splitlines()[1].startswith("batch: the lifted array program on NumPy")
    monkeypatch.setattr(batch, "LIFTED_GROUPS", 3)
    monkeypatch.setattr(batch, "LIFTED_UP_TO", 3)
    assert p.runs().splitlines()[1] == "batch: per node on NumPy arrays: the generated code, one array call per instruction (5)"
    monkeypatch.setattr(program_module, "GENERATED_UP_TO", 3)
    q, _ = _tanh_program()
    assert q.interpreted and not p.interpreted
    assert q.runs().splitlines() == [
        "call, loop, backward, verify: the interpreter's walk over the tape, one compiled step per kind of "
        f"instruction ({len(q.tape)} instructions)",
        f"batch: per node on NumPy arrays: the interpreter's steps, one array call per instruction ({len(q.tape)})"]
    monkeypatch.undo()
    both = engine.compile(lambda x: (x * w, w), 1.0)  # an extra output that is a parameter itself
    assert both.runs().splitlines()[1] == (
        f"batch: per node on NumPy arrays: the generated code, one array call per instruction ({len(both.tape)}) "
        "(an output is a parameter itself, which the lifted program has no row for)")
    assert both.runs(backend="torch").splitlines()[1].endswith(
        f"({len(both.tape)}), moved to the device (an output is a parameter itself, which the lifted program has "
        "no row for)")


def test_the_lifted_program_prints_as_two_functions_of_no_arguments() -> None:
    import numpy as np

    import engine

    w = Value(2.0)
    p = engine.compile(lambda x: (x * w).tanh(), 1.0)
    text = p.code("lifted")
    forward, backward = text.split("\ndef backward():\n")
    assert forward.startswith("def forward():\n    ") and "V[" in forward and "G[" in backward
    assert all(line.startswith("    ") for line in text.splitlines() if not line.startswith("def "))
    # what it prints is what runs: a batch gives the eager engine's numbers
    r = p.batch(np.array([0.3, -0.7]))
    assert r.values.tolist() == pytest.approx([math.tanh(0.6), math.tanh(-1.4)], rel=1e-15)


def test_a_replay_without_the_inputs_gradients_gives_none() -> None:
    """Program.replay and _result with input_grads=False: grads is (), not the inputs' gradients computed anyway."""
    import engine

    w = Value(2.0)
    p = engine.compile(lambda x: x * w, 1.0)
    r = p.replay([3.0], input_grads=False)
    assert (r.value, r.grads, r.param_grads) == (6.0, (), [3.0])
    assert p.replay([3.0]).grads == (2.0,)


def test_runs_counts_the_array_operations_that_a_batch_runs() -> None:
    """engine.compiler.batch.route, as Program.runs() asks it: a batch returns the inputs' gradients by default,
    and lifting groups by which values need one, so the count is that of code("lifted")'s forward lines (4 here:
    the two tanh stacked; without input gradients, 5: the tanh of x*y is not needed and goes apart)."""
    w = Value(2.0)
    p = engine.compile(lambda x, y: (x * w).tanh() + (x * y).tanh(), 1.0, 2.0)
    forward = p.code("lifted").split("def backward():")[0].splitlines()[1:]
    assert len(forward) == 4
    assert p.runs().splitlines()[1] == ('batch: the lifted array program on NumPy: 4 array operations for 5 '
                                        'instructions (0 matrix products), shown by code("lifted")')
