"""python -m demos graph: the lecture neuron as SVG, explorer and text."""

import math
import re
from pathlib import Path

from demos import graph


def test_graph_demo_writes_three_views(tmp_path: Path, capsys) -> None:
    assert graph.main(["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    svg = (tmp_path / "neuron.svg").read_text()
    assert "<svg" in svg and "tanh(n)^2 = 0.5" in svg  # the local derivative 1 - tanh(n)^2 on the tanh edge
    html = (tmp_path / "neuron_explorer.html").read_text()
    assert "<svg" in html and '"steps"' in html
    text = (tmp_path / "neuron.txt").read_text().splitlines()
    assert text[-1].startswith("v9 o = tanh(v8)  data=0.707107  grad=1")
    assert "v0 x1 = input  data=2  grad=-1.5" in text  # do/dx1 = w1 (1 - o^2) = -3 * 0.5
    assert "v2 w1 = parameter  data=-3  grad=1" in text  # the role the drawing colours it by, as in every view
    assert "v2 w1 = parameter  data=-3  grad=1" in printed.splitlines()
    explorer_kinds = dict(re.findall(r'"label": "(\w+)", "op": "", "kind": "(\w+)"', html))
    assert explorer_kinds == {"x1": "input", "x2": "input", "w1": "parameter", "w2": "parameter", "b": "parameter"}
    assert str(tmp_path / "neuron_explorer.html") in printed
    o, _ = graph.neuron()
    assert math.isclose(o.data, 1 / math.sqrt(2), rel_tol=1e-12)
