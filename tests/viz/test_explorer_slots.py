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


def test_the_payload_is_strict_json_and_a_non_finite_number_is_an_error_not_a_dead_page(tmp_path) -> None:
    import json

    from viz.explorer import script_json

    x = Value(1e-300, label="x")
    x.grad = float("inf")  # a grad may hold inf until used; the explorer replays on fresh grads
    y = (x * 1e300).tanh()
    page = viz.explorer(y, tmp_path / "e.html").read_text()
    payload = page.split('<script id="data" type="application/json">', 1)[1].split("</script>", 1)[0]

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the page's data")

    assert json.loads(payload, parse_constant=refuse)["root"] == "v3" and x.grad == float("inf")
    with pytest.raises(ValueError) as caught:
        script_json({"steps": [{"adjoint": float("nan")}]})
    assert str(caught.value) == ("explorer: the graph holds nan or inf, which a page cannot show; the engine refuses "
                                 "them where they arise (see engine.detect_anomaly)")


def test_values_sharing_a_label_are_told_apart_by_their_ids() -> None:
    from viz.explorer import explorer_data

    y = Value(1.0, label="x") * Value(2.0, label="x")
    assert [node["label"] for node in explorer_data(y)["nodes"].values()] == ["x (v0)", "x (v1)", ""]


def test_a_local_derivative_that_overflows_names_the_node_by_its_label() -> None:
    from viz.explorer import explorer_data

    x = Value(1e-160, label="x")
    q = 1 / x
    q.label = "q"
    with pytest.raises(ValueError) as caught:  # d(1/x)/dx = -1/x² = -1e320: past the floats
        explorer_data((-q).relu())
    assert str(caught.value) == ("explorer: the local derivative of / 'q' by its input 'x', -(v1/x)/x, is -inf here, "
                                 "which a page cannot show")
