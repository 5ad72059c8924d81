"""The tutorial notebooks, executed from a clean kernel as a teacher's students would run them."""

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "demos" / "notebooks").glob("*.ipynb"))
CHECKS = {"check-svg": "image/svg+xml", "check-png": "image/png", "check-html": "text/html"}


def test_there_are_five_tutorials() -> None:
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_runs_and_shows_its_pictures(path: Path, tmp_path: Path, monkeypatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    # as on a fresh machine: no fetched data (05_makemore then trains on the sixty names it carries, in seconds)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "no-data"))
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on any error
    for cell in notebook.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            shown = {mime for output in cell.get("outputs", []) for mime in output.get("data", {})}
            assert CHECKS[tag] in shown, (path.name, cell.source[:60], shown)
    text = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.get("outputs", []))
    assert "Traceback" not in text and "IProgress not found" not in text
