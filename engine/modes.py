"""Switches that change how Values are recorded: ``no_grad``, ``detect_anomaly`` and tracing."""

from __future__ import annotations

import os
import sys
import threading
import weakref
from contextlib import contextmanager
from typing import Any, Iterator, Optional


class TraceError(RuntimeError):
    """The traced function did something a tape cannot replay faithfully (see engine.compile)."""


class _State(threading.local):
    """The switches, one set per thread, as PyTorch's grad mode: ``no_grad`` in one thread
    never changes what another records."""

    def __init__(self) -> None:
        self._recording = True  # False inside no_grad(): results are new leaves
        self._anomaly = 0  # depth of detect_anomaly() blocks
        self._tracing = False  # inside engine.compile's trace: branching on a Value is an error
        # recording, neither tracing nor under detect_anomaly: the usual case, which an op reads as one switch
        self.usual = True
        # Value -> "file:line" where it was made, under detect_anomaly. Weak keys: an entry goes with its Value, so a
        # long training loop inside one block does not keep every step's graph alive. Values compare by identity.
        self.sites: "weakref.WeakKeyDictionary[Any, str]" = weakref.WeakKeyDictionary()
        self.recomputing = False  # engine.checkpoint running f again for backward: side effects must not repeat

    def _switch(self, name: str, value: Any) -> None:
        setattr(self, name, value)  # the underlying "_name", which is no property
        self.usual = self._recording and not self._tracing and not self._anomaly

    recording = property(lambda self: self._recording, lambda self, v: self._switch("_recording", v))
    anomaly = property(lambda self: self._anomaly, lambda self, v: self._switch("_anomaly", v))
    tracing = property(lambda self: self._tracing, lambda self, v: self._switch("_tracing", v))


state = _State()
_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


@contextmanager
def switched(name: str, value: Any) -> Iterator[None]:
    """Set one of ``state``'s switches inside a block, and put it back afterwards."""
    before = getattr(state, name)
    setattr(state, name, value)
    try:
        yield
    finally:
        setattr(state, name, before)


def no_grad() -> Any:
    """Inside this block no graph is recorded: every result is a new leaf.

    >>> from engine import Value
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y._prev
    (4.0, ())
    """
    return switched("recording", False)


def enable_grad() -> Any:
    """Record the graph again inside a ``no_grad`` block."""
    return switched("recording", True)


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Remember where each Value is made, and name that place when a nan or inf appears.

    Forward values and gradients are always checked; inside this block every
    contribution of the backward pass is checked too, and each error names the
    file and line where the offending Value was created. Slower: use it to debug.

    >>> from engine import Value
    >>> with detect_anomaly():
    ...     x = Value(0.0, label="x")
    ...     y = x.sqrt()
    ...     y.backward()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ZeroDivisionError: sqrt: the local derivative is undefined at x=0.0 (float division by zero); the sqrt was created at ...
    """
    state.anomaly += 1
    try:
        yield
    finally:
        state.anomaly -= 1
        if not state.anomaly:
            state.sites.clear()


def creation_site() -> str:
    """The first caller outside the engine: where the user's code made a Value."""
    frame: Optional[Any] = sys._getframe(1)
    while frame is not None and _in_engine(frame.f_code.co_filename):
        frame = frame.f_back
    return f"{frame.f_code.co_filename}:{frame.f_lineno}" if frame is not None else "<unknown>"


def _in_engine(filename: str) -> bool:
    # "<string>" or "<stdin>" names no file: made absolute, it would be taken for one in the working folder
    return not filename.startswith("<") and os.path.dirname(os.path.abspath(filename)) == _ENGINE_DIR


def site_of(node: Any) -> str:
    """Where ``node`` was made, as far as detect_anomaly() knows: '; the tanh was created at f.py:3'."""
    site = state.sites.get(node)
    what = node._fn.name if getattr(node, "_fn", None) is not None else "leaf"
    return f"; the {what} was created at {site}" if site else ""
