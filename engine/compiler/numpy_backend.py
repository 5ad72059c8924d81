"""The NumPy back-end: one replay of a compiled program over a whole batch, like ``vmap``.

The generated code is the same as for floats; only the functions it calls are
NumPy's, so each line works on arrays over the samples. Parameter gradients are
summed over the batch; input gradients stay per sample. NumPy is needed only here.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

from .. import ops
from ..transforms.functional import flatten
from . import arrays, interpreter
from .arrays import ArrayBackend
from .codegen import build


class NumpyBackend(ArrayBackend):
    """NumPy's functions under the names the generated code calls (see ``compiler.arrays``)."""

    name = "numpy"

    def functions(self) -> Dict[Any, Callable]:
        import numpy as np

        def sigmoid(x):
            e = np.exp(-np.abs(x))  # the eager engine's formula, branch for branch
            return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

        def logsumexp(*xs):
            m = np.maximum.reduce(np.broadcast_arrays(*xs))
            return m + np.log(sum(np.exp(x - m) for x in xs))

        def if_positive(x, then, otherwise):
            if type(then) is float and type(otherwise) is float and then == 1.0 and otherwise == 0.0:
                positive = x > 0  # a Python bool where x is a parameter's (or constant's) float, read once a batch
                return float(positive) if positive.__class__ is bool else positive.astype(float)  # a third of where's time
            return np.where(x > 0, then, otherwise)

        def sum_over(block):
            return block.sum(axis=0)

        def logsumexp_over(block):
            m = block.max(axis=0)
            return m + np.log(np.exp(block - m).sum(axis=0))

        return {
            ops.EXP: np.exp, ops.LOG: np.log, ops.SQRT: np.sqrt, ops.SIN: np.sin, ops.COS: np.cos,
            ops.TANH: np.tanh, ops.SIGMOID: sigmoid, ops.ABS: np.abs,
            ops.SOFTPLUS: lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))),
            # max(x, 0) + 0.0: relu's x if x > 0 else 0.0 for every number, at half where's cost. The + 0.0 turns
            # a -0.0 from max(-0.0, 0.0) (which NumPy builds may give) into 0.0; a nan (relu's 0.0) is found by
            # the finiteness check in any case
            ops.RELU: lambda x: np.maximum(x, 0.0) + 0.0,
            ops.LEAKY_RELU: lambda x, s: np.where(x > 0, x, s * x),
            ops.LOGSUMEXP: logsumexp, ops.STOP: lambda x: x, ops.SUM: lambda *xs: sum(xs),
            ("over", ops.SUM): sum_over, ("over", ops.LOGSUMEXP): logsumexp_over,
            "if_positive": if_positive,
            "sign": np.sign,
            "times_log": lambda out, a: out * np.log(np.where(out == 0, 1.0, a)),  # 0 where out is: 0 log 1
        }

    def vectorized(self, op: ops.Op) -> Callable:
        import numpy as np

        if op.arity is None:
            return np.vectorize(lambda *xs: op.value(xs), otypes=[float])
        return np.vectorize(op.value, otypes=[float])

    def index(self, entries: Tuple[int, ...]) -> Any:
        import numpy as np

        return np.array(entries, dtype=np.intp)

    def add_at(self, target: Any, index: Any, values: Any) -> None:
        import numpy as np

        np.add.at(target, index, values)

    def stretch(self, x: Any, k: int) -> Any:
        import numpy as np

        return np.broadcast_to(x, (k,) + x.shape[-2:]).reshape(-1, x.shape[-1])

    def asarray(self, x: Any) -> Any:
        import numpy as np

        return np.asarray(x, dtype=float)

    def empty(self, shape: Tuple[int, ...]) -> Any:
        import numpy as np

        return np.empty(shape)

    def zeros(self, shape: Tuple[int, ...]) -> Any:
        import numpy as np

        return np.zeros(shape)

    def finite(self, *xs: Any) -> bool:
        import numpy as np

        # x . x first, one BLAS pass: finite unless an entry is not (or, rarely, |x| > 1e154 overflows it).
        # Measured here at half a sum's time (1.3 µs against 2.6 µs for 3,000 entries), and below isfinite's.
        total = 0.0
        for x in xs:
            v = x.ravel()
            total += float(np.dot(v, v))
        return math.isfinite(total) or all(bool(np.isfinite(x).all()) for x in xs)

    def finite_columns(self, x: Any) -> Any:
        import numpy as np

        return np.isfinite(x).all(axis=0)

    def where_false(self, mask: Any) -> Any:
        import numpy as np

        return np.flatnonzero(~mask)

    def matmul_into(self, out: Any, a: Any, b: Any) -> None:
        import numpy as np

        np.matmul(a, b, out=out)

    def shares_memory(self, view: Any, base: Any) -> bool:
        import numpy as np

        return bool(np.may_share_memory(view, base))  # by bounds: a copy lies elsewhere

    def stack(self, arrays: Sequence[Any]) -> Any:
        import numpy as np

        return np.stack(arrays, axis=1)

    def quiet(self) -> Any:
        import numpy as np

        return np.errstate(all="ignore")


