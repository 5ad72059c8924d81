"""Labels are user data (a data set's column names, say): every output escapes them."""

import html
import shutil
import xml.dom.minidom
from pathlib import Path

import pytest

import viz
from engine import Value

HOSTILE = ['<img src=x onerror="window.hit=1">', "a & b", "it's \"quoted\"", "</script><script>window.hit=2</script>",
           "two\nlines", "x" * 300, "δ·ß → 日本"]


def graph(label: str) -> Value:
    x = Value(2.0, label=label)
    y = (x * x + 1).tanh()
    y.label = label  # the output too: the explorer names it in its first line
    y.backward()
    return y


@pytest.mark.parametrize("label", HOSTILE, ids=range(len(HOSTILE)))
def test_text_dot_and_svg_keep_a_hostile_label_as_text(label: str, tmp_path: Path) -> None:
    y = graph(label)
    assert label.split("\n")[0] in viz.text_view(y)
    source = viz.draw_dot(y, show_local=True).source
    tables = [line for line in source.splitlines() if "<TABLE" in line]  # HTML-like labels: escaped inside
    assert all("<img" not in t and "<script" not in t for t in tables)
    assert html.escape(label[:20]) in source or "\n" in label
    if viz.find_renderer() is not None:
        svg = viz.save(y, tmp_path / "g.svg", show_local=True).read_text()
        dom = xml.dom.minidom.parseString(svg)  # well-formed: nothing broke out of its element
        assert not dom.getElementsByTagName("img") and not dom.getElementsByTagName("script")


@pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer")
def test_the_explorer_runs_no_script_from_labels(tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run the browser tests")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no Chromium: install it (Debian: apt-get install chromium) to run the browser tests")
    pages = [viz.explorer(graph(label), tmp_path / f"e{i}.html") for i, label in enumerate(HOSTILE)]
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        page = chromium.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path, label in zip(pages, HOSTILE):
            page.goto(path.as_uri())
            page.click("#end")
            page.click("#reset")  # the "Before backward" line names the output
            assert page.evaluate("() => window.hit") is None, label
            assert label.split("\n")[0][:40] in page.inner_text("#panel") or "\n" in label
        chromium.close()
    assert dialogs == []
