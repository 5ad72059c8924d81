"""Backprop explained for learners: the chain rule written out, path by path or node by node."""

from __future__ import annotations

import sys
from typing import Dict, List, Optional, Sequence, TextIO, Tuple

from ..checks import shown
from ..graph import topological_order
from ..reverse import isolated_gradients, needs_rule
from ..symbolic import formulas, input_names, rules
from ..value import Value


def _names(order: List[Value]) -> Dict[Value, str]:
    return {node: node.label or f"v{i}" for i, node in enumerate(order)}


def _local(node: Value) -> List[float]:
    if node._fn is None:
        raise needs_rule(node, "explain")
    return list(node._fn.local_derivatives([p.data for p in node._prev], node.data, node._param))


def local_terms(node: Value, names: Optional[Sequence[str]] = None) -> Optional[List[Tuple[str, float]]]:
    """Each input's local derivative as (formula, number), for drawings; None for a leaf or a hand-made
    node (its ``_backward`` was written by hand, so there is no rule to show).

    >>> x = Value(3.0, label="x")
    >>> local_terms(x * x, ["x", "x"])
    [('x', 3.0), ('x', 3.0)]
    """
    if node._fn is None:
        return None
    return list(zip(rules(node._fn, len(node._prev), node._param, names), _local(node)))


def _sum(terms: List[float]) -> str:
    """``a + b - c = total`` for several terms; a single term is its own total, written once."""
    if len(terms) == 1:
        return shown(terms[0])
    added = shown(terms[0]) + "".join(f" - {shown(-t)}" if t < 0 else f" + {shown(t)}" for t in terms[1:])
    return f"{added} = {shown(sum(terms))}"


def _factor(node: Value, k: int, names: Dict[Value, str], partials: Dict[Value, List[float]]) -> str:
    """One factor of the chain rule: d node / d (its k-th input), as a formula and a number (once, when the
    formula is that number: ``d (a + b)/da = 1``)."""
    formula = formulas(node._fn, len(node._prev), node._param)[k]
    bound = ", ".join(f"{n} = {names[p]}" for n, p in zip(input_names(node._fn, len(node._prev)), node._prev))
    number = shown(partials[node][k])
    value = formula if formula.endswith(f" = {number}") else f"{formula} = {number}"
    return f"d{names[node]}/d{names[node._prev[k]]}: {value}   ({bound})"


def explain(y: Value, wrt: Value, max_paths: int = 12, file: Optional[TextIO] = None) -> None:
    """Print the chain-rule derivation of dy/d(wrt), checked against reverse mode.

    With at most ``max_paths`` paths from ``wrt`` to ``y``, each path is written as a
    product of local derivatives, each shown as a formula and a number, then summed.
    With more, the derivation is grouped by node: each node's adjoint is the sum over
    its consumers of their adjoint times the local derivative (what backward() does).
    Prints to ``file`` (standard output by default).

    >>> x = Value(3.0, label="x"); y = x * x + x; y.label = "y"
    >>> explain(y, wrt=x)  # doctest: +NORMALIZE_WHITESPACE
    dy/dx by the chain rule: 3 paths from x to y
    path 1: x -> v1 -> y
      dy/dv1: d (a + b)/da = 1   (a = v1, b = x)
      dv1/dx: d (a·b)/da = b = 3   (a = x, b = x)
      product = 3
    path 2: x -> v1 -> y
      dy/dv1: d (a + b)/da = 1   (a = v1, b = x)
      dv1/dx: d (a·b)/db = a = 3   (a = x, b = x)
      product = 3
    path 3: x -> y
      dy/dx: d (a + b)/db = 1   (a = v1, b = x)
      product = 1
    sum over paths: dy/dx = 3 + 3 + 1 = 7
    reverse mode (what y.backward() adds to x.grad): 7  ✓
    """
    if not isinstance(y, Value) or not isinstance(wrt, Value):
        raise TypeError(f"explain needs Values, got {type(y).__name__} and {type(wrt).__name__}")
    order = topological_order(y)
    names = _names(order)
    yn, xn = names[y], names.get(wrt, wrt.label or "x")
    lines: List[str] = []
    if wrt not in names:
        return _emit([f"{yn} does not depend on {xn}: d{yn}/d{xn} = 0"], file)
    # Paths from wrt to each node, counted forwards; only nodes with a path matter.
    paths: Dict[Value, int] = {wrt: 1}
    for node in order:
        if node is not wrt and node._prev:
            count = sum(paths.get(p, 0) for p in node._prev)
            if count:
                paths[node] = count
    partials = {node: _local(node) for node in paths if node._prev}
    total = paths[y]  # wrt is one of y's ancestors (it is in names), so at least one path reaches y
    if total <= max_paths:
        derivative = _by_paths(y, wrt, names, paths, partials, lines)
    else:
        derivative = _by_nodes(order, y, wrt, names, paths, partials, lines)
    engine = isolated_gradients(y, [wrt], create_graph=False)[0]
    # Relative to the size of the terms summed, so a wrong derivation is caught however small the derivative.
    ok = abs(engine - derivative) <= 1e-9 * max(abs(engine), _magnitude(order, paths, partials, y, wrt))
    lines.append(f"reverse mode (what {yn}.backward() adds to {xn}.grad): {shown(engine)}  {'✓' if ok else '✗ MISMATCH'}")
    _emit(lines, file)


