"""``Program.batch``: a compiled program over a whole batch at once, like ``vmap``. This module owns that path.

What one call runs, in order (``run``):

1. ``arguments``: each argument checked (its shape, no complex numbers, no nan or inf) and laid out as rows
   over the samples.
2. The lifted program (``compiler.lifting``: structurally identical nodes as one array operation, a layer as one
   matrix product) on a frame of arrays (``compiler.frames``), made once per program and back-end (``made``).
   A ``Pass`` either holds the results or names the samples whose numbers are not all finite; those are
   replayed alone on floats (``with_samples_alone``), where the eager engine gives its result or its clear error.
3. Where lifting does not apply (an output that is a parameter itself) or is not wanted (``lifted=False``, or a
   tape of over ``LIFTED_UP_TO`` instructions in more than ``LIFTED_GROUPS`` groups), the per-node replay (``per_node``): the float code with NumPy's
   functions, one array call per node. The PyTorch back-end runs lifted only, and moves a per-node result over.

The back-ends (``numpy_backend.NUMPY`` and ``torch_backend.Torch(device)``) are tables of array operations behind
``arrays.ArrayBackend``. What is made for a program (its lifted program, frames and per-node code) is kept here,
per program, and goes when the program goes.
"""

from __future__ import annotations

import math
import weakref
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..arguments import flatten, regroup
from . import interpreter
from .arrays import ArrayBackend, precision
from .codegen import build
from .frames import GATHER, Frame, Frames, bind
from .lifting import Lifted, few_groups, lift
from .numpy_backend import NUMPY, numpy_backend

LIFTED_UP_TO = 20_000  # instructions up to which batch(lifted=None) lifts; larger tapes, unless their nodes fall
LIFTED_GROUPS = 2_000  # into at most this many groups (a CNN's do, a long chain's do not), replay per node
# Program -> what was made for it: the lifted program per input_grads, each back-end's Made, the per-node code
_MADE: "weakref.WeakKeyDictionary[Any, Dict[Any, Any]]" = weakref.WeakKeyDictionary()
_TORCH: Dict[str, ArrayBackend] = {}  # device name -> its back-end, made once


class BatchResult(NamedTuple):
    """A replay over many samples: per-sample values, per-sample input gradients (grouped like the
    arguments), parameter gradients summed over the samples, and per-sample extra outputs."""

    values: Any
    grads: tuple
    param_grads: Any
    aux: Any


class Pass(NamedTuple):
    """One lifted pass over a frame: its results, or (``finite`` False) which samples went wrong."""

    finite: bool
    values: Any = None
    grads: Sequence[Any] = ()  # per input slot (none without input_grads)
    param_grads: Any = None
    extra: Any = None  # the extra outputs' rows
    bad: Any = None  # not finite: a mask of the samples to replay alone; None when only a parameter's gradient is


def run(program: Any, args: Sequence[Any], lifted: Optional[bool] = None, parameters: Any = None,
        backend: str = "numpy", device: Any = None, input_grads: bool = True,
        check_finite: bool = True, dtype: Any = "float64", cotangent: Any = None) -> BatchResult:
    """``program`` over a batch (see ``Program.batch`` for the arguments). Parameter gradients come back as a
    list, or as an array of the back-end's when ``parameters`` (an array) stands in for the parameters' data."""
    dtype = precision(dtype)
    if dtype != "float64" and lifted is False:
        raise ValueError(f"batch: dtype={dtype!r} runs the lifted program only; use lifted=True (or None)")
    if backend == "torch":
        if lifted is False:
            raise ValueError("batch: the torch back-end runs the lifted program only; use lifted=True")
        return _on_torch(program, args, device, parameters, input_grads, check_finite, dtype, cotangent)
    if backend != "numpy":
        raise ValueError(f"batch: backend must be 'numpy' or 'torch', got {backend!r}")
    arrays = numpy_backend(dtype)
    if lifted is None:
        lifted = dtype != "float64" or lifts_by_default(program)
    P = None if parameters is None else arrays.parameters(program, parameters)
    seed = _seed(cotangent, arrays, check_finite)
    done = run_lifted(program, args, arrays, P, input_grads, check_finite, seed) if lifted else None
    if done is None:
        _per_node_only(dtype)
        done = per_node(program, args, P, input_grads, check_finite, seed)
    if P is None:
        done = done._replace(param_grads=[float(g) for g in done.param_grads])
    return done


