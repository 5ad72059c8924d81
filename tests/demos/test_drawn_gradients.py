"""Every graph drawing a demo writes shows the gradients of its own, single backward pass: the numbers read
back from the picture (and the explorer's and text view's) against d root / d node found by replaying the
forward pass with each node nudged. (The moons demo's neuron is checked by hand in test_moons.py.)"""

import math
import re
from pathlib import Path

import pytest

from demos import calculus_examples, chapter004, graph
from engine import topological_order
from tests.viz.drawn import drawn_numbers, replayed_grads

DEMOS = [
    (graph, "neuron.svg", lambda: graph.neuron()[0]),
    (chapter004, "chapter004_graph.svg", lambda: chapter004.sum_times_difference()["graph"]),
    (calculus_examples, "sin_x_plus_y_squared.svg", lambda: calculus_examples.sin_graph(*calculus_examples.POINT)[2]),
]


def expected(rebuild) -> dict:
    """node id -> d root / d node, for the same graph built again (same structure, so the same ids)."""
    root = rebuild()
    oracle = replayed_grads(root)
    return {f"v{i}": oracle[v] for i, v in enumerate(topological_order(root))}


def assert_same(drawn: dict, want: dict) -> None:
    assert drawn.keys() == want.keys()
    for node, g in want.items():
        assert math.isclose(drawn[node], g, rel_tol=1e-3, abs_tol=1e-7), (node, drawn[node], g)


@pytest.mark.parametrize("demo, picture, rebuild", DEMOS, ids=[d[0].__name__.split(".")[-1] for d in DEMOS])
def test_the_drawn_grads_are_one_backward_pass(tmp_path: Path, demo, picture, rebuild, capsys) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert_same(drawn_numbers((tmp_path / picture).read_text(), "grad"), expected(rebuild))


def test_the_graph_demos_explorer_and_text_view_agree_with_the_oracle(tmp_path: Path, capsys) -> None:
    assert graph.main(["--out", str(tmp_path)]) == 0
    capsys.readouterr()
    want = expected(lambda: graph.neuron()[0])
    page = (tmp_path / "neuron_explorer.html").read_text()
    assert_same(drawn_numbers(page[page.index("<svg"):page.index("</svg>") + 6], "grad"), want)
    lines = (tmp_path / "neuron.txt").read_text().splitlines()
    text = {line.split()[0]: float(re.search(r"grad=(\S+)", line).group(1)) for line in lines}
    assert_same(text, want)
