"""What batch and layer normalisation share: a learnable gain and shift per feature, and their checks."""

from __future__ import annotations

import math
from typing import Any, List, Sequence, Tuple

from engine import Value, as_value
from engine.arithmetic import Arithmetic
from engine.checks import real_number

from .module import Module, _count


class Normalisation(Module):
    """``features`` gains ``gamma`` (from 1) and shifts ``beta`` (from 0), named ``gamma0``, ``beta0``, ... under
    the module's scope; ``eps`` checked positive. Subclasses say over what they take the statistics."""

    def __init__(self, features: int, eps: float, scope: str) -> None:
        name = type(self).__name__
        _count(features, f"{name}'s number of features")
        value = real_number(eps)
        if value is None or not 0.0 < value < math.inf:
            raise ValueError(f"{name} eps must be a positive number, got {eps!r}")
        self.features, self.eps = features, value
        self.gamma = [Value(1.0, label=f"gamma{j}") for j in range(features)]
        self.beta = [Value(0.0, label=f"beta{j}") for j in range(features)]
        self.set_scope(scope)

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        for v in self.parameters() + [v for _, v in self.named_buffers()]:
            v.scope = scope

    def _row(self, x: Sequence[Any], expected: str) -> List[Any]:
        """One sample's features as Values, or a ValueError saying what was ``expected``."""
        if not hasattr(x, "__len__") or len(x) != self.features:
            raise ValueError(f"{type(self).__name__}({self.features}) expects {expected}, got {x!r}")
        # a dual number (inside jvp) stays one, as a layer's inputs do
        return [v if isinstance(v, Arithmetic) else as_value(v, f"{type(self).__name__} input") for v in x]

    def parameters(self) -> List[Value]:
        return self.gamma + self.beta

    def torch_state(self) -> List[Tuple[str, Tuple[int, ...], List[Value]]]:
        """As ``torch.nn.LayerNorm`` and ``BatchNorm1d``: ``weight`` (gamma) and ``bias`` (beta)."""
        return [("weight", (self.features,), list(self.gamma)), ("bias", (self.features,), list(self.beta))]

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return [(f"{self.scope}.{p.label}", p) for p in self.parameters()]
