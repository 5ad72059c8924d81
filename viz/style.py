"""Colours with meaning: what kind of Value a node is, or the sign and size of its gradient."""

from __future__ import annotations

import math
import re
from typing import Iterable, Optional, Set

from engine import Value
from engine.checks import data_of
from engine.value import CONSTANT

KIND_COLOURS = {
    "input": "#cfe8ff",  # light blue: data fed in
    "parameter": "#ffd9a8",  # light orange: what training changes
    "constant": "#eeeeee",  # grey: plain numbers in the expression
    "output": "#c8f0c8",  # light green: the root
    "intermediate": "#ffffff",
}
ZERO_GRAD = "#bdbdbd"  # a zero gradient, as behind a dead ReLU
NOT_FINITE = "#ff00ff"  # nan or inf: impossible to miss

# What no picture can hold: control characters (NUL and ESC are not XML, so renderers refuse the drawing; DEL and
# the C1 controls have no width), lone surrogates (not encodable as UTF-8) and U+FFFE/U+FFFF (not XML either).
# A newline and a tab stay as they are: graphviz and a terminal both show them.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    r"""``text`` with every character no picture can hold written as its escape (``\x00``, ``\ud800``).

    The one way a label, a scope or an op name is shown: drawings, the text view and the
    explorer all go through it, so any string a Python label can hold draws, and reads the same
    everywhere. The escapes use only ``\x`` and ``\u``, which graphviz leaves as they are.

    >>> printable("a\x00b\x1b[31m\ud800 ok")
    'a\\x00b\\x1b[31m\\ud800 ok'
    """
    if _UNPRINTABLE.search(text) is None:  # the usual case: nothing to do, no copy
        return text
    return _UNPRINTABLE.sub(_escape, text)


def _escape(found: "re.Match[str]") -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def kind(v: Value, root: Value, parameters: Set[Value]) -> str:
    """output, parameter, input, constant or intermediate: the one classification the drawing, the text
    view and the explorer share.

    Leaves a model made (with a scope) or passed in ``parameters`` are parameters; a number written
    into an expression (the 10 of ``a * b + 10``) is a constant; any other leaf is a Value the user
    made, an input, labelled or not.

    >>> a = Value(2.0); y = a * 10
    >>> kind(a, y, set()), kind(y._prev[1], y, set()), kind(a, y, {a}), kind(y, y, set())
    ('input', 'constant', 'parameter', 'output')
    """
    if v is root:
        return "output"
    if v._prev:
        return "intermediate"
    if v in parameters or v.scope:
        return "parameter"
    return "constant" if v._param is CONSTANT else "input"


def grad_colour(g: float, largest: float, log: bool = False) -> str:
    """A diverging colour: red for positive, blue for negative, paler for smaller |g|."""
    if not math.isfinite(g):
        return NOT_FINITE
    if g == 0.0 or largest == 0.0:
        return ZERO_GRAD
    if log:  # six decades below the largest fade to white
        strength = max(0.0, 1.0 + math.log10(abs(g) / largest) / 6.0)
    else:
        strength = abs(g) / largest
    fade = int(255 * (1.0 - 0.8 * min(strength, 1.0)))
    return f"#ff{fade:02x}{fade:02x}" if g > 0 else f"#{fade:02x}{fade:02x}ff"


def largest_grad(values: Iterable[Value]) -> float:
    return max((abs(g) for g in (_grad(v) for v in values) if math.isfinite(g)), default=0.0)


def _grad(v: Value) -> float:
    return data_of(v.grad)


def legend_rows(color_by: Optional[str], kinds: Optional[Set[str]] = None) -> list:
    """(colour, meaning) pairs for the legend; with ``kinds``, only the kinds drawn (a legend offering
    "constant" beside a picture that has none sends a reader looking for it).

    >>> [meaning for _, meaning in legend_rows("kind", {"input", "output", "intermediate"})]
    ['input', 'output']
    """
    if color_by == "grad":
        return [("#ff3333", "positive grad"), ("#3333ff", "negative grad"), (ZERO_GRAD, "zero grad"),
                (NOT_FINITE, "nan or inf")]
    return [(KIND_COLOURS[k], k) for k in ("input", "parameter", "constant", "output") if kinds is None or k in kinds]
