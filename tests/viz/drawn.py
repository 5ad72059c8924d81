"""Reading a rendered drawing back, and an oracle for what it should say.

``drawn_cells`` reads the cells of every Value's table from the SVG a renderer wrote;
``replayed_grads`` finds d root / d node for every node by central differences,
replaying the forward pass from the ops' own evaluate (no backward code involved).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Dict, List

from engine import Value, topological_order

SVG = "{http://www.w3.org/2000/svg}"


def drawn_cells(svg: str) -> Dict[str, List[str]]:
    """node id (v0, v1, ...) -> the texts of its table, as drawn."""
    tree = ET.fromstring(svg[svg.index("<svg"):])
    cells = {}
    for group in tree.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        node_id = group.find(f"{SVG}title").text
        if re.fullmatch(r"v\d+", node_id):
            cells[node_id] = [t.text or "" for t in group.iter(f"{SVG}text")]
    return cells


def drawn_numbers(svg: str, what: str) -> Dict[str, float]:
    """node id -> the number in its ``what`` cell ('grad' or 'data')."""
    found = {}
    for node_id, texts in drawn_cells(svg).items():
        (cell,) = [t for t in texts if t.startswith(what + " ")]
        found[node_id] = float(cell[len(what) + 1:])
    return found


def replayed_grads(root: Value, h: float = 1e-6) -> Dict[Value, float]:
    """d root / d v for every v of the graph, by nudging v's data and replaying the forward pass."""
    order = topological_order(root)
    position = {v: i for i, v in enumerate(order)}

    def replay(k: int, nudge: float) -> float:
        data = [v.data for v in order]
        data[k] += nudge
        for i in range(k + 1, len(order)):
            v = order[i]
            if v._prev:
                data[i] = v._fn.evaluate([data[position[p]] for p in v._prev], v._param)
        return data[-1]

    grads = {}
    for k, v in enumerate(order):
        step = h * max(1.0, abs(v.data))
        grads[v] = (replay(k, step) - replay(k, -step)) / (2 * step)
    return grads
