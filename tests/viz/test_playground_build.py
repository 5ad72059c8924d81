"""The playground's builder without a browser: what it zips, what it says when npm is missing or fails."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from viz.playground import __main__ as command
from viz.playground import build
from viz.playground.examples import Example

ROOT = Path(__file__).parents[2]


def test_the_zip_holds_every_python_source_the_pages_import(tmp_path: Path) -> None:
    files = build.python_files()
    for package in ("engine", "nn", "viz"):
        want = {p.relative_to(ROOT).as_posix() for p in (ROOT / package).rglob("*.py")}
        assert want <= set(files)
    assert "graphviz/__init__.py" in files and "viz/playground/session.py" in files
    assert not [name for name in files if "__pycache__" in name or not name.endswith(".py")]
    build.write_zip(tmp_path / "a.zip", files)
    build.write_zip(tmp_path / "b.zip", files)
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()  # same sources, same bytes
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert z.read("engine/value.py") == (ROOT / "engine" / "value.py").read_bytes()


def test_without_npm_the_build_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(build.BuildError, match=r"npm was not found: install Node.js with npm \(Debian: apt-get "):
        build.build(tmp_path / "site", cache=tmp_path / "cache")
    assert command.main(["--out", str(tmp_path / "site")]) == 1
    assert capsys.readouterr().err.startswith("make site: make site fetches Pyodide and Graphviz")
    assert not (tmp_path / "site").exists()  # nothing half-built


def test_a_failing_npm_is_reported_with_its_own_words(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(build.shutil, "which", lambda name: "/usr/bin/npm")

    def fail(args: Any, **kwargs: Any) -> subprocess.CompletedProcess:
        assert args[1:3] == ["ci", "--no-audit"] and kwargs["cwd"] == tmp_path / "cache"
        return subprocess.CompletedProcess(args, 1, "", "npm error network request failed\n")

    monkeypatch.setattr(build.subprocess, "run", fail)
    with pytest.raises(build.BuildError) as raised:
        build.npm_packages(tmp_path / "cache")
    assert str(raised.value) == f"npm ci failed in {tmp_path / 'cache'} (exit 1):\nnpm error network request failed"
    assert not (tmp_path / "cache" / "lock.sha256").exists()  # tried again next time


def test_the_tutorials_are_copied_with_their_titles(tmp_path: Path) -> None:
    found = build.tutorials(tmp_path)
    guides = sorted((ROOT / "docs").glob("*.md"))
    assert [t["file"] for t in found if t["kind"] == "docs"] == [f"tutorials/{p.name}" for p in guides]
    playground = next(t for t in found if t["file"] == "tutorials/playground.md")
    assert playground["title"] == "The playground: chainrule in a web page"
    notebooks = [t for t in found if t["kind"] == "demos/notebooks"]
    assert notebooks and all((tmp_path / t["file"]).read_bytes() ==
                             (ROOT / "demos" / "notebooks" / Path(t["file"]).name).read_bytes() for t in notebooks)


def test_a_folder_the_build_did_not_make_is_never_replaced(tmp_path: Path) -> None:
    mine = tmp_path / "docs"
    mine.mkdir()
    (mine / "notes.md").write_text("my notes")
    with pytest.raises(build.BuildError, match=r"docs exists and was not made by make site \(no \.chainrule-site"):
        build.build(mine, cache=tmp_path / "cache")
    assert (mine / "notes.md").read_text() == "my notes"


def test_a_failed_build_leaves_the_last_site_whole(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / build.MARK).write_text("made by make site")
    (site / "index.html").write_text("the last build")
    monkeypatch.setattr(build, "npm_packages", lambda cache: tmp_path / "node_modules")  # empty: copying fails

    with pytest.raises(FileNotFoundError):
        build.build(site, cache=tmp_path / "cache")
    assert (site / "index.html").read_text() == "the last build"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no half-built folder left beside it


def test_slots_are_filled_in_one_pass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    modules = tmp_path / "node_modules"
    for name in build.PYODIDE_FILES:
        (modules / "pyodide").mkdir(parents=True, exist_ok=True)
        (modules / "pyodide" / name).write_text('{"version": "1.2.3"}' if name == "package.json" else name)
    (modules / "@viz-js" / "viz" / "dist").mkdir(parents=True)
    (modules / "@viz-js" / "viz" / "dist" / "viz-global.js").write_text("viz")
    (modules / "@viz-js" / "viz" / "package.json").write_text('{"version": "4.5.6"}')
    tricky = Example("tricky", "an example naming __VERSIONS__", "out = '__TRAINING__'")
    monkeypatch.setattr(build, "EXAMPLES", (tricky,))
    (tmp_path / "out").mkdir()
    build.fill(tmp_path / "out", modules)
    page = (tmp_path / "out" / "index.html").read_text()
    assert "an example naming __VERSIONS__" in page and "out = '__TRAINING__'" in page  # left as the learner wrote
    assert '{"pyodide": "1.2.3", "viz": "4.5.6"}' in page and (tmp_path / "out" / build.MARK).is_file()
