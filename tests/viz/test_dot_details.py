"""draw_dot's exact output: edge labels, folded boxes and their notes, colours, the notebook bundle, the text view."""

import io
import math
import random
import re
import sys
from pathlib import Path

import pytest

import engine
import viz
from engine import Value
from nn import MLP
from viz import draw_dot, style
from viz.explorer import ExplorerPage
from viz.plan import plan
from viz.renderer import TOO_SLOW, RenderTimeout


def edge_lines(source: str):
    """Every edge statement, whole (labels may span lines)."""
    return re.findall(r"^\t(\w+ -> \w+.*?)$(?=\n\t|\n\})", source, re.M | re.S)


def test_edge_labels_name_the_local_derivative_and_what_was_sent() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a + b
    c.backward()
    # the local derivative of + is the bare number 1: shown once, not "1 = 1"
    assert edge_lines(draw_dot(c, show_local=True, legend=False).source) == [
        'v0 -> v2_op [label="1\nsends 1"]', 'v1 -> v2_op [label="1\nsends 1"]', "v2_op -> v2"]
    m = a * b
    assert edge_lines(draw_dot(m, show_local=True, legend=False).source) == [
        'v0 -> v2_op [label="b = 3"]', 'v1 -> v2_op [label="a = 2"]', "v2_op -> v2"]


def test_an_undefined_local_derivative_is_said_on_every_edge() -> None:
    x = Value(0.0, label="x")
    assert edge_lines(draw_dot(x.sqrt(), show_local=True, legend=False).source) == [
        "v0 -> v1_op [label=undefined]", "v1_op -> v1"]
    z = Value(0.0, label="z")
    y = z.sqrt() * 2
    lines = edge_lines(draw_dot(y, show_local=True, legend=False).source)
    assert lines[0] == "v0 -> v1_op [label=undefined]"


def test_a_hand_written_backward_is_named_on_its_edges() -> None:
    x = Value(0.5, label="x")
    out = Value(math.tanh(x.data), (x, x), "mytanh")
    out._backward = lambda: None
    assert edge_lines(draw_dot(out, show_local=True, legend=False).source) == [
        'v0 -> v1_op [label="hand-written _backward"]', 'v0 -> v1_op [label="hand-written _backward"]',
        "v1_op -> v1"]


def test_folded_boxes_shapes_styles_and_notes() -> None:
    random.seed(0)
    model = MLP(10, [1])
    out = model([float(i) for i in range(10)])
    src = draw_dot(out, max_nodes=20).source
    assert '\tscope_0_more [label="+7 more inputs" fontsize=10 shape=note style=""]\n' in src
    assert '\tscope_0 [label="layer0: 1 neuron, 12 values" fontsize=10 shape=box3d style=dashed]\n' in src
    assert [e for e in edge_lines(src) if e.endswith("scope_0 [style=dashed]")] == [
        "v11 -> scope_0 [style=dashed]", "v12 -> scope_0 [style=dashed]", "v13 -> scope_0 [style=dashed]",
        "scope_0_more -> scope_0 [style=dashed]"]
    assert ('label="folded: layer0 collapsed (12 values)\\l7 of the 10 inputs of layer0 folded\\l'
            '7 of 22 values not drawn\\l" labelloc=b') in src  # a note a line, so the caption stays narrow


def test_a_depth_cut_is_a_plain_note() -> None:
    y = Value(1.0, label="start")
    for _ in range(4):
        y = y * 2
    src = draw_dot(y, max_depth=1, legend=False).source
    assert re.search(r'\t(v\d+_deep) \[label="\.\.\. deeper than 1" fontsize=10 shape=note style=""\]\n', src)
    assert re.findall(r"\tv\d+_deep -> v\d+_op\n", src) == ["\tv6_deep -> v6_op\n"]


@pytest.mark.parametrize("make, name", [
    (lambda xs: engine.sum(xs), "Σ"),
    (lambda xs: Value(1.0, tuple(xs), ""), "v10"),
])
def test_fold_notes_name_the_item(make, name) -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(10)]
    assert plan(make(xs), max_nodes=10).notes == [f"7 of the 10 inputs of {name} folded", "7 of 11 values not drawn"]
    total = engine.sum(xs)
    total.label = "total"
    assert plan(total, max_nodes=10).notes[0] == "7 of the 10 inputs of total folded"


def red(strength: float) -> str:
    fade = int(255 * (1 - 0.8 * strength))  # full strength keeps a fifth of white
    return f"#ff{fade:02x}{fade:02x}"


def blue(strength: float) -> str:
    fade = int(255 * (1 - 0.8 * strength))
    return f"#{fade:02x}{fade:02x}ff"


