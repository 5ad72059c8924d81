"""The lifted replay at its edges, each against the eager engine or numbers worked out by hand: ops whose
parameter cannot be hashed, a dot with no weights, a function that returns its input, a layer whose bias is a
per-sample value or a parameter made before its weights, gradients nobody reads (constants', and the inputs'
when training leaves them out) that are not finite, and sums that overflow in one order and not in another."""

import math

import numpy as np
import pytest

import engine
from engine import Value, ops
from engine.compiler import batch as batches
from engine.compiler.lifting import lift
from engine.compiler.numpy_backend import NUMPY
from engine.compiler.program import eager_call


@pytest.fixture
def alone(monkeypatch):
    """The samples replayed alone on floats: one entry per sample the lifted pass could not serve."""
    calls = []
    real = batches.with_data
    monkeypatch.setattr(batches, "with_data", lambda *a: calls.append(1) or real(*a))
    return calls


def eager_batch(f, columns, parameters):
    """The eager engine sample by sample: values, input gradients per argument, parameter gradients summed."""
    results = [eager_call(f, [c[i] if np.ndim(c) == 1 else list(c[i]) for c in columns], parameters)
               for i in range(len(columns[0]))]
    grads = [np.array([r.grads[j] for r in results]) for j in range(len(columns))]
    return np.array([r.value for r in results]), grads, np.sum([r.param_grads for r in results], axis=0)


class Unhashable(float):
    """A float that cannot be a dict key (a parameter of a user's op may be any float-like thing)."""

    __hash__ = None


SCALE = ops.Op("scale", lambda x, k: k * x, lambda x, k, out: (k,), param_name="k")


def test_nodes_whose_op_parameters_cannot_be_hashed_stay_apart_by_parameter() -> None:
    f = lambda x: SCALE(x, param=Unhashable(3.0)) * SCALE(x, param=Unhashable(-2.0))  # noqa: E731  (-6 x^2)
    program = engine.compile(f, 1.0)
    assert lift(program.tape).forward.count("scale_") == 2  # one depth, one op, but two parameters
    values, grads, _ = eager_batch(f, [[0.5, 2.0, -1.0]], [])
    assert values.tolist() == [-1.5, -24.0, -6.0] and grads[0].tolist() == [-6.0, -24.0, 12.0]
    for lifted in (True, False):
        r = program.batch(np.array([0.5, 2.0, -1.0]), lifted=lifted)
        assert r.values.tolist() == values.tolist() and r.grads[0].tolist() == grads[0].tolist()
    for interpreted in (False, True):  # the float replays key their templates the same way
        one = engine.compile(f, 1.0)
        one.interpreted = interpreted
        assert one(2.0).value == -24.0 and one(2.0).grads == (-24.0,)


def test_a_dot_with_no_weights_is_its_bias() -> None:
    b = Value(0.5)
    f = lambda x: engine.dot([], [], bias=b) * x  # noqa: E731
    program = engine.compile(f, 1.0)
    xs = np.array([1.0, 2.0, -3.0])
    r = program.batch(xs)
    assert r.values.tolist() == [0.5, 1.0, -1.5] and r.grads[0].tolist() == [0.5, 0.5, 0.5]
    assert r.param_grads == [0.0] == eager_batch(f, [xs], [b])[2].tolist()  # d/db = x, summed: 1 + 2 - 3


@pytest.mark.parametrize("f", [lambda x: x, lambda x: (x, [x])], ids=["alone", "with an extra output"])
def test_a_function_that_returns_its_input_lifts_to_nothing(f) -> None:
    program = engine.compile(f, 1.0)
    assert lift(program.tape).forward == "pass"
    r = program.batch(np.array([1.5, -2.0]))
    assert r.values.tolist() == [1.5, -2.0] and r.grads[0].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("bias", ["parameters made before the weights", "a per-sample value"])
