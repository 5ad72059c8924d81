"""The wheel, installed into a fresh virtual environment and used from a folder outside the source tree."""

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "demos" / "notebooks").glob("*.ipynb"))

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

# A learner's own nn.py beside their script (micrograd's lecture has one): engine and viz must not need chainrule's nn.
LEARNERS_NN = textwrap.dedent("""
    # my own nn.py, written along with the lecture
    class Neuron:
        pass
""")

BESIDE_OWN_NN = textwrap.dedent("""
    import sys, engine, viz
    from engine import Value
    assert "site-packages" in engine.__file__ and "site-packages" in viz.__file__
    x = Value(2.0, label="x"); y = (x * x).tanh(); y.backward()
    assert viz.save(y, "graph.svg").read_text().count("<svg") == 1
    assert viz.explorer(y, "page.html").read_text().count("<svg") == 1
    import nn
    assert nn.__file__.endswith("nn.py") and hasattr(nn, "Neuron"), nn.__file__  # the learner's, not chainrule's
    print("drawn beside my own nn.py")
""")

NO_GENERIC_NAMES = textwrap.dedent("""
    import importlib.util, sysconfig
    from pathlib import Path
    site = Path(sysconfig.get_paths()["purelib"])
    top = sorted(p.name for p in site.iterdir() if (p / "__init__.py").exists())
    assert "demos" not in top and "chainrule_demos" in top, top
    assert importlib.util.find_spec("demos") is None
    print("top-level", top)
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
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
    assert not any(n.startswith("demos/") for n in names), [n for n in names if n.startswith("demos/")]
    shipped = sorted(n for n in names if n.startswith("chainrule_demos/") and not n.endswith(".py"))
    assert shipped == ["chainrule_demos/CHAPTERS.md"] + [f"chainrule_demos/notebooks/{p.name}" for p in NOTEBOOKS]
    run(python, "-m", "pip", "install", "--quiet", wheel)
    learner = tmp_path / "learner"
    learner.mkdir()
    (learner / "nn.py").write_text(LEARNERS_NN)
    assert "drawn beside my own nn.py" in run(python, "-c", BESIDE_OWN_NN, cwd=learner)
    assert (learner / "graph.svg").exists() and (learner / "page.html").exists()
    assert "top-level" in run(python, "-c", NO_GENERIC_NAMES, cwd=learner)
    work = tmp_path / "work"
    work.mkdir()
    assert "used" in run(python, "-c", USE, cwd=work)
    assert "moons" in run(tmp_path / "env" / "bin" / "chainrule", "demo", cwd=work)
    out = run(tmp_path / "env" / "bin" / "chainrule", "demo", "graph", cwd=work)
    assert "explorer" in out and (work / "out" / "neuron_explorer.html").exists()

    # chainrule tutorials: the notebooks and the index, as in the repository, and no overwriting without --force.
    chainrule = tmp_path / "env" / "bin" / "chainrule"
    out = run(chainrule, "tutorials", cwd=learner)
    copied = learner / "chainrule-tutorials"
    expected = {p.name: p.read_bytes() for p in NOTEBOOKS + [ROOT / "demos" / "CHAPTERS.md"]}
    assert {p.name: p.read_bytes() for p in copied.iterdir()} == expected
    assert "jupyter lab" in out and out.count("wrote ") == len(expected)
    (copied / "CHAPTERS.md").write_text("my notes")
    refused = subprocess.run([str(chainrule), "tutorials"], cwd=learner, capture_output=True, text=True)
    assert refused.returncode == 1 and "already exist" in refused.stderr and "--force" in refused.stderr
    assert (copied / "CHAPTERS.md").read_text() == "my notes"
    run(chainrule, "tutorials", "elsewhere", "--force", cwd=learner)
    assert sorted(p.name for p in (learner / "elsewhere").iterdir()) == sorted(expected)
