"""draw_dot's whole dot source for small graphs, shared-leaf references, clusters, the text view and the explorer's data."""

import random
import re
import warnings
from pathlib import Path

import pytest

import engine
import viz
from engine import Value
from nn import MLP
from viz import draw_dot
from viz.explorer import explorer_data
from viz.renderer import INSTALL_HINT, TOO_SLOW, RenderError, RenderTimeout

HEAD = ("digraph {\n\tgraph [fontname=Helvetica fontsize=11 rankdir=LR]\n\tnode [fontname=Helvetica fontsize=11]\n"
        "\tedge [fontname=Helvetica fontsize=9]\n")
TABLE = ('\t{id} [label=<<TABLE BORDER="1" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{fill}">'
         "<TR>{cells}</TR></TABLE>> shape=plain]\n")
KIND_LEGEND = ('\tlegend [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">'  # the kinds drawn, no parameter
               '<TR><TD BGCOLOR="#cfe8ff">  </TD><TD ALIGN="LEFT">input</TD></TR>'
               '<TR><TD BGCOLOR="#eeeeee">  </TD><TD ALIGN="LEFT">constant</TD></TR>'
               '<TR><TD BGCOLOR="#c8f0c8">  </TD><TD ALIGN="LEFT">output</TD></TR></TABLE>> fontsize=9 shape=note]\n')
GRAD_LEGEND = ('\tlegend [label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">'
               '<TR><TD BGCOLOR="#ff3333">  </TD><TD ALIGN="LEFT">positive grad</TD></TR>'
               '<TR><TD BGCOLOR="#3333ff">  </TD><TD ALIGN="LEFT">negative grad</TD></TR>'
               '<TR><TD BGCOLOR="#bdbdbd">  </TD><TD ALIGN="LEFT">zero grad</TD></TR>'
               '<TR><TD BGCOLOR="#ff00ff">  </TD><TD ALIGN="LEFT">nan or inf</TD></TR></TABLE>> fontsize=9 shape=note]\n')


def table(node_id: str, fill: str, *cells: str) -> str:
    return TABLE.format(id=node_id, fill=fill, cells="".join(f"<TD>{c}</TD>" for c in cells))


def op(node_id: str, label: str) -> str:
    return f"\t{node_id}_op [label={label} fontsize=10 height=0.3 margin=0.02 shape=ellipse]\n"


def small():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + 1
    c.label = "c"
    c.backward()
    return c


def test_the_whole_source_of_a_small_graph_coloured_by_kind() -> None:
    assert draw_dot(small()).source == (
        HEAD
        + table("v0", "#cfe8ff", "<B>a</B>", "data 2", "grad -3")
        + table("v1", "#cfe8ff", "<B>b</B>", "data -3", "grad 2")
        + table("v2", "#ffffff", "data -6", "grad 1") + op("v2", '"*"')
        + "\tv0 -> v2_op\n\tv1 -> v2_op\n\tv2_op -> v2\n"
        + table("v3", "#eeeeee", "data 1", "grad 1")
        + table("v4", "#c8f0c8", "<B>c</B>", "data -5", "grad 1") + op("v4", '"+"')
        + "\tv2 -> v4_op\n\tv3 -> v4_op\n\tv4_op -> v4\n"
        + KIND_LEGEND + "}\n")


def test_the_whole_source_coloured_by_grad_top_to_bottom() -> None:
    src = draw_dot(small(), color_by="grad", rankdir="TB", precision=2).source
    assert src == (
        HEAD.replace("rankdir=LR", "rankdir=TB")
        + table("v0", "#3232ff", "<B>a</B>", "data 2", "grad -3")
        + table("v1", "#ff7777", "<B>b</B>", "data -3", "grad 2")
        + table("v2", "#ffbbbb", "data -6", "grad 1") + op("v2", '"*"')
        + "\tv0 -> v2_op\n\tv1 -> v2_op\n\tv2_op -> v2\n"
        + table("v3", "#ffbbbb", "data 1", "grad 1")
        + table("v4", "#ffbbbb", "<B>c</B>", "data -5", "grad 1") + op("v4", '"+"')
        + "\tv2 -> v4_op\n\tv3 -> v4_op\n\tv4_op -> v4\n"
        + GRAD_LEGEND + "}\n")
    logged = draw_dot(small(), color_by="grad", log_scale=True, legend=False).source
    fills = re.findall(r'BGCOLOR="(#\w+)"', logged)
    assert fills[1] != "#ff7777" and fills[1].startswith("#ff")  # log scale: 2 of 3 is nearly full strength


