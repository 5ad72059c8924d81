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
    with pytest.raises(ValueError, match="explorer: the graph holds nan or inf, which a page cannot show"):
        script_json({"steps": [{"adjoint": float("nan")}]})
