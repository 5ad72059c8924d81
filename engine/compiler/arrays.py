"""Running a lifted program (``compiler.lifting``) on an array library, for a whole batch at once.

A back-end binds the names the lifted code calls (each op, the rules' helpers, ``add_at``
and ``stretch``) to one library's functions, and makes the few arrays the replay needs:
``numpy_backend.NUMPY`` and ``torch_backend.Torch(device)`` are the two. The replay is the
same for both: values and parameter gradients from one forward and one backward call,
and any sample whose numbers are not finite replayed alone on floats, where the eager
engine gives its result or its clear error.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, NamedTuple, Optional, Sequence, Tuple

from .. import ops
from ..transforms.functional import flatten, regroup
from .frames import Frame, Frames, bind
from .lifting import Lifted, lift


class ArrayBackend:
    """What the lifted replay needs from an array library (see ``numpy_backend`` for the model)."""

    name = ""
    an_array = "an array"  # what the library's arrays are called in messages

    def functions(self) -> Dict[Any, Callable]:
        """Each engine op, and the helpers "if_positive", "sign", "times_log", on arrays; and ``("over", op)``
        for a many-input op over the first axis of one block, where the library has a reduction for it."""
        raise NotImplementedError

    def vectorized(self, op: ops.Op) -> Callable:
        """A user-defined op on arrays: its float function, sample by sample."""
        raise NotImplementedError

    def index(self, entries: Tuple[int, ...]) -> Any:
        raise NotImplementedError

    def add_at(self, target: Any, index: Any, values: Any) -> None:
        """target[index] += values, adding up where an index repeats."""
        raise NotImplementedError

    def unaliased(self, x: Any) -> Any:
        """x, or a copy where this library refuses to scatter a view into the array it views (``G[i] = G[2:4]``)."""
        return x

    def stretch(self, x: Any, k: int) -> Any:
        """x broadcast to (k, group, samples) and flattened to (k * group, samples)."""
        raise NotImplementedError

    def asarray(self, x: Any) -> Any:
        """x as this library's float64 array (on its device)."""
        raise NotImplementedError

    def empty(self, shape: Tuple[int, ...]) -> Any:
        raise NotImplementedError

    def zeros(self, shape: Tuple[int, ...]) -> Any:
        raise NotImplementedError

    def finite(self, *xs: Any) -> bool:
        """Whether every entry of every array is finite. Called within ``quiet()``: the check may overflow."""
        raise NotImplementedError

    def finite_columns(self, x: Any) -> Any:
        """Per column of a matrix, whether all its entries are finite (an array of bools)."""
        raise NotImplementedError

    def where_false(self, mask: Any) -> Any:
        """The indices where ``mask`` is False."""
        raise NotImplementedError

    def matmul_into(self, out: Any, a: Any, b: Any) -> None:
        """out[...] = a @ b, without a temporary where the library can."""
        out[...] = a @ b

    def shares_memory(self, view: Any, base: Any) -> bool:
        """Whether ``view`` is a view of ``base`` (its numbers, not a copy of them)."""
        raise NotImplementedError

    def stack(self, arrays: Sequence[Any]) -> Any:
        """Columns side by side: (n,) arrays to (n, k)."""
        raise NotImplementedError

    def quiet(self) -> Any:
        """A context in which overflow and invalid operations give inf and nan without warnings."""
        return contextlib.nullcontext()

    def bind(self, names: Dict[str, Any]) -> Dict[str, Callable]:
        """The generated code's globals: each identifier bound to this library's function for its op or
        helper (a user-defined op: its float function, sample by sample). ``("over", op)`` is a many-input
        op over the first axis of one block: the library's reduction where it has one (``functions``),
        else the op on the block's rows."""
        known = self.functions()

        def one(key: Any) -> Callable:
            if key in known:
                return known[key]
            if isinstance(key, tuple):
                rows = one(key[1])
                return lambda block: rows(*block)
            return self.vectorized(key)

        return {name: one(key) for name, key in names.items()}

    def parameters(self, program: Any, parameters: Any) -> Any:
        """The parameters' data as a flat array: the Values' own, or ``parameters`` checked against them."""
        if parameters is None:
            return self.asarray([p._data for p in program.parameters])
        P = self.asarray(parameters)
        if tuple(P.shape) != (len(program.parameters),):
            raise ValueError(f"parameters must be {self.an_array} of shape ({len(program.parameters)},), one entry per "
                             f"parameter of the program; got shape {tuple(P.shape)}")
        return P