def _seed(cotangent: Any, backend: ArrayBackend, check_finite: bool) -> Any:
    """``Program.batch``'s ``cotangent`` as the lifted pass takes it: a float, or an array of the back-end's;
    checked to be finite with the data (an inf weight would turn a zero gradient into nan, 0 * inf)."""
    if cotangent is None:
        return 1.0
    if isinstance(cotangent, (int, float)) and not isinstance(cotangent, bool):
        seed = float(cotangent)
    else:
        seed = backend.asarray(cotangent)
        if seed.ndim == 0:  # a NumPy or PyTorch number
            seed = float(seed)
        elif seed.ndim != 1:
            raise ValueError(f"batch: cotangent must be a number or an array over the samples, shape (n,); got "
                             f"shape {tuple(seed.shape)}")
    if not check_finite:
        return seed
    if isinstance(seed, float):
        if not math.isfinite(seed):
            raise ValueError(f"batch: cotangent must be finite, got {seed}")
        return seed
    with backend.quiet():  # the fast check may overflow on huge finite weights
        finite = backend.finite(seed)
    if not finite:
        i = _first_not_finite(seed, backend)
        raise ValueError(f"batch: cotangent must be finite; sample {i}'s is {float(seed[i])}")
    return seed


def _per_sample(seed: Any, n: int) -> Any:
    """``seed`` (a float, or an array from ``_seed``), checked to be a number or to hold one entry per sample."""
    if not isinstance(seed, float) and tuple(seed.shape) != (n,):
        raise ValueError(f"batch: cotangent must have one entry per sample, shape ({n},); got {tuple(seed.shape)}")
    return seed


def route(program: Any, backend: str = "numpy", lifted: Optional[bool] = None, input_grads: bool = True) -> str:
    """Which path a ``batch`` call with these settings takes, in words (``Program.runs`` shows it)."""
    if backend == "numpy" and (lifted is False or (lifted is None and not lifts_by_default(program))):
        return per_node_route(program)
    lifted_ = lifted_program(program, input_grads)
    if not _liftable(program, lifted_):
        moved = ", moved to the device" if backend == "torch" else ""
        return (f"{per_node_route(program)}{moved} (an output is a parameter itself, which the lifted program has "
                f"no row for)")
    products = lifted_.forward.count(" @ ")
    return (f"the lifted array program on {'NumPy' if backend == 'numpy' else 'PyTorch'}: {lifted_.groups} array "
            f"operations for {len(program.tape)} instructions ({products} matrix products)")


def lifts_by_default(program: Any) -> bool:
    """Whether ``batch(lifted=None)`` lifts: a tape of up to ``LIFTED_UP_TO`` instructions, or a larger one whose
    nodes fall into few groups. Lifting a long chain would write a line per node, each an array call on a row."""
    if len(program.tape) <= LIFTED_UP_TO:
        return True
    made = _MADE.setdefault(program, {})
    key = ("few groups", LIFTED_GROUPS)
    if key not in made:
        made[key] = few_groups(program.tape, LIFTED_GROUPS)
    return made[key]


def per_node_route(program: Any) -> str:
    how = "the interpreter's steps" if program.interpreted else "the generated code"
    return f"per node on NumPy arrays: {how}, one array call per instruction ({len(program.tape)})"


# -- the arguments -----------------------------------------------------------------------------------------


