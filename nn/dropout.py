"""Dropout (Srivastava et al., 2014): in training, each unit is zeroed with probability p and the rest scaled up."""

from __future__ import annotations

import random
from typing import Any, List, Optional, Sequence

from engine.checks import real_number
from engine.modes import TraceError, state

from .saving import register
from .module import Module


class Dropout(Module):
    """Zero each input with probability ``p`` in training mode and multiply the rest by 1 / (1 - p)
    ("inverted" dropout, as PyTorch's), so that ``eval()`` mode is the identity.

    The masks come from Python's ``random`` module, so ``random.seed`` makes them
    reproducible and ``engine.checkpoint`` replays them; ``seed=`` gives the layer a
    generator of its own instead, which a checkpoint cannot replay: it then refuses, with a
    ``RecomputeError``.

    >>> drop = Dropout(0.5, seed=0)
    >>> [v for v in drop([1.0, 2.0, 3.0, 4.0])]
    [2.0, 4.0, 0.0, 0.0]
    >>> drop.eval()([1.0, 2.0])
    [1.0, 2.0]
    """

    def __init__(self, p: float = 0.5, seed: Optional[int] = None) -> None:
        value = real_number(p)
        if value is None or not 0.0 <= value <= 1.0:
            raise ValueError(f"Dropout p (the probability of zeroing a unit) must be a number from 0 to 1, got {p!r}")
        self.p = value
        self.seed = seed
        self.rng: Any = random if seed is None else random.Random(seed)

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        if not self.training or self.p == 0.0:
            return list(x)
        if state.tracing:  # a tape would keep this one mask for every replay
            raise TraceError("Dropout in training mode draws a new mask at every call, which a compiled tape would "
                             "freeze into one; train with fit(compiled=False), or call model.eval() before compiling")
        keep = 1.0 / (1.0 - self.p) if self.p < 1.0 else 0.0
        return [v * (keep if self.rng.random() >= self.p else 0.0) for v in x]

    def spec(self) -> dict:
        return {"type": "Dropout", "p": self.p, "seed": self.seed}

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"


register("Dropout", Dropout)
