"""Gradient compression, as distributed training sends gradients: top-k sparsification and quantisation, with
error feedback, counting the bits sent.

Backpropagation Calculus for Deep Learning names gradient compression for distributed training (line 372). A
worker sends a compressed gradient instead of 32 bits a parameter:

- :class:`TopK`: the k entries largest in magnitude, each as a 32-bit value and a 32-bit index;
- :class:`Quantise`: every entry rounded to one of 2^bits - 1 levels evenly spaced on [-m, m], m the largest
  magnitude (sent once, 32 bits); ``bits=1`` sends signs, each worth the mean magnitude (as signSGD with a scale).

What a compressor drops is lost, unless it is kept: with error feedback (Seide et al., 2014; Karimireddy et al.,
2019) each step adds the previous steps' dropped remainder before compressing, so nothing is lost for good, only
delayed. :class:`Compressed` wraps an optimizer so: ``fit`` and a hand-written loop use it as the optimizer itself.
"""

from __future__ import annotations

from typing import Any, Iterable, Tuple


class Compressor:
    """Turns a flat gradient array into what is sent (an array of the same shape) and its size in bits."""

    def __call__(self, g: Any) -> Tuple[Any, int]:
        raise NotImplementedError


class TopK(Compressor):
    """The ``fraction`` of entries largest in magnitude (at least one), the rest 0: 64 bits an entry sent.

    >>> import numpy as np
    >>> sent, bits = TopK(0.5)(np.array([0.1, -3.0, 2.0, 0.5]))
    >>> sent.tolist(), bits
    ([0.0, -3.0, 2.0, 0.0], 128)
    """

    def __init__(self, fraction: float) -> None:
        if not 0.0 < fraction <= 1.0:
            raise ValueError(f"TopK: fraction must be in (0, 1], got {fraction!r}")
        self.fraction = fraction

    def __call__(self, g: Any) -> Tuple[Any, int]:
        import numpy as np

        k = max(1, int(round(self.fraction * g.size)))
        keep = np.argpartition(np.abs(g), g.size - k)[g.size - k:]
        sent = np.zeros_like(g)
        sent[keep] = g[keep]
        return sent, 64 * k

    def __repr__(self) -> str:
        return f"TopK({self.fraction:g})"


class Quantise(Compressor):
    """Each entry to the nearest of 2^bits - 1 levels on [-m, m] (m = the largest magnitude): bits an entry and 32
    for m. One bit sends signs scaled by the mean magnitude.

    >>> import numpy as np
    >>> Quantise(2)(np.array([0.9, -0.2, 0.4, -1.0]))[0].tolist()     # levels -1, 0, 1 times m = 1
    [1.0, 0.0, 0.0, -1.0]
    """

    def __init__(self, bits: int) -> None:
        if not isinstance(bits, int) or not 1 <= bits <= 16:
            raise ValueError(f"Quantise: bits must be a whole number from 1 to 16, got {bits!r}")
        self.bits = bits

    def __call__(self, g: Any) -> Tuple[Any, int]:
        import numpy as np

        magnitude = np.abs(g)
        if self.bits == 1:  # the mean magnitude, taken as m times a mean of numbers at most 1: no sum overflows
            m = magnitude.max(initial=0.0)
            return np.sign(g) * (m * (magnitude / m).mean() if m > 0 else 0.0), g.size + 32
        m = magnitude.max()
        half = 2 ** (self.bits - 1) - 1  # levels -half..half
        sent = np.round(g / m * half) / half * m + 0.0 if m > 0 else np.zeros_like(g)  # + 0.0: no -0.0
        return sent, self.bits * g.size + 32

    def __repr__(self) -> str:
        return f"Quantise({self.bits})"