def arguments(program: Any, args: Sequence[Any], backend: ArrayBackend,
              check_finite: bool = True) -> Tuple[List[Any], int, List[Any]]:
    """The arguments checked, the number of samples, and each argument as rows over the samples (its input
    slots' rows of V, in one piece). ``check_finite=False`` leaves out the check for nan and inf (for callers
    that checked their data once, as ``fit`` does)."""
    if len(args) != len(program.shapes):
        raise TypeError(f"the compiled function takes {len(program.shapes)} arguments, got {len(args)}")
    if not args:  # no array to count the samples by
        raise TypeError("the compiled function takes no arguments, so there are no samples to run it over; "
                        "call the program itself for its one result")
    checked, n = [], None
    for i, (a, shape) in enumerate(zip(args, program.shapes)):
        if _complex(a):  # converting to float64 would drop the imaginary part with only a NumPy warning
            raise TypeError(f"argument {i} holds complex numbers ({a.dtype}); a compiled program computes with "
                            f"real numbers: pass a.real if the real part is what you mean")
        a = backend.asarray(a)
        if a.ndim == 0 or tuple(a.shape) != ((a.shape[0],) if shape is None else (a.shape[0], shape)):
            raise ValueError(f"argument {i} must be an array of shape (n,{'' if shape is None else f' {shape}'}) "
                             f"over the samples; got shape {tuple(a.shape)}")
        n = a.shape[0] if n is None else n
        if a.shape[0] != n:
            raise ValueError(f"every argument needs the same number of samples: {n} and {a.shape[0]}")
        checked.append(a)
    if check_finite:
        _finite_arguments(checked, backend)
    return checked, n, [a[None] if a.ndim == 1 else a.T for a in checked]


def columns(checked: Sequence[Any]) -> list:
    """Checked arguments as one array over the samples per input slot."""
    return [c for a in checked for c in ([a] if a.ndim == 1 else [a[:, j] for j in range(a.shape[1])])]


def _complex(a: Any) -> bool:
    """Whether ``a`` is a NumPy array (or PyTorch tensor) of complex numbers."""
    dtype = getattr(a, "dtype", None)
    return getattr(dtype, "kind", None) == "c" or bool(getattr(dtype, "is_complex", False))


def _finite_arguments(checked: Sequence[Any], backend: ArrayBackend) -> None:
    """Raises the ValueError that names the first argument and sample holding nan or inf, if one does."""
    with backend.quiet():
        if backend.finite(*checked):  # one pass over them all when all is well
            return
    for i, a in enumerate(checked):
        sample = _first_not_finite(a, backend)
        if sample is not None:
            wide = "" if backend.precision == "float64" else f", or a number past {backend.precision}'s range"
            raise ValueError(f"argument {i} holds nan or inf{wide} (sample {sample}: {a[sample].tolist()})")


def _first_not_finite(a: Any, backend: ArrayBackend) -> Optional[int]:
    """The first sample of ``a`` (shape (n,) or (n, k)) holding nan or inf, or None."""
    bad = backend.where_false(backend.finite_columns(a[None] if a.ndim == 1 else a.T))
    return int(bad[0]) if len(bad) else None


# -- the lifted program ------------------------------------------------------------------------------------


class Made(NamedTuple):
    """A lifted program made for one back-end: its frames (``compiler.frames``), and where its rows are."""

    lifted: Lifted
    frames: Frames
    inputs: int  # the inputs' rows, which lead, in order
    out: int  # the main output's row
    extra: Any  # the extra outputs' rows (an index of the back-end; empty if there are none)
    added_first: Tuple[Any, Any]  # G's rows and GP's entries to zero before each backward (indices), or None


def lifted_program(program: Any, input_grads: bool = True) -> Lifted:
    """The tape lifted to an array program (``compiler.lifting``), once per program and ``input_grads``."""
    made = _MADE.setdefault(program, {})
    if ("lifted", input_grads) not in made:
        made["lifted", input_grads] = lift(program.tape, input_grads)
    return made["lifted", input_grads]


