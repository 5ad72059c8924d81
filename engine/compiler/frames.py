"""Frames: the arrays a lifted program runs on, made once per batch size and reused call after call.

At the sizes people train with (a batch of 32 through a 64-32-10 network), a lifted
replay spent a third of its time slicing: ``P[0:2080].reshape(32, 65)[:, :64]`` makes
three views for one product, at every call. A frame holds ``V``, ``G``, ``P`` and ``GP``
for one number of samples, and the program's views of them are named once, when the
frame is made: ``V[75:107] = P[0:2080].reshape(32, 65)[:, :64] @ V[0:64]`` runs as
``matmul_into(_v2, _v0, _v1)``, which also writes the product straight into its rows.
A frame is used by one call at a time (a call that finds none free makes its own), so
threads never share one, and a call's results are copies.

>>> text, views = named_views("V[2:4] = P[0:6].reshape(2, 3)[:, :2] @ V[0:2] + P[2:6:3, None]\\n"
...                            "V[4:6] = relu_0(V[2:4])\\nG[0:2] += G[2:4] * V[i0]")
>>> print(text)
matmul_into(_v0, _v1, _v2)
iadd(_v0, _v3)
_v4[...] = relu_0(_v0)
iadd(_v5, _v6 * V[i0])
>>> views["P[0:6].reshape(2, 3)[:, :2]"], views["V[2:4]"], views["G[0:2]"]
('_v1', '_v0', '_v5')
"""

from __future__ import annotations

import builtins
import operator
import re
import types
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from .codegen import define

# A view of one of the four arrays: basic indexing, reshapes and transposes only. A gather (V[i0]) is not
# a view, and is left in the code.
VIEW = re.compile(r"\b(?:GP|G|V|P)(?:\[[0-9:, None-]*\]|\.reshape\([0-9, -]+\)|\.T\b)+")
STATEMENT = re.compile(rf"({VIEW.pattern})(?:\[\.\.\.\])? (\+?=) (.*)")
PRODUCT = re.compile(r"(_v\d+) @ (_v\d+)(?: \+ (_v\d+))?")  # a product of two views (plus a third), named
ROWS = re.compile(r"V\[(\d+):(\d+)(:\d+)?(.*)")  # a view of V's rows start:stop(:step), and what follows
GATHER = re.compile(r"\bV\[(i\d+)")  # a gather of V's rows by a named index
KEPT_SIZES = 4  # batch sizes whose frames are kept (a training set's, its last batch's, a validation set's)
KEPT_ENTRIES = 4_000_000  # entries of V and G beyond which a frame is not kept (a whole data set at once)


def named_views(text: str, views: Optional[Dict[str, str]] = None) -> Tuple[str, Dict[str, str]]:
    """``text`` with each view named (``_v0``, ...), and the names' expressions. A statement into a view
    writes through it: ``name[...] = ...``, or ``iadd(name, ...)``, which adds in place, or for a product of
    two views (a layer, and its biases) ``matmul_into(name, a, b)`` (and ``iadd(name, biases)``)."""
    views = {} if views is None else views

    def name(match: Any) -> str:
        return views.setdefault(match.group(0), f"_v{len(views)}")

    lines = []
    for line in text.splitlines():
        statement = STATEMENT.fullmatch(line)
        if statement is None:
            lines.append(VIEW.sub(name, line))
            continue
        target, sign, value = VIEW.sub(name, statement.group(1)), statement.group(2), VIEW.sub(name, statement.group(3))
        product = PRODUCT.fullmatch(value)
        if sign == "=" and product:  # straight into the target: no temporary to copy
            lines.append(f"matmul_into({target}, {product.group(1)}, {product.group(2)})")
            if product.group(3):  # a layer's biases, added in place: the same sum, rounded the same
                lines.append(f"iadd({target}, {product.group(3)})")
        else:
            lines.append(f"{target}[...] = {value}" if sign == "=" else f"iadd({target}, {value})")
    return "\n".join(lines), views


class BoundBodies(NamedTuple):
    """The lifted program's two bodies compiled with their views named, and each view's expression."""

    forward: types.CodeType
    backward: types.CodeType
    views: Tuple[Tuple[str, types.CodeType], ...]  # (name, expression)
    # per argument: its views as expressions of the argument's own block ``A`` (bound to it at each call, so
    # that nothing is copied), or None where its rows must be copied into V (a gather reads them, say)
    arguments: Tuple[Optional[Tuple[Tuple[str, types.CodeType], ...]], ...] = ()


def bind(forward: str, backward: str, arguments: Tuple[Tuple[int, int], ...] = (),
         read_whole: frozenset = frozenset()) -> BoundBodies:
    """The lifted program's forward and backward bodies, compiled once, to be bound to each frame's arrays.
    ``arguments`` are the rows (start, stop) of V that each argument fills; ``read_whole`` the rows that are read
    other than through a view (gathered by an index, or as an output), whose arguments are copied into V."""
    views: Dict[str, str] = {}
    forward, _ = named_views(forward, views)
    backward, _ = named_views(backward, views)
    return BoundBodies(_body("forward", forward), _body("backward", backward),
                       tuple((name, builtins.compile(expr, "<chainrule view>", "eval")) for expr, name in views.items()),
                       tuple(_argument_views(views, start, stop, read_whole) for start, stop in arguments))


