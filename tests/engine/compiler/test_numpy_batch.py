"""Program.batch: NumPy replays over many samples, op by op against the eager engine, and its errors."""

import math
import warnings
from decimal import Decimal

import numpy as np
import pytest

import engine
from engine import Value

from engine.compiler.program import eager_call
from engine.testing.oracles import TORCH_MISSING


def _check(f, columns, parameters=(), rel=1e-13):
    """The batch against the eager engine, sample by sample; returns the batch."""
    program = engine.compile(f, *[c[0] if np.ndim(c) == 1 else list(c[0]) for c in columns])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a batch never leaves NumPy warnings behind
        batch = program.batch(*[np.array(c, dtype=float) for c in columns])
    total = [0.0] * len(parameters)
    for i in range(len(columns[0])):
        args = [c[i] if np.ndim(c) == 1 else list(c[i]) for c in columns]
        want = eager_call(f, args, list(parameters))
        assert batch.values[i] == pytest.approx(want.value, rel=rel, abs=1e-300), (i, args)
        for got, wanted in zip(batch.grads, want.grads):
            got = got[i].tolist() if np.ndim(got) == 1 else got[i].tolist()
            assert got == pytest.approx(wanted, rel=rel, abs=1e-300), (i, args)
        total = [t + g for t, g in zip(total, want.param_grads)]
    assert batch.param_grads == pytest.approx(total, rel=rel, abs=1e-300)
    return batch


def test_every_numpy_function_on_both_sides_of_its_branches() -> None:
    xs = [-3.0, -0.5, 0.0, 0.5, 0.7, 2.0, 40.0]
    _check(lambda x: x.sigmoid(), [xs])
    _check(lambda x: x.softplus() * 3.0, [xs + [-40.0, 800.0]])
    _check(lambda x: x.relu() * 3.0, [xs])
    _check(lambda x: x.leaky_relu(0.1) * 3.0, [xs])
    _check(lambda x: x.abs() * 3.0, [xs])
    _check(lambda x: x.tanh() + x.sin() + x.cos() + x.exp() * 1e-10, [xs])
    _check(lambda x: (x * x + 1.0).log() + (x * x + 1.0).sqrt(), [xs])
    _check(lambda x, y: engine.logsumexp([x, y, x * 2.0]), [xs, [1.0, -2.0, 0.0, 3.0, -0.7, 5.0, 38.0]])
    _check(lambda x, y: engine.sum([x, y, x * y]) + (x * y).detach(), [xs, [1.0, -2.0, 0.0, 3.0, 1, 5, 2]])
    _check(lambda a, b: a ** b, [[2.0, 0.0, 4.0, 0.5, 3.0], [3.0, 2.0, 0.0, -1.0, 0.5]])


def test_signed_zeros_match_the_eager_engine() -> None:
    for f in (lambda x: x.relu(), lambda x: x.leaky_relu(-0.5)):
        program = engine.compile(f, 1.0)
        got = program.batch(np.array([-0.0, 0.0]))
        want = [eager_call(f, [x], []).value for x in (-0.0, 0.0)]
        assert [math.copysign(1.0, v) for v in got.values] == [math.copysign(1.0, v) for v in want]


def test_list_arguments_parameters_and_extra_outputs() -> None:
    w = Value(2.0)
    b = Value(-1.0)
    f = lambda x, v: ((x * w + v[0] * v[1] + b).tanh(), [v[0] * 3.0, x + 1.0])  # noqa: E731
    program = engine.compile(f, 1.0, [0.5, 0.25])
    X = np.array([0.1, -0.3, 0.7])
    V = np.array([[0.5, 0.25], [1.0, -2.0], [-0.5, 0.5]])
    batch = program.batch(X, V)
    assert batch.aux.shape == (3, 2) and batch.aux.tolist() == [[1.5, 1.1], [3.0, 0.7], [-1.5, 1.7]]
    assert batch.grads[1].shape == (3, 2)
    _check(f, [X.tolist(), V.tolist()], [w, b])
    one = engine.compile(lambda x: (x * w, x - 1.0), 1.0).batch(np.array([1.0, 3.0]))
    assert one.aux.tolist() == [0.0, 2.0] and one.values.tolist() == [2.0, 6.0]


