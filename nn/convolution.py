"""Convolutions, ``Conv1d`` and ``Conv2d``, as PyTorch's modules of the same names, on one sample at a time.

A sample is a list of channels: for ``Conv1d`` each channel is a list of numbers (or Values) over positions, for
``Conv2d`` a list of rows. Every output is one ``engine.dot`` of a kernel with the window it covers (padding
reads as the constant 0), so the derivatives are the engine's own: the chapters' flipped-kernel identities
(∂L/∂x is the full convolution of the upstream gradient with the flipped kernel, ∂L/∂W the correlation of the
input with it) are what the chain rule gives through those dots, not something written here. ``Conv1d`` is
``Conv2d`` over one row.
"""

from __future__ import annotations

import functools
import math
import random
from typing import Any, List, Sequence, Tuple, Union

from engine import Value, as_value, dot
from engine.arithmetic import Arithmetic
from engine.checks import whole_number

from .module import Module, TorchEntry, _count, _label, _listlike
from .saving import register

Size = Union[int, Tuple[int, ...]]
Plane = List[List[Any]]  # rows of numbers or Values


def pair(value: Any, what: str, least: int = 1) -> Tuple[int, int]:
    """An int or a pair of ints as (rows, columns), each a whole number of at least ``least``; a ValueError
    naming ``what`` otherwise."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    sizes = tuple(whole_number(v) for v in items)
    if len(sizes) != 2 or any(s is None or s < least for s in sizes):
        raise ValueError(f"{what} must be {_whole(least)} or a pair of them, got {value!r}")
    return sizes  # type: ignore[return-value]


def _whole(least: int) -> str:
    """The words for a whole number of at least ``least`` (1 for a size, 0 for padding)."""
    return "a positive whole number" if least == 1 else "a non-negative whole number"


def single(value: Any, what: str, least: int = 1) -> Tuple[int]:
    """A one-dimensional module's size: a whole number (or a tuple of one) of at least ``least``, as a 1-tuple."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    size = whole_number(value)  # None for a tuple or list: more than one size
    if size is None or size < least:  # not pair's message: a pair is what a one-dimensional module refuses
        raise ValueError(f"{what} must be {_whole(least)} (or a tuple of one), got {value!r}")
    return (size,)


def plane_size(size: Tuple[int, ...], across: int = 1) -> Tuple[int, int]:
    """A size as (rows, columns): a one-dimensional module's single row has ``across`` there (1 for a kernel,
    a stride or a dilation, 0 for padding)."""
    return (across, size[0]) if len(size) == 1 else (size[0], size[1])


