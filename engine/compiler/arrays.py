"""What a batch replay (``compiler.batch``) needs from an array library: the interface of a back-end.

A back-end is a table of array operations: it binds the names the generated and lifted code
calls (each op, the rules' helpers, ``add_at``, ``stretch``, ``unaliased``) to one library's
functions, and makes and checks the few arrays a replay needs. ``numpy_backend.NUMPY`` and
``torch_backend.Torch(device)`` are the two; ``compiler.batch`` runs the same path on both.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Dict, Sequence, Tuple

from .. import ops


def same_named(lib: Any) -> Dict[Any, Callable]:
    """The ops that NumPy and PyTorch name alike, as ``lib``'s functions (``numpy`` or ``torch``): written once
    for both back-ends and for the PyTorch oracle of ``engine.testing``, each adding what it does its own way.

    >>> import numpy as np; same_named(np)[ops.EXP] is np.exp
    True
    """
    return {ops.EXP: lib.exp, ops.LOG: lib.log, ops.SQRT: lib.sqrt, ops.SIN: lib.sin, ops.COS: lib.cos,
            ops.TANH: lib.tanh, ops.ABS: lib.abs, "sign": lib.sign, ops.ROUND: lib.round, ops.FLOOR: lib.floor,
            ops.SIGN: lambda x: lib.sign(x) + 0.0, ops.STEP: lambda x: (x > 0) + 0.0, ops.STRAIGHT: lambda x, y: y}


class ArrayBackend:
    """What the lifted replay needs from an array library (see ``numpy_backend`` for the model)."""

    name = ""
    an_array = "an array"  # what the library's arrays are called in messages
    precision = "float64"  # what its arrays hold: "float64", or "float32" or "float16" when asked for

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


PRECISIONS = ("float64", "float32", "float16")


def precision(dtype: Any) -> str:
    """A dtype's name as the back-ends take it: "float64", "float32" or "float16", from a name, a NumPy dtype or
    type, or a PyTorch dtype; ValueError for any other.

    >>> import numpy as np; precision(np.float32), precision("float16")
    ('float32', 'float16')
    """
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or str(dtype)
    name = str(name).replace("torch.", "")
    if name not in PRECISIONS:
        raise ValueError(f"dtype must be one of {', '.join(PRECISIONS)} (a compiled program's arrays are real "
                         f"floating point), got {dtype!r}")
    return name
