"""The graph as text, one line per Value in topological order: no Graphviz needed at all."""

from __future__ import annotations

import sys
from typing import Optional, TextIO

from engine import Value, topological_order
from engine.checks import data_of


def text(root: Value, file: Optional[TextIO] = None) -> None:
    """Print the graph, one line per node, parents first (to ``file``, standard output by default).

    >>> from engine import Value
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b"); c = a * b; c.backward()
    >>> text(c)
    v0 a = leaf  data=2  grad=-3
    v1 b = leaf  data=-3  grad=2
    v2 = mul(v0, v1)  data=-6  grad=1
    """
    print(text_view(root), file=file if file is not None else sys.stdout)


def text_view(root: Value) -> str:
    """The lines ``text`` prints, as one string."""
    order = topological_order(root)
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    lines = []
    for v in order:
        name = f"{ids[v]} {v.label}" if v.label else ids[v]
        if v._prev:
            args = ", ".join(ids[p] for p in v._prev)
            param = f", {v._fn.param_name}={v._param:g}" if v._param is not None else ""
            what = f"{v._fn.name if v._fn is not None else v._op or 'hand-made'}({args}{param})"
        else:
            what = "leaf"
        scope = f"  [{v.scope}]" if v.scope else ""
        grad = data_of(v.grad)
        lines.append(f"{name} = {what}  data={v.data:.6g}  grad={grad:.6g}{scope}")
    return "\n".join(lines)