def test_no_colour_means_white_tables_and_no_legend() -> None:
    src = draw_dot(small(), color_by=None).source
    assert set(re.findall(r'BGCOLOR="(#\w+)"', src)) == {"#ffffff"} and "legend" not in src
    src = draw_dot(small(), legend=False).source
    assert "legend" not in src and src.endswith("\tv4_op -> v4\n}\n")
    p = Value(1.0, label="p")
    src = draw_dot(p * Value(2.0, label="x"), parameters={p}, legend=False).source
    assert table("v0", "#ffd9a8", "<B>p</B>", "data 1", "grad 0") in src
    assert table("v1", "#cfe8ff", "<B>x</B>", "data 2", "grad 0") in src


def test_a_model_scope_is_a_dashed_cluster_and_clusters_can_be_off() -> None:
    random.seed(0)
    model = MLP(1, [1])
    out = model([1.0])
    w, b = model.parameters()
    src = draw_dot(out, legend=False, precision=3).source
    assert src == (
        HEAD + table("v2", "#cfe8ff", "<B>x0</B>", "data 1", "grad 0")
        + "\tv0 -> v3_op\n\tv2 -> v3_op\n\tv1 -> v3_op\n\tv3_op -> v3\n"
        + "\tsubgraph cluster_0 {\n"
        + '\t\tcolor="#888888" fontsize=10 label="layer0.neuron0" style=dashed\n'
        + "\t" + table("v0", "#ffd9a8", "<B>w0</B>", f"data {w.data:.3g}", "grad 0")
        + "\t" + table("v1", "#ffd9a8", "<B>b</B>", "data 0", "grad 0")
        + "\t" + table("v3", "#c8f0c8", f"data {out.data:.3g}", "grad 0")
        + "\t" + op("v3", '"Σw·x"') + "\t}\n}\n")
    flat = draw_dot(out, legend=False, clusters=False).source
    assert "subgraph" not in flat and flat.count("shape=plain") == 4
    random.seed(0)
    two = MLP(1, [2])
    assert re.findall(r"subgraph (cluster_\d+) \{\n\t\tcolor=\"#888888\" fontsize=10 label=\"([\w.]+)\"",
                      draw_dot(two([1.0])[1]).source) == [("cluster_0", "layer0.neuron1")]
    folded = draw_dot(out, max_nodes=3).source
    assert "subgraph" not in folded


def chain(steps: int, a: Value, b: Value) -> Value:
    h = Value(0.0, label="h")
    for _ in range(steps):
        h = h * a + b
    return h


@pytest.mark.parametrize("steps, shared", [(3, False), (4, True)])
@pytest.mark.parametrize("a_label", ["a", ""])
def test_a_leaf_used_more_than_three_times_in_a_big_graph_is_referenced(steps, shared, a_label) -> None:
    a, b = Value(0.5, label=a_label), Value(1.0, label="b")
    y = chain(steps, a, b) + engine.sum([Value(float(i)) for i in range(8)])  # over 15 values in all
    src = draw_dot(y, legend=False, max_size=None).source  # unfolded: these chains are wider than a notebook
    refs = re.findall(r'^\t(\w+) \[label="(\w+) \(shared\)" fontsize=9 shape=box style="dashed,rounded" '
                      r'tooltip="(\w+) again: the shared value drawn in full once"\]\n\t(\w+) -> (\w+)$', src, re.M)
    if not shared:
        assert refs == [] and "shared" not in src
        return
    a_name = a_label or "v0"
    assert refs == [("v0_use2", a_name, a_name, "v0_use2", "v5_op"), ("v1_use2", "b", "b", "v1_use2", "v6_op"),
                    ("v0_use3", a_name, a_name, "v0_use3", "v7_op"), ("v1_use3", "b", "b", "v1_use3", "v8_op"),
                    ("v0_use4", a_name, a_name, "v0_use4", "v9_op"), ("v1_use4", "b", "b", "v1_use4", "v10_op")]
    assert re.findall(r"^\t(v[01]) -> (\w+)$", src, re.M) == [("v0", "v3_op"), ("v1", "v4_op")]