def _argument_views(views: Dict[str, str], start: int, stop: int,
                    read_whole: frozenset) -> Optional[Tuple[Tuple[str, types.CodeType], ...]]:
    """The views that read rows start:stop of V, rewritten as views of the argument's own block ``A`` (its
    rows over the samples); None if a row of it is read otherwise, or a view reads it together with others."""
    if any(start <= r < stop for r in read_whole):
        return None
    mine = []
    for expr, name in views.items():
        if not expr.startswith("V"):
            continue
        rows = ROWS.fullmatch(expr)
        if rows is None or not rows.group(4).startswith(("]", ",")):
            return None  # a view this does not read: copy, to be safe
        a, b, step, rest = int(rows.group(1)), int(rows.group(2)), rows.group(3) or "", rows.group(4)
        if b <= start or a >= stop:
            continue
        if a < start or b > stop:
            return None  # it reads these rows with others
        mine.append((name, builtins.compile(f"A[{a - start}:{b - start}{step}{rest}", "<chainrule view>", "eval")))
    return tuple(mine)


def _body(name: str, body: str) -> types.CodeType:
    """The code of ``def name(): body``, which each frame binds to its own globals."""
    return define(name, "", body, {}, f"<chainrule lifted {name}>").__code__


class Frame:
    """``V``, ``G``, ``P`` and ``GP`` for ``n`` samples, with ``forward()`` and ``backward()`` bound to them."""

    __slots__ = ("V", "G", "P", "GP", "forward", "backward", "scope", "code", "own")

    def __init__(self, code: BoundBodies, namespace: Dict[str, Any], backend: Any, rows: int, n: int, params: int,
                 constants: Tuple[Tuple[int, float], ...]) -> None:
        self.V, self.G = backend.empty((rows, n)), backend.zeros((rows, n))
        self.P, self.GP = backend.empty((params,)), backend.zeros((params,))
        for row, c in constants:  # the program never writes the constants' rows: set once
            self.V[row] = c
        arrays = {"V": self.V, "G": self.G, "P": self.P, "GP": self.GP}
        scope = dict(namespace, __builtins__=builtins, iadd=operator.iadd, matmul_into=backend.matmul_into, **arrays)
        for name, expr in code.views:
            base = arrays[expr.co_names[0]]
            view = eval(expr, {}, arrays)  # noqa: S307 (slicing the frame's own arrays)
            # never: lifting reshapes only evenly spaced rows, which stay views (an empty view shares nothing)
            if 0 not in tuple(view.shape) and not backend.shares_memory(view, base):
                raise RuntimeError(f"lifting: a view of {expr.co_names[0]} came out a copy, shape {tuple(view.shape)}")
            scope[name] = view
        self.forward = types.FunctionType(code.forward, scope)
        self.backward = types.FunctionType(code.backward, scope)
        self.scope, self.code = scope, code
        self.own: Dict[str, Any] = {}  # the frame's own views that a call bound elsewhere, to put back after it

    def argument(self, j: int, start: int, block: Any) -> None:
        """Argument ``j``'s rows over the samples (``block``, its rows from ``start`` in V) for this call: the
        program's views of them are bound to the block itself, or where that cannot be, it is copied into V."""
        views = self.code.arguments[j] if j < len(self.code.arguments) else None
        if views is None:
            self.V[start:start + len(block)] = block
            return
        scope = {"A": block}
        for name, expr in views:
            self.own.setdefault(name, self.scope[name])
            self.scope[name] = eval(expr, {}, scope)  # noqa: S307 (slicing the caller's own block)

    def release(self) -> None:
        """The frame's own views back in place, so that a kept frame holds none of the caller's arrays."""
        self.scope.update(self.own)
        self.own.clear()


class Frames:
    """Frames of one lifted program on one back-end, by batch size: ``take`` one, ``give`` it back."""

    def __init__(self, code: BoundBodies, namespace: Dict[str, Any], backend: Any, rows: int, params: int,
                 constants: Tuple[Tuple[int, float], ...]) -> None:
        self.code, self.namespace, self.backend = code, namespace, backend
        self.rows, self.params, self.constants = rows, params, constants
        self.free: Dict[int, List[Frame]] = {}

    def take(self, n: int) -> Frame:
        try:
            return self.free[n].pop()  # atomic: two threads never get the same frame
        except (KeyError, IndexError):
            return Frame(self.code, self.namespace, self.backend, self.rows, n, self.params, self.constants)

    def give(self, n: int, frame: Frame) -> None:
        frame.release()
        free = self.free.get(n)
        if free is not None:
            free.append(frame)
        elif 2 * self.rows * n <= KEPT_ENTRIES:
            while len(self.free) >= KEPT_SIZES:  # the size seen first goes first
                self.free.pop(next(iter(self.free)), None)
            self.free[n] = [frame]
