"""draw_dot and save: what is drawn, in which order and colour, folding, and rendering anywhere."""

import math
import random
import re
import warnings
from pathlib import Path

import graphviz
import pytest

import viz
from engine import Value
from nn import MLP
from viz import RenderWarning, draw_dot, save


def small_graph() -> Value:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    y = (a * b + a * a).tanh()
    y.label = "y"
    return y


def edges(source: str):
    return re.findall(r"^\s*(\w+) -> (\w+)", source, flags=re.M)


def tables(source: str):
    """node id -> (fill colour, cell texts) for every Value drawn."""
    found = {}
    for nid, fill, row in re.findall(r'^\s*(v\d+) \[label=<<TABLE[^>]*BGCOLOR="([^"]+)"><TR>(.*?)</TR>', source, re.M):
        found[nid] = (fill, re.findall(r"<TD>(?:<B>)?(.*?)(?:</B>)?</TD>", row))
    return found


def test_a_table_per_value_an_op_node_per_operation_and_argument_order() -> None:
    y = small_graph()
    y.backward()
    graph = draw_dot(y)
    assert isinstance(graph, graphviz.Digraph) and graph.format == "svg"
    src = graph.source
    cells = tables(src)
    assert len(cells) == 6  # a, b, a*b, a*a, sum, tanh
    assert cells["v0"][1][:2] == ["a", "data 2"] and cells["v0"][1][2].startswith("grad ")
    assert cells["v5"][1][0] == "y"
    assert edges(src)[:3] == [("v0", "v2_op"), ("v1", "v2_op"), ("v2_op", "v2")]
    assert edges(src)[3:5] == [("v0", "v3_op"), ("v0", "v3_op")]  # a*a: two edges
    assert re.search(r'v3_op \[label="\*"', src)


def test_numbers_in_4g_so_small_gradients_stay_visible() -> None:
    x = Value(1e-6, label="x")
    y = x * 1e-3
    y.backward()
    assert tables(draw_dot(y).source)["v0"][1] == ["x", "data 1e-06", "grad 0.001"]


def test_ids_are_stable_across_runs() -> None:
    first = draw_dot(small_graph()).source
    Value(1.0) * 2  # unrelated Values made in between change nothing
    assert draw_dot(small_graph()).source == first


@pytest.mark.parametrize("rankdir", ["LR", "TB", "BT", "RL"])
def test_rankdirs(rankdir) -> None:
    assert f"rankdir={rankdir}" in draw_dot(small_graph(), rankdir=rankdir).source


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="rankdir"):
        draw_dot(small_graph(), rankdir="XY")
    with pytest.raises(ValueError, match="format 'gif2'"):
        draw_dot(small_graph(), format="gif2")
    with pytest.raises(TypeError, match="needs a Value, got float"):
        draw_dot(1.0)
    with pytest.raises(ValueError, match="color_by"):
        draw_dot(small_graph(), color_by="age")
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(small_graph(), max_nodes=0)


def test_labels_are_escaped_and_render(tmp_path: Path) -> None:
    odd = 'w{1}|<in> "q" & \\'
    x = Value(1e-6, label=odd)
    out = save(x * 2, tmp_path / "odd.svg")
    svg = out.read_text()
    assert "<svg" in svg and "w{1}|&lt;in&gt; &quot;q&quot; &amp; \\" in svg.replace("&#34;", "&quot;")


def test_colours_by_kind_with_a_legend() -> None:
    random.seed(0)
    model = MLP(2, [2, 1])
    out = (1 - model([1.0, 2.0])).relu()
    src = draw_dot(out).source
    colours = {cells[0]: fill for fill, cells in tables(src).values() if cells[0] in ("x0", "w0", "b")}
    assert colours == {"x0": viz.style.KIND_COLOURS["input"], "w0": viz.style.KIND_COLOURS["parameter"],
                       "b": viz.style.KIND_COLOURS["parameter"]}
    fills = [fill for fill, cells in tables(src).values()]
    assert viz.style.KIND_COLOURS["constant"] in fills  # the 1 in 1 - score
    assert tables(src)[max(tables(src), key=lambda k: int(k[1:]))][0] == viz.style.KIND_COLOURS["output"]
    assert "legend" in src and "parameter" in src
    w = Value(3.0, label="w")
    assert tables(draw_dot(w * Value(1.0, label="x"), parameters=[w]).source)["v0"][0] == viz.style.KIND_COLOURS["parameter"]


def test_colour_by_gradient_sign_size_zero_and_nan() -> None:
    a, b, c = Value(1.0, label="a"), Value(-1.0, label="b"), Value(-5.0, label="c")
    y = a * 4.0 + b * -0.5 + c.relu()
    y.backward()
    fills = {cells[0]: fill for fill, cells in tables(draw_dot(y, color_by="grad").source).values() if cells[0] in "abc"}
    assert fills["a"].startswith("#ff") and fills["b"].endswith("ff") and fills["c"] == viz.style.ZERO_GRAD
    red = int(fills["a"][3:5], 16)
    blue_fade = int(fills["b"][1:3], 16)
    assert red < blue_fade  # |4| is the largest: the most saturated
    assert viz.style.grad_colour(math.nan, 1.0) == viz.style.NOT_FINITE
    assert viz.style.grad_colour(1e-4, 1.0, log=True) != viz.style.grad_colour(1e-4, 1.0)  # log keeps it visible
    assert "zero grad" in draw_dot(y, color_by="grad").source