@pytest.mark.parametrize("input_grads", [True, False])
def test_a_layers_bias_gets_its_gradient_whatever_it_is(bias, input_grads) -> None:
    # Parameters take the order they were made in: biases made first are P[0], P[1], the numbers of
    # the inputs' rows of V too; a per-sample bias is a row of V computed from the input.
    b = [Value(0.1), Value(-0.2)]
    W = [[Value(0.3), Value(-0.5), Value(0.7)], [Value(-0.4), Value(0.6), Value(0.2)]]
    u = Value(1.5)

    def f(x):
        biases = b if bias.startswith("parameters") else [(x[j] * u).tanh() for j in range(2)]
        return engine.sum([engine.dot(w, x, bias=c).tanh() for w, c in zip(W, biases)])

    program = engine.compile(f, [0.0] * 3)
    assert lift(program.tape).forward.count(" @ ") == 1
    X = np.random.default_rng(14).standard_normal((5, 3))
    r = program.batch(X, input_grads=input_grads)
    values, grads, param_grads = eager_batch(f, [X], program.parameters)
    assert np.allclose(r.values, values, rtol=1e-13, atol=0)
    assert np.allclose(r.param_grads, param_grads, rtol=1e-12, atol=1e-15)
    if input_grads:
        assert np.allclose(r.grads[0], grads[0], rtol=1e-12, atol=1e-15)


def test_a_constants_gradient_is_never_computed(alone) -> None:
    # d/dc of x ** c is x ** c * log(x): nan for x < 0, but nobody reads a constant's gradient, so no sample
    # is replayed alone (the eager engine, which works it out, would refuse x = -3).
    program = engine.compile(lambda x: x ** Value(2.0), 1.0)
    r = program.batch(np.array([-3.0, 2.0]))
    assert r.values.tolist() == [9.0, 4.0] and r.grads[0].tolist() == [-6.0, 4.0] and alone == []


def test_a_layer_that_reads_constants_passes_them_nothing(alone) -> None:
    # The constant's gradient would be w * u = 1e400: inf, for every sample.
    w, u = Value(1e200), Value(1e200)
    f = lambda x: engine.dot([w], [Value(1e-200)]) * u + x  # noqa: E731
    program = engine.compile(f, 1.0)
    xs = np.array([1.0, 2.0])
    r = program.batch(xs)
    values, grads, param_grads = eager_batch(f, [xs], [w, u])
    assert r.values.tolist() == pytest.approx(values.tolist(), rel=1e-15) and r.grads[0].tolist() == [1.0, 1.0]
    assert r.param_grads == pytest.approx(param_grads.tolist(), rel=1e-15) and alone == []


def test_a_constant_bias_shared_by_a_layer_gets_nothing(alone) -> None:
    # Two neurons share the constant bias 0.25; its gradient would add up two 1e308s: inf.
    w1, w2, u = Value(1.0), Value(-1.0), Value(1e308)

    def f(x):
        c = Value(0.25)
        return (engine.dot([w1], [x], bias=c) + engine.dot([w2], [x], bias=c)) * u

    program = engine.compile(f, 1.0)
    xs = np.array([1.0, 0.5])
    r = program.batch(xs)
    values, grads, param_grads = eager_batch(f, [xs], [w1, w2, u])
    assert r.values.tolist() == values.tolist() == [5e307, 5e307]
    assert r.grads[0].tolist() == grads[0].tolist() == [0.0, 0.0]
    assert r.param_grads == param_grads.tolist() and alone == []


def test_an_input_gradient_that_is_not_finite_sends_its_sample_to_the_eager_engine(alone) -> None:
    # At x = 0 the array pass meets 0 * inf in x's own gradient only (sqrt's adjoint is 0); the eager engine skips it.
    f = lambda x: x.sqrt() * 0.0 + x  # noqa: E731
    r = engine.compile(f, 1.0).batch(np.array([0.0, 4.0]))
    values, grads, _ = eager_batch(f, [[0.0, 4.0]], [])
    assert r.values.tolist() == values.tolist() == [0.0, 4.0]
    assert r.grads[0].tolist() == grads[0].tolist() == [1.0, 1.0] and alone == [1]


@engine.op(derivative=lambda xs, out: [x * 1e300 for x in xs])
def steep_total(*xs):
    """A many-input op whose rule gives every input the same partial, 1e300 x_i: inf for a large input."""
    return math.fsum(xs)


def test_training_without_input_gradients_ignores_an_inputs_gradient_that_is_inf(alone) -> None:
    # x's gradient is 1e300 * 1e10: inf (the eager engine, which returns it, stops there), but it is left out.
    w = Value(1.0)
    program = engine.compile(lambda x, y: steep_total(x, y * w, y * w + 1.0), 1.0, 1.0)
    r = program.batch(np.array([1e10, 1.0]), np.array([1.0, 2.0]), input_grads=False)
    assert r.grads == () and r.values.tolist() == [1e10 + 3.0, 6.0]
    # d/dw = 1e300 (y w) y + 1e300 (y w + 1) y: 3e300 and 1e301
    assert r.param_grads == pytest.approx([1.3e301], rel=1e-15) and alone == []