def _liftable(program: Any, lifted: Lifted) -> bool:
    return all(s in lifted.row_of for s in program.tape.output_slots)  # not when an output is a parameter itself


def made_for(program: Any, backend: ArrayBackend, input_grads: bool = True) -> Optional[Made]:
    """The lifted program made for this back-end, once per program; None when an output is a parameter
    itself (the per-node replay serves that)."""
    made, key = _MADE.setdefault(program, {}), (backend.name, input_grads)
    if key not in made:
        lifted = lifted_program(program, input_grads)
        made[key] = _make(program, lifted, backend) if _liftable(program, lifted) else None
    return made[key]


def _make(program: Any, lifted: Lifted, backend: ArrayBackend) -> Made:
    tape, row = program.tape, lifted.row_of
    namespace = backend.bind(lifted.functions)
    namespace.update({name: backend.index(index) for name, index in lifted.indices.items()})
    namespace.update(add_at=backend.add_at, stretch=backend.stretch, unaliased=backend.unaliased)
    extra = tuple(row[s] for s in tape.output_slots[1:])
    # the rows read other than through a view: gathered by an index, or read as an output
    gathered = GATHER.findall(lifted.forward + "\n" + lifted.backward)
    read_whole = frozenset(r for name in gathered for r in lifted.indices[name]) | {row[tape.output_slots[0]], *extra}
    code = bind(lifted.forward, lifted.backward, _argument_rows(program), read_whole)
    frames = Frames(code, namespace, backend, lifted.rows, len(program.parameters),
                    tuple((row[slot], c) for slot, c in tape.constants))
    zero = tuple(backend.index(lifted.added_first[a]) if lifted.added_first[a] else None for a in ("G", "GP"))
    return Made(lifted, frames, len(tape.input_slots), row[tape.output_slots[0]], backend.index(extra), zero)


def _argument_rows(program: Any) -> Tuple[Tuple[int, int], ...]:
    """The rows of V that each argument fills (lift gives the inputs the first rows, in order)."""
    rows, start = [], 0
    for shape in program.shapes:
        width = 1 if shape is None else shape
        rows.append((start, start + width))
        start += width
    return tuple(rows)


def run_lifted(program: Any, args: Sequence[Any], backend: ArrayBackend, P: Any = None,
               input_grads: bool = True, check_finite: bool = True, seed: Any = None) -> Optional[BatchResult]:
    """The batch by the lifted program, or None where lifting does not apply. ``P``, an array from
    ``backend.parameters``, stands in for the parameters' data. ``seed`` (an array over the samples; 1 for each
    by default) is the main output's adjoint: the gradients are then those of the seed-weighted sum of the
    values, a vector-Jacobian product (``to_torch``'s backward passes PyTorch's incoming gradient)."""
    checked, n, blocks = arguments(program, args, backend, check_finite)
    made = made_for(program, backend, input_grads)
    if made is None:
        return None
    P = backend.parameters(program, None) if P is None else P
    seed = _per_sample(1.0 if seed is None else seed, n)
    done = _pass(made, n, P, backend, blocks, input_grads, seed)
    if not done.finite and backend.precision != "float64":
        raise _overflowed(backend, done.bad)
    if not done.finite:
        if done.bad is None:
            return None  # only a parameter's gradient is not finite: the per-node replay finds the sample
        good = backend.where_false(done.bad)
        kept = seed if isinstance(seed, float) else seed[good]
        rest = _pass(made, len(good), P, backend, [b[:, good] for b in blocks], input_grads, kept) if len(good) else None
        if rest is not None and not rest.finite:
            return None
        done = with_samples_alone(program, columns(checked), n, good, rest, P, backend, input_grads, seed)
    aux = None
    if program.aux_kind is not None:
        aux = done.extra[0] if program.aux_kind == "value" else done.extra.T  # (samples, outputs), one block's view
    grads = tuple(regroup(done.grads, program.shapes, backend.stack)) if input_grads else ()
    return BatchResult(done.values, grads, done.param_grads, aux)


