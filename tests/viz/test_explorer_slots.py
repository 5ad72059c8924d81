"""The explorer page keeps its drawing and its data in their own slots, whatever the labels say."""

import json
import re
from pathlib import Path

import pytest

import viz
from engine import Value


@pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer")
@pytest.mark.parametrize("label", ["__DATA__", "__SVG__", "__SVG__ and __DATA__"])
def test_a_label_naming_a_slot_stays_a_label(tmp_path: Path, label: str) -> None:
    x = Value(2.0, label=label)
    page = viz.explorer(x * 3, tmp_path / "e.html").read_text()
    data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert data["nodes"]["v0"]["label"] == label
    assert re.search(r'<div id="graph"><svg', page)