def test_sharing_needs_more_than_fifteen_values() -> None:
    a, b = Value(0.5, label="a"), Value(1.0, label="b")
    y = chain(4, a, b)  # h, a, b and 8 results: 11 values
    assert "(shared)" not in draw_dot(y, max_size=None).source  # unfolded, to count every value
    bigger = y + engine.sum([Value(float(i)) for i in range(3)])  # 11 + 3 + sum + add = 16
    assert len(engine.topological_order(bigger)) == 16
    assert "(shared)" in draw_dot(bigger, max_size=None).source
    exact = y + engine.sum([Value(float(i)) for i in range(2)])  # 15 values: drawn as they are
    assert len(engine.topological_order(exact)) == 15
    assert "(shared)" not in draw_dot(exact, max_size=None).source


def test_the_text_view_lines() -> None:
    x = Value(2.0, label="x")
    y = (x ** 3).leaky_relu(0.1)
    hand = Value(1.0, (x,), "")
    named = Value(4.0, (x,), "sq")
    z = y + hand + named
    hand._backward = named._backward = lambda: None
    z.backward()
    assert viz.text_view(z) == "\n".join([
        "v0 x = input  data=2  grad=12",
        "v1 = pow(v0, k=3)  data=8  grad=1",
        "v2 = leaky_relu(v1, slope=0.1)  data=8  grad=1",
        "v3 = hand-made(v0)  data=1  grad=1",
        "v4 = sq(v0)  data=4  grad=1",
        "v5 = add(v2, v3)  data=9  grad=1",
        "v6 = add(v5, v4)  data=13  grad=1",
    ])
    random.seed(0)
    model = MLP(1, [1])
    lines = viz.text_view(model([1.0])).splitlines()
    w = model.parameters()[0]
    assert lines == [f"v0 w0 = parameter  data={w.data:.6g}  grad=0  [layer0.neuron0]",
                     "v1 b = parameter  data=0  grad=0  [layer0.neuron0]", "v2 x0 = input  data=1  grad=0",
                     f"v3 = dot(v0, v2, v1)  data={w.data:.6g}  grad=0  [layer0.neuron0]"]


def test_a_huge_graph_gets_its_folded_text_view() -> None:
    y = engine.sum([Value(float(i)) for i in range(2100)])
    graph = draw_dot(y)
    assert graph.text_view.splitlines() == [  # the items drawn, then what was folded (was: the notes alone)
        "v2100_more = [+2097 more inputs]", "v0 = input  data=0  grad=0", "v1 = input  data=1  grad=0",
        "v2 = input  data=2  grad=0", "v2100 = sum(v0, v1, v2, +2097 more)  data=2.20395e+06  grad=0",
        "folded: 2097 of the 2100 inputs of Σ folded; 2097 of 2101 values not drawn"]
    assert viz.text_view(y) == graph.text_view
    unfolded = draw_dot(y, max_nodes=None, max_size=None).text_view
    assert unfolded == ("a graph of 2101 values, drawn unfolded (max_nodes=None, max_size=None): too long to list "
                        "here; fold it with the default max_nodes and max_size, or print it with viz.text")
    assert len(viz.text_view(y, max_nodes=None, max_size=None).splitlines()) == 2101  # asked for: every line


def test_explorer_data_is_the_engines_backward_pass() -> None:
    c = small()
    grads = [v.grad for v in engine.topological_order(c)]
    assert explorer_data(c) == {
        "root": "v4",
        "nodes": {"v0": {"label": "a", "op": "", "kind": "input", "data": 2.0, "locals": []},
                  "v1": {"label": "b", "op": "", "kind": "input", "data": -3.0, "locals": []},
                  "v2": {"label": "", "op": "*", "kind": "intermediate", "data": -6.0,
                         "locals": [["v0", "b", -3.0], ["v1", "a", 2.0]]},
                  "v3": {"label": "", "op": "", "kind": "constant", "data": 1.0, "locals": []},
                  "v4": {"label": "c", "op": "+", "kind": "output", "data": -5.0,
                         "locals": [["v2", "1", 1.0], ["v3", "1", 1.0]]}},
        "steps": [{"node": "v4", "adjoint": 1.0, "sent": [["v2", 1.0], ["v3", 1.0]]},
                  {"node": "v2", "adjoint": 1.0, "sent": [["v0", -3.0], ["v1", 2.0]]}]}
    assert [v.grad for v in engine.topological_order(c)] == grads  # put back as they were
    x = Value(3.0)
    y = x * x
    assert explorer_data(y)["nodes"]["v1"]["locals"] == [["v0", "v0", 3.0], ["v0", "v0", 3.0]]


