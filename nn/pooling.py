"""Pooling, ``MaxPool1d``, ``MaxPool2d`` and ``AvgPool2d``, and ``Flatten``, as PyTorch's modules, on one sample.

A window's maximum is folded from ReLUs, m = m + relu(x - m) over the window in PyTorch's scan order, so that
no derivative is written here: the gradient reaches the first largest entry of each window (relu's derivative
at 0 is 0, so a later entry equal to the maximum does not take it), which is PyTorch's rule for ties on the CPU.
"""

from __future__ import annotations

import functools
from typing import Any, List, Optional, Tuple

from engine import Value
from engine import sum as total

from .convolution import Size, built_from_spec, one_row_each, pair, plane_size, planes, single, windows
from .module import Module
from .saving import register


def _channels(x: Any, who: str) -> int:
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__") or len(x) == 0:
        raise ValueError(f"{who} takes a non-empty list of channels, got {x!r}"[:300])
    return len(x)


class _Pool2d(Module):
    def __init__(self, kernel_size: Size, stride: Optional[Size] = None, padding: Size = 0) -> None:
        name = type(self).__name__
        self.kernel_size = self._size(kernel_size, f"{name}'s kernel_size")
        self.stride = self.kernel_size if stride is None else self._size(stride, f"{name}'s stride")
        self.padding = self._size(padding, f"{name}'s padding", least=0)
        if any(2 * p > k for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{name}: padding {self.padding} must be at most half the kernel {self.kernel_size} "
                             f"(as PyTorch requires)")

    def _size(self, value: Any, what: str, least: int = 1) -> Tuple[int, ...]:
        return pair(value, what, least)

    def __call__(self, x: Any) -> List[List[List[Value]]]:
        x = planes(x, _channels(x, repr(self)), repr(self))
        return [self._pool_plane(plane) for plane in x]

    def _pool_plane(self, plane: List[List[Any]]) -> List[List[Value]]:
        spots = windows([plane], plane_size(self.kernel_size), plane_size(self.stride), plane_size(self.padding, 0),
                        (1, 1), repr(self), fill=self.fill)
        return [[self.reduce(window) for window in row] for row in spots]

    fill: Any = None

    def reduce(self, window: List[Any]) -> Value:
        raise NotImplementedError

    def spec(self) -> dict:
        return {"type": type(self).__name__, "kernel_size": list(self.kernel_size), "stride": list(self.stride),
                "padding": list(self.padding)}

    def __repr__(self) -> str:
        shown = lambda s: str(s[0]) if len(set(s)) == 1 else str(tuple(s))  # noqa: E731
        padding = f", padding={shown(self.padding)}" if any(self.padding) else ""
        return f"{type(self).__name__}(kernel_size={shown(self.kernel_size)}, stride={shown(self.stride)}{padding})"


class MaxPool2d(_Pool2d):
    """``torch.nn.MaxPool2d(kernel_size, stride=None, padding=0)``: the largest entry of each window of each
    channel (the stride is the kernel unless given; padding is never the maximum, as PyTorch's -inf).

    >>> out = MaxPool2d(2)([[[1.0, 5.0], [3.0, 2.0]]]); out[0][0][0].data
    5.0
    """

    def reduce(self, window: List[Any]) -> Value:
        entries = [v for v in window if v is not None]  # None: the padding
        best = entries[0]
        for v in entries[1:]:
            best = best + (v - best).relu()  # max(best, v); at a tie the gradient stays with the first
        return best


class AvgPool2d(_Pool2d):
    """``torch.nn.AvgPool2d(kernel_size, stride=None, padding=0)``: the mean of each window, the padding's zeros
    counted (PyTorch's ``count_include_pad=True``).

    >>> AvgPool2d(2)([[[1.0, 5.0], [3.0, 3.0]]])[0][0][0].data
    3.0
    """

    fill = 0.0

    def reduce(self, window: List[Any]) -> Value:
        return total(window) / len(window)


class MaxPool1d(MaxPool2d):
    """``torch.nn.MaxPool1d(kernel_size, stride=None, padding=0)`` over channels of numbers.

    >>> MaxPool1d(2)([[1.0, 4.0, 2.0, 3.0]])[0][1].data
    3.0
    """

    def _size(self, value: Any, what: str, least: int = 1) -> Tuple[int, ...]:
        return single(value, what, least)

    def __call__(self, x: Any) -> List[List[Value]]:  # type: ignore[override]
        channels = planes(one_row_each(x), _channels(x, repr(self)), repr(self))
        return [self._pool_plane(plane)[0] for plane in channels]


class Flatten(Module):
    """``torch.nn.Flatten()`` for one sample: channels of rows (or any nesting) as one flat list, in PyTorch's
    order (row-major).

    >>> Flatten()([[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    """

    def __call__(self, x: Any) -> List[Any]:
        flat, stack = [], [x]
        while stack:  # no recursion: nesting of any depth
            item = stack.pop()
            if isinstance(item, (list, tuple)):
                stack.extend(reversed(item))
            else:
                flat.append(item)
        return flat

    def spec(self) -> dict:
        return {"type": "Flatten"}

    def __repr__(self) -> str:
        return "Flatten()"


for _kind in (MaxPool1d, MaxPool2d, AvgPool2d):
    register(_kind.__name__, functools.partial(built_from_spec, _kind), parameters=lambda **_: 0)
register("Flatten", Flatten, parameters=lambda **_: 0)