def test_gradient_colours_exactly() -> None:
    g = style.grad_colour
    assert g(1.0, 1.0) == red(1.0) == "#ff3232" and g(-1.0, 1.0) == blue(1.0)
    assert g(0.5, 1.0) == red(0.5) == "#ff9999" and g(-0.5, 2.0) == blue(0.25) == "#ccccff"
    assert g(2.0, 1.0) == red(1.0)  # beyond the largest: full strength, no further
    assert g(0.0, 1.0) == g(1.0, 0.0) == style.ZERO_GRAD
    assert g(math.inf, 1.0) == g(-math.inf, 1.0) == g(math.nan, 0.0) == style.NOT_FINITE
    # log scale: six decades fade to white; 1e-3 of the largest is half strength
    assert g(1e-2, 10.0, log=True) == "#ff9999" and g(-1e-2, 10.0, log=True) == "#9999ff"
    assert g(1e-3, 1.0, log=True) == "#ff9999"
    assert g(1.0, 1.0, log=True) == red(1.0)
    assert g(1e-9, 1.0, log=True) == "#ffffff"
    assert g(1e-5, 1.0, log=True) == f"#ff{int(255 * (1 - 0.8 / 6)):02x}{int(255 * (1 - 0.8 / 6)):02x}"


def test_largest_grad_ignores_non_finite_and_is_zero_for_none() -> None:
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    a.grad, b.grad, c.grad = -4.0, math.nan, 2.0
    assert style.largest_grad([a, b, c]) == 4.0
    assert style.largest_grad([b]) == 0.0 and style.largest_grad([]) == 0.0


def test_notebook_bundle_svg_with_the_text_view(monkeypatch) -> None:
    if viz.find_renderer() is None:
        pytest.skip("no Graphviz renderer")
    a = Value(2.0, label="a")
    y = a * 3
    graph = draw_dot(y)
    bundle = graph._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert "<svg" in bundle["image/svg+xml"] and bundle["text/plain"] == viz.text_view(y)
    bare = viz.Graph()
    bare.node("n")
    bundle = bare._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"} and bundle["text/plain"] == "<chainrule graph>"


def test_notebook_bundle_without_a_picture(monkeypatch) -> None:
    y = Value(2.0, label="a") * 3
    graph = draw_dot(y)

    def slow(source, fmt, timeout=None):
        raise RenderTimeout(f"dot took longer than {timeout:g} s and was stopped")

    monkeypatch.setattr("viz.digraph.render", slow)
    assert graph._repr_mimebundle_() == {
        "text/plain": f"(dot took longer than 10 s and was stopped. {TOO_SLOW})\n{viz.text_view(y)}"}
    monkeypatch.undo()
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: None)
    assert graph._repr_mimebundle_() == {"text/plain": viz.text_view(y)}
    bare = viz.Graph()
    bare.node("n")
    assert bare._repr_mimebundle_() == {"text/plain": bare.source}


def test_text_goes_to_the_file_given_else_standard_output(capsys) -> None:
    a = Value(2.0, label="a")
    y = a * -3.0
    y.backward()
    expected = "v0 a = input  data=2  grad=-3\nv1 = constant  data=-3  grad=2\nv2 = mul(v0, v1)  data=-6  grad=1\n"
    buffer = io.StringIO()
    viz.text(y, file=buffer)
    assert buffer.getvalue() == expected and capsys.readouterr().out == ""
    viz.text(y)
    assert capsys.readouterr().out == expected


def test_explorer_page_shows_itself_inline(tmp_path: Path) -> None:
    path = tmp_path / "a&b.html"
    path.write_text("<p class=\"x\">Tom & 'Jerry'</p>")
    page = ExplorerPage(path)
    assert page._repr_html_() == (
        '<iframe srcdoc="&lt;p class=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/p&gt;" '
        'title="chainrule explorer: a&amp;b.html" style="width: 100%; height: 560px; border: 1px solid #ccc"></iframe>')


def test_the_renderer_dies_with_its_parent(tmp_path: Path, monkeypatch) -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    probe = tmp_path / "probe"
    probe.write_text(f"#!{sys.executable}\n"
                     "import ctypes, sys\n"
                     "sig = ctypes.c_int(-1)\n"
                     "ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(sig))\n"
                     "sys.stdin.read()\n"
                     "print(sig.value, end='')\n")
    probe.chmod(0o755)
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: str(probe))
    assert viz.render("digraph {}", "svg") == b"9"


def test_folded_inputs_carry_no_edge_labels() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(9)]
    total = engine.sum(xs)
    folded = edge_lines(draw_dot(total, show_local=True, max_nodes=9, legend=False).source)
    assert folded == ["v0 -> v9_op", "v1 -> v9_op", "v2 -> v9_op", "v9_more -> v9_op", "v9_op -> v9"]
    whole = edge_lines(draw_dot(total, show_local=True, legend=False).source)
    assert whole[:2] == ['v0 -> v9_op [label=1]', 'v1 -> v9_op [label=1]'] and len(whole) == 10
    assert edge_lines(draw_dot(total, legend=False).source)[0] == "v0 -> v9_op"
