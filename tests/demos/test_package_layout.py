"""What pyproject.toml packages: every package of engine, nn and viz, the demos under a name of chainrule's own,
with the notebooks and the chapters' index as package data (the wheel itself: tests/demos/test_packaging.py)."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_in_the_tree_is_listed() -> None:
    found = sorted(".".join(p.parent.relative_to(ROOT).parts) for top in ("engine", "nn", "viz")
                   for p in (ROOT / top).rglob("__init__.py"))
    listed = CONFIG["packages"]
    assert sorted(p for p in listed if p != "chainrule_demos") == found
    assert "demos" not in listed and CONFIG["package-dir"]["chainrule_demos"] == "demos"


def test_package_data_covers_the_notebooks_and_the_index() -> None:
    data = CONFIG["package-data"]["chainrule_demos"]
    matched = sorted({p.relative_to(ROOT / "demos").as_posix() for pattern in data for p in (ROOT / "demos").glob(pattern)})
    assert matched == ["CHAPTERS.md"] + sorted(f"notebooks/{p.name}" for p in (ROOT / "demos" / "notebooks").glob("*.ipynb"))


def test_the_demos_import_each_other_relatively() -> None:
    # Installed, the package is chainrule_demos: an absolute `demos.x` would not be found there.
    for path in (ROOT / "demos").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                assert not (node.module or "").startswith("demos"), (path.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "demos" for a in node.names), path.name
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not node.value.startswith("demos."), (path.name, node.value)  # import_module("demos.x")


def _imports(tree: ast.AST) -> list:
    """Every module a file imports, at load or inside a function."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module or "")
    return names


def test_engine_and_viz_never_import_nn() -> None:
    # A learner's own nn.py beside their script would shadow chainrule's nn (the wheel test runs that case),
    # and the layers read engine, then nn, then viz: what they share lives in engine. engine.testing's mlps()
    # strategy takes the model class as an argument for that reason.
    for top in ("engine", "viz"):
        for path in (ROOT / top).rglob("*.py"):
            names = _imports(ast.parse(path.read_text()))
            assert not any(n == "nn" or n.startswith("nn.") for n in names), path.relative_to(ROOT)