def test_results_that_do_not_depend_on_the_samples_are_broadcast() -> None:
    w = Value(3.0)
    u = Value(5.0)
    program = engine.compile(lambda x: (w * 2.0, [u * 1.0, x * 0.0 + 4.0]), 1.0)
    batch = program.batch(np.array([1.0, 2.0, 3.0]))
    assert batch.values.tolist() == [6.0, 6.0, 6.0]
    assert batch.grads[0].tolist() == [0.0, 0.0, 0.0]
    assert batch.param_grads == [6.0, 0.0]  # w's is summed over the samples; u receives nothing
    assert batch.aux.tolist() == [[5.0, 4.0]] * 3
    for lifted in (None, False):  # per node, u's gradient is the number 0.0 for every sample: 0 times n, n = 0
        empty = program.batch(np.array([]), lifted=lifted)
        assert empty.values.tolist() == [] and empty.grads[0].tolist() == [] and empty.param_grads == [0.0, 0.0]
        assert empty.aux.shape == (0, 2)


def test_user_ops_run_sample_by_sample_even_on_an_empty_batch() -> None:
    @engine.op(derivative=lambda x, out: (out * 2.0,))
    def e2(x):
        return math.exp(2.0 * x)

    @engine.op(derivative=lambda xs, out: [x * 2.0 for x in xs])
    def squares(*xs):
        return sum(x * x for x in xs)

    f = lambda x, y: e2(x) + squares(x, y)  # noqa: E731
    _check(f, [[0.0, 0.5, -1.0], [1.0, 2.0, 3.0]])
    empty = engine.compile(f, 1.0, 1.0).batch(np.array([]), np.array([]))
    assert empty.values.dtype == float and empty.values.tolist() == []
    assert [g.tolist() for g in empty.grads] == [[], []] and empty.param_grads == []


@pytest.mark.parametrize("lifted, calls_for_the_batch", [
    (False, 3 + 2),  # the array pass, then sample 0 alone: its float replay and the eager fallback
    (True, 3 + 2 + 2),  # the same, and the good samples once more, whose parameter gradients are summed
])
def test_only_samples_with_a_false_alarm_are_replayed_one_by_one(lifted, calls_for_the_batch) -> None:
    calls = []

    @engine.op(derivative=lambda x, out: (1.0,))
    def counted(x):
        calls.append(x)
        return x

    w = Value(2.0)
    @engine.op(derivative=lambda xs, out: [1.0 for _ in xs])
    def total(*xs):
        return sum(xs)

    f = lambda x, y: counted(x).relu().sqrt() ** 2 + x * w + total(y, y) - y  # noqa: E731
    program = engine.compile(f, 1.0, 1.0, check=False)  # counting the replay's calls alone
    calls.clear()
    batch = program.batch(np.array([-1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]), lifted=lifted)
    assert len(calls) == calls_for_the_batch
    assert batch.values.tolist() == [-1.0, pytest.approx(7.0), pytest.approx(10.0)]
    assert batch.grads[0].tolist() == [2.0, pytest.approx(3.0), pytest.approx(3.0)]
    assert batch.grads[1].tolist() == [1.0, 1.0, 1.0]
    assert batch.param_grads == [pytest.approx(-1.0 + 2.0 + 3.0)]
    calls.clear()
    program.batch(np.array([2.0, 3.0]), np.array([1.0, 1.0]), lifted=lifted)
    assert len(calls) == 2


def test_a_false_alarm_in_one_gradient_is_repaired_whatever_the_others() -> None:
    f = lambda x, y: x.relu().sqrt() ** 2 + y * 3.0  # noqa: E731
    batch = _check(f, [[-1.0, 4.0], [2.0, 2.0]])
    assert batch.grads[0].tolist() == [0.0, pytest.approx(1.0)]


def test_samples_may_be_any_numbers_numpy_reads_as_floats() -> None:
    program = engine.compile(lambda x: x * x * x * x, 1.0)
    assert program.batch(np.array([10 ** 5, 3])).values.tolist() == [1e20, 81.0]  # no integer overflow
    f = lambda x, y: x.relu().sqrt() ** 2 + x * y  # noqa: E731 (sample 0 is replayed one by one)
    batch = engine.compile(f, 1.0, 1.0).batch([Decimal("-1"), Decimal("4")], [Decimal("2"), 2.0])
    assert batch.values.tolist() == [-2.0, pytest.approx(12.0)]
    assert batch.grads[0].tolist() == [2.0, pytest.approx(3.0)] and batch.grads[1].tolist() == [-1.0, 4.0]
    assert batch.aux is None


