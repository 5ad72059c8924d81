"""The explorer: its data against the engine, a self-contained page, and a real browser stepping through it."""

import json
import re
import os
from pathlib import Path

import pytest

import viz
from engine import Value
from demos.graph import neuron

from .browser import browser, launch


def page_data(path: Path) -> dict:
    return json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', path.read_text(), re.S).group(1))


def test_steps_replay_to_the_engines_gradients(tmp_path: Path) -> None:
    o, _ = neuron()
    path = viz.explorer(o, tmp_path / "e.html")
    data = page_data(path)
    assert all(v.grad == 0.0 for v in [o] + list(o._prev))  # exploring changed no grad
    grads = {nid: 0.0 for nid in data["nodes"]}
    grads[data["root"]] = 1.0
    for step in data["steps"]:
        for parent, amount in step["sent"]:
            grads[parent] += amount
    o.backward()
    order = viz.plan.topological_order(o)
    assert {f"v{i}": v.grad for i, v in enumerate(order)} == pytest.approx(grads, rel=1e-15)
    assert [s["node"] for s in data["steps"]][0] == data["root"]
    tanh_locals = data["nodes"][data["root"]]["locals"]
    assert tanh_locals[0][1] == "1 - tanh(n)^2" and tanh_locals[0][2] == pytest.approx(0.5, rel=1e-12)


def test_page_is_self_contained(tmp_path: Path) -> None:
    o, _ = neuron()
    text = viz.explorer(o, tmp_path / "e.html").read_text()
    assert "<svg" in text and "__SVG__" not in text and "__DATA__" not in text
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text)  # nothing fetched: works offline
    assert "<script src" not in text and "<link" not in text
    from viz.explorer import CONTROLS, SCRIPT, STYLE

    for part in (STYLE, CONTROLS, SCRIPT):  # the style, the buttons and the code, each written into the page
        assert part.read_text(encoding="utf-8").strip() in text
    assert not re.search(r"__[A-Z]+__", text)  # no slot left unfilled


def test_explorer_refuses_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.html"):
        viz.explorer(Value(1.0) * 2, tmp_path / "e.svg")
    big = Value(1.0)
    for _ in range(600):
        big = big * 1.0
    with pytest.raises(ValueError, match="up to 500 values"):
        viz.explorer(big, tmp_path / "e.html")


def test_stepping_in_a_real_browser_shows_the_engines_grads(tmp_path: Path) -> None:
    playwright, executable = browser()
    o, _ = neuron()
    path = viz.explorer(o, tmp_path / "e.html")
    order = viz.plan.topological_order(o)
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    expected, processed = [], []  # after each step: the grads and the node, from the engine's backward_steps
    for v in order:
        v.grad = 0.0
    for step in o.backward_steps():
        expected.append({ids[v]: v.grad for v in order})
        processed.append(ids[step.node])
    read = """() => Object.fromEntries([...document.querySelectorAll('#graph g.node')]
        .map(g => [g.querySelector('title').textContent,
                   [...g.querySelectorAll('text')].find(t => t.textContent.startsWith('grad '))])
        .filter(([id, t]) => t).map(([id, t]) => [id, parseFloat(t.getAttribute('data-grad'))]))"""
    with playwright.sync_playwright() as p:
        chromium = launch(p, executable)
        page = chromium.new_page(viewport={"width": 1400, "height": 500})
        page.goto(path.as_uri())
        assert page.inner_text("#status") == f"step 0 of {len(expected)}"
        for node in ("v0", "v9"):  # the whole drawing fits the window: first input and output both inside
            box = page.locator(f"#graph g.node:has(title:text-is('{node}'))").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 1400 and box["y"] + box["height"] <= 500, node
        fitted = page.get_attribute("#graph svg", "viewBox")
        page.click("#zoom-in")
        assert page.get_attribute("#graph svg", "viewBox") != fitted
        page.click("#fit")
        assert page.get_attribute("#graph svg", "viewBox") == fitted
        start = page.evaluate(read)
        assert start["v9"] == 1.0 and all(g == 0.0 for k, g in start.items() if k != "v9")
        for k, want in enumerate(expected, 1):
            page.click("#next")
            assert page.inner_text("#status").startswith(f"step {k} of {len(expected)}")
            shown = page.evaluate(read)
            assert shown == pytest.approx(want, rel=1e-12), k
            current = page.evaluate("() => document.querySelector('#graph g.node.current title').textContent")
            assert current == processed[k - 1]
        assert page.locator("#graph g.node text", has_text="grad -1.5").count() == 1  # x1's final grad, in place
        page.click("#back")
        assert page.evaluate(read) == pytest.approx(expected[-2], rel=1e-12)
        page.hover("#graph g.node:has(title:text-is('v9'))")
        assert "tanh" in page.inner_text("#tip") and "1 - tanh(n)^2" in page.inner_text("#tip")
        page.screenshot(path=str(tmp_path / "explorer.png"))
        if os.environ.get("CHAINRULE_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["CHAINRULE_SCREENSHOTS"], "explorer.png"))
        chromium.close()
    assert (tmp_path / "explorer.png").read_bytes()[:4] == b"\x89PNG"
