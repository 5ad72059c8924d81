"""Layer normalisation (Ba, Kiros and Hinton, 2016): each sample's features standardised, then scaled and shifted.

Backpropagation: The Engine of Deep Learning (§7.4.3, Layer Normalization, lines 1051-1070) defines
LN(z) = gamma * (z - mu) / sqrt(sigma^2 + eps) + beta with mu and sigma^2 over one sample's
features. Unlike ``BatchNorm`` it never mixes samples, so it behaves alike in training and in
``eval()`` mode and traces under ``engine.compile``. Written with the engine's ops, its gradient is
the engine's; it matches ``torch.nn.LayerNorm`` in float64.
"""

from __future__ import annotations

from typing import Any, List, Sequence

from engine import mean

from .saving import register
from .normalisation import Normalisation


class LayerNorm(Normalisation):
    """``gamma * (x - mean(x)) / sqrt(var(x) + eps) + beta`` over one sample's features, as PyTorch's
    ``LayerNorm(features)``: the variance is the biased one, gamma starts at 1 and beta at 0.

    >>> ln = LayerNorm(3)
    >>> [round(y.data, 4) for y in ln([1.0, 2.0, 6.0])]
    [-0.9258, -0.4629, 1.3887]
    """

    def __init__(self, features: int, eps: float = 1e-5, scope: str = "ln") -> None:
        super().__init__(features, eps, scope)

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        x = self._row(x, f"{self.features} features")
        mu = mean(x)
        centred = [v - mu for v in x]
        inv = (mean([c * c for c in centred]) + self.eps) ** -0.5
        return [c * inv * g + b for c, g, b in zip(centred, self.gamma, self.beta)]

    def spec(self) -> dict:
        return {"type": "LayerNorm", "features": self.features, "eps": self.eps}

    def __repr__(self) -> str:
        return f"LayerNorm({self.features}, eps={self.eps:g})"


register("LayerNorm", LayerNorm, parameters=lambda features, **_: 2 * features)  # gain and shift