def test_batch_errors_name_the_argument() -> None:
    program = engine.compile(lambda x, v: x * v[0] * v[1], 1.0, [1.0, 2.0])
    ok = np.array([1.0, 2.0])
    cases = [
        ((ok,), TypeError, "the compiled function takes 2 arguments, got 1"),
        ((np.array([[1.0], [2.0]]), np.array([[1.0, 2.0]] * 2)), ValueError,
         "argument 0 must be an array of shape (n,) over the samples; got shape (2, 1)"),
        ((ok, ok), ValueError, "argument 1 must be an array of shape (n, 2) over the samples; got shape (2,)"),
        ((ok, np.array([[1.0, 2.0, 3.0]] * 2)), ValueError,
         "argument 1 must be an array of shape (n, 2) over the samples; got shape (2, 3)"),
        ((ok, np.array([[1.0, 2.0]] * 3)), ValueError, "every argument needs the same number of samples: 2 and 3"),
        ((np.array([1.0, np.inf]), np.array([[1.0, 2.0]] * 2)), ValueError, "argument 0 holds nan or inf (sample 1: inf)"),
        ((ok, np.array([[1.0, 2.0], [np.nan, 1.0]])), ValueError,
         "argument 1 holds nan or inf (sample 1: [nan, 1.0])"),
        ((np.array([np.inf, 1.0]), np.array([[1.0, -np.inf], [np.nan, 1.0]])), ValueError,  # the first argument's
         "argument 0 holds nan or inf (sample 0: inf)"),
    ]
    for args, kind, message in cases:
        with pytest.raises(kind) as e:
            program.batch(*args)
        assert str(e.value) == message
    assert program.batch([1.0, 2.0], [[1.0, 2.0], [3.0, 4.0]]).values.tolist() == [2.0, 24.0]  # lists will do


@pytest.mark.parametrize("options", [{}, {"lifted": False}, {"backend": "torch", "device": "cpu"}])
def test_a_function_of_no_arguments_has_no_samples_to_batch(options) -> None:
    # it once failed inside the back-end, in words about None (or PyTorch's isfinite() of an int)
    if options.get("backend") == "torch":
        pytest.importorskip("torch", reason=TORCH_MISSING)
    w = Value(2.0)
    with pytest.raises(TypeError) as e:
        engine.compile(lambda: w * 2.0).batch(**options)
    assert str(e.value) == ("the compiled function takes no arguments, so there are no samples to run it over; call "
                            "the program itself for its one result")


def test_the_eager_engines_errors_for_a_bad_sample() -> None:
    program = engine.compile(lambda x: x.log() + x.sqrt(), 1.0)
    with pytest.raises(ValueError) as e:
        program.batch(np.array([1.0, -2.0]))
    assert str(e.value) == "log: log is defined only for x > 0; got x=-2.0"


@pytest.mark.parametrize("backend", ["numpy lifted", "numpy per node", "torch"])
def test_check_finite_false_skips_the_arguments_pass_and_a_nan_is_still_never_silent(backend) -> None:
    w = Value(2.0)
    program = engine.compile(lambda x: x * w + 1.0, 1.0)
    xs = np.array([1.0, np.nan, 3.0])
    if backend == "torch":
        torch = pytest.importorskip("torch", reason=TORCH_MISSING)
        xs = torch.tensor(xs)
    options = {"backend": "torch", "device": "cpu"} if backend == "torch" else {"lifted": backend == "numpy lifted"}
    with pytest.raises(ValueError, match=r"^argument 0 holds nan or inf \(sample 1: nan\)$"):
        program.batch(xs, **options)  # checked: the argument and its sample named, before any replay
    with pytest.raises(ValueError, match=r"^argument 0 must not be nan, got nan$"):
        program.batch(xs, check_finite=False, **options)  # unchecked: the sample replayed alone names it


def test_the_internal_replays_check_their_arguments_unless_told_not_to() -> None:
    from engine.compiler import batch as batches
    from engine.compiler.numpy_backend import NUMPY

    program = engine.compile(lambda x: x * 2.0, 1.0)
    bad = [np.array([np.inf])]
    message = r"argument 0 holds nan or inf \(sample 0: inf\)"
    for call in (lambda: batches.run_lifted(program, bad, NUMPY), lambda: batches.arguments(program, bad, NUMPY),
                 lambda: batches.run(program, bad)):
        with pytest.raises(ValueError, match=message):
            call()
    assert batches.arguments(program, bad, NUMPY, check_finite=False)[1] == 1
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    with pytest.raises(ValueError, match=message):
        batches.run(program, [torch.tensor([np.inf])], backend="torch", device="cpu")