def _magnitude(order, paths, partials, y, wrt) -> float:  # noqa: ANN001
    """The sum over paths of |product of local derivatives|: the size of what the chain rule adds up."""
    size = {y: 1.0}
    for node in reversed(order):
        if node in partials and node in size:
            for k, parent in enumerate(node._prev):
                if parent in paths:
                    size[parent] = size.get(parent, 0.0) + size[node] * abs(partials[node][k])
    return size.get(wrt, 0.0)


def _by_paths(y, wrt, names, paths, partials, lines) -> float:
    lines.append(f"d{names[y]}/d{names[wrt]} by the chain rule: {paths[y]} path{'s' * (paths[y] > 1)} "
                 f"from {names[wrt]} to {names[y]}")
    # Walk back from y to wrt with an explicit stack: each entry is the edges taken so far.
    found: List[List[Tuple[Value, int]]] = []
    stack: List[Tuple[Value, List[Tuple[Value, int]]]] = [(y, [])]
    while stack:
        node, edges = stack.pop()
        if node is wrt:
            found.append(edges)
            continue
        for k in reversed(range(len(node._prev))):
            if node._prev[k] in paths:
                stack.append((node._prev[k], edges + [(node, k)]))
    products = []
    for i, edges in enumerate(found, 1):
        route = [names[wrt]] + [names[node] for node, _ in reversed(edges)]
        lines.append(f"path {i}: {' -> '.join(route)}")
        product = 1.0
        for node, k in edges:
            lines.append("  " + _factor(node, k, names, partials))
            product *= partials[node][k]
        lines.append(f"  product = {shown(product)}")
        products.append(product)
    derivative = sum(products)
    lines.append(f"sum over paths: d{names[y]}/d{names[wrt]} = {_sum(products)}")
    return derivative


def _by_nodes(order, y, wrt, names, paths, partials, lines) -> float:
    lines.append(f"d{names[y]}/d{names[wrt]}: {paths[y]} paths from {names[wrt]} to {names[y]}, too many to list; "
                 f"grouped by node instead (each adjoint = sum over consumers of adjoint x local derivative)")
    on_path = [n for n in order if n in paths]
    consumers: Dict[Value, List[Tuple[Value, int]]] = {n: [] for n in on_path}
    for node in on_path:
        for k, p in enumerate(node._prev):
            if p in paths:
                consumers[p].append((node, k))
    adjoint: Dict[Value, float] = {y: 1.0}
    lines.append(f"  adj({names[y]}) = 1")
    for node in reversed(on_path):
        if node is y:
            continue
        terms = [(c, k) for c, k in consumers[node] if c in adjoint]
        adjoint[node] = sum(adjoint[c] * partials[c][k] for c, k in terms)
        written = " + ".join(f"adj({names[c]})·d{names[c]}/d{names[node]}" for c, k in terms)
        numbers = " + ".join(f"{shown(adjoint[c])}·{shown(partials[c][k])}" for c, k in terms)
        lines.append(f"  adj({names[node]}) = {written} = {numbers} = {shown(adjoint[node])}")
    lines.append(f"so d{names[y]}/d{names[wrt]} = adj({names[wrt]}) = {shown(adjoint[wrt])}")
    return adjoint[wrt]


def _emit(lines: List[str], file: Optional[TextIO]) -> None:
    print("\n".join(lines), file=file if file is not None else sys.stdout)


def table(y: Value, file: Optional[TextIO] = None) -> None:
    """Print a table of every node: label, op, data, grad, local derivative(s), number of consumers.

    >>> x = Value(2.0, label="x"); y = (x * x).tanh(); y.label = "y"; y.backward()
    >>> table(y)
    node  op    data      grad     local derivatives  consumers
    x           2         0.00536  -                  2
    v1    *     4         0.00134  2, 2               1
    y     tanh  0.999329  1        0.00134095         0
    """
    order = topological_order(y)
    names = _names(order)
    uses: Dict[Value, int] = {n: 0 for n in order}
    for node in order:
        for p in node._prev:
            uses[p] += 1
    rows = [("node", "op", "data", "grad", "local derivatives", "consumers")]
    for node in order:
        local = "-" if not node._prev else "hand-written" if node._fn is None else \
            ", ".join(shown(d) for d in _local(node))
        rows.append((names[node], node._op, shown(node.data), shown(node.grad, 3), local, str(uses[node])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
    _emit([text], file)
