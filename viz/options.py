"""Every drawing option in one validated object, shared by ``draw_dot``, ``save`` and the explorer.

A new option is a field here (with its check in ``__post_init__``) and its use where
the drawing reads it: two places.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, FrozenSet, Optional

import graphviz

from engine import Value
from engine.checks import real_number, shown, whole_number

RANKDIRS = ("LR", "TB", "BT", "RL")
COLOR_BY = ("kind", "grad", None)


@dataclass(frozen=True)
class DrawOptions:
    """How a graph is drawn.

    - ``color_by``: ``'kind'`` (inputs, parameters, constants, output), ``'grad'`` (red
      positive, blue negative; ``log_scale`` for gradients spanning decades) or None.
    - ``show_local``: label each edge with its local derivative and what it carried.
    - ``max_nodes``: fold graphs with more Values than this; ``max_depth``: cut at that
      distance from the root (None: no limit).
    - ``max_size``: the longest side, in pixels as a notebook or a PNG shows it (96 dpi),
      that the drawing is folded to fit, estimated before layout (None: no limit).
    - ``parameters``: leaves to mark as parameters; ``legend``, ``clusters`` (scopes
      as dashed boxes), ``rankdir`` (LR, TB, BT, RL), ``format`` (a Graphviz format).
    - ``precision``: significant digits of the numbers shown.
    - ``timeout``: seconds a render may take before it is stopped and the text view
      is shown instead (None: wait for ever).

    >>> DrawOptions(precision=2).number(3.14159)
    '3.1'
    """

    format: str = "svg"
    rankdir: str = "LR"
    color_by: Optional[str] = "kind"
    log_scale: bool = False
    show_local: bool = False
    max_nodes: Optional[int] = 300
    max_depth: Optional[int] = None
    max_size: Optional[int] = 2000
    parameters: FrozenSet[Value] = frozenset()
    legend: bool = True
    clusters: bool = True
    precision: int = 4
    timeout: Optional[float] = 10.0

    def __post_init__(self) -> None:
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {self.rankdir!r}")
        if self.format not in graphviz.FORMATS:
            raise ValueError(f"format {self.format!r} is not one Graphviz knows; try 'svg' or 'png'")
        if self.color_by not in COLOR_BY:
            raise ValueError(f"color_by must be 'kind', 'grad' or None, got {self.color_by!r}")
        for what in ("max_nodes", "max_depth", "max_size"):
            n = getattr(self, what)
            if n is not None:
                count = whole_number(n)
                if count is None or count < 1:
                    raise ValueError(f"{what} must be a positive whole number or None, got {n!r}")
                object.__setattr__(self, what, count)  # NumPy's integers as Python's
        precision = whole_number(self.precision)
        if precision is None or not 1 <= precision <= 17:
            raise ValueError(f"precision must be a whole number of digits from 1 to 17, got {self.precision!r}")
        object.__setattr__(self, "precision", precision)
        if self.timeout is not None:
            timeout = real_number(self.timeout)
            if timeout is None or not 0 < timeout < math.inf:
                raise ValueError(f"timeout must be a positive number of seconds or None, got {self.timeout!r}")
        object.__setattr__(self, "parameters", frozenset(self.parameters))

    @classmethod
    def of(cls, options: Optional["DrawOptions"] = None, **overrides: Any) -> "DrawOptions":
        """``options`` (or the defaults) with ``overrides``; an unknown name is a TypeError listing the options."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise TypeError(f"unknown drawing option {', '.join(unknown)}; the options are {', '.join(sorted(known))}")
        base = {f.name: getattr(options, f.name) for f in fields(cls)} if options is not None else {}
        return cls(**{**base, **overrides})

    def number(self, x: Any) -> str:
        """A number as the drawing shows it: ``precision`` significant digits, and -0.0 as 0.

        >>> DrawOptions().number(-0.0), DrawOptions().number(-2e-05)
        ('0', '-2e-05')
        """
        return shown(x, self.precision)
