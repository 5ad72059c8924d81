"""Drawings that never hang: shared leaves drawn as references, a time budget, no orphaned renderer."""

import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import viz
from bench.drawing import chain, rnn_cell  # the workloads make bench times


needs_renderer = pytest.mark.skipif(viz.find_renderer() is None, reason="no Graphviz renderer")


@needs_renderer
@pytest.mark.parametrize("make", [lambda: chain(100), lambda: chain(300), rnn_cell], ids=["chain100", "chain300", "rnn10"])
def test_loops_over_shared_weights_render_within_the_budget(make) -> None:
    y = make()
    y.backward()
    graph = viz.draw_dot(y, max_size=None)  # unfolded: the layout of every step must stay within the budget
    assert "(shared)" in graph.source  # later uses of a and b are references, not long edges
    svg = viz.render(graph.source, "svg", timeout=graph.options.timeout)  # RenderTimeout would fail the test
    assert b"<svg" in svg


def test_each_use_of_a_shared_leaf_keeps_its_edge() -> None:
    y = chain(20)
    src = viz.draw_dot(y, max_size=None).source  # unfolded, though wider than a notebook
    assert src.count("(shared)") == 2 * 19  # a and b drawn in full once, referenced at the 19 other steps
    assert src.count("->") == 6 * 20  # the same edges as before: per step two ops, each with two inputs and a result
    assert "(shared)" not in viz.draw_dot(chain(3)).source  # small graphs are drawn as they are


@needs_renderer
def test_a_render_over_budget_gives_the_text_view_and_says_what_to_do(tmp_path: Path) -> None:
    graph = viz.draw_dot(chain(300), max_nodes=None, max_size=None, timeout=0.01)
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" not in bundle
    assert "took longer than 0.01 s" in bundle["text/plain"] and "max_nodes" in bundle["text/plain"]
    assert "mul(" in bundle["text/plain"]  # the text view follows
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = viz.save(chain(300), tmp_path / "g.svg", max_size=None, timeout=0.01)
    assert written.suffix == ".dot" and "took longer" in str(caught[0].message)


@needs_renderer
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reading /proc")
def test_a_killed_python_leaves_no_renderer_running(tmp_path: Path) -> None:
    # A big drawing with every option that slows the layout, rendered by a Python we then kill.
    script = tmp_path / "slow.py"
    script.write_text(
        "import viz\nfrom engine import Value\n"
        "ys = [Value(float(i), label=f'x{i}') for i in range(60)]\n"
        "y = ys[0]\n"
        "for i in range(1500):\n    y = y * ys[i % 60] + ys[(7 * i) % 60]\n"
        "viz.render(viz.draw_dot(y, max_nodes=None, max_size=None).source.replace('rankdir=LR', 'rankdir=LR splines=ortho'), 'svg')\n")
    python = subprocess.Popen([sys.executable, str(script)])
    renderer = None
    deadline = time.monotonic() + 120  # building the graph is slow on a loaded machine (or under mutation)
    while time.monotonic() < deadline and python.poll() is None:  # wait for the renderer to start
        time.sleep(0.05)
        children = Path(f"/proc/{python.pid}/task/{python.pid}/children")
        found = children.read_text().split() if children.exists() else []
        if found:
            renderer = int(found[0])
            break
    assert renderer is not None, f"the renderer never started (the script's exit code: {python.poll()})"
    os.kill(python.pid, signal.SIGKILL)
    python.wait()
    for _ in range(100):
        if not Path(f"/proc/{renderer}").exists() or "Z" in Path(f"/proc/{renderer}/stat").read_text().split()[2]:
            break
        time.sleep(0.05)
    else:
        os.kill(renderer, signal.SIGKILL)
        pytest.fail("the renderer outlived the Python that started it")