def test_a_complex_array_is_refused_naming_the_argument_never_cut_to_its_real_part() -> None:
    w = Value(2.0)
    program = engine.compile(lambda x, y: x * w + y, 1.0, 1.0)
    with pytest.raises(TypeError, match=r"^argument 1 holds complex numbers \(complex128\); .* pass a\.real"):
        program.batch(np.array([1.0, 2.0]), np.array([1 + 2j, 3.0]))
    assert program.batch(np.array([1.0, 2.0]), np.array([1.0, 3.0])).values.tolist() == [3.0, 7.0]


def test_a_kink_on_a_parameter_alone_replays_over_a_batch() -> None:
    # The smallest case: relu(w0) reads no input, so its mask was a Python bool, and .astype failed.
    w0 = Value(0.0)
    program = engine.compile(lambda x: (w0.relu(), w0), 0.0)
    for lifted in (None, False):
        r = program.batch(np.array([0.0, 1.0]), lifted=lifted)
        assert r.values.tolist() == [0.0, 0.0] and r.param_grads == [0.0] and r.aux.tolist() == [0.0, 0.0]
    w1 = Value(0.5)
    program = engine.compile(lambda x: (w1.relu() * x + w1.abs(), [w1.relu()]), 1.0)
    r = program.batch(np.array([1.0, 2.0]))
    assert r.values.tolist() == [1.0, 1.5] and r.grads[0].tolist() == [0.5, 0.5]
    assert r.param_grads == [pytest.approx(1.0 + 1.0 + 2.0 + 1.0)] and r.aux.tolist() == [[0.5], [0.5]]


@pytest.mark.parametrize("lifted", [True, False])
def test_a_cotangent_weighs_each_samples_gradients(lifted) -> None:
    from engine.compiler.program import eager_call

    w = Value(0.6)
    f = lambda x: (x * w).relu().sqrt() ** 2 + (x * w).tanh()  # noqa: E731  (sqrt at 0: a sample replayed alone)
    program = engine.compile(f, 1.0)
    x = np.array([-1.0, 0.5, 2.0, 0.0])
    c = np.array([0.25, -2.0, 3.0, 1.5])
    r = program.batch(x, lifted=lifted, cotangent=c)
    want = [eager_call(f, [v], program.parameters) for v in x.tolist()]
    assert r.values.tolist() == pytest.approx([o.value for o in want], rel=1e-13)
    assert r.grads[0].tolist() == pytest.approx([ci * o.grads[0] for ci, o in zip(c, want)], rel=1e-13)
    assert list(r.param_grads) == pytest.approx([sum(ci * o.param_grads[0] for ci, o in zip(c, want))], rel=1e-13)
    mean = program.batch(x, lifted=lifted, cotangent=0.25)  # a number: the mean's gradients, as training takes
    assert list(mean.param_grads) == pytest.approx([sum(o.param_grads[0] for o in want) / 4], rel=1e-13)
    with pytest.raises(ValueError, match=r"cotangent must have one entry per sample, shape \(4,\); got \(3,\)"):
        program.batch(x, lifted=lifted, cotangent=c[:3])


def test_a_cotangent_may_be_a_numpy_number() -> None:
    w = Value(2.0)
    program = engine.compile(lambda x: x * w, 1.0)
    x = np.array([1.0, 3.0])
    for c in (np.float32(0.5), np.array(0.5), 0.5):
        assert list(program.batch(x, cotangent=c).param_grads) == [2.0]  # 0.5 * (1 + 3)


@pytest.mark.parametrize("lifted", [True, False])
def test_without_input_grads_an_infinite_cotangent_on_an_output_that_is_an_input_reaches_no_parameter(lifted) -> None:
    # d/dw of sum(c * x) is 0 whatever c: w feeds only the extra output. The inputs' gradients (c itself, inf in
    # sample 0) are not asked for, so no sample is replayed alone, where 0 * inf would make w's gradient nan.
    w = Value(2.0)
    program = engine.compile(lambda x: (x, w * x), 1.0)
    r = program.batch(np.array([1.0, 2.0]), lifted=lifted, input_grads=False, cotangent=np.array([np.inf, 1.0]),
                      check_finite=False)  # (checked, an infinite cotangent is refused: see the next test)
    assert r.values.tolist() == [1.0, 2.0] and r.grads == () and list(r.param_grads) == [0.0]
    assert r.aux.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("lifted", [True, False])