def test_training_without_input_gradients_replays_alone_only_the_samples_that_need_it(alone) -> None:
    # Sample 0: x's gradient 0.5 w / sqrt(0) is inf, but left out. Sample 1: 0 * inf in relu's adjoint, a false
    # alarm, replayed alone. f = sqrt(x) w + relu(y w), so d/dw = sqrt(x) + y [y w > 0].
    w = Value(1.0)
    program = engine.compile(lambda x, y: x.sqrt() * w + (y * w).relu().sqrt() ** 2, 1.0, 1.0)
    r = program.batch(np.array([0.0, 1.0]), np.array([1.0, -1.0]), input_grads=False)
    assert r.grads == () and r.values.tolist() == [1.0, 1.0]
    assert r.param_grads == [2.0] and alone == [1]


@pytest.mark.filterwarnings("error")  # the check's own sum overflowing or meeting inf - inf warns nobody
def test_the_finiteness_check_at_the_largest_float_and_at_opposite_infinities() -> None:
    with NUMPY.quiet():
        assert NUMPY.finite(np.array([1e308, 1e308, -2.0])) is True and NUMPY.finite(np.array([1e155])) is True
        assert NUMPY.finite(np.array([1e100]), np.array([1e100]), np.array([1e150])) is True  # overflows in the sum
        assert NUMPY.finite(np.array([np.inf, -np.inf])) is False and NUMPY.finite(np.array([1.0, np.nan])) is False
        assert NUMPY.finite(np.array([[1.0, 2.0], [3.0, -np.inf]])) is False  # a matrix, whole
        assert NUMPY.finite(np.array([[1.0, 2.0], [3.0, -np.inf]])[:, 0]) is True  # a column, not contiguous
        assert NUMPY.finite(np.array([1.0]), np.array([np.inf]), np.array([-np.inf])) is False
        assert NUMPY.finite() is True and NUMPY.finite(np.zeros((2, 0))) is True


@pytest.mark.filterwarnings("error")  # a batch leaves no NumPy warning behind
def test_arguments_whose_entries_add_up_past_the_largest_float_are_still_finite() -> None:
    f = lambda x: x * 1e-300  # noqa: E731
    xs = np.array([1e308, 1e308, -2.0])
    r = engine.compile(f, 1.0).batch(xs)
    assert r.values.tolist() == eager_batch(f, [xs], [])[0].tolist() == [1e8, 1e8, -2e-300]


def test_a_bad_samples_error_comes_without_replaying_the_good_samples_alone(alone) -> None:
    # log(-1) is nan in the array pass: sample 1 alone is replayed, and the eager engine's error raised.
    program = engine.compile(lambda x: x.log() * 2.0, 1.0)
    with pytest.raises(ValueError, match=r"log is defined only for x > 0; got x=-1\.0"):
        program.batch(np.array([1.0, -1.0, 2.0]))
    assert alone == [1]


@pytest.mark.filterwarnings("error")  # a batch leaves no NumPy warning behind
def test_a_parameter_gradient_that_overflows_over_the_batch_beside_a_sample_replayed_alone() -> None:
    # d/dw is 2 x: 1e308 for each of the two large samples, inf summed; the sample at -1 is a false alarm.
    w = Value(1e-300)
    f = lambda x: (x * w).relu().sqrt() ** 2 + x * w  # noqa: E731
    xs = np.array([5e307, -1.0, 5e307])
    r = engine.compile(f, 1.0).batch(xs)
    values = [eager_call(f, [x], [w]).value for x in xs.tolist()]
    assert r.values.tolist() == pytest.approx(values, rel=1e-15) and r.param_grads == [math.inf]


