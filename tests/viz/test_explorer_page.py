"""viz.explorer writes the page from draw_dot's drawing (every Value, no clusters) and the engine's steps."""

import json
import random
import re
import sys
from pathlib import Path

import pytest

import engine
import viz
from engine import Value
from nn import MLP
from viz import DrawOptions, draw_dot
from viz.explorer import ExplorerPage, explorer_data
from viz.renderer import RenderError

FAKE_SVG = b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN">\n<svg id="one"><g/></svg><svg id="two"/>'


@pytest.fixture
def renders(monkeypatch):
    calls = []

    def fake(source, fmt, timeout=None):
        calls.append((source, fmt, timeout))
        return FAKE_SVG

    monkeypatch.setattr(sys.modules["viz.explorer"], "render", fake)  # viz.explorer is also the function
    return calls


def data_of_page(text: str) -> dict:
    return json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S).group(1))


def test_the_page_holds_the_drawing_and_the_steps(tmp_path: Path, renders) -> None:
    random.seed(0)
    model = MLP(2, [2, 1])
    out = model([1.0, -2.0])
    out.label = "o</script>"
    page = viz.explorer(out, str(tmp_path / "e.html"), DrawOptions(rankdir="TB", precision=3), timeout=7)
    assert isinstance(page, ExplorerPage) and page == tmp_path / "e.html"
    expected_source = draw_dot(out, rankdir="TB", precision=3, max_nodes=None, max_size=None, clusters=False).source
    assert renders == [(expected_source, "svg", 7)]
    assert "subgraph" not in expected_source
    text = page.read_text()
    assert '<div id="graph"><svg id="one"><g/></svg><svg id="two"/></div>' in text
    assert "<?xml" not in text and "DOCTYPE svg" not in text and "__SVG__" not in text and "__DATA__" not in text
    # The data cannot end its element early: no "<" of a label reaches the page as itself.
    assert "o</script>" not in text and "o\\u003c/script\\u003e" in text
    assert data_of_page(text) == json.loads(json.dumps(explorer_data(out)))
    assert data_of_page(text)["nodes"][data_of_page(text)["root"]]["label"] == "o</script>"


def test_the_explorer_draws_every_value_of_a_big_graph(tmp_path: Path, renders) -> None:
    y = engine.sum([Value(float(i)) for i in range(499)])  # 500 values: the most the explorer steps through
    viz.explorer(y, tmp_path / "big.html")
    source, fmt, timeout = renders[0]
    assert source.count("<TABLE") == 500 + 1 and "folded" not in source  # every value, and the legend
    assert (fmt, timeout) == ("svg", 10.0)
    with pytest.raises(ValueError) as e:
        viz.explorer(engine.sum([Value(float(i)) for i in range(500)]), tmp_path / "bigger.html")
    assert str(e.value).startswith("explorer steps through graphs of up to 500 values; this one has 501. ")


def test_without_a_renderer_the_explorer_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: None)
    with pytest.raises(RenderError) as e:
        viz.explorer(Value(1.0, label="x") * 2, tmp_path / "e.html")
    assert str(e.value) == "explorer needs a renderer for its drawing: no Graphviz renderer was found"
    assert e.value.__cause__ is None and e.value.__suppress_context__
    assert not (tmp_path / "e.html").exists()
