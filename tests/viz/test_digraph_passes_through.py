"""The Digraph that draw_dot returns hands a renderer, neato's no-op or an outfile on to graphviz's own render and
pipe as given, and with no filename renders to the graph's own filename in its directory."""

from pathlib import Path

import graphviz
import pytest

from engine import Value
from viz import draw_dot


def graph():
    a = Value(2.0, label="a")
    return draw_dot(a * 3)


def test_a_renderer_alone_goes_to_graphviz_pipe_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(graphviz.Digraph, "pipe", lambda self, *a, **k: calls.append((a, k)) or b"p")
    assert graph().pipe("png", "cairo") == b"p"
    assert calls == [(("png", "cairo", None, None, False), {"engine": None, "encoding": None})]


def test_neato_no_op_and_an_outfile_go_to_graphviz_render_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(graphviz.Digraph, "render", lambda self, *a, **k: calls.append((a, k)) or "r")
    assert graph().render(neato_no_op=2, outfile="o.png") == "r"
    assert calls == [((None, None, False, False, None, None, None, 2, False, False),
                      {"outfile": "o.png", "engine": None, "raise_if_result_exists": False,
                       "overwrite_source": False})]


def test_with_no_filename_the_picture_takes_the_graphs_own_name_and_folder(tmp_path: Path) -> None:
    g = graph()
    g.filename, g.directory = "picture", str(tmp_path)
    written = g.render(format="svg")
    assert Path(written) == tmp_path / "picture.svg"
    assert (tmp_path / "picture.svg").read_bytes().startswith(b"<?xml")