NUMPY = NumpyBackend()
LIFTED_UP_TO = 20_000  # instructions up to which batch(lifted=None) lifts; larger tapes replay per node


def _functions(program: Any, input_grads: bool) -> Any:
    """The per-node replay on NumPy arrays: generated code, or for a large tape the interpreter's walks
    (one compiled step per kind of instruction, so the first call does not compile a line a node)."""
    if input_grads not in program._numpy:
        if program.interpreted:
            forward, backward = interpreter.steps(program.tape, input_grads, NUMPY)
            program._numpy[input_grads] = [forward], [backward]
        else:
            source = program.source_for(input_grads)
            program._numpy[input_grads] = build(source, NUMPY.bind(source.functions), "numpy", arrays=True)
    return program._numpy[input_grads]


def replay(program: Any, args: Sequence[Any], lifted: Optional[bool] = None, parameters: Any = None,
           input_grads: bool = True, check_finite: bool = True) -> Tuple[Any, tuple, Any, Any]:
    """Run a compiled ``Program`` on a batch: each argument an array over samples (shape (n,), or
    (n, k) for a list argument of k numbers). Returns the parts of its ``BatchResult``: values,
    input gradients, parameter gradients summed over the batch, extra outputs. ``lifted`` runs the
    array program of ``compiler.lifting`` (a layer is one matrix product), else one NumPy call per node.
    ``parameters``, an array in ``program.parameters`` order, stands in for the parameters' data; the
    parameter gradients then come back as an array too. ``input_grads=False`` leaves the input gradients
    out (``()``), as training needs only the parameters'. ``check_finite=False`` trusts the arguments to hold
    no nan or inf (a caller that checked its data once)."""
    import numpy as np

    if lifted is None:  # lifting a huge tape would compile a line per group, and its groups are mostly of one
        lifted = len(program.tape) <= LIFTED_UP_TO
    P = None if parameters is None else NUMPY.parameters(program, parameters)
    done = arrays.replay(program, args, NUMPY, P, input_grads, check_finite) if lifted else None
    if done is None:
        columns, n = arrays.batch_columns(program, args, NUMPY, check_finite=check_finite)
        if P is None:
            values, grads, param_grads, aux = _replay_per_node(program, args, columns, n, input_grads)
        else:  # the per-node replay reads the Values: they hold the array's numbers meanwhile
            values, grads, param_grads, aux = arrays.with_data(
                program.parameters, P.tolist(), lambda: _replay_per_node(program, args, columns, n, input_grads))
            param_grads = np.array(param_grads, dtype=float)
        return values, grads, param_grads, aux
    return done if P is not None else (done[0], done[1], done[2].tolist(), done[3])


def _replay_per_node(program: Any, args: Sequence[Any], columns: list, n: int,
                     input_grads: bool) -> Tuple[Any, tuple, list, Any]:
    import numpy as np

    tape = program.tape
    v = list(program._template)
    for slot, column in zip(tape.input_slots, columns):
        v[slot] = column
    for slot, p in zip(tape.param_slots, program.parameters):
        v[slot] = p._data
    g = [0.0] * tape.size
    g[tape.output_slots[0]] = np.ones(n)
    forward, backward = _functions(program, input_grads)
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
        base = program._with_parameters(input_grads)
        for i in np.flatnonzero(bad).tolist():
            sample = [np.asarray(a, dtype=float)[i].tolist() for a in args]
            one = program._result(program._replay(base, sample, input_grads))
            values[i] = one.value
            for column, grad in zip(flat_grads, flatten(one.grads)):
                column[i] = grad
            for column, grad in zip(param_columns, one.param_grads):
                column[i] = grad
    param_grads = _summed(param_columns, n)
    grads = program._shape_grads(flat_grads, join=lambda group: np.stack(group, axis=1)) if input_grads else ()
    aux = None
    if program.aux_kind is not None:
        outs = [np.broadcast_to(v[s], (n,)).astype(float) for s in tape.output_slots[1:]]
        aux = outs[0] if program.aux_kind == "value" else np.stack(outs, axis=1)
    return values, tuple(grads), param_grads, aux


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