def out_size(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """PyTorch's output length: floor((size + 2 padding - dilation (kernel - 1) - 1) / stride) + 1.

    >>> out_size(28, 3, 1, 0, 1), out_size(5, 3, 2, 1, 1), out_size(7, 3, 1, 0, 2)
    (26, 3, 3)
    """
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def planes(x: Any, channels: int, who: str) -> List[Plane]:
    """``x`` as ``channels`` planes of equal rows of Values (plain numbers made Values); a clear error for the wrong
    number of channels, ragged rows or anything that is not a number."""
    if _listlike(x):  # a number where a channel belongs: not "got 3 channels" for a flat list of 3 numbers
        for i, c in enumerate(x):
            if not _listlike(c):
                raise ValueError(f"{who} takes a list of channels, each a list, got {type(c).__name__} {c!r} as "
                                 f"channel {i}: write [x] for a single channel"[:300])
    if not _listlike(x) or len(x) != channels:
        got = f"{len(x)} channels" if _listlike(x) else f"{type(x).__name__} {x!r}"
        raise ValueError(f"{who} takes {channels} input channel{'s' * (channels != 1)}, got {got}")
    shape = None
    out = []
    for c, plane in enumerate(x):
        if not plane or not all(_listlike(r) for r in plane):
            raise ValueError(f"{who}: channel {c} must be a non-empty list of rows, got {plane!r}"[:300])
        rows = [[v if isinstance(v, Arithmetic) else as_value(v, f"{who}: channel {c}") for v in r] for r in plane]
        here = (len(rows), len(rows[0]))
        if any(len(r) != here[1] for r in rows) or here[1] == 0:
            raise ValueError(f"{who}: channel {c} has ragged or empty rows (lengths {[len(r) for r in rows]})"[:300])
        if shape is not None and here != shape:
            raise ValueError(f"{who}: channel {c} is {here[0]} x {here[1]}, channel 0 {shape[0]} x {shape[1]}")
        shape = here
        out.append(rows)
    return out


def windows(x: List[Plane], kernel: Tuple[int, int], stride: Tuple[int, int], padding: Tuple[int, int],
            dilation: Tuple[int, int], who: str, fill: Any = 0.0) -> List[List[List[Any]]]:
    """For each output position (row, column), the entries its window covers, channel by channel and then row
    by row within the kernel, as PyTorch's weight is laid out; a position in the padding reads ``fill``."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    height, width = len(x[0]), len(x[0][0])
    rows, cols = out_size(height, kh, sh, ph, dh), out_size(width, kw, sw, pw, dw)
    if rows < 1 or cols < 1:
        raise ValueError(f"{who}: the kernel {kh} x {kw} (dilation {dh} x {dw}) is larger than the padded input "
                         f"{height + 2 * ph} x {width + 2 * pw}")

    def at(plane: Plane, r: int, q: int) -> Any:
        return plane[r][q] if 0 <= r < height and 0 <= q < width else fill

    return [[[at(plane, i * sh + a * dh - ph, j * sw + b * dw - pw) for plane in x for a in range(kh) for b in range(kw)]
             for j in range(cols)] for i in range(rows)]


class Conv2d(Module):
    """``torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, bias=True)`` for
    one sample: ``conv(x)`` takes in_channels planes (lists of rows) and gives out_channels planes of PyTorch's
    output size. ``weight`` is (out, in, kh, kw) nested lists of Values, initialised as PyTorch does (uniform in
    ±1/sqrt(in · kh · kw), the bias too).

    >>> random.seed(0)
    >>> conv = Conv2d(1, 2, 3, padding=1)
    >>> out = conv([[[1.0, 2.0], [3.0, 4.0]]]); len(out), len(out[0]), len(out[0][0])
    (2, 2, 2)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Size, stride: Size = 1, padding: Size = 0,
                 dilation: Size = 1, bias: bool = True, scope: str = "conv") -> None:
        name = type(self).__name__
        self.in_channels = _count(in_channels, f"{name}'s in_channels")
        self.out_channels = _count(out_channels, f"{name}'s out_channels")
        self.kernel_size = self._size(kernel_size, "kernel_size")
        self.stride = self._size(stride, "stride")
        self.padding = self._size(padding, "padding", least=0)
        self.dilation = self._size(dilation, "dilation")
        kh, kw = plane_size(self.kernel_size)
        bound = 1.0 / math.sqrt(self.in_channels * kh * kw)  # PyTorch's kaiming_uniform(a=sqrt(5)) and its bias
        self.weight = [[[[Value(random.uniform(-bound, bound)) for _ in range(kw)] for _ in range(kh)]
                        for _ in range(self.in_channels)] for _ in range(self.out_channels)]
        self.bias = [Value(random.uniform(-bound, bound)) for _ in range(self.out_channels)] if bias else None
        self.set_scope(scope)

    def _size(self, value: Any, what: str, least: int = 1) -> Tuple[int, ...]:
        return pair(value, f"{type(self).__name__}'s {what}", least)


    def set_scope(self, scope: str) -> None:
        """Name the parameters ``scope.W2_0_1_1`` (out channel, in channel, kernel row, kernel column) and
        ``scope.b2``."""
        self.scope = scope
        for o, per_out in enumerate(self.weight):
            for c, kernel in enumerate(per_out):
                for a, row in enumerate(kernel):
                    for b, w in enumerate(row):
                        w.label, w.scope = self._weight_label(o, c, a, b), scope
        for o, b in enumerate(self.bias or []):
            b.label, b.scope = f"b{o}", scope

    def _weight_label(self, o: int, c: int, a: int, b: int) -> str:
        return f"W{o}_{c}_{a}_{b}"

    def kernels(self) -> List[List[Value]]:
        """Each output channel's weights in one row, in the order ``windows`` reads an input window."""
        return [[w for kernel in per_out for row in kernel for w in row] for per_out in self.weight]

    def __call__(self, x: Any) -> List[Plane]:
        return self._convolve(planes(x, self.in_channels, repr(self)))

    def _convolve(self, x: List[Plane]) -> List[Plane]:
        # one zero for all the padding: a compiled program then sees every border window of a kind read the same
        # slot, and runs them as one product (a float per window would be a constant of its own)
        zero = Value(0.0, label="padding") if any(self.padding) else 0.0
        spots = windows(x, plane_size(self.kernel_size), plane_size(self.stride), plane_size(self.padding, 0),
                        plane_size(self.dilation), repr(self), fill=zero)
        out = []
        for o, kernel in enumerate(self.kernels()):
            bias = None if self.bias is None else self.bias[o]
            plane = [[dot(kernel, window, bias=bias) for window in row] for row in spots]
            for i, row in enumerate(plane):
                for j, v in enumerate(row):
                    _label(v, self._output_label(o, i, j))
            out.append(plane)
        return out

    def _output_label(self, o: int, i: int, j: int) -> str:
        return f"y{o}_{i}_{j}"

    def parameters(self) -> List[Value]:
        return [w for row in self.kernels() for w in row] + list(self.bias or [])

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return [(f"{self.scope}.{v.label}", v) for v in self.parameters()]

    def torch_state(self) -> List[TorchEntry]:
        """As PyTorch's: ``weight`` (out, in, kh, kw) and ``bias`` (out,)."""
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        weight: TorchEntry = ("weight", shape, [w for row in self.kernels() for w in row])
        return [weight] + ([("bias", (self.out_channels,), list(self.bias))] if self.bias is not None else [])

    def spec(self) -> dict:
        return {"type": type(self).__name__, "in_channels": self.in_channels, "out_channels": self.out_channels,
                "kernel_size": list(self.kernel_size), "stride": list(self.stride), "padding": list(self.padding),
                "dilation": list(self.dilation), "bias": self.bias is not None}

    def __repr__(self) -> str:
        extra = "".join(f", {name}={_shown(value)}" for name, value, default in (
            ("stride", self.stride, 1), ("padding", self.padding, 0), ("dilation", self.dilation, 1))
            if any(v != default for v in value))
        bias = "" if self.bias is not None else ", bias=False"
        return (f"{type(self).__name__}({self.in_channels}, {self.out_channels}, "
                f"kernel_size={_shown(self.kernel_size)}{extra}{bias})")