def test_the_array_replays_by_default_run_the_lifted_program_with_the_inputs_gradients(monkeypatch) -> None:
    W = [[Value(0.5), Value(-1.0)], [Value(2.0), Value(0.25)]]
    f = lambda x: engine.sum([engine.dot(w, x).tanh() for w in W])  # noqa: E731
    program = engine.compile(f, [0.0, 0.0])
    X = np.array([[0.3, -0.2], [1.0, 0.5]])
    values, grads, param_grads = eager_batch(f, [X], program.parameters)
    lifted = batches.made_for(program, NUMPY).lifted
    assert "G[0:2] = " in lifted.backward  # the inputs' gradients are part of it
    done = batches.run_lifted(program, [X], NUMPY)
    assert np.allclose(done[1][0], grads[0], rtol=1e-13, atol=0)
    calls = []
    real = batches.run_lifted
    monkeypatch.setattr(batches, "run_lifted", lambda *a: calls.append(a) or real(*a))
    got = batches.run(program, [X])
    assert len(calls) == 1 and calls[0][4] is True  # the lifted program, asked for the inputs' gradients
    assert np.allclose(got[0], values, rtol=1e-13, atol=0) and np.allclose(got[1][0], grads[0], rtol=1e-13, atol=0)
    assert np.allclose(got[2], param_grads, rtol=1e-13, atol=0)


@pytest.mark.parametrize("lifted", [True, False])
def test_training_never_differentiates_a_branch_only_the_targets_feed(lifted, alone) -> None:
    # f = (x w - t)^2 (t t)^0.25: d/d(t t) of (t t)^0.25 is 1/0 at t = 0, one node past the input, and no
    # gradient that training reads goes through it. d/dw = 2 (x w - t) x sqrt|t|, by hand.
    w = Value(0.5)
    program = engine.compile(lambda x, t: (x * w - t) ** 2 * (t * t) ** 0.25, 1.0, 1.0)
    xs, ts = np.array([1.0, 2.0, -1.0]), np.array([0.0, -4.0, 1.0])
    r = program.batch(xs, ts, lifted=lifted, input_grads=False)
    assert r.grads == () and r.values.tolist() == [0.0, 50.0, 2.25]
    assert r.param_grads == [0.0 + 2 * (1.0 + 4.0) * 2.0 * 2.0 + 2 * (-0.5 - 1.0) * -1.0 * 1.0] and alone == []
    backward = lift(program.tape, input_grads=False).backward
    assert backward.splitlines() == [  # the product to its first factor, the square, the difference, then x w to w
        "G[6:7] = G[7:8] * (V[5:6])", "G[4:5] = G[6:7] * (2.0*V[4:5])", "G[2:3] = G[4:5]",
        "GP[0:1] = (G[2:3] * (V[0:1])).sum(axis=1)"]


def test_a_parameter_gradient_that_overflows_within_one_sample_gives_the_eager_engines_error() -> None:
    # Every value and every adjoint row is finite; only d/dw = a b = 1e400 for the first sample is not.
    w = Value(1e-300)
    program = engine.compile(lambda a, b: (w * a) * b, 1.0, 1.0)
    with pytest.raises(OverflowError, match=r"the gradient reaching leaf with data=1e-300 is inf"):
        program.batch(np.array([1e200, 1.0]), np.array([1e200, 2.0]))


def test_a_power_at_a_zero_base_needs_no_sample_replayed_alone(alone) -> None:
    # d/dy x^y = x^y log x, which the eager engine takes as 0 where x^y is 0: so do the arrays (0 log 1)
    f = lambda x, y: x ** y  # noqa: E731
    xs, ys = np.array([0.0, 2.0, 0.0]), np.array([2.0, 3.0, 1.5])
    for lifted in (True, False):
        r = engine.compile(f, 1.0, 1.0).batch(xs, ys, lifted=lifted)
        values, grads, _ = eager_batch(f, [xs, ys], [])
        assert r.values.tolist() == values.tolist() and r.grads[1].tolist() == grads[1].tolist() == [0.0, 8 * math.log(2), 0.0]
    assert alone == []


def test_extra_outputs_that_read_the_main_output_leave_its_seed_alone() -> None:
    # y's row is seeded with 1 before backward; the extra outputs' nodes read y and pass it 0, which must be
    # added to the seed, not written over it. f = x w: d/dx = w, d/dw = x.
    w = Value(1.5)
    program = engine.compile(lambda x: (lambda y: (y, [y * 2.0, y.exp()]))(x * w), 1.0)
    xs = np.array([0.5, -2.0])
    for lifted in (True, False):
        r = program.batch(xs, lifted=lifted)
        assert r.grads[0].tolist() == [1.5, 1.5] and r.param_grads == [0.5 - 2.0]
        assert r.aux.tolist() == [[1.5, np.exp(0.75)], [-6.0, np.exp(-3.0)]]
