"""The wheel, installed into a fresh virtual environment and used from a folder outside the source tree."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

USE = textwrap.dedent("""
    import random, engine, nn, viz
    from engine import Value
    from nn import MLP, SGD, fit, losses
    from nn.data import moons
    assert "site-packages" in engine.__file__, engine.__file__  # the installed copy, not the source tree
    x = Value(2.0, label="x"); y = (x * x).tanh(); y.backward()
    assert viz.save(y, "graph.svg").suffix == ".svg"  # drawn with graphviz-pure, installed with chainrule
    assert viz.explorer(y, "page.html").read_text().count("<svg") == 1  # the explorer's template is packaged
    X, t = moons(40, seed=0)
    random.seed(0)
    model = MLP(2, [8, 2], activation="tanh")
    history = fit(model, X, t, losses.cross_entropy, SGD(model.parameters(), lr=0.2), epochs=20, progress=False)
    assert history["loss"][-1] < history["loss"][0]
    print("used", history["loss"][-1])
""")


@pytest.mark.slow
def test_the_wheel_works_in_a_fresh_environment(tmp_path: Path) -> None:
    def run(*command, cwd=tmp_path):
        done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp_path / "dist", ROOT)
    wheel = next((tmp_path / "dist").glob("chainrule-*.whl"))
    run(sys.executable, "-m", "venv", tmp_path / "env")
    python = tmp_path / "env" / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheel)
    work = tmp_path / "work"
    work.mkdir()
    assert "used" in run(python, "-c", USE, cwd=work)
    assert "moons" in run(tmp_path / "env" / "bin" / "chainrule", "demo", cwd=work)
    out = run(tmp_path / "env" / "bin" / "chainrule", "demo", "graph", cwd=work)
    assert "explorer" in out and (work / "out" / "neuron_explorer.html").exists()
