"""The array back-ends' less travelled paths, each against the eager engine sample by sample: extra outputs
and list arguments next to samples that must be replayed alone, gradients that do not depend on the samples,
a program whose output is a parameter, parameters given as an array, and inputs that are not float64."""

import warnings

import numpy as np
import pytest

import engine
from engine import Value
from engine.compiler import batch as batches
from engine.compiler.program import eager_call
from engine.testing.oracles import TORCH_MISSING

BACKENDS = ["numpy lifted", "numpy per node", "torch"]


@pytest.fixture(autouse=True)
def no_cached_torch_backends(monkeypatch):
    """Each test makes its torch back-end afresh (a kept one would hide how it is made)."""
    monkeypatch.setattr(batches, "_TORCH", {})


def run(program, backend, *columns, **options):
    """One batch on ``backend``, its parts as NumPy arrays (values, grads, param_grads, aux)."""
    if backend == "torch":
        torch = pytest.importorskip("torch", reason=TORCH_MISSING)
        options = {k: torch.tensor(v) if k == "parameters" else v for k, v in options.items()}
        r = program.batch(*[torch.tensor(np.asarray(c)) for c in columns], backend="torch", device="cpu", **options)
        for part in (r.values, r.param_grads) + tuple(r.grads):
            assert part.dtype == torch.float64 and part.device.type == "cpu"
        aux = None if r.aux is None else r.aux.numpy()
        return r.values.numpy(), [g.numpy() for g in r.grads], np.asarray(r.param_grads.numpy()), aux
    r = program.batch(*[np.asarray(c) for c in columns], lifted=backend == "numpy lifted", **options)
    return r.values, list(r.grads), np.asarray(r.param_grads, dtype=float), r.aux


def check(f, program, backend, columns, parameters=None, input_grads=True):
    """Every part of a batch against the eager engine, sample by sample, with no warning left behind."""
    options = {} if parameters is None else {"parameters": np.array(parameters)}
    if not input_grads:
        options["input_grads"] = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values, grads, param_grads, aux = run(program, backend, *columns, **options)
    data = [p.data for p in program.parameters]
    if parameters is not None:
        for p, x in zip(program.parameters, parameters):
            p.data = x
    try:
        summed = np.zeros(len(program.parameters))
        for i in range(len(columns[0])):
            args = [c[i] if np.ndim(c) == 1 else list(c[i]) for c in columns]
            want = eager_call(f, args, program.parameters, input_grads)
            assert values[i] == pytest.approx(want.value, rel=1e-12, abs=1e-12), (i, args)
            assert len(grads) == len(want.grads)
            for got, wanted in zip(grads, want.grads):
                assert np.asarray(got[i]).tolist() == pytest.approx(wanted, rel=1e-12, abs=1e-12), (i, args)
            if want.aux is not None:
                assert np.asarray(aux[i]).tolist() == pytest.approx(want.aux, rel=1e-12, abs=1e-12), (i, args)
            summed += want.param_grads
        assert param_grads.tolist() == pytest.approx(summed.tolist(), rel=1e-12, abs=1e-12)
    finally:
        for p, x in zip(program.parameters, data):
            p.data = x


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("extra", ["one value", "a list"])
def test_extra_outputs_and_list_arguments_beside_samples_replayed_alone(backend, extra) -> None:
    w = Value(0.5)

    def f(x, t):  # sqrt(relu(.)) ** 2 at a dead relu: 0 * inf in an array pass, a false alarm
        main = (x[0] * w).relu().sqrt() ** 2 + x[1] * t
        return main, (x[0] * t if extra == "one value" else [x[0] * t, x[1] - w])

    program = engine.compile(f, [1.0, 2.0], 1.0)
    X, t = np.array([[-1.0, 2.0], [4.0, 0.5], [-3.0, 1.0], [2.0, -1.0]]), np.array([1.0, 2.0, 3.0, -1.0])
    check(f, program, backend, [X, t])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("extra", ["one value", "a list"])
