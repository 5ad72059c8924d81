"""The graph as text, one line per item the drawing shows, in its order: no Graphviz needed at all.

The text view takes ``draw_dot``'s options and folds exactly as the picture does
(``viz.layout.drawing_plan``): a big graph gives a few dozen lines, not thousands.
"""

from __future__ import annotations

import sys
from typing import Any, Optional, TextIO

from engine import Value
from engine.checks import shown

from . import style
from .layout import drawing_plan
from .options import DrawOptions
from .plan import Item, Plan


def text(root: Value, file: Optional[TextIO] = None, options: Optional[DrawOptions] = None, **overrides: Any) -> None:
    """Print the graph, one line per node, parents first (to ``file``, standard output by default).

    Leaves show their role, as the drawing colours them: input, parameter or constant (a
    number written into the expression). Options are ``draw_dot``'s; a big graph is folded
    as its drawing is (``max_nodes=None, max_size=None`` for every line).

    >>> from engine import Value
    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b"); c = a * b + 1; c.backward()
    >>> text(c)
    v0 a = input  data=2  grad=-3
    v1 b = input  data=-3  grad=2
    v2 = mul(v0, v1)  data=-6  grad=1
    v3 = constant  data=1  grad=1
    v4 = add(v2, v3)  data=-5  grad=1
    """
    print(text_view(root, options, **overrides), file=file if file is not None else sys.stdout)


def text_view(root: Value, options: Optional[DrawOptions] = None, **overrides: Any) -> str:
    """The lines ``text`` prints, as one string."""
    options = DrawOptions.of(options, **overrides)
    return plan_text(drawing_plan(root, options), root, options)


def plan_text(p: Plan, root: Value, options: DrawOptions) -> str:
    """The text view of a plan already made (``draw_dot`` keeps it for notebooks without a renderer).

    >>> from engine import Value
    >>> from viz.plan import plan
    >>> y = Value(1.0) * 2
    >>> print(plan_text(plan(y), y, DrawOptions()))
    v0 = input  data=1  grad=0
    v1 = constant  data=2  grad=0
    v2 = mul(v0, v1)  data=2  grad=0
    """
    lines = [_line(item, root, options) for item in p.items]
    if p.notes:
        lines.append("folded: " + "; ".join(p.notes))
    return "\n".join(lines)


def _line(item: Item, root: Value, options: DrawOptions) -> str:
    if item.kind != "value":
        inputs = f"  inputs {', '.join(_ref(q) for q in item.parents)}" if item.parents else ""
        return f"{item.id} = [{item.text}]{inputs}"
    v = item.value
    name = f"{item.id} {style.printable(v.label)}" if v.label else item.id
    if v._prev:
        args = ", ".join(_ref(q) for q in item.parents)
        param = f", {v._fn.param_name}={v._param:g}" if v._param is not None else ""
        what = f"{v._fn.name if v._fn is not None else style.printable(v._op) or 'hand-made'}({args}{param})"
    else:
        what = style.kind(v, root, options.parameters)  # the role the drawing colours it by
    scope = f"  [{style.printable(v.scope)}]" if v.scope else ""
    return f"{name} = {what}  data={shown(v.data)}  grad={shown(v.grad)}{scope}"


def _ref(item: Item) -> str:
    """How a line names one of its inputs: an id, or what a fold put in its place."""
    if item.kind == "more":
        return item.text.replace(" inputs", "")
    if item.kind == "deep":
        return "..."
    return item.id
