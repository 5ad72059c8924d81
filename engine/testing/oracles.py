"""An independent oracle: run the very same function through PyTorch in float64.

A function written for chainrule (``x.tanh()``, ``engine.dot``, ``a ** b``) runs on
PyTorch tensors through the one op-application path: each op is mapped to its torch
counterpart, and torch's own autograd gives the gradient.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Sequence, Tuple

from .. import ops
from ..arithmetic import Arithmetic
from ..compiler.arrays import same_named


def _torch_functions(torch: Any) -> Dict[ops.Op, Callable[..., Any]]:
    F = torch.nn.functional

    def dot(xs: Sequence[Any]) -> Any:
        pairs = len(xs) - len(xs) % 2
        total = (torch.stack(list(xs[0:pairs:2])) * torch.stack(list(xs[1:pairs:2]))).sum() if pairs else 0.0
        return total + xs[-1] if len(xs) % 2 else total

    return {
        # autograd differentiates these as the engine does, kinks included (abs'(0) = 0); helpers left out
        **{op: f for op, f in same_named(torch).items() if isinstance(op, ops.Op)},
        ops.ADD: lambda a, b: a + b, ops.SUB: lambda a, b: a - b, ops.MUL: lambda a, b: a * b,
        ops.DIV: lambda a, b: a / b, ops.NEG: lambda x: -x, ops.POW: lambda x, k: x ** k,
        ops.RPOW: lambda x, c: c ** x, ops.VPOW: lambda a, b: a ** b,
        ops.SIGMOID: torch.sigmoid,
        ops.SOFTPLUS: lambda x: torch.logaddexp(x, torch.zeros_like(x)),  # F.softplus turns linear past 20
        ops.RELU: torch.relu,
        ops.LEAKY_RELU: lambda x, s: F.leaky_relu(x, s),
        ops.SUM: lambda xs: torch.stack(list(xs)).sum(), ops.DOT: dot,
        ops.LOGSUMEXP: lambda xs: torch.logsumexp(torch.stack(list(xs)), 0), ops.STOP: lambda x: x.detach(),
        ops.STRAIGHT: lambda x, y: x + (y - x).detach(),  # PyTorch's own way of writing the estimator
    }


class TorchNumber(Arithmetic):
    """A float64 torch scalar that takes chainrule's ops; ``.tensor`` is the torch tensor."""

    __slots__ = ("tensor",)
    _rank = 4
    functions: Dict[ops.Op, Callable[..., Any]] = {}
    torch: Any = None

    def __init__(self, tensor: Any) -> None:
        self.tensor = tensor

    @property
    def data(self) -> float:
        return self.tensor.item()

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None, mixed: bool = True) -> "TorchNumber":
        fn = cls.functions.get(op)
        if fn is None:
            raise TypeError(f"torch_reference: the op {op.name!r} has no PyTorch counterpart here; "
                            f"check it against finite differences instead")
        ts = [a.tensor if isinstance(a, TorchNumber) else cls.torch.tensor(_number(a), dtype=cls.torch.float64)
              for a in args]
        if op.arity is None:
            return cls(fn(ts))
        return cls(fn(*ts) if param is None else fn(*ts, param))

    def __repr__(self) -> str:
        return f"TorchNumber({self.data!r})"


def _number(a: Any) -> float:
    if isinstance(a, Arithmetic):
        raise TypeError(f"torch_reference: f uses a {type(a).__name__} from outside its arguments ({a!r}); "
                        f"pass every number it depends on as an argument")
    return float(a)


# Why a test was skipped, the same words wherever PyTorch is missing, so that a summary can count them on one
# line. The pin is the version chainrule's own tests check against.
TORCH_MISSING = "PyTorch oracle: PyTorch is not installed; `pip install torch==2.13.0` runs these tests"


def torch_reference(f: Callable[..., Any], args: Sequence[float]) -> Tuple[float, List[float]]:
    """``(f(*args), gradient)`` computed by PyTorch in float64, from the same code ``f``.

    Skips the calling test (``pytest.skip``) with the reason when PyTorch is not installed.
    For example ``value, gradient = torch_reference(lambda x, y: (x * y).tanh(), [0.5, 2.0])``.
    """
    try:
        import torch
    except ImportError:
        reason = TORCH_MISSING
        try:
            import pytest
        except ImportError:
            raise ImportError(reason) from None
        pytest.skip(reason)
    TorchNumber.torch = torch
    if not TorchNumber.functions:
        TorchNumber.functions = _torch_functions(torch)
    leaves = [torch.tensor(float(a), dtype=torch.float64, requires_grad=True) for a in args]
    out = f(*[TorchNumber(t) for t in leaves])
    if not isinstance(out, TorchNumber):
        raise TypeError(f"torch_reference: f must return a scalar computed from its inputs, got {out!r}")
    if not out.tensor.requires_grad:  # a detached result: no input reaches it through a gradient
        return out.data, [0.0] * len(leaves)
    grads = torch.autograd.grad(out.tensor, leaves, allow_unused=True)
    return out.data, [0.0 if g is None else g.item() for g in grads]