def test_save_writes_each_suffix_and_falls_back_with_advice(tmp_path: Path, monkeypatch) -> None:
    c = small()
    written = viz.save(c, tmp_path / "g.DOT", rankdir="TB")
    assert written == tmp_path / "g.DOT" and written.read_text() == draw_dot(c, rankdir="TB").source
    calls = []

    def fake(source, fmt, timeout=None):
        calls.append((source, fmt, timeout))
        return b"<svg>picture</svg>"

    monkeypatch.setattr("viz.files.render", fake)
    out = viz.save(c, tmp_path / "g.SVG", timeout=3)
    assert out == tmp_path / "g.SVG" and out.read_bytes() == b"<svg>picture</svg>"
    assert calls == [(draw_dot(c).source, "svg", 3)]

    def broken(source, fmt, timeout=None):
        raise RenderError("no Graphviz renderer was found")

    monkeypatch.setattr("viz.files.render", broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = viz.save(c, tmp_path / "h.png")
    assert out == tmp_path / "h.dot" and out.read_text() == draw_dot(c).source
    assert [w.category for w in caught] == [viz.RenderWarning]
    assert str(caught[0].message) == (
        f"could not write {tmp_path / 'h.png'} (no Graphviz renderer was found); wrote the graph source to "
        f"{tmp_path / 'h.dot'} instead. To get pictures, {INSTALL_HINT}.")

    def slow(source, fmt, timeout=None):
        raise RenderTimeout("dot took longer than 3 s and was stopped")

    monkeypatch.setattr("viz.files.render", slow)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = viz.save(c, tmp_path / "s.svg")
    assert str(caught[0].message) == (
        f"could not write {tmp_path / 's.svg'} (dot took longer than 3 s and was stopped); wrote the graph source "
        f"to {tmp_path / 's.dot'} instead. {TOO_SLOW}")
    assert not (tmp_path / "s.svg").exists() and not (tmp_path / "h.png").exists()


def test_render_errors_say_what_happened(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: None)
    with pytest.raises(RenderError) as e:
        viz.render("digraph {}", "svg")
    assert str(e.value) == "no Graphviz renderer was found" and type(e.value) is RenderError
    broken = tmp_path / "broken"
    broken.write_text("#!/bin/sh\ncat >/dev/null\necho '  it broke  ' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: str(broken))
    with pytest.raises(RenderError) as e:
        viz.render("digraph {}", "png")
    assert str(e.value) == f"{broken} failed: it broke"
    silent = tmp_path / "silent"
    silent.write_text("#!/bin/sh\ncat >/dev/null\nexit 0\n")
    silent.chmod(0o755)
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: str(silent))
    with pytest.raises(RenderError) as e:
        viz.render("digraph {}", "svg")
    assert str(e.value) == f"{silent} failed: "
    echo = tmp_path / "echo"
    echo.write_text("#!/bin/sh\necho \"$1\"\ncat\n")
    echo.chmod(0o755)
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: str(echo))
    assert viz.render("digraph {}", "png") == b"-Tpng\ndigraph {}"


def test_find_renderer_prefers_the_system_dot(tmp_path: Path, monkeypatch) -> None:
    found = {"dot": "/usr/bin/dot", "graphviz-pure": "/opt/graphviz-pure"}
    monkeypatch.setattr("viz.renderer.shutil.which", lambda name: found.get(name))
    assert viz.find_renderer() == "/usr/bin/dot"
    del found["dot"]
    assert viz.find_renderer() == "/opt/graphviz-pure"
    del found["graphviz-pure"]
    monkeypatch.setattr("viz.renderer.sys.executable", str(tmp_path / "python"))
    assert viz.find_renderer() is None
    (tmp_path / "graphviz-pure").write_text("#!/bin/sh\n")
    assert viz.find_renderer() is None  # not executable
    (tmp_path / "graphviz-pure").chmod(0o755)
    assert viz.find_renderer() == str(tmp_path / "graphviz-pure")
    (tmp_path / "graphviz-pure").unlink()
    (tmp_path / "graphviz-pure").mkdir()
    assert viz.find_renderer() is None  # a directory is no renderer