def replay(program: Any, args: Sequence[Any], backend: ArrayBackend, parameters: Any = None,
           input_grads: bool = True, check_finite: bool = True) -> Optional[tuple]:
    """(values, input gradients, parameter gradients summed over the batch, extra outputs) by the lifted
    program, or None where lifting does not apply. ``parameters``, an array from ``backend.parameters``,
    stands in for the parameters' data; with ``input_grads=False`` the input gradients are not computed
    (and come back as ``()``); ``check_finite=False`` trusts the arguments to be finite."""
    checked, n, blocks = batch_columns(program, args, backend, blocks=True, check_finite=check_finite)
    made = functions(program, backend, input_grads)
    if made is None:
        return None
    P = backend.parameters(program, None) if parameters is None else parameters
    done = _pass(made, n, P, backend, blocks, input_grads)
    if done is None:
        return None
    if not isinstance(done, tuple):  # the mask of samples that went wrong
        good = backend.where_false(done)
        rest = _pass(made, len(good), P, backend, [b[:, good] for b in blocks], input_grads) \
            if len(good) else ()
        if rest is None or not isinstance(rest, tuple):
            return None
        done = _with_samples_alone(program, columns(checked), n, good, rest, P, backend, input_grads)
    values, flat_grads, param_grads, outs = done
    aux = None
    if program.aux_kind is not None:
        aux = outs[0] if program.aux_kind == "value" else outs.T  # (samples, outputs), a view of one block
    grads = tuple(program._shape_grads(flat_grads, join=backend.stack)) if input_grads else ()
    return values, grads, param_grads, aux


def batch_columns(program: Any, args: Sequence[Any], backend: ArrayBackend, blocks: bool = False,
                  check_finite: bool = True) -> Any:
    """The arguments checked and cut into one array over the samples per input slot, and the number of
    samples; with ``blocks``, each argument as rows over the samples (its input slots' rows of V, in one
    piece) in place of the columns, which are cut only if needed (``columns``). ``check_finite=False``
    leaves out the check for nan and inf (for callers that checked their data once, as ``fit`` does)."""
    if len(args) != len(program.shapes):
        raise TypeError(f"the compiled function takes {len(program.shapes)} arguments, got {len(args)}")
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
    if blocks:
        return checked, n, [a[None] if a.ndim == 1 else a.T for a in checked]
    return columns(checked), n


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
        bad = backend.where_false(backend.finite_columns(a[None] if a.ndim == 1 else a.T))
        if len(bad):
            sample = int(bad[0])
            raise ValueError(f"argument {i} holds nan or inf (sample {sample}: {a[sample].tolist()})")


def columns(checked: Sequence[Any]) -> list:
    """Checked arguments as one array over the samples per input slot."""
    return [c for a in checked for c in ([a] if a.ndim == 1 else [a[:, j] for j in range(a.shape[1])])]


class Made(NamedTuple):
    """A lifted program made for one back-end: its frames (``compiler.frames``), and where its rows are."""

    lifted: Lifted
    frames: Frames
    inputs: int  # the inputs' rows, which lead, in order
    out: int  # the main output's row
    extra: Any  # the extra outputs' rows (an index of the back-end; empty if there are none)
    added_first: Tuple[Any, Any]  # G's rows and GP's entries to zero before each backward (indices), or None


