"""The suite passes on a machine without PyTorch: no test module needs it to be imported, and every test that
uses it skips with the one reason the summary counts. (.ci/run also runs the suite in a venv without it.)"""

import ast
import subprocess
import sys
from pathlib import Path

from engine.testing.oracles import TORCH_MISSING

TESTS = Path(__file__).resolve().parent


def torch_imports(path: Path):
    """(line, how) for each place ``path`` imports torch outside a function: those would fail at collection."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in tree.body:  # module level only: an import inside a test runs when the test does
        for inner in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else ():
            if isinstance(inner, ast.Import) and any(a.name.split(".")[0] == "torch" for a in inner.names):
                found.append((inner.lineno, "import torch"))
            elif isinstance(inner, ast.ImportFrom) and (inner.module or "").split(".")[0] == "torch":
                found.append((inner.lineno, f"from {inner.module} import"))
    return found


def test_only_the_oracle_module_imports_torch_at_module_level() -> None:
    offenders = {str(p.relative_to(TESTS)): torch_imports(p) for p in TESTS.rglob("*.py")}
    offenders = {name: lines for name, lines in offenders.items() if lines and name != "torch_oracle.py"}
    assert offenders == {}, ("import torch at module level fails on a machine without PyTorch: use "
                             "`from tests.torch_oracle import needs_torch, torch` and mark the test @needs_torch")


def test_a_planted_module_level_import_is_found(tmp_path: Path) -> None:
    planted = tmp_path / "test_x.py"
    planted.write_text("import pytest\nimport torch.nn as tnn\nif True:\n    from torch import optim\n"
                       "def test_a():\n    import torch\n")
    assert torch_imports(planted) == [(2, "import torch"), (4, "from torch import")]


def test_without_torch_a_pytorch_test_skips_on_one_summary_line(tmp_path: Path) -> None:
    (tmp_path / "test_uses_torch.py").write_text(
        "import sys\nsys.modules['torch'] = None  # as on a machine without PyTorch\n"
        "from tests.torch_oracle import needs_torch\n"
        "from engine.testing import torch_reference\n"
        "@needs_torch\ndef test_marked():\n    pass\n"
        "def test_by_reference():\n    torch_reference(lambda x: x.sin(), [0.5])\n"
        "def test_plain():\n    pass\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
                           "-p", "tests.conftest",  # the suite's summary, for a module outside tests/
                           "--rootdir", str(TESTS.parent), "-c", str(TESTS.parent / "pyproject.toml"),
                           str(tmp_path / "test_uses_torch.py")],
                          cwd=TESTS.parent, capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    assert done.returncode == 0, done.stdout + done.stderr
    assert ("skipped 2 tests: PyTorch oracle: PyTorch is not installed; `.venv/bin/pip install torch==2.13.0`, "
            "then `make test`") in lines  # one line for both, saying how to run them here
    assert "torch==2.13.0" in TORCH_MISSING and any(l.startswith("1 passed, 2 skipped") for l in lines)