def test_show_local_labels_edges_with_formula_number_and_contribution() -> None:
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    n = (x1 * w1).tanh()
    src = draw_dot(n, show_local=True).source
    assert 'label="w1 = -3"' in src and 'label="x1 = 2"' in src and "1 - tanh" in src
    n.backward()
    src = draw_dot(n, show_local=True).source
    local = 1 - math.tanh(-6.0) ** 2
    assert f"w1 = -3\nsends {-3 * local:.4g}" in src


def test_scopes_become_dashed_clusters() -> None:
    random.seed(0)
    model = MLP(2, [2, 1])
    src = draw_dot(model([1.0, 2.0])).source
    clusters = re.findall(r'subgraph cluster_\d+ \{\s*\n\s*color="#888888" fontsize=10 label="([\w.]+)" style=dashed', src)
    assert sorted(clusters) == ["layer0.neuron0", "layer0.neuron1", "layer1.neuron0"]


def test_big_graphs_fold_into_scopes_and_stay_legible() -> None:
    from demos.moons import data, svm_loss

    X, y = data()
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    loss, _ = svm_loss(model, X, y)
    loss.backward()
    src = draw_dot(loss, max_size=None).source  # folded by max_nodes only: the model's scopes as boxes
    drawn = len(re.findall(r"^\s*(\w+) \[", src, re.M))
    assert drawn < 80  # from about 7,900 values
    assert "layer0: 16 neurons" in src and "layer1: 16 neurons" in src and "layer2: 1 neuron" in src
    assert "+97 more inputs" in src and "folded: " in src
    assert draw_dot(loss, max_nodes=None, max_size=None).source.count("<TABLE") > 7000  # unfolded on request
    assert "cut after" not in src and "fit 2000 px" in draw_dot(loss).source  # by default: cut to fit a notebook


def test_max_depth_cuts_far_nodes() -> None:
    y = Value(1.0, label="start")
    for _ in range(10):
        y = y * 2
    src = draw_dot(y, max_depth=3).source
    assert "start" not in src and "deeper than 3" in src and "cut at depth 3" in src


def test_deep_graph_draws_without_recursion() -> None:
    y = Value(1.0)
    for _ in range(20_000):
        y = y * 1.0
    assert draw_dot(y, max_nodes=None, max_size=None, legend=False).source.count("->") == 3 * 20_000


def test_notebook_display_svg_or_text(monkeypatch) -> None:
    graph = draw_dot(small_graph())
    if viz.find_renderer() is not None:
        bundle = graph._repr_mimebundle_()
        assert bundle["image/svg+xml"].lstrip().startswith("<?xml") or "<svg" in bundle["image/svg+xml"]
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: None)
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" not in bundle and "v5 y = tanh(v4)" in bundle["text/plain"]


def test_save_dot_needs_no_renderer(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: None)
    path = save(small_graph(), tmp_path / "g.dot")
    assert path == tmp_path / "g.dot" and path.read_text().startswith("digraph")


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<svg"), (".png", b"\x89PNG")])
def test_save_renders_pictures(tmp_path: Path, suffix: str, magic: bytes) -> None:
    if viz.find_renderer() is None:
        pytest.skip("no Graphviz renderer: pip install graphviz-pure")
    path = save(small_graph(), tmp_path / f"g{suffix}", show_local=True)
    assert magic in path.read_bytes()[:400]
    assert not list(tmp_path.glob(".*tmp"))  # the temporary file was renamed into place


def test_graphviz_pure_is_found_beside_the_interpreter(tmp_path: Path, monkeypatch) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "graphviz-pure").write_text("#!/bin/sh\n")
    (fake / "graphviz-pure").chmod(0o755)
    monkeypatch.setattr("viz.renderer.sys.executable", str(fake / "python"))
    monkeypatch.setattr("viz.renderer.shutil.which", lambda name: None)
    assert viz.find_renderer() == str(fake / "graphviz-pure")


def test_without_any_renderer_save_writes_dot_and_says_how_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: None)
    with pytest.warns(RenderWarning, match="pip install graphviz-pure"):
        path = save(small_graph(), tmp_path / "g.svg")
    assert path == tmp_path / "g.dot" and path.read_text().startswith("digraph")
    assert not (tmp_path / "g.svg").exists()


def test_a_failing_renderer_falls_back_too(tmp_path: Path, monkeypatch) -> None:
    broken = tmp_path / "broken"
    broken.write_text("#!/bin/sh\necho 'it broke' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr("viz.renderer.find_renderer", lambda: str(broken))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = save(small_graph(), tmp_path / "g.png")
    assert path.suffix == ".dot" and "it broke" in str(caught[0].message)


def test_save_refuses_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.dot.*g\.jpg"):
        save(small_graph(), tmp_path / "g.jpg")


def test_text_view_lists_every_node_in_order(capsys) -> None:
    y = small_graph()
    y.backward()
    viz.text(y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert lines[2].startswith("v2 = mul(v0, v1)  data=-6  grad=")
    assert lines[3].startswith("v3 = mul(v0, v0)") and lines[5].startswith("v5 y = tanh(v4)  data=")


def test_a_graph_with_a_hand_made_node_draws_in_every_view() -> None:
    from tests.engine.test_closures import my_tanh
    from viz.explorer import explorer_data

    x = Value(0.5, label="x")
    y = my_tanh(x * 2)
    y.label = "y"
    y.backward()
    source = draw_dot(y, show_local=True).source
    assert source.count("hand-written _backward") == 1 and "tanh" in source
    assert "y = tanh(v2)" in viz.text_view(y)
    data = explorer_data(y)
    assert data["nodes"][data["root"]]["locals"] == []  # no rule to show
    assert [s["node"] for s in data["steps"]][0] == data["root"]
    assert x.grad == pytest.approx(2 * (1 - math.tanh(1.0) ** 2), rel=1e-12)
