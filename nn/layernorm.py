"""Layer normalisation (Ba, Kiros and Hinton, 2016): each sample's features standardised, then scaled and shifted.

Chapter 000 (``../shared/chapters/000_0adcd0f39d55295c.txt``, lines 1051-1070) defines
LN(z) = gamma * (z - mu) / sqrt(sigma^2 + eps) + beta with mu and sigma^2 over one sample's
features. Unlike ``BatchNorm`` it never mixes samples, so it behaves alike in training and in
``eval()`` mode and traces under ``engine.compile``. Written with the engine's ops, its gradient is
the engine's; it matches ``torch.nn.LayerNorm`` in float64.
"""

from __future__ import annotations

import math
from typing import Any, List, Sequence, Tuple

from engine import Value, mean
from engine.value import _coerce

from .checkpoint import register
from .module import Module, _count


class LayerNorm(Module):
    """``gamma * (x - mean(x)) / sqrt(var(x) + eps) + beta`` over one sample's features, as PyTorch's
    ``LayerNorm(features)``: the variance is the biased one, gamma starts at 1 and beta at 0.

    >>> ln = LayerNorm(3)
    >>> [round(y.data, 4) for y in ln([1.0, 2.0, 6.0])]
    [-0.9258, -0.4629, 1.3887]
    """

    def __init__(self, features: int, eps: float = 1e-5, scope: str = "ln") -> None:
        _count(features, "LayerNorm's number of features")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0.0 < eps < math.inf:
            raise ValueError(f"LayerNorm eps must be a positive number, got {eps!r}")
        self.features, self.eps = features, float(eps)
        self.gamma = [Value(1.0, label=f"gamma{j}") for j in range(features)]
        self.beta = [Value(0.0, label=f"beta{j}") for j in range(features)]
        self.set_scope(scope)

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        for p in self.parameters():
            p.scope = scope

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        if not hasattr(x, "__len__") or len(x) != self.features:
            raise ValueError(f"LayerNorm({self.features}) expects {self.features} features, got {x!r}")
        x = [v if hasattr(v, "data") else _coerce(v, "LayerNorm input") for v in x]
        mu = mean(x)
        centred = [v - mu for v in x]
        inv = (mean([c * c for c in centred]) + self.eps) ** -0.5
        return [c * inv * g + b for c, g, b in zip(centred, self.gamma, self.beta)]

    def parameters(self) -> List[Value]:
        return self.gamma + self.beta

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return [(f"{self.scope}.{p.label}", p) for p in self.parameters()]

    def spec(self) -> dict:
        return {"type": "LayerNorm", "features": self.features, "eps": self.eps}

    def __repr__(self) -> str:
        return f"LayerNorm({self.features}, eps={self.eps:g})"


register("LayerNorm", LayerNorm)