class Compressed:
    """``optimizer``, stepping on the compressed gradient: what a worker would send. ``bits_sent`` adds up every
    step's bits (``32 x parameters`` a step is the uncompressed cost); ``error_feedback`` keeps what compression
    dropped and adds it to the next step's gradient.

    >>> import numpy as np
    >>> from engine import Value
    >>> from nn import SGD
    >>> opt = Compressed(SGD([Value(0.0), Value(0.0)], lr=1.0), TopK(0.5))
    >>> opt.step_arrays(np.zeros(2), np.array([1.0, 0.5])).tolist(), opt.residual.tolist()
    ([-1.0, 0.0], [0.0, 0.5])
    >>> opt.step_arrays(np.array([-1.0, 0.0]), np.array([0.0, 0.6])).tolist()   # 0.5 kept + 0.6 now
    [-1.0, -1.1]
    """

    def __init__(self, optimizer: Any, compressor: Compressor, error_feedback: bool = True) -> None:
        self.optimizer, self.compressor, self.error_feedback = optimizer, compressor, error_feedback
        self.bits_sent = 0
        self.residual: Any = None

    def __getattr__(self, name: str) -> Any:  # params, lr, steps, state, zero_grad: the optimizer's own
        if name == "optimizer":  # not set yet (a copy or an unpickling being made): not the optimizer's to answer
            raise AttributeError(name)
        return getattr(self.optimizer, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "lr":  # a schedule sets the rate: the optimizer's
            setattr(self.optimizer, name, value)
        else:
            object.__setattr__(self, name, value)

    def compress(self, g: Any) -> Any:
        """What is sent for the gradient ``g`` (a flat array), counting its bits and keeping the remainder."""
        sent, bits, residual = self._compressed(g)
        self._commit(bits, residual)
        return sent

    def _compressed(self, g: Any) -> Any:
        """What would be sent for ``g``, its bits and the remainder to keep; nothing changes until ``_commit``."""
        import numpy as np

        g = np.asarray(g, dtype=float)
        bad = np.flatnonzero(~np.isfinite(g))
        if len(bad):  # a compressor would hide it (nan) or spread it (inf): refused, as the optimizers refuse it
            raise ValueError(f"{self!r}: the gradient holds {g[bad[0]]} at entry {int(bad[0])}; nothing was sent")
        if self.error_feedback and self.residual is not None:
            with np.errstate(over="ignore"):
                g = g + self.residual
            bad = np.flatnonzero(~np.isfinite(g))
            if len(bad):  # the remainder kept from earlier steps, added, passes the float range: refused whole
                raise OverflowError(f"{self!r}: the gradient plus what earlier steps kept overflows at entry "
                                    f"{int(bad[0])}; nothing was sent, and what is kept is unchanged")
        sent, bits = self.compressor(g)
        return sent, bits, (g - sent) if self.error_feedback else None

    def _commit(self, bits: int, residual: Any) -> None:
        self.bits_sent += bits
        if self.error_feedback:
            self.residual = residual

    def step_arrays(self, w: Any, g: Any, checked: bool = False) -> Any:
        """The optimizer's step on the compressed ``g``; a step the optimizer refuses sends and keeps nothing."""
        sent, bits, residual = self._compressed(g)
        new = self.optimizer.step_arrays(w, sent, checked)
        self._commit(bits, residual)
        return new

    def step(self) -> None:
        """The eager path: the Values' grads compressed together, then the optimizer's step (all or nothing)."""
        import numpy as np

        params = self.optimizer.params
        grads = [p.grad for p in params]
        sent, bits, residual = self._compressed(np.array(grads))
        for p, s in zip(params, sent.tolist()):
            p.grad = s
        try:
            self.optimizer.step()
        except Exception:  # refused: the grads as they were, nothing counted or kept
            for p, g in zip(params, grads):
                p.grad = g
            raise
        self._commit(bits, residual)

    def __repr__(self) -> str:
        return f"Compressed({type(self.optimizer).__name__}, {self.compressor!r}, error_feedback={self.error_feedback})"


def full_bits(params: Iterable[Any]) -> int:
    """What one uncompressed step sends: 32 bits a parameter."""
    return 32 * len(list(params))
