"""The PyTorch back-end: the lifted program (``compiler.lifting``) run on tensors (float64, or the ``dtype`` asked
for), on the CPU or a GPU.

For users who outgrow one CPU: the same generated code as the NumPy back-end, with
PyTorch's functions bound to its names, so a layer is one ``@`` on the device. No
autograd is involved: the backward lines are the ops' own rules, as everywhere else.
PyTorch is optional; it is imported only here (so the example is run by
tests/engine/compiler/test_torch_backend.py, which skips without PyTorch):

>>> import torch, engine                                      # doctest: +SKIP
>>> w = engine.Value(2.0)                                     # doctest: +SKIP
>>> r = engine.compile(lambda x: x * x * w, 1.0).batch(torch.tensor([1.0, 2.0, 3.0]), backend="torch")  # doctest: +SKIP
>>> r.values.tolist(), r.grads[0].tolist(), r.param_grads.tolist()   # doctest: +SKIP
([2.0, 8.0, 18.0], [4.0, 8.0, 12.0], [14.0])
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Sequence, Tuple

from .. import ops
from .arrays import ArrayBackend, same_named


TORCH_MISSING = ("PyTorch is not installed; it is optional in chainrule: `pip install torch==2.13.0` (or any "
                 "PyTorch 2) to use {what}")


def need_torch(what: str) -> Any:
    """``torch``, or an ImportError that says what to install for ``what``."""
    try:
        import torch
    except ImportError:
        raise ImportError(TORCH_MISSING.format(what=what)) from None
    return torch


class Torch(ArrayBackend):
    """PyTorch's functions under the generated code's names, on one device ("cpu", "cuda", ...)."""

    an_array = "a tensor"

    def __init__(self, device: Any = None, dtype: str = "float64") -> None:
        torch = need_torch("the PyTorch back-end (backend='torch')")

        self.torch = torch
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.dtype, self.precision = getattr(torch, dtype), dtype
        self.name = f"torch:{self.device}" + ("" if dtype == "float64" else f" {dtype}")

    def __reduce__(self) -> tuple:  # copied (as copy.deepcopy of a module copies it) by device and dtype
        return Torch, (str(self.device), self.precision)

    def _full(self, like: Any, x: Any) -> Any:
        """A number as a tensor of ``like``'s dtype and device (torch.where would make float32 of two numbers)."""
        return x if isinstance(x, self.torch.Tensor) else self.torch.tensor(float(x), dtype=like.dtype,
                                                                              device=like.device)

    def functions(self) -> Dict[Any, Callable]:
        torch = self.torch
        where = lambda c, x, y, like: torch.where(c, self._full(like, x), self._full(like, y))  # noqa: E731

        def sigmoid(x):
            e = torch.exp(-torch.abs(x))  # the eager engine's formula, branch for branch
            return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

        def logsumexp(*xs):
            xs = torch.broadcast_tensors(*xs)
            m = xs[0]
            for x in xs[1:]:
                m = torch.maximum(m, x)
            return m + torch.log(sum(torch.exp(x - m) for x in xs))

        def sum_over(block):
            return block.sum(dim=0)

        def logsumexp_over(block):
            m = block.amax(dim=0)
            return m + torch.log(torch.exp(block - m).sum(dim=0))

        return {
            **same_named(torch), ops.SIGMOID: sigmoid,
            ops.SOFTPLUS: lambda x: torch.clamp_min(x, 0.0) + torch.log1p(torch.exp(-torch.abs(x))),
            ops.RELU: lambda x: where(x > 0, x, 0.0, x),
            ops.LEAKY_RELU: lambda x, s: where(x > 0, x, s * x, x),
            ops.LOGSUMEXP: logsumexp, ops.STOP: lambda x: x, ops.SUM: lambda *xs: sum(xs),
            ("over", ops.SUM): sum_over, ("over", ops.LOGSUMEXP): logsumexp_over,
            "if_positive": lambda x, then, otherwise: where(x > 0, then, otherwise, x),
            "times_log": lambda out, a: out * torch.log(where(out == 0, 1.0, a, out)),  # 0 where out is: 0 log 1
        }

    def vectorized(self, op: ops.Op) -> Callable:
        from .numpy_backend import NUMPY

        numpy_function = NUMPY.vectorized(op)
        return lambda *xs: self.asarray(numpy_function(*[x.cpu().numpy() if hasattr(x, "cpu") else x for x in xs]))

    def index(self, entries: Tuple[int, ...]) -> Any:
        return self.torch.tensor(entries, dtype=self.torch.long, device=self.device)

    def add_at(self, target: Any, index: Any, values: Any) -> None:
        if values.untyped_storage().data_ptr() == target.untyped_storage().data_ptr():
            values = values.clone()  # index_add_ refuses a source that shares memory with its target
        target.index_add_(0, index, values.expand(len(index), *target.shape[1:]))

    def unaliased(self, x: Any) -> Any:
        return x.clone() if x._base is not None else x  # a view (of the frame) scattered into it: index_put_ refuses

    def stretch(self, x: Any, k: int) -> Any:
        return x.expand(k, *x.shape[-2:]).reshape(-1, x.shape[-1])

    def asarray(self, x: Any) -> Any:
        if isinstance(x, self.torch.Tensor):  # its numbers only: autograd history would cling to the kept frames
            return x.detach().to(dtype=self.dtype, device=self.device)
        import numpy as np

        return self.torch.as_tensor(np.asarray(x, dtype=float), device=self.device).to(self.dtype)

    def empty(self, shape: Tuple[int, ...]) -> Any:
        return self.torch.empty(shape, dtype=self.dtype, device=self.device)

    def zeros(self, shape: Tuple[int, ...]) -> Any:
        return self.torch.zeros(shape, dtype=self.dtype, device=self.device)

    def finite(self, *xs: Any) -> bool:
        # one sum per tensor first (a quarter of an epoch went on element-wise checks), read back once
        total = sum(x.sum() for x in xs)
        return bool(self.torch.isfinite(total)) or all(bool(self.torch.isfinite(x).all()) for x in xs)

    def finite_columns(self, x: Any) -> Any:
        return self.torch.isfinite(x).all(dim=0)

    def where_false(self, mask: Any) -> Any:
        return self.torch.nonzero(~mask).flatten()

    def shares_memory(self, view: Any, base: Any) -> bool:
        return view.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()

    def stack(self, tensors: Sequence[Any]) -> Any:
        return self.torch.stack(list(tensors), dim=1)
