"""Batch normalisation (Ioffe and Szegedy, 2015): each feature standardised over the batch, then scaled and shifted.

One of the cures for vanishing gradients that three of the chapters list: every layer's
inputs keep mean 0 and variance 1 whatever the layers before did, so a saturating
activation stays in its steep middle. Written with the engine's own ops, so its gradient
(through the batch mean and variance too) is the engine's; it matches
``torch.nn.BatchNorm1d`` in float64.
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from engine import Value, mean
from engine.checks import real_number
from engine.modes import TraceError, state

from .saving import register
from .module import _count
from .normalisation import Normalisation


class BatchNorm(Normalisation):
    """``gamma * (x - mean) / sqrt(var + eps) + beta`` per feature, over a batch, as PyTorch's ``BatchNorm1d``.

    In training mode the mean and the (biased) variance are the batch's own, and the
    running averages move ``momentum`` of the way towards them (the variance unbiased, by
    n / (n - 1)); in ``eval()`` mode the running averages stand in, so one sample at a
    time works. ``gamma`` starts at 1 and ``beta`` at 0, both trained; the running
    averages are saved and loaded with the parameters but not trained.

    >>> bn = BatchNorm(1)
    >>> [round(y.data, 4) for (y,) in bn.forward_batch([[1.0], [3.0]])]
    [-1.0, 1.0]
    >>> [round(v.data, 4) for v in bn.running_mean + bn.running_var]
    [0.2, 1.1]
    """

    def __init__(self, features: int, momentum: float = 0.1, eps: float = 1e-5, scope: str = "bn") -> None:
        _count(features, "BatchNorm's number of features")
        value = real_number(momentum)
        if value is None or not 0.0 <= value <= 1.0:
            raise ValueError(f"BatchNorm momentum must be a number from 0 to 1, got {momentum!r}")
        self.momentum = value
        self.running_mean = [Value(0.0, label=f"running_mean{j}") for j in range(features)]
        self.running_var = [Value(1.0, label=f"running_var{j}") for j in range(features)]
        super().__init__(features, eps, scope)

    def forward_batch(self, X: Sequence[Sequence[Any]]) -> List[List[Any]]:
        rows = [self._row(x, f"samples of {self.features} features") for x in X]
        if not self.training:
            return [[self._by_running(j, v) for j, v in enumerate(row)] for row in rows]
        if state.tracing:  # a tape would keep the running averages of the traced batch, never updated again
            raise TraceError("BatchNorm in training mode updates its running averages at every call, which a "
                             "compiled tape would not; train with fit(compiled=False), or call model.eval() first")
        n = len(rows)
        if n < 2:
            raise ValueError(f"BatchNorm in training mode takes its statistics over a batch, so it needs at least 2 "
                             f"samples, got {n}. Pass a batch (fit does; so does model.forward_batch(X)), or call "
                             f"model.eval() to use the running averages")
        columns = []
        for j in range(self.features):
            column = [row[j] for row in rows]
            mu = mean(column)
            centred = [v - mu for v in column]
            var = mean([c * c for c in centred])  # biased, as the normalisation uses it
            scale = self.gamma[j] * (var + self.eps) ** -0.5
            columns.append([c * scale + self.beta[j] for c in centred])
            self._update(j, mu.data, var.data * n / (n - 1))
        return [list(row) for row in zip(*columns)]

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        return self.forward_batch([x])[0]

    def _by_running(self, j: int, v: Any) -> Any:
        # The running averages enter as detached Values, not as their numbers: no gradient reaches them, and a
        # compiled program reads them afresh at every call, as it reads the weights (a number would be baked
        # into the tape, and go stale when another checkpoint is loaded).
        mean, var = self.running_mean[j].detach(), self.running_var[j].detach()
        return (v - mean) * (self.gamma[j] * (var + self.eps) ** -0.5) + self.beta[j]

    def _update(self, j: int, mu: float, unbiased_var: float) -> None:
        if state.recomputing:  # engine.checkpoint running the forward pass again: the averages moved already
            return
        m = self.momentum
        self.running_mean[j].data = (1.0 - m) * self.running_mean[j].data + m * mu
        self.running_var[j].data = (1.0 - m) * self.running_var[j].data + m * unbiased_var

    def torch_state(self) -> List[Tuple[str, Tuple[int, ...], List[Value]]]:
        """As ``torch.nn.BatchNorm1d``: ``weight``, ``bias`` and the running averages (its ``num_batches_tracked``
        has no counterpart here, and ``nn.load_torch_state`` passes over it)."""
        return super().torch_state() + [("running_mean", (self.features,), list(self.running_mean)),
                                        ("running_var", (self.features,), list(self.running_var))]

    def named_buffers(self) -> List[Tuple[str, Value]]:
        return [(f"{self.scope}.{v.label}", v) for v in self.running_mean + self.running_var]

    def spec(self) -> dict:
        return {"type": "BatchNorm", "features": self.features, "momentum": self.momentum, "eps": self.eps}

    def __repr__(self) -> str:
        return f"BatchNorm({self.features}, momentum={self.momentum:g}, eps={self.eps:g})"


register("BatchNorm", BatchNorm, parameters=lambda features, **_: 2 * features)  # gamma and beta
