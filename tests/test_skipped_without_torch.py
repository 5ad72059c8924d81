"""`make test` without PyTorch: the tests that compare with it skip themselves, and one line of the summary
(tests/conftest.py) counts them, a whole skipped file once, and says how to run them. Skips for other reasons are
not counted. With PyTorch installed the line never appears."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).with_name("conftest.py")


def torch_installed() -> bool:
    try:
        import torch  # noqa: F401 (only whether it imports)
    except ImportError:
        return False
    return True


def test_one_line_counts_the_skipped_oracle_tests_and_says_how_to_run_them(tmp_path: Path) -> None:
    shutil.copy(CONFTEST, tmp_path)
    (tmp_path / "test_whole_file.py").write_text(
        "import pytest\ntorch = pytest.importorskip('torch')\n\ndef test_a():\n    pass\n\ndef test_b():\n    pass\n")
    (tmp_path / "test_some.py").write_text(
        "import pytest\n\ndef test_with_torch():\n    pytest.importorskip('torch')\n\n"
        "def test_without():\n    pass\n\ndef test_other_reason():\n    pytest.skip('no Chromium here')\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider", "-n", "0",
                          str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("PyTorch is not installed")]
    if torch_installed():
        assert lines == []
    else:
        assert lines == ["PyTorch is not installed, so 1 test file and 1 other test that compare chainrule with it "
                         "were skipped; to run them: .venv/bin/pip install torch==2.13.0, then make test"]


@pytest.mark.skipif(torch_installed(), reason="the oracle files run when PyTorch is installed")
def test_the_oracle_files_skip_as_a_whole_without_torch() -> None:
    # These files compare with PyTorch from their first line; before they skipped, `make test` stopped on them
    # with an ImportError at collection.
    files = ["nn/test_batchnorm.py", "nn/test_layernorm.py", "nn/test_optim_contract.py", "nn/test_losses_contract.py",
             "nn/test_sequential.py", "demos/test_backprop_necessity_demo.py", "demos/test_layernorm_backward_demo.py",
             "demos/test_readme_pictures.py"]  # the last one runs, so the run is not empty (pytest's exit code 5)
    here = Path(__file__).parent
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0",
                          *(str(here / f) for f in files)], cwd=here.parent, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and "error" not in run.stdout.lower(), run.stdout + run.stderr
    assert "PyTorch is not installed, so 7 test files and 0 other tests" in run.stdout
