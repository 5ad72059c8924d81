"""Discrete choices in a differentiable program: what has no gradient says so, and the straight-through estimator.

``round``, ``floor``, ``sign`` and ``step`` are ops (``x.round()``) whose gradient is 0: true wherever their
derivative exists, and the convention at the jumps. ``argmax`` and ``one_hot`` leave the graph altogether: an
index is not a number that moves with its inputs, so asking for its gradient is an error that names the
alternatives. ``straight_through`` passes a discrete forward value with the gradient of the identity, the usual
way to train through quantisation (Bengio, Léonard and Courville, 2013).
"""

from __future__ import annotations

from typing import Any, Callable, List, Sequence

from . import ops
from .checks import data_of


class Index(int):
    """An index chosen from numbers (by :func:`argmax`): an int everywhere, except that a transform asked for its
    gradient refuses it rather than treat it as a constant with derivative 0."""

    __slots__ = ()
    no_gradient = ("argmax gives an index, which has no gradient: it does not move as its inputs move, and jumps "
                   "where two of them tie. Differentiate through a relaxation instead: the softmax of the scores, "
                   "nn.gumbel_softmax for a sample, or engine.straight_through for a rounded value")


def argmax(xs: Sequence[Any]) -> Index:
    """The position of the largest of ``xs`` (numbers or Values), the first one on a tie as NumPy and PyTorch.

    >>> from engine import Value
    >>> argmax([Value(0.5), Value(2.0), Value(2.0)])
    1
    """
    datas = [data_of(x) for x in xs]
    if not datas:
        raise ValueError("argmax of an empty sequence")
    return Index(max(range(len(datas)), key=datas.__getitem__))


def one_hot(index: int, n: int) -> List[float]:
    """``n`` numbers, 1.0 at ``index`` and 0.0 elsewhere: plain numbers, not Values, since nothing flows back.

    >>> one_hot(2, 4)
    [0.0, 0.0, 1.0, 0.0]
    """
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"one_hot takes an index, an int in range({n}), got {type(index).__name__} {index!r}; "
                        f"it has no gradient (for a differentiable choice use nn.gumbel_softmax)")
    if not 0 <= index < n:
        raise ValueError(f"one_hot: index {index} is not in range({n})")
    return [1.0 if i == index else 0.0 for i in range(n)]


def straight_through(x: Any, forward: Callable[[Any], Any] = lambda v: v.round()) -> Any:
    """``forward(x)``'s value with ``x``'s gradient, as if ``forward`` were the identity: the straight-through
    estimator. By default ``forward`` rounds; any function of x (a quantiser, a sign, a sample) will do.

    >>> from engine import Value
    >>> w = Value(0.7); y = straight_through(w) * 3.0; y.backward()
    >>> y.data, w.grad     # round(0.7) * 3, and d/dw as if round were not there
    (3.0, 3.0)
    """
    return ops.STRAIGHT(x, forward(x))
