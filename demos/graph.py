"""The neuron from the lecture, tanh(x1*w1 + x2*w2 + b), drawn three ways after backward.

Writes under out/: the graph as SVG and PNG (local derivatives on the edges), the
interactive explorer as HTML (step through backprop in a browser, offline), and the
text view.
"""

from __future__ import annotations

from typing import List, Optional

import viz
from engine import Value
from engine.files import write_atomic

from .common import common_args


def neuron():
    """The lecture's numbers: b is chosen so that n = 0.8814 and tanh(n) = 1/sqrt(2)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    s = x1w1 + x2w2
    s.label = "x1*w1 + x2*w2"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, [w1, w2, b]


def main(argv: Optional[List[str]] = None) -> int:
    args = common_args("graph", __doc__).parse_args(argv)
    o, parameters = neuron()
    o.backward()
    options = viz.DrawOptions(show_local=True, parameters=parameters)  # the same roles and colours in both views
    svg = viz.save(o, args.out / "neuron.svg", options=options)
    png = viz.save(o, args.out / "neuron.png", options=options)
    html = viz.explorer(o, args.out / "neuron_explorer.html", options=options)
    text_path = args.out / "neuron.txt"
    write_atomic(text_path, viz.text_view(o, options=options) + "\n")
    viz.text(o, options=options)
    print(f"\ngraph: {svg} and {png}\nexplorer (open in a browser): {html}\ntext view: {text_path}")
    return 0