def test_a_cotangent_that_is_not_finite_is_refused_with_the_data(lifted) -> None:
    # d/dw of sum(c * w * x) at x = 0 is c * 0: an inf weight would make it 0 * inf = nan, silently
    w = Value(2.0)
    program = engine.compile(lambda x: w * x, 1.0)
    x = np.array([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match=r"^batch: cotangent must be finite, got inf$"):
        program.batch(x, lifted=lifted, cotangent=math.inf)
    with pytest.raises(ValueError, match=r"^batch: cotangent must be finite; sample 1's is nan$"):
        program.batch(x, lifted=lifted, cotangent=np.array([1.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match=r"^batch: cotangent must be finite, got -inf$"):
        program.batch(x, lifted=lifted, cotangent=np.array(-np.inf))
    assert list(program.batch(x, lifted=lifted, cotangent=np.array([1.0, 2.0, 3.0])).param_grads) == [8.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a huge finite weight is checked without NumPy's overflow warning
        assert list(program.batch(x, lifted=lifted, cotangent=np.array([0.0, 1e200, 0.0])).param_grads) == [1e200]


def test_the_per_node_replay_takes_its_seed_in_float64() -> None:
    # compiler.batch.per_node directly, with a longdouble seed: the batch computes in float64, so 0.1 is read as
    # float64's 0.1 first, and x * 3's gradient is 3 * 0.1 in floats, not 0.3 rounded from longdouble
    from engine.compiler.batch import per_node

    program = engine.compile(lambda x: x * 3.0, 1.0)
    seed = np.array([np.longdouble(1) / 10, np.longdouble(2)])
    r = per_node(program, [np.array([1.0, 1.0])], None, True, True, seed)
    assert r.grads[0].dtype == np.float64 and r.grads[0].tolist() == [0.1 * 3.0, 6.0]
    assert 0.1 * 3.0 != 0.3  # 0.30000000000000004: what tells the two apart


@pytest.mark.parametrize("lifted", [True, False])
def test_a_sample_replayed_alone_for_the_parameters_needs_no_input_derivative(lifted) -> None:
    w = Value(1.0)
    # sample 0 (x = 0, t = 0): relu(-sqrt(w x)) is dead at sqrt's kink, which arrays turn into 0 * inf = nan for w,
    # so it is replayed alone; sqrt(t) has no derivative at t = 0, but without input_grads none is asked for
    f = lambda x, t: (-(w * x).sqrt()).relu() + w * t + t ** 0.5  # noqa: E731
    program = engine.compile(f, 1.0, 1.0)
    with pytest.raises(ZeroDivisionError, match="pow: the local derivative is undefined at x=0.0"):
        program.replay([0.0, 0.0])  # with the inputs' gradients
    r = program.batch(np.array([0.0, 4.0]), np.array([0.0, 1.0]), input_grads=False, lifted=lifted)
    # values: 0 + 0 + 0, and relu(-2) + 1 + 1; d/dw: relu sends nothing, w t gives t, summed: 0 + 1
    assert r.values.tolist() == [0.0, 2.0] and r.grads == () and list(r.param_grads) == [1.0]


def test_add_at_over_many_repeated_rows_adds_in_np_add_ats_order_in_a_pass_per_repeat() -> None:
    # Past 256 rows add_at splits the rows into passes where no destination repeats (a convolution's windows
    # overlap). Each destination's k-th occurrence is in pass k, so every sum is made in np.add.at's order, to
    # the last bit; the passes are made once per index array.
    from engine.compiler.numpy_backend import NumpyBackend, _passes

    rng = np.random.default_rng(7)
    index = rng.integers(0, 12, size=3000).astype(np.intp)
    values = rng.standard_normal((3000, 5)) * 10.0 ** rng.integers(-8, 8, size=(3000, 1))
    got, want = np.zeros((12, 5)), np.zeros((12, 5))
    NumpyBackend().add_at(got, index, values)
    np.add.at(want, index, values)
    assert got.tobytes() == want.tobytes()

    passes = _passes(index)
    occurrences = {d: np.flatnonzero(index == d).tolist() for d in range(12)}
    assert len(passes) == max(len(rows) for rows in occurrences.values())
    for k, (rows, where) in enumerate(passes):
        assert sorted(rows.tolist()) == sorted(rows_of_d[k] for rows_of_d in occurrences.values() if len(rows_of_d) > k)
        assert where.tolist() == index[rows].tolist()
    assert _passes(index) is passes
