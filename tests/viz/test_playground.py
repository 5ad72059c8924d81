"""The browser playground: built by ``make site``'s builder, served from 127.0.0.1, driven in headless Chromium.

Every example runs in the page (Pyodide) and again here in CPython: each leaf's data and grad,
every text of the drawing, every stepped grad, the printed ``_backward`` and ``explain`` must
agree. Errors show the engine's own messages, labels never become markup, the training page's
loss falls as CPython's does, and no request leaves the local server.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple
from urllib.parse import urlsplit

import pytest

import viz
from engine import Value, explain, topological_order
from viz.playground import build
from viz.playground.serve import serve
from viz.playground.session import DRAWING
from viz.playground.examples import EXAMPLES, TRAINING

from .browser import browser, launch
from .test_hostile_labels import HOSTILE

pytestmark = pytest.mark.xdist_group("playground")  # one site, one server, one browser for the whole module
ROOT = Path(__file__).parents[2]
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("npm") is None:
        pytest.skip("npm not found: the playground's build fetches Pyodide and Graphviz from the npm registry "
                    "(install Node.js with npm to run the browser playground's tests)")
    return build.build(tmp_path_factory.mktemp("playground") / "site")


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


class Browser:
    """A Chromium tab on the local server, with every request outside it refused and remembered."""

    def __init__(self, server: str) -> None:
        playwright, executable = browser()
        self.server = server
        self.manager = playwright.sync_playwright()
        self.chromium = launch(self.manager.start(), executable)
        self.outside: List[str] = []
        self.fetched: Dict[str, int] = {}
        self.errors: List[str] = []

    def page(self, path: str, width: int = 1400, height: int = 900) -> Any:
        page = self.chromium.new_page(viewport={"width": width, "height": height})
        local = urlsplit(self.server).netloc

        def route(r: Any) -> None:
            url = urlsplit(r.request.url)
            if url.scheme in ("data", "blob") or url.netloc == local:
                r.continue_()
            else:
                self.outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfinished", lambda r: self.fetched.__setitem__(r.url, r.sizes()["responseBodySize"]))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.errors.append("dialog: " + d.message), d.dismiss()))
        page.goto(f"{self.server}/{path}")
        return page

    def close(self) -> None:
        self.chromium.close()
        self.manager.__exit__(None, None, None)


@pytest.fixture(scope="module")
def chromium(server: str) -> Iterator[Browser]:
    b = Browser(server)
    yield b
    b.close()
    assert b.outside == [], f"requests to other hosts: {b.outside}"


@pytest.fixture(scope="module")
def playground(chromium: Browser) -> Any:
    page = chromium.page("index.html")
    page.wait_for_function("window.playground.ready || document.getElementById('error').textContent", timeout=180_000)
    assert page.inner_text("#error") == "", page.inner_text("#error")
    return page


def screenshot(page: Any, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(tmp_path / name))
    if os.environ.get("CHAINRULE_SCREENSHOTS"):
        page.screenshot(path=os.path.join(os.environ["CHAINRULE_SCREENSHOTS"], name))
    assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"


def run(page: Any, code: str, local: bool = False) -> None:
    """Put ``code`` in the editor and press Run (with the edge-label box as asked); wait for the answer."""
    runs = page.evaluate("window.playground.runs")
    page.fill("#code", code)
    if page.is_checked("#local") != local:
        page.click("#local")  # its change runs the code too
        page.wait_for_function(f"window.playground.runs > {runs}")
        runs += 1
    page.click("#run")
    page.wait_for_function(f"window.playground.runs > {runs}", timeout=60_000)


def in_cpython(code: str) -> Tuple[Value, List[Value]]:
    """The code run here, as a learner would in a notebook; the output and its graph."""
    namespace: Dict[str, Any] = {}
    exec(code, namespace)
    out = namespace["out"]
    return out, topological_order(out)


def in_cpython_options(code: str) -> Dict[str, Any]:
    """The drawing options the code asks for (``drawing = dict(...)``), as CPython runs it."""
    namespace: Dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)
    return namespace.get("drawing", {})


def texts(svg: str) -> Counter:
    """Every text of an SVG drawing, counted."""
    return Counter((t.text or "") for t in ET.fromstring(svg[svg.index("<svg"):]).iter(f"{SVG}text"))


def page_svg(page: Any) -> str:
    return page.evaluate("new XMLSerializer().serializeToString(document.querySelector('#graph svg'))")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_each_example_shows_what_cpython_computes(playground: Any, example: Any, tmp_path: Path) -> None:
    page = playground
    page.select_option("#examples", example.name)  # choosing an example loads and runs it
    page.wait_for_function(f"document.getElementById('code').value.startsWith({json.dumps(example.code[:30])}) "
                           f"&& window.playground.last === 'drawn'")
    page.click("#run")
    page.wait_for_function("window.playground.last === 'drawn'")
    assert page.inner_text("#error") == ""
    screenshot(page, f"playground-{example.name}.png", tmp_path)  # what the learner first sees
    out, order = in_cpython(example.code)
    # Every leaf: data and grad as the table shows them (6 significant digits), to the last digit.
    want = {f"v{i}": [f"{v.data + 0.0:.6g}", f"{v.grad + 0.0:.6g}"] for i, v in enumerate(order) if not v._prev}
    shown = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#leaves tbody tr')].map(r =>
        [r.dataset.id, [r.querySelector('.data').textContent, r.querySelector('.grad').textContent]]))""")
    assert shown == want
    # The drawing: the same texts as CPython's own drawing of the same graph, rendered here.
    here = viz.render(viz.draw_dot(out, **{**DRAWING, **in_cpython_options(example.code)}).source, "svg").decode()
    assert texts(page_svg(page)) == texts(here)
    # Stepping: back to the start, then every step; at the end each drawn grad is the engine's.
    page.click("#reset")
    assert page.inner_text("#status").startswith("step 0 of")
    steps = int(page.inner_text("#status").split(" of ")[1].split()[0])
    for _ in range(steps):
        page.click("#next")
    assert page.inner_text("#status") == f"step {steps} of {steps} (backward pass done)"
    grads = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#graph g.node')]
        .map(g => [g.querySelector('title').textContent, [...g.querySelectorAll('text')].find(t => t.getAttribute('data-grad'))])
        .filter(([id, t]) => t).map(([id, t]) => [id, parseFloat(t.getAttribute('data-grad'))]))""")
    engine = {f"v{i}": v.grad for i, v in enumerate(order)}
    assert grads and grads == pytest.approx({k: engine[k] for k in grads}, rel=1e-12, abs=1e-300)
    # Clicking the first leaf and the output: what print(v._backward) and explain(out, v) print in CPython.
    page.click("#fit")  # the whole drawing, so that both nodes can be clicked
    for index in (0, len(order) - 1):
        page.evaluate("document.getElementById('inspector').replaceChildren()")
        page.click(f"#graph g.node:has(title:text-is('v{index}'))")
        page.wait_for_function("document.querySelector('#inspector pre.explain')")
        text = io.StringIO()
        explain(out, order[index], file=text)
        assert page.inner_text("#inspector pre.backward") == str(order[index]._backward)
        assert page.inner_text("#inspector pre.explain").strip() == text.getvalue().strip()
    screenshot(page, f"playground-{example.name}-inspected.png", tmp_path)


def test_edge_labels_are_the_drawings_own(playground: Any) -> None:
    code = EXAMPLES[0].code
    run(playground, code, local=True)
    out, _ = in_cpython(code)
    here = viz.render(viz.draw_dot(out, show_local=True, **DRAWING).source, "svg").decode()
    assert texts(page_svg(playground)) == texts(here)
    assert any("×" in t or "=" in t for t in texts(here))  # edge labels were drawn at all
    run(playground, code, local=False)


@pytest.mark.parametrize("code, message", [
    ("from engine import Value\nx = Value(2.0)\nout = (x * 3", "SyntaxError: '(' was never closed (line 3)"),
    ("from engine import Value\nx = Value(-1.0, label='x')\nout = x.log()",
     "ValueError: log: log is defined only for x > 0; got x=-1.0\n  at line 3 of your code"),
    ("from engine import Value\nout = Value(-8.0) ** (1 / 3)",
     "ValueError: pow: a negative base needs an integer exponent; got x=-8.0, k=0.3333333333333333\n"
     "  at line 2 of your code"),
])
def test_errors_show_the_engines_message(playground: Any, code: str, message: str, tmp_path: Path) -> None:
    run(playground, code)
    shown = playground.inner_text("#error")
    assert shown.startswith(message)
    with pytest.raises(Exception) as raised:  # CPython's message for the same code is the page's
        exec(compile(code, "<playground>", "exec"), {})
    error = raised.value
    assert shown.startswith(f"{type(error).__name__}: {error.msg if isinstance(error, SyntaxError) else error}")
    assert playground.evaluate("window.playground.last") == "error"
    assert playground.locator("#leaves tbody tr").count() == 0  # nothing left over from the last good run
    screenshot(playground, "playground-error.png", tmp_path)
    run(playground, EXAMPLES[0].code)
    assert playground.inner_text("#error") == ""


def test_code_without_out_says_what_to_do(playground: Any) -> None:
    run(playground, "from engine import Value\ny = Value(2.0) * 3")
    assert playground.inner_text("#error").startswith("Nothing to draw: the code sets no out; assign the Value")
    run(playground, "out = 3")
    assert playground.inner_text("#error").startswith("Nothing to draw: out is int, not a Value")


def test_labels_never_become_markup(playground: Any, chromium: Browser) -> None:
    for label in HOSTILE:
        code = f"from engine import Value\nx = Value(2.0, label={ascii(label)})\nout = (x * x).tanh()\nout.label = {ascii(label)}"
        run(playground, code)
        assert playground.inner_text("#error") == ""
        playground.click("#fit")
        playground.click("#graph g.node:has(title:text-is('v0'))")
        assert playground.evaluate("window.hit") is None
        assert playground.evaluate("document.querySelectorAll('img, #leaves script, #inspector *:not(h2):not(pre)').length") == 0
        first = playground.evaluate("document.querySelector('#leaves tbody td').textContent")
        if not any(0xD800 <= ord(c) <= 0xDFFF for c in label):  # a lone surrogate does not survive the trip back
            assert first == label
    assert not [e for e in chromium.errors if "dialog" in e]


def test_training_page_loss_falls_as_in_cpython(chromium: Browser, tmp_path: Path) -> None:
    page = chromium.page("train.html")
    page.wait_for_function("window.training.ready || window.training.error", timeout=180_000)
    page.click("#train")
    page.wait_for_function("window.training.done", timeout=600_000)
    assert page.evaluate("window.training.error") is None
    losses = page.evaluate("window.training.losses")
    namespace: Dict[str, Any] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(TRAINING, namespace)
    want = [namespace["step"](k)[0] for k in range(namespace["STEPS"])]
    assert losses == pytest.approx(want, rel=1e-9)
    assert losses[-1] < losses[0] / 2
    assert page.locator("#loss polyline.loss").count() == 1
    assert page.locator("#boundary circle").count() == len(namespace["X"])
    assert page.locator("#boundary rect").count() == 30 * 30
    screenshot(page, "playground-training.png", tmp_path)


def test_tutorials_page_lists_and_shows_the_guides(chromium: Browser) -> None:
    page = chromium.page("tutorials.html")
    guides = sorted(p.name for p in (ROOT / "docs").glob("*.md"))
    links = page.locator("#guides a")
    assert links.count() == len(guides)
    links.first.click()
    page.wait_for_function("document.getElementById('text').textContent.length > 0")
    first = sorted((ROOT / "docs").glob("*.md"))[0].read_text(encoding="utf-8")
    assert page.inner_text("#text").strip() == first.strip()
    assert page.locator("#notebooks a").count() == len(list((ROOT / "demos" / "notebooks").glob("*.ipynb")))


def test_everything_came_from_the_local_server(chromium: Browser, playground: Any) -> None:
    assert chromium.outside == []
    fetched = {urlsplit(u).path for u in chromium.fetched}
    assert {"/pyodide/pyodide.asm.wasm", "/pyodide/python_stdlib.zip", "/chainrule.zip",
            "/vendor/viz-global.js"} <= fetched
    assert not [e for e in chromium.errors if "dialog" not in e], chromium.errors


def test_the_page_says_when_it_called_backward_or_when_grads_add_up(playground: Any) -> None:
    run(playground, "from engine import Value\nx = Value(3.0, label='x')\nout = (x * x).tanh()")
    assert playground.inner_text("#note") == "out.backward() was not called, so the page called it."
    twice = "from engine import Value\nx = Value(2.0, label='x')\nout = x * x\nout.backward()\nout.backward()"
    run(playground, twice)
    assert playground.inner_text("#leaves tbody td.grad") == "8"  # what the code left, as micrograd accumulates
    assert playground.inner_text("#note").startswith("The table shows the grads your code left in .grad")
    playground.click("#reset")
    playground.click("#next")  # out = x*x sends to x twice: the panel's running total shows both
    sent = playground.locator("#panel .sent").all_inner_texts()
    assert [s.rsplit("its grad is now ", 1)[1] for s in sent] == ["2", "4"]


def test_an_exit_in_the_code_is_shown_and_the_page_goes_on(playground: Any) -> None:
    run(playground, "import sys\nsys.exit(3)")
    assert playground.inner_text("#error") == "SystemExit: 3\n  at line 2 of your code"
    run(playground, EXAMPLES[0].code)
    assert playground.inner_text("#error") == "" and playground.evaluate("window.playground.last") == "drawn"


def test_edits_are_kept_per_example_and_reset_brings_the_example_back(playground: Any) -> None:
    playground.select_option("#examples", "neuron")
    playground.fill("#code", "# mine\n" + EXAMPLES[0].code)
    playground.select_option("#examples", "exp-sin")
    playground.select_option("#examples", "neuron")
    assert playground.input_value("#code").startswith("# mine")
    playground.reload()
    playground.wait_for_function("window.playground.ready", timeout=180_000)
    playground.select_option("#examples", "neuron")
    assert playground.input_value("#code").startswith("# mine")  # a reload keeps them too
    playground.click("#reset-example")
    assert playground.input_value("#code") == EXAMPLES[0].code


def test_a_malformed_address_still_starts_the_page(chromium: Browser) -> None:
    page = chromium.page("index.html#%E0%A4%A")
    page.wait_for_function("window.playground.ready", timeout=180_000)
    assert page.input_value("#code") == EXAMPLES[0].code and page.inner_text("#error") == ""
    page.close()


def test_training_that_diverges_says_so_and_frees_the_buttons(chromium: Browser) -> None:
    page = chromium.page("train.html")
    page.wait_for_function("window.training.ready", timeout=180_000)
    page.fill("#code", TRAINING.replace("lr = 1.0 - 0.9 * k / STEPS", "lr = 1e200"))
    page.click("#train")
    page.wait_for_function("window.training.done", timeout=300_000)
    error = page.evaluate("window.training.error")
    assert "diverged" in error or error.startswith("OverflowError"), error
    assert page.is_enabled("#train") and not page.is_enabled("#stop")
    page.close()
