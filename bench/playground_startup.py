"""The browser playground's first load: megabytes fetched and seconds to Python and to the first drawing.

Each load is a fresh headless Chromium (nothing cached) on the site served from 127.0.0.1. The
reference is the floor the playground cannot go below: a page that loads the same Pyodide from
the same server and runs ``1 + 1``, with no chainrule and no Graphviz.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any, Dict, List

from viz.playground.serve import CHROMIUM_ARGS

BARE = """<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body>
<script src="pyodide/pyodide.js"></script><script>
loadPyodide({indexURL: new URL("pyodide/", location.href).href}).then(py => {
  py.runPython("1 + 1"); window.readySeconds = performance.now() / 1000; });
</script></body></html>"""


def load(p: Any, executable: str, url: str, ready: str) -> Dict[str, float]:
    """One cold load of ``url``: seconds until ``ready`` is a number, and the bytes fetched."""
    browser = p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    fetched: Dict[str, int] = {}
    page.on("requestfinished", lambda r: fetched.__setitem__(r.url, r.sizes()["responseBodySize"]))
    page.goto(url)
    page.wait_for_function(f"typeof ({ready}) === 'number'", timeout=180_000)
    seconds = page.evaluate(ready)
    first = page.evaluate("window.playground ? window.playground.firstDrawingSeconds : null")
    browser.close()
    return {"seconds": seconds, "drawing": first or 0.0, "megabytes": sum(fetched.values()) / 1e6}


def run(rounds: int = 3) -> List[str]:
    head = ["### playground: first load in headless Chromium (fresh browser, nothing cached; median of 3)", ""]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return head + ["playwright is not installed (pip install playwright): nothing to time", ""]
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None or shutil.which("npm") is None:
        return head + ["needs Chromium and npm (to build the site): nothing to time", ""]
    from viz.playground.build import build
    from viz.playground.serve import serve

    site = build(Path(tempfile.mkdtemp()) / "site")
    (site / "bare.html").write_text(BARE, encoding="utf-8")
    playground: List[Dict[str, float]] = []
    bare: List[Dict[str, float]] = []
    with serve(site) as base, sync_playwright() as p:
        for _ in range(rounds):  # alternating, as every bench here does: a noisy machine hits both alike
            bare.append(load(p, executable, f"{base}/bare.html", "window.readySeconds"))
            playground.append(load(p, executable, f"{base}/index.html", "window.playground.readySeconds"))
    shutil.rmtree(site.parent, ignore_errors=True)

    def median(rows: List[Dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    ready, floor = median(playground, "seconds"), median(bare, "seconds")
    return head + [
        "| page | MB fetched | s to Python ready | s to first drawing |", "| --- | ---: | ---: | ---: |",
        f"| bare Pyodide, `1 + 1` (the floor) | {median(bare, 'megabytes'):.1f} | {floor:.2f} | |",
        f"| the playground, the lecture's neuron | {median(playground, 'megabytes'):.1f} | {ready:.2f} | "
        f"{median(playground, 'drawing'):.2f} |",
        "", f"playground / bare Pyodide, to Python ready: {ready / floor:.2f}x", ""]
