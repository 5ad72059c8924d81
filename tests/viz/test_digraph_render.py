"""The Digraph that draw_dot returns renders and pipes like graphviz's, through chainrule's renderer: with no
system `dot` on the PATH it uses graphviz-pure, and a render that fails leaves no file behind."""

import os
import shutil
import struct
import sys
from pathlib import Path

import graphviz
import pytest

from engine import Value
from viz import RenderError, draw_dot


def graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = (a * b + 10).tanh()
    y.backward()
    return draw_dot(y)


@pytest.fixture
def no_system_dot(tmp_path: Path, monkeypatch) -> Path:
    """A PATH with graphviz-pure (from this Python's environment) and no `dot`; returns a clean working folder."""
    pure = shutil.which("graphviz-pure") or str(Path(sys.executable).parent / "graphviz-pure")
    assert os.access(pure, os.X_OK), "graphviz-pure comes with chainrule"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "graphviz-pure").symlink_to(pure)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert shutil.which("dot") is None
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def png_size(data: bytes):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_render_writes_the_picture_and_nothing_else(no_system_dot: Path) -> None:
    g = graph()
    assert isinstance(g, graphviz.Digraph)
    assert g.render("x", format="png") == "x.png"
    assert sorted(p.name for p in no_system_dot.iterdir()) == ["x.png"]  # no stray source file `x`
    width, height = png_size((no_system_dot / "x.png").read_bytes())
    assert width > height > 50  # left to right: wider than tall
    assert g.render(outfile="sub/y.svg").replace(os.sep, "/") == "sub/y.svg"
    assert (no_system_dot / "sub" / "y.svg").read_text().lstrip().startswith("<?xml")
    assert g.render("z", directory="out") == os.path.join("out", "z.svg")  # the Digraph's own format
    with pytest.raises(FileExistsError):
        g.render("x", format="png", raise_if_result_exists=True)


def test_pipe_gives_bytes_or_text(no_system_dot: Path) -> None:
    g = graph()
    svg = g.pipe(format="svg")
    assert isinstance(svg, bytes) and b"<svg" in svg and b">a<" in svg
    assert png_size(g.pipe(format="png"))[0] > 50
    text = g.pipe(format="svg", encoding="utf-8")
    assert isinstance(text, str) and text == svg.decode()
    assert g._repr_image_svg_xml().startswith("<?xml")  # graphviz's own Jupyter hook, through pipe
    assert list(no_system_dot.iterdir()) == []


def test_with_no_renderer_at_all_render_fails_and_writes_nothing(no_system_dot: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(no_system_dot))  # an empty folder: no renderer of any kind
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: None)
    g = graph()
    with pytest.raises(RenderError, match="no Graphviz renderer"):
        g.render("x", format="png")
    with pytest.raises(RenderError):
        g.pipe(format="svg")
    assert list(no_system_dot.iterdir()) == []


def test_what_needs_the_system_graphviz_goes_to_graphviz_with_every_argument(monkeypatch) -> None:
    """Another layout engine, a renderer, a formatter or neato's no-op: graphviz's own render and pipe, handed
    every argument as given (their defaults are graphviz's)."""
    calls = []
    monkeypatch.setattr(graphviz.Digraph, "render", lambda self, *a, **k: calls.append(("render", a, k)) or "r")
    monkeypatch.setattr(graphviz.Digraph, "pipe", lambda self, *a, **k: calls.append(("pipe", a, k)) or b"p")
    g = graph()
    assert g.render("f", "d", False, True, "pdf", "cairo", "core", None, True, True, outfile=None, engine="neato",
                    raise_if_result_exists=True, overwrite_source=True) == "r"
    assert calls.pop() == ("render", ("f", "d", False, True, "pdf", "cairo", "core", None, True, True),
                           {"outfile": None, "engine": "neato", "raise_if_result_exists": True,
                            "overwrite_source": True})
    assert g.render(renderer="cairo") == "r"
    assert calls.pop() == ("render", (None, None, False, False, None, "cairo", None, None, False, False),
                           {"outfile": None, "engine": None, "raise_if_result_exists": False,
                            "overwrite_source": False})
    assert g.render(formatter="core") == "r" and calls.pop()[1][6] == "core"  # a formatter alone is enough
    assert g.pipe("png", None, "gd", None, True, engine="dot", encoding=None) == b"p"
    assert calls.pop() == ("pipe", ("png", None, "gd", None, True), {"engine": "dot", "encoding": None})
    assert g.pipe(neato_no_op=1, encoding="ascii") == b"p"
    assert calls.pop() == ("pipe", (None, None, None, 1, False), {"engine": None, "encoding": "ascii"})


def test_render_names_an_existing_file_views_the_picture_and_passes_the_timeout(no_system_dot, monkeypatch) -> None:
    g = graph()
    g.render("x", format="png")
    with pytest.raises(FileExistsError) as e:
        g.render("x", format="png", raise_if_result_exists=True)
    assert str(e.value) == "output file exists: 'x.png'"
    assert g.render("x", format="png", raise_if_result_exists=False) == "x.png"  # written again
    viewed = []
    monkeypatch.setattr(graphviz, "view", lambda path, quiet=None: viewed.append((path, quiet)))
    g.render(outfile="deep/er/v.svg", view=True, quiet_view=True)
    assert viewed == [(Path("deep/er/v.svg"), True)]
    assert g.render(outfile="w.svg", format="png").endswith("w.svg") and png_size((no_system_dot / "w.svg").read_bytes())
    seen = []
    import viz.digraph as digraph

    real = digraph.render
    monkeypatch.setattr(digraph, "render", lambda source, fmt, timeout: seen.append((fmt, timeout)) or real(source, fmt, timeout))
    g.render(outfile="t.png")
    g.pipe()
    assert seen == [("png", g.options.timeout), ("svg", g.options.timeout)]