class Conv1d(Conv2d):
    """``torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, bias=True)`` for
    one sample: in_channels lists of numbers over positions in, out_channels lists out. ``weight`` nests (out, in,
    1, k): each kernel is one row of k Values, as a ``Conv2d`` over one row has it; ``torch_state`` gives PyTorch's
    (out, in, k).

    >>> random.seed(0)
    >>> conv = Conv1d(1, 1, 3)
    >>> len(conv([[1.0, 2.0, 3.0, 4.0, 5.0]])[0])
    3
    """

    def _size(self, value: Any, what: str, least: int = 1) -> Tuple[int, ...]:
        return single(value, f"Conv1d's {what}", least)

    def _weight_label(self, o: int, c: int, a: int, b: int) -> str:
        return f"W{o}_{c}_{b}"

    def _output_label(self, o: int, i: int, j: int) -> str:
        return f"y{o}_{j}"

    def __call__(self, x: Any) -> List[List[Value]]:  # type: ignore[override]
        return [plane[0] for plane in self._convolve(planes(one_row_each(x), self.in_channels, repr(self)))]


def one_row_each(x: Any) -> Any:
    """Channels over positions (a one-dimensional module's input) as planes of one row each."""
    return [[c] if _listlike(c) else c for c in x] if _listlike(x) else x


def _shown(size: Tuple[int, ...]) -> str:
    return str(size[0]) if len(set(size)) == 1 else str(tuple(size))


def _conv_parameters(in_channels: int, out_channels: int, kernel_size: Sequence[int], bias: bool = True,
                     **_: Any) -> int:
    return out_channels * (in_channels * math.prod(kernel_size) + (1 if bias else 0))


def built_from_spec(kind: type, **spec: Any) -> Any:
    """``kind`` built from a checkpoint's spec (registered as ``functools.partial(built_from_spec, kind)``, so this
    runs when a file is loaded): the spec's sizes come back from JSON as lists, the module takes tuples, and a bad
    size is then reported as the constructor would report it.

    >>> built_from_spec(Conv1d, in_channels=1, out_channels=1, kernel_size=[2]).kernel_size
    (2,)
    """
    return kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})


register("Conv2d", functools.partial(built_from_spec, Conv2d), parameters=_conv_parameters)
register("Conv1d", functools.partial(built_from_spec, Conv1d), parameters=_conv_parameters)
