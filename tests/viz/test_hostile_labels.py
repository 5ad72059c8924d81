"""Labels are user data (a data set's column names, say): every output escapes them, and any string draws."""

import warnings
import xml.dom.minidom
from pathlib import Path

import pytest

import viz
from engine import Value
from viz.dot import in_html
from viz.style import printable

from .browser import browser, launch

HOSTILE = ['<img src=x onerror="window.hit=1">', "a & b", "it's \"quoted\"", "</script><script>window.hit=2</script>",
           "two\nlines", "x" * 300, "δ·ß → 日本",
           # In a <script>, "<!--<script>" makes the parser swallow the page's own code up to the next </script>.
           "<!--<script>", "</script>", "<!--", "]]>",
           "line\u2028and\u2029paragraph",  # line ends to older JavaScript, inside a string
           "nul\x00here", "esc\x1b[31mred", "bell\x07 del\x7f c1\x85",  # not XML: the renderer refused them
           "lone \ud800 surrogate", "\udfff",  # UTF-8 cannot encode these: the source raised UnicodeEncodeError
           "back\\slash \\N \\G \\l", "ends in \\",  # graphviz reads \N as the node's name, \l as a line end
           # Every character below 256, both ends of each surrogate half, the BMP's non-characters, astral ones.
           "".join(map(chr, range(256))) + "\ud800\udbff\udc00\udfff\ufffe\uffff\U0001f600\U0010ffff"]


def graph(label: str) -> Value:
    x = Value(2.0, label=label)
    h = x * x + x  # x is used twice: its second use is drawn as a small "shared" reference, another label
    h.scope = label  # a scope is shown too: a cluster's title in the drawing, [scope] in the text view
    y = h.tanh()
    y.label = label  # the output too: the explorer names it in its first line
    y.backward()
    return y


@pytest.mark.parametrize("label", HOSTILE, ids=range(len(HOSTILE)))
def test_text_dot_and_svg_keep_a_hostile_label_as_text(label: str, tmp_path: Path) -> None:
    y = graph(label)
    shown = printable(label)  # what every output shows: the label, control characters and surrogates as escapes
    view = viz.text_view(y)
    assert shown.split("\n")[0] in view
    view.encode("utf-8")  # printable in a terminal or a file: no lone surrogate left
    assert "\x00" not in view and "\x1b" not in view  # nor a control character that would act on the terminal
    source = viz.draw_dot(y, show_local=True).source
    source.encode("utf-8")
    tables = [line for line in source.splitlines() if "<TABLE" in line]  # HTML-like labels: escaped inside
    assert all("<img" not in t and "<script" not in t and "<!--" not in t for t in tables)
    assert in_html(shown[:20]) in source or "\n" in label


@pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer")
@pytest.mark.parametrize("label", HOSTILE, ids=range(len(HOSTILE)))
def test_every_label_draws_as_svg_and_png(label: str, tmp_path: Path) -> None:
    y = graph(label)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RenderWarning is save falling back to the .dot source: a failure here
        svg_path = viz.save(y, tmp_path / "g.svg", show_local=True)
        png_path = viz.save(y, tmp_path / "g.png", show_local=True)
    assert svg_path.suffix == ".svg" and png_path.suffix == ".png"
    assert png_path.read_bytes().startswith(b"\x89PNG")
    dom = xml.dom.minidom.parseString(svg_path.read_bytes())  # well-formed: nothing broke out of its element
    assert not dom.getElementsByTagName("img") and not dom.getElementsByTagName("script")
    nodes = {g.getElementsByTagName("title")[0].firstChild.data: g for g in dom.getElementsByTagName("g")
             if g.getAttribute("class") == "node"}
    # x's own table shows the label, escapes and all (a 300-character label is folded into its scope's box)
    where = nodes["v0"] if "v0" in nodes else dom
    texts = [t.firstChild.data for t in where.getElementsByTagName("text") if t.firstChild]
    assert printable(label).split("\n")[0][:20] in "".join(texts)


@pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer")
def test_the_explorer_runs_no_script_from_labels(tmp_path: Path) -> None:
    playwright, executable = browser()
    pages = [viz.explorer(graph(label), tmp_path / f"e{i}.html") for i, label in enumerate(HOSTILE)]
    with playwright.sync_playwright() as p:
        chromium = launch(p, executable)
        page = chromium.new_page()
        dialogs, errors = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        for path, label in zip(pages, HOSTILE):
            page.goto(path.as_uri())
            # The page's code ran: it wrote the status line at load. A label that swallowed the code left it empty.
            assert page.inner_text("#status").startswith("step 0 of "), label
            page.click("#next")  # Step does something: one node processed, and the panel says which
            assert page.inner_text("#status").startswith("step 1 of "), label
            assert "has adjoint" in page.inner_text("#panel"), label
            page.click("#end")
            page.click("#reset")  # the "Before backward" line names the output
            assert page.evaluate("() => window.hit") is None, label
            shown = printable(label).split("\n")[0][:40]  # as the drawing names it: escapes for what cannot show
            assert shown in page.inner_text("#panel") or "\n" in label, label
        chromium.close()
    assert errors == []
    assert dialogs == []


def test_each_unprintable_character_is_escaped_by_its_code() -> None:
    from viz.style import printable

    assert printable("\x00\x1f\x7f\x9f") == "\\x00\\x1f\\x7f\\x9f"  # one byte's worth: \x
    assert printable("\ud800\ufffe\uffff") == "\\ud800\\ufffe\\uffff"  # beyond: \u
    assert printable("é ü → ok") == "é ü → ok"  # printable, however far from ASCII


def test_text_prints_to_standard_output_with_the_drawings_options(capsys) -> None:
    import io

    import viz
    from engine import Value

    a = Value(2.0, label="a")
    y = ((a * 3).tanh() + a) * a
    y.backward()
    viz.text(y)
    whole = capsys.readouterr().out
    assert whole.count("\n") == 6 and whole.startswith("v0 a = input  data=2")
    folded = io.StringIO()
    viz.text(y, file=folded, max_nodes=2)  # the drawing's options reach the text view: folded as the drawing is
    assert folded.getvalue() != whole and capsys.readouterr().out == ""


@pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer")
@pytest.mark.parametrize("scope", ["enc\\oder", "back\\slash \\N \\G \\l", "ends in \\"])
def test_a_collapsed_scopes_note_keeps_its_backslashes(scope: str) -> None:
    x = Value(1.0, label="x")
    a = x * 2
    b = a + 1
    a.scope = b.scope = scope
    graph = viz.draw_dot(b * 3, max_nodes=3, legend=False)  # the scope is folded: its name is in the caption
    dom = xml.dom.minidom.parseString(viz.render(graph.source, "svg"))
    texts = [t.firstChild.data for t in dom.getElementsByTagName("text") if t.firstChild]
    assert f"{scope} collapsed (2 values)" in [t.removeprefix("folded: ") for t in texts]  # as written, not read as escapes
