"""draw_dot and save: what is drawn, in which order, and rendering on any machine."""

import re
import warnings
from pathlib import Path

import graphviz
import pytest

import viz
from engine import Value
from viz import RenderWarning, draw_dot, save


def small_graph() -> Value:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = (a * b + a * a).tanh()
    y.label = "y"
    return y


def edges(source: str):
    return re.findall(r"^\s*(\w+) -> (\w+)", source, flags=re.M)


def test_a_node_per_value_an_op_node_per_operation_and_argument_order() -> None:
    y = small_graph()
    y.backward()
    graph = draw_dot(y)
    assert isinstance(graph, graphviz.Digraph) and graph.format == "svg"
    src = graph.source
    records = re.findall(r'^\s*(v\d+) \[label="\{ (.*?) \}"', src, flags=re.M)
    assert len(records) == 6  # a, b, a*b, a*a, sum, tanh
    labels = dict(records)
    assert labels["v0"].startswith("a | data 2 | grad ")
    assert "y | data" in labels["v5"]
    # a*b: a then b; a*a: a twice, as the tuple _prev says
    assert edges(src)[:3] == [("v0", "v2_op"), ("v1", "v2_op"), ("v2_op", "v2")]
    assert edges(src)[3:5] == [("v0", "v3_op"), ("v0", "v3_op")]
    assert re.search(r'v3_op \[label="\*"', src)


def test_ids_are_stable_across_runs() -> None:
    first = draw_dot(small_graph()).source
    Value(1.0) * 2  # unrelated Values made in between change nothing
    assert draw_dot(small_graph()).source == first


def test_options_and_bad_arguments() -> None:
    assert "rankdir=TB" in draw_dot(small_graph(), rankdir="TB").source
    assert draw_dot(small_graph(), format="png").format == "png"
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(small_graph(), rankdir="XY")
    with pytest.raises(ValueError, match="format 'gif2'"):
        draw_dot(small_graph(), format="gif2")
    with pytest.raises(TypeError, match="needs a Value, got float"):
        draw_dot(1.0)


def test_labels_with_record_syntax_are_escaped_and_render(tmp_path: Path) -> None:
    x = Value(1e-6, label='w{1}|<in> "q" \\')
    out = save(x * 2, tmp_path / "odd.svg")
    assert out.suffix == ".svg" and "<svg" in out.read_text()


def test_deep_graph_draws_without_recursion() -> None:
    y = Value(1.0)
    for _ in range(20_000):
        y = y * 1.0
    assert draw_dot(y).source.count("->") == 3 * 20_000


def test_save_dot_needs_no_renderer(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(viz.render, "find_renderer", lambda: None)
    path = save(small_graph(), tmp_path / "g.dot")
    assert path == tmp_path / "g.dot" and path.read_text().startswith("digraph")


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG")])
def test_save_renders_pictures(tmp_path: Path, suffix: str, magic: bytes) -> None:
    if viz.find_renderer() is None:
        pytest.skip("no Graphviz renderer: pip install graphviz-pure")
    path = save(small_graph(), tmp_path / f"g{suffix}")
    assert magic in path.read_bytes()[:400]
    assert not list(tmp_path.glob(".*tmp"))  # the temporary file was renamed into place


def test_graphviz_pure_is_found_beside_the_interpreter(tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "graphviz-pure").write_text("#!/bin/sh\n")
    (fake / "graphviz-pure").chmod(0o755)
    monkeypatch.setattr(viz.render.sys, "executable", str(fake / "python"))
    monkeypatch.setattr(viz.render.shutil, "which", lambda name: None)
    assert viz.find_renderer() == str(fake / "graphviz-pure")


def test_without_any_renderer_save_writes_dot_and_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(viz.render, "find_renderer", lambda: None)
    with pytest.warns(RenderWarning, match="pip install graphviz-pure"):
        path = save(small_graph(), tmp_path / "g.svg")
    assert path == tmp_path / "g.dot" and path.read_text().startswith("digraph")
    assert not (tmp_path / "g.svg").exists()


def test_a_failing_renderer_falls_back_too(tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "broken"
    broken.write_text("#!/bin/sh\necho 'it broke' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(viz.render, "find_renderer", lambda: str(broken))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = save(small_graph(), tmp_path / "g.png")
    assert path.suffix == ".dot" and "it broke" in str(caught[0].message)


def test_save_refuses_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.dot.*g\.jpg"):
        save(small_graph(), tmp_path / "g.jpg")