def _overflowed(backend: ArrayBackend, bad: Any) -> OverflowError:
    """In low precision a value or gradient past the dtype's range is the answer, not a sample to replay in float64
    (which would hide it): an error that says so, for the caller to scale (as loss scaling does) or widen."""
    where = "a parameter's gradient" if bad is None else \
        f"samples {[int(i) for i in backend.where_false(~bad)][:10]}"
    return OverflowError(f"batch: a value or gradient overflowed {backend.precision} (or is nan) at {where}; scale "
                         f"the loss down, or compute in a wider dtype")


def _pass(made: Made, n: int, P: Any, backend: ArrayBackend, blocks: list, input_grads: bool,
          seed: Any = 1.0) -> Pass:
    """One forward and one backward call on a frame of ``n`` samples, given back after."""
    frame = made.frames.take(n)
    try:
        return _run(made, frame, P, backend, blocks, input_grads, seed)
    finally:
        made.frames.give(n, frame)


def _run(made: Made, frame: Frame, P: Any, backend: ArrayBackend, blocks: list, input_grads: bool,
         seed: Any = 1.0) -> Pass:
    forward(made, frame, P, blocks, backend)
    with backend.quiet():
        backward(made, frame, seed)
        # past the inputs' rows: V's were checked as arguments, and without input_grads nobody reads G's (which
        # a many-input op may write: it sends its block whole, to the inputs too)
        finite = backend.finite(frame.V[made.inputs:], frame.G if input_grads else frame.G[made.inputs:], frame.GP)
    return results(made, frame, backend, input_grads, finite)


def forward(made: Made, frame: Frame, P: Any, blocks: list, backend: ArrayBackend) -> None:
    """The forward half of a pass: the parameters and the arguments' rows copied in, then the forward body."""
    frame.P[...] = P
    start = 0
    for j, block in enumerate(blocks):  # lift gives the inputs the first rows, in order
        frame.argument(j, start, block)
        start += len(block)
    with backend.quiet():
        frame.forward()


def backward(made: Made, frame: Frame, seed: Any = 1.0) -> None:
    """The backward half, after ``forward`` on the same frame: ``seed`` (a number, or one per sample) is the
    main output's adjoint."""
    G, GP = frame.G, frame.GP
    rows, entries = made.added_first  # the rest of G and GP is assigned before it is read, or never written
    if rows is not None:
        G[rows] = 0.0
    if entries is not None:
        GP[entries] = 0.0
    G[made.out] = seed
    frame.backward()


def results(made: Made, frame: Frame, backend: ArrayBackend, input_grads: bool, finite: bool) -> Pass:
    """A pass's results, copied off the frame (which is used again), or which samples went wrong."""
    V, G, k = frame.V, frame.G, made.inputs
    if not finite:  # the inputs' rows were checked as arguments (and may not be in V: see Frame.argument)
        bad = ~(backend.finite_columns(V[k:]) & backend.finite_columns(G))
        return Pass(False, bad=bad if bool(bad.any()) else None)
    grads = list(_copy(G[:k])) if input_grads else []  # copies: the frame's arrays are used again
    return Pass(True, _copy(V[made.out]), grads, _copy(frame.GP), V[made.extra])  # the extra rows: a gather, a copy


def _copy(x: Any) -> Any:
    return x.clone() if hasattr(x, "clone") else x.copy()


