"""`pip install 'chainrule[tutorials]'` is the one line the notebooks need: every module they import, and every module
chainrule's code imports while running them, comes from the standard library, chainrule, its dependencies or the
extra. Checked two ways: the notebooks' import lines as written, and the imports made while their code runs."""

import ast
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "demos" / "notebooks").glob("*.ipynb"))
tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
OWN = {p.split(".")[0] for p in PROJECT["tool"]["setuptools"]["packages"]}


def _name(requirement: str) -> str:
    """The canonical distribution name of a requirement line: "scikit-learn>=1.3" -> "scikit-learn"."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group()).lower()


PROVIDED = {_name(r) for r in PROJECT["project"]["dependencies"] + PROJECT["project"]["optional-dependencies"]["tutorials"]}


def _code(path: Path) -> str:
    """A notebook's code cells as one script, IPython's % and ! lines left out."""
    cells = json.loads(path.read_text())["cells"]
    return "\n".join(line for cell in cells if cell["cell_type"] == "code"
                     for line in "".join(cell["source"]).splitlines() if not line.lstrip().startswith(("%", "!")))


def _distributions(module: str) -> set:
    return {_name(d) for d in importlib.metadata.packages_distributions().get(module, [])}


def _unprovided(modules: set) -> dict:
    """The modules (top-level names) that neither the standard library, chainrule nor PROVIDED supply."""
    return {m: sorted(_distributions(m)) for m in modules
            if m not in sys.stdlib_module_names and m not in OWN and not _distributions(m) & PROVIDED}


def test_the_extra_names_jupyterlab_and_what_04_digits_needs() -> None:
    assert {"jupyterlab", "scikit-learn"} <= PROVIDED


def test_every_import_line_of_the_notebooks_is_provided() -> None:
    imported = set()
    for path in NOTEBOOKS:
        for node in ast.walk(ast.parse(_code(path), str(path))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert {"engine", "nn", "viz"} <= imported  # the parse found the lines
    assert _unprovided(imported) == {}


# Run in a fresh interpreter: every top-level module that a notebook's own code or chainrule's (engine, nn, viz)
# imports, by an import statement (seen by __import__ even when another package loaded the module first) or
# through importlib (seen by a finder the first time), and that is there to import. Other packages' imports are
# their own dependencies' business.
RECORD = textwrap.dedent("""
    import builtins, json, sys
    from pathlib import Path
    root, notebooks = Path(sys.argv[1]), sys.argv[2:]
    own = tuple(str(root / top) + "/" for top in ("engine", "nn", "viz"))
    seen = set()

    def ours(frame):
        while frame and frame.f_code.co_filename.startswith("<frozen importlib"):
            frame = frame.f_back
        where = frame.f_code.co_filename if frame else ""
        return where.startswith(own) or where in notebooks

    def recording(name, globals=None, locals=None, fromlist=(), level=0, *, _import=builtins.__import__):
        if level == 0 and ours(sys._getframe(1)):
            seen.add(name.split(".")[0])
        return _import(name, globals, locals, fromlist, level)

    class Recorder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if "." not in name and ours(sys._getframe(1)):
                seen.add(name)
            return None

    builtins.__import__ = recording
    sys.meta_path.insert(0, Recorder)
    for path in notebooks:
        cells = json.loads(Path(path).read_text())["cells"]
        namespace = {"__name__": "__main__"}
        for cell in cells:
            if cell["cell_type"] == "code":
                source = "\\n".join(line for line in "".join(cell["source"]).splitlines()
                                   if not line.lstrip().startswith(("%", "!")))
                exec(compile(source, path, "exec"), namespace)
    import importlib.util
    print(json.dumps(sorted(m for m in seen if importlib.util.find_spec(m) is not None)))
""")


def test_every_module_imported_while_the_notebooks_run_is_provided(tmp_path: Path) -> None:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", RECORD, str(ROOT)] + [str(p) for p in NOTEBOOKS], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    imported = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert {"engine", "nn", "viz", "sklearn", "hypothesis"} <= imported  # 04_digits' data, 03's strategies
    assert _unprovided(imported) == {}