def functions(program: Any, backend: ArrayBackend, input_grads: bool = True) -> Optional[Made]:
    """The lifted program made for this back-end, once per program; None when an output is a
    parameter itself (the per-node replay serves that)."""
    cache, key = program._lifted, (backend.name, input_grads)
    if key not in cache:
        lifted = cache.get(input_grads) or lift(program.tape, input_grads)
        cache[input_grads] = lifted
        tape, row = program.tape, lifted.row_of
        if any(s not in row for s in tape.output_slots):
            cache[key] = None
            return None
        namespace = backend.bind(lifted.functions)
        namespace.update({name: backend.index(index) for name, index in lifted.indices.items()})
        namespace.update(add_at=backend.add_at, stretch=backend.stretch, unaliased=backend.unaliased)
        frames = Frames(bind(lifted.forward, lifted.backward), namespace, backend, lifted.rows,
                        len(program.parameters), tuple((row[slot], c) for slot, c in tape.constants))
        extra = tuple(row[s] for s in tape.output_slots[1:])
        zero = tuple(backend.index(lifted.added_first[a]) if lifted.added_first[a] else None for a in ("G", "GP"))
        cache[key] = Made(lifted, frames, len(tape.input_slots), row[tape.output_slots[0]], backend.index(extra), zero)
    return cache[key]


def _pass(made: Made, n: int, P: Any, backend: ArrayBackend, blocks: list, input_grads: bool) -> Any:
    """(values, flat input gradients (none without ``input_grads``), parameter gradients, extra outputs);
    or the mask of samples whose numbers are not all finite; or None when only a parameter's gradient is
    not (the per-node replay finds the sample). Runs on a frame of ``n`` samples, given back after."""
    frame = made.frames.take(n)
    try:
        return _run(made, frame, P, backend, blocks, input_grads)
    finally:
        made.frames.give(n, frame)


def _run(made: Made, frame: Frame, P: Any, backend: ArrayBackend, blocks: list, input_grads: bool) -> Any:
    V, G, GP = frame.V, frame.G, frame.GP
    frame.P[...] = P
    start = 0
    for block in blocks:  # lift gives the inputs the first rows, in order: one copy per argument
        V[start:start + len(block)] = block
        start += len(block)
    rows, entries = made.added_first  # the rest of G and GP is assigned before it is read, or never written
    if rows is not None:
        G[rows] = 0.0
    if entries is not None:
        GP[entries] = 0.0
    G[made.out] = 1.0
    k = made.inputs
    with backend.quiet():
        frame.forward()
        frame.backward()
        # past the inputs' rows: V's were checked as arguments, and without input_grads nobody reads G's (which
        # a many-input op may write: it sends its block whole, to the inputs too)
        finite = backend.finite(V[k:], G if input_grads else G[k:], GP)
    if not finite:
        bad = ~(backend.finite_columns(V) & backend.finite_columns(G))
        return bad if bool(bad.any()) else None
    grads = list(_copy(G[:k])) if input_grads else []  # copies: the frame's arrays are used again
    return _copy(V[made.out]), grads, _copy(GP), V[made.extra]  # a gather: a copy


def _copy(x: Any) -> Any:
    return x.clone() if hasattr(x, "clone") else x.copy()


def _with_samples_alone(program: Any, columns: list, n: int, good: Any, rest: tuple, P: Any,
                        backend: ArrayBackend, input_grads: bool) -> tuple:
    """The good samples' lifted results, with each other sample replayed alone on floats and added in."""
    tape = program.tape
    values, flat_grads = backend.zeros((n,)), [backend.zeros((n,)) for _ in tape.input_slots if input_grads]
    outs = backend.zeros((len(tape.output_slots) - 1, n))
    param_grads = backend.zeros((len(program.parameters),))
    if rest:
        values[good] = rest[0]
        for column, part in zip(flat_grads + list(outs), rest[1] + list(rest[3])):
            column[good] = part
        param_grads += rest[2]
    kept = set(good.tolist())
    for i in range(n):
        if i in kept:
            continue
        one = with_data(program.parameters, P.tolist(), lambda: program._result(
            program._replay(program._with_parameters(input_grads), _sample(program, columns, i), input_grads)))
        values[i] = one.value
        extra = [] if program.aux_kind is None else [one.aux] if program.aux_kind == "value" else one.aux
        for column, x in zip(flat_grads + list(outs), (flatten(one.grads) if input_grads else []) + list(extra)):
            column[i] = x
        param_grads += backend.asarray(one.param_grads)
    return values, flat_grads, param_grads, outs


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
