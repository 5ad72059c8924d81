"""The NumPy back-end: one replay of a compiled program over a whole batch, like ``vmap``.

The generated code is the same as for floats; only the functions it calls are
NumPy's, so each line works on arrays over the samples. Parameter gradients are
summed over the batch; input gradients stay per sample. NumPy is needed only here.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Sequence, Tuple

from .. import ops
from ..transforms.functional import flatten
from .codegen import build


def _numpy_functions() -> Dict[Any, Callable]:
    import numpy as np

    def sigmoid(x):
        e = np.exp(-np.abs(x))  # the eager engine's formula, branch for branch
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    def logsumexp(*xs):
        m = np.maximum.reduce(np.broadcast_arrays(*xs))
        return m + np.log(sum(np.exp(x - m) for x in xs))

    return {
        ops.EXP: np.exp, ops.LOG: np.log, ops.SQRT: np.sqrt, ops.SIN: np.sin, ops.COS: np.cos,
        ops.TANH: np.tanh, ops.SIGMOID: sigmoid, ops.ABS: np.abs,
        ops.SOFTPLUS: lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))),
        ops.RELU: lambda x: np.where(x > 0, x, 0.0),
        ops.LEAKY_RELU: lambda x, s: np.where(x > 0, x, s * x),
        ops.LOGSUMEXP: logsumexp, ops.STOP: lambda x: x, ops.SUM: lambda *xs: sum(xs),
        "if_positive": lambda x, then, otherwise: np.where(x > 0, then, otherwise),
        "sign": np.sign,
        "times_log": lambda out, a: np.where(out == 0, 0.0, out * np.log(np.where(out == 0, 1.0, a))),
    }


def _vectorized(op: ops.Op) -> Callable:
    """A user-defined op on arrays: its float function, sample by sample."""
    import numpy as np

    if op.arity is None:
        return np.vectorize(lambda *xs: op.value(xs), otypes=[float])
    return np.vectorize(op.value, otypes=[float])


def _functions(program: Any) -> Any:
    if program._numpy is None:
        known = _numpy_functions()
        namespace = {name: known.get(key) or _vectorized(key) for name, key in program.source.functions.items()}
        program._numpy = build(program.source, namespace, "numpy", arrays=True)
    return program._numpy


def replay(program: Any, args: Sequence[Any]) -> Tuple[Any, tuple, list, Any]:
    """Run a compiled ``Program`` on a batch: each argument an array over samples (shape (n,), or
    (n, k) for a list argument of k numbers). Returns the parts of its ``BatchResult``: values,
    input gradients, parameter gradients summed over the batch, extra outputs."""
    import numpy as np

    tape = program.tape
    if len(args) != len(program.shapes):
        raise TypeError(f"the compiled function takes {len(program.shapes)} arguments, got {len(args)}")
    columns, n = [], None
    for i, (a, shape) in enumerate(zip(args, program.shapes)):
        a = np.asarray(a, dtype=float)
        if a.ndim == 0 or a.shape != ((a.shape[0],) if shape is None else (a.shape[0], shape)):
            raise ValueError(f"argument {i} must be an array of shape (n,{'' if shape is None else f' {shape}'}) "
                             f"over the samples; got shape {a.shape}")
        n = a.shape[0] if n is None else n
        if a.shape[0] != n:
            raise ValueError(f"every argument needs the same number of samples: {n} and {a.shape[0]}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"argument {i} holds nan or inf")
        columns.extend([a] if shape is None else [a[:, j] for j in range(shape)])
    v = list(program._template)
    for slot, column in zip(tape.input_slots, columns):
        v[slot] = column
    for slot, p in zip(tape.param_slots, program.parameters):
        v[slot] = p.data
    g = [0.0] * tape.size
    g[tape.output_slots[0]] = np.ones(n)
    forward, backward = _functions(program)
    with np.errstate(all="ignore"):  # problems are found below and explained by the eager engine
        for fn in forward:
            fn(v, g)
        for fn in backward:
            fn(v, g)
    values = np.broadcast_to(v[tape.output_slots[0]], (n,)).astype(float)
    input_grads = [np.broadcast_to(g[s], (n,)).astype(float) for s in tape.input_slots]
    param_columns = [g[s] for s in tape.param_slots]
    bad = ~np.isfinite(values)
    for column in input_grads + param_columns:
        bad |= ~np.isfinite(column)
    if bad.any():
        # An array pass computes every partial, even where the adjoint is 0 (a dead relu before a sqrt
        # at 0, say), and 0 * inf is nan; the eager engine skips those. Such samples are replayed one
        # by one, which falls back to the eager engine: its result, or its clear error.
        param_columns = [np.broadcast_to(c, (n,)).astype(float) for c in param_columns]
        for i in np.flatnonzero(bad).tolist():
            one = program(*[np.asarray(a, dtype=float)[i].tolist() for a in args])
            values[i] = one.value
            for column, grad in zip(input_grads, flatten(one.grads)):
                column[i] = grad
            for column, grad in zip(param_columns, one.param_grads):
                column[i] = grad
    param_grads = _summed(param_columns, n)
    grads = program._shape_grads(input_grads, join=lambda group: np.stack(group, axis=1))
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
    arrays = [i for i, x in enumerate(grads) if out[i] is None]
    if arrays:
        for i, total in zip(arrays, np.stack([grads[i] for i in arrays]).sum(axis=1).tolist()):
            out[i] = total
    return out