def with_samples_alone(program: Any, columns: list, n: int, good: Any, rest: Optional[Pass], P: Any,
                       backend: ArrayBackend, input_grads: bool, seed: Any = 1.0) -> Pass:
    """The good samples' lifted results, with each other sample replayed alone on floats and added in (its
    gradients times its ``seed``)."""
    tape = program.tape
    values, grads = backend.zeros((n,)), [backend.zeros((n,)) for _ in tape.input_slots if input_grads]
    outs = backend.zeros((len(tape.output_slots) - 1, n))
    param_grads = backend.zeros((len(program.parameters),))
    if rest is not None:
        values[good] = rest.values
        for column, part in zip(grads + list(outs), list(rest.grads) + list(rest.extra)):
            column[good] = part
        param_grads += rest.param_grads
    kept = set(good.tolist())
    for i in range(n):
        if i in kept:
            continue
        one = with_data(program.parameters, P.tolist(), lambda: program.replay(_sample(program, columns, i),
                                                                                input_grads))
        values[i] = one.value
        weight = seed if isinstance(seed, float) else float(seed[i])
        extra = [] if program.aux_kind is None else [one.aux] if program.aux_kind == "value" else one.aux
        for column, x in zip(grads, flatten(one.grads) if input_grads else []):
            column[i] = x * weight
        for column, x in zip(outs, extra):
            column[i] = x
        param_grads += backend.asarray(one.param_grads) * weight
    return Pass(True, values, grads, param_grads, outs)


def with_data(params: Sequence[Any], data: Sequence[float], run: Callable[[], Any]) -> Any:
    """``run()`` with the parameters' data set to ``data`` meanwhile (for the replays that read Values)."""
    saved = [p._data for p in params]
    try:
        for p, x in zip(params, data):
            p._data = x  # floats from the parameters' own array
        return run()
    finally:
        for p, x in zip(params, saved):
            p._data = x


def _sample(program: Any, columns: list, i: int) -> list:
    """Sample ``i``'s arguments, shaped as the function takes them."""
    return regroup([float(c[i]) for c in columns], program.shapes, list)


# -- per node ----------------------------------------------------------------------------------------------


def per_node_code(program: Any, input_grads: bool) -> Tuple[List[Callable], List[Callable]]:
    """The per-node replay on NumPy arrays: generated code, or for a large tape the interpreter's walks
    (one compiled step per kind of instruction, so the first call does not compile a line a node)."""
    made, key = _MADE.setdefault(program, {}), ("per node", input_grads)
    if key not in made:
        if program.interpreted:
            forward, backward = interpreter.steps(program.tape, input_grads, NUMPY)
            made[key] = [forward], [backward]
        else:
            source = program.source_for(input_grads)
            made[key] = build(source, NUMPY.bind(source.functions), "numpy", arrays=True)
    return made[key]


def per_node(program: Any, args: Sequence[Any], P: Any, input_grads: bool, check_finite: bool,
             seed: Any = 1.0) -> BatchResult:
    """The batch one NumPy call per node; ``P`` (an array, or None) stands in for the parameters' data, and
    ``seed`` (a number, or one per sample) is the main output's adjoint."""
    import numpy as np

    checked, n, _ = arguments(program, args, NUMPY, check_finite)
    seed = np.broadcast_to(np.asarray(_per_sample(seed, n), dtype=float), (n,))
    if P is None:
        return _per_node(program, columns(checked), n, input_grads, seed)
    # the per-node replay reads the Values: they hold the array's numbers meanwhile
    done = with_data(program.parameters, P.tolist(),
                     lambda: _per_node(program, columns(checked), n, input_grads, seed))
    return done._replace(param_grads=np.array(done.param_grads, dtype=float))


