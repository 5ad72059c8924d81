"""The example user test module runs as a user runs it: pytest in a folder of its own, the plugin active."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "demos" / "derivative_tests" / "test_hand_derivatives.py"

PROFILE_CHECK = '''
import os
from hypothesis import settings


def test_the_chainrule_profile_is_loaded():
    chainrule = settings.get_profile("chainrule")
    assert settings.default.max_examples == chainrule.max_examples == (60 if os.environ.get("CI") else 100)
    assert settings.default.derandomize == chainrule.derandomize == bool(os.environ.get("CI"))
'''


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=folder,
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))


def test_the_example_passes_with_its_deliberate_failure_expected(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path)
    (tmp_path / "test_profile.py").write_text(PROFILE_CHECK)
    run = run_pytest(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed, 1 xfailed" in run.stdout


def test_the_deliberate_failure_shows_the_table_and_the_graph(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path)
    run = run_pytest(tmp_path, "--runxfail", "-k", "per_feature_gamma")
    assert run.returncode == 1
    out = run.stdout
    assert "DerivativeError: the derivative of" in out and "hand differs" in out
    assert "input" in out and "engine" in out and "numeric" in out and "rel. error" in out
    assert "chainrule: the engine's graph of the failing example" in out
    assert "sqrt" in out.split("chainrule: the engine's graph of the failing example")[1]


def test_a_chosen_profile_wins_over_the_plugins(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from hypothesis import settings\nsettings.register_profile('mine', max_examples=7)\n")
    (tmp_path / "test_mine.py").write_text(
        "from hypothesis import settings\n\ndef test_mine():\n    assert settings.default.max_examples == 7\n")
    assert run_pytest(tmp_path, "--hypothesis-profile=mine").returncode == 0


def test_the_testing_guides_test_file_passes_as_written(tmp_path: Path) -> None:
    guide_file = EXAMPLE.parents[2] / "docs" / "testing.md"
    if not guide_file.parent.is_dir():  # a `make mutation` copy, which holds no docs/ (see test_readme_guides.py)
        pytest.skip("no docs/ guides in this copy of the project")
    guide = guide_file.read_text()
    code = guide.split("# test_my_derivatives.py\n", 1)[1].split("```", 1)[0]
    (tmp_path / "test_my_derivatives.py").write_text(code)
    run = run_pytest(tmp_path)
    assert run.returncode == 0 and "2 passed" in run.stdout, run.stdout + run.stderr


def test_a_profile_loaded_by_the_projects_conftest_stays(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(
        "from hypothesis import settings\nsettings.register_profile('mine', max_examples=7)\n"
        "settings.load_profile('mine')\n")
    (tmp_path / "test_mine.py").write_text(
        "from hypothesis import settings\n\ndef test_mine():\n    assert settings.default.max_examples == 7\n")
    run = run_pytest(tmp_path)
    assert run.returncode == 0, run.stdout