@pytest.mark.parametrize("interpreted", [False, True])
def test_training_beside_samples_replayed_alone(backend, extra, interpreted) -> None:
    # As above without the inputs' gradients, on a program that has never computed them: a sample replayed
    # alone must leave them out too, and its extra outputs still land in their own columns, whether its float
    # replay falls back to the eager engine (generated code: sqrt's partial 1/0) or not (the interpreter skips
    # the dead relu's zero adjoint).
    w = Value(0.5)

    def f(x, t):
        main = (x[0] * w).relu().sqrt() ** 2 + x[1] * t * w
        return main, (x[0] * t if extra == "one value" else [x[0] * t, x[1] - w])

    program = engine.compile(f, [1.0, 2.0], 1.0)
    program.interpreted = interpreted
    X, t = np.array([[-1.0, 2.0], [4.0, 0.5], [-3.0, 1.0], [2.0, -1.0]]), np.array([1.0, 2.0, 3.0, -1.0])
    check(f, program, backend, [X, t], input_grads=False)


@pytest.mark.parametrize("backend", ["numpy lifted", "torch"])
def test_only_the_samples_that_went_wrong_are_replayed_alone(backend, monkeypatch) -> None:
    alone = []
    real = batches.with_data
    monkeypatch.setattr(batches, "with_data", lambda *a: alone.append(1) or real(*a))
    f = lambda x: (x * 1.0).relu().sqrt() ** 2 + x  # noqa: E731
    program = engine.compile(f, 1.0)
    check(f, program, backend, [np.array([-1.0, 4.0, 9.0, -2.0, 1.0])])
    assert len(alone) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_gradients_that_do_not_depend_on_the_samples_are_summed_over_them(backend) -> None:
    w, u, unused = Value(3.0), Value(-2.0), Value(7.0)
    f = lambda x: (x * x + w * 2.0 + u, unused * 1.0)  # noqa: E731  (the extra output passes back nothing)
    check(f, engine.compile(f, 1.0), backend, [np.array([1.0, 2.0, 3.0])])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("given", [None, [5.0, -0.5]])
def test_an_output_that_is_a_parameter_with_extra_outputs_and_parameters_given(backend, given) -> None:
    w, u = Value(3.0), Value(0.25)

    def f(x, t):
        return w, [x[0] * t * u, x[1]]

    program = engine.compile(f, [1.0, 2.0], 0.5)
    for _ in range(2):  # the second batch finds what the first made for the program (no lifted program)
        check(f, program, backend, [np.array([[1.0, 2.0], [3.0, -4.0]]), np.array([0.5, 2.0])], given)


@pytest.mark.parametrize("backend", BACKENDS)
def test_parameters_given_as_an_array_beside_a_sample_replayed_alone(backend) -> None:
    w, u = Value(0.5), Value(2.0)
    f = lambda x, t: (x * w).relu().sqrt() ** 2 + x * t * u  # noqa: E731  (a false alarm at x <= 0)
    program = engine.compile(f, 1.0, 1.0)
    check(f, program, backend, [np.array([-1.0, 4.0, 2.0]), np.array([1.0, 2.0, -3.0])], [1.5, -0.25])


@pytest.mark.parametrize("backend", BACKENDS)
def test_inputs_that_are_not_float64_are_computed_in_float64(backend) -> None:
    w = Value(1.0 / 3.0)
    f = lambda x: (x * w).tanh() + x * x  # noqa: E731
    program = engine.compile(f, 1.0)
    small = np.array([0.1, 0.7, 3.0], dtype=np.float32)
    if backend == "torch":
        torch = pytest.importorskip("torch", reason=TORCH_MISSING)
        r = program.batch(torch.tensor(small), backend="torch", device="cpu")
        values = r.values.numpy()
        assert r.values.dtype == torch.float64
    else:
        values = program.batch(small, lifted=backend == "numpy lifted").values
        assert values.dtype == np.float64
    assert values.tolist() == pytest.approx([eager_call(f, [x], program.parameters).value
                                             for x in small.astype(float).tolist()], rel=1e-15)
    whole = run(program, backend, np.array([1, 2, 3]))[0]  # integers too
    assert whole.tolist() == pytest.approx([eager_call(f, [x], program.parameters).value for x in (1.0, 2.0, 3.0)])