def _per_node(program: Any, columns: list, n: int, input_grads: bool, seed: Any) -> BatchResult:
    import numpy as np

    tape = program.tape
    v = tape.blank()
    for slot, column in zip(tape.input_slots, columns):
        v[slot] = column
    for slot, p in zip(tape.param_slots, program.parameters):
        v[slot] = p._data
    g = [0.0] * tape.size
    g[tape.output_slots[0]] = seed.copy()
    forward, backward = per_node_code(program, input_grads)
    with np.errstate(all="ignore"):  # problems are found below and explained by the eager engine
        for fn in forward:
            fn(v, g)
        for fn in backward:
            fn(v, g)
    values = np.broadcast_to(v[tape.output_slots[0]], (n,)).astype(float)
    flat_grads = [np.broadcast_to(g[s], (n,)).astype(float) for s in tape.input_slots] if input_grads else []
    param_columns = [g[s] for s in tape.param_slots]
    bad = ~np.isfinite(values)
    for column in flat_grads + param_columns:
        bad |= ~np.isfinite(column)
    if bad.any():
        # An array pass computes every partial, even where the adjoint is 0 (a dead relu before a sqrt
        # at 0, say), and 0 * inf is nan; the eager engine skips those. Such samples are replayed one
        # by one, which falls back to the eager engine: its result, or its clear error.
        param_columns = [np.broadcast_to(c, (n,)).astype(float) for c in param_columns]
        for i in np.flatnonzero(bad).tolist():
            one = program.replay(_sample(program, columns, i), input_grads)
            values[i] = one.value
            for column, grad in zip(flat_grads, flatten(one.grads)):
                column[i] = grad * seed[i]
            for column, grad in zip(param_columns, one.param_grads):
                column[i] = grad * seed[i]
    param_grads = _summed(param_columns, n)
    grads = tuple(regroup(flat_grads, program.shapes, lambda group: np.stack(group, axis=1))) if input_grads else ()
    aux = None
    if program.aux_kind is not None:
        outs = [np.broadcast_to(v[s], (n,)).astype(float) for s in tape.output_slots[1:]]
        aux = outs[0] if program.aux_kind == "value" else np.stack(outs, axis=1)
    return BatchResult(values, grads, param_grads, aux)


def _summed(grads: list, n: int) -> list:
    """Each gradient summed over the batch: arrays in one NumPy reduction, scalars (the same for
    every sample) times n."""
    import numpy as np

    out = [float(x) * n if np.ndim(x) == 0 else None for x in grads]
    rows = [i for i, x in enumerate(grads) if out[i] is None]
    if rows:
        with np.errstate(over="ignore"):  # a sum past the largest float is inf, as Python's own sum gives
            totals = np.stack([grads[i] for i in rows]).sum(axis=1).tolist()
        for i, total in zip(rows, totals):
            out[i] = total
    return out


# -- on PyTorch --------------------------------------------------------------------------------------------


def torch_backend(device: Any = None, dtype: str = "float64") -> ArrayBackend:
    """The PyTorch back-end for ``device`` (a GPU by default where there is one), made once per device and dtype."""
    from .torch_backend import Torch

    backend = Torch(device, dtype)
    return _TORCH.setdefault(backend.name, backend)


def _per_node_only(dtype: str) -> None:
    if dtype != "float64":
        raise ValueError(f"batch: dtype={dtype!r} needs the lifted program, but an output of this program is a "
                         f"parameter itself, which only the per-node replay (in float64) serves")


def _on_torch(program: Any, args: Sequence[Any], device: Any, parameters: Any, input_grads: bool,
              check_finite: bool, dtype: str, cotangent: Any) -> BatchResult:
    backend = torch_backend(device, dtype)
    P = None if parameters is None else backend.parameters(program, parameters)
    seed = _seed(cotangent, backend, check_finite)
    done = run_lifted(program, args, backend, P, input_grads, check_finite, seed)
    if done is not None:
        return done
    _per_node_only(dtype)
    # an output that is a parameter itself: the per-node replay on NumPy, moved over
    host = [backend.asarray(a).cpu().numpy() for a in args]  # float64 (NumPy has no bfloat16), on the CPU
    values, grads, param_grads, aux = per_node(program, host, None if P is None else P.cpu().numpy(), input_grads,
                                               check_finite, seed if isinstance(seed, float) else seed.cpu().numpy())
    move = backend.asarray
    return BatchResult(move(values), tuple(move(g) for g in grads), move(param_grads),
                       None if aux is None else move(aux))
