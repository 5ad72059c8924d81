"""What the playground's builder writes: the npm cache and when it is refreshed, the zip's entries, the tutorials
and their titles, the site's files and filled slots, and the build's swap of a finished folder into place.

npm is stood in for by a small Python program run the way npm would be; no browser, no network.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, List

import pytest

from viz.explorer import script_json
from viz.playground import build
from viz.playground.examples import TRAINING

ROOT = Path(__file__).parents[2]
LOCK = (ROOT / "viz" / "playground" / "package-lock.json").read_bytes()
FAKE_NPM = """
import pathlib, sys
if sys.argv[1:] == ["fail"]:
    sys.stderr.write("npm error network request failed\\n")
    sys.exit(1)
here = pathlib.Path.cwd()
assert (here / "package.json").is_file() and (here / "package-lock.json").is_file()
(here / "node_modules").mkdir(exist_ok=True)
(here / "node_modules" / "ran").write_text("ran")
print("added 2 packages in 1s")
"""


def fake_npm(monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> List[List[str]]:
    """npm found at /usr/bin/npm (under that name only); ``npm ci`` runs a Python stand-in with the same keywords."""
    calls: List[List[str]] = []
    real_run = subprocess.run
    monkeypatch.setattr(build.shutil, "which", lambda name: "/usr/bin/npm" if name == "npm" else None)

    def run(args: List[str], **kwargs: Any) -> Any:
        calls.append(list(args))
        return real_run([sys.executable, "-c", FAKE_NPM] + (["fail"] if fail else []), **kwargs)

    monkeypatch.setattr(build.subprocess, "run", run)
    return calls


def test_npm_ci_runs_once_per_lock_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        capfd: pytest.CaptureFixture) -> None:
    calls = fake_npm(monkeypatch)
    cache = tmp_path / "build" / "playground-npm"  # its parent does not exist yet
    assert build.npm_packages(cache) == cache / "node_modules"
    assert calls == [["/usr/bin/npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]]
    assert (cache / "package.json").read_bytes() == (ROOT / "viz" / "playground" / "package.json").read_bytes()
    assert (cache / "package-lock.json").read_bytes() == LOCK
    assert (cache / "lock.sha256").read_text() == hashlib.sha256(LOCK).hexdigest()
    assert capfd.readouterr().out == ""  # npm's chatter is kept from the terminal

    assert build.npm_packages(cache) == cache / "node_modules" and len(calls) == 1  # the same lock: no npm
    (cache / "lock.sha256").write_text("the hash of an older lock")
    assert build.npm_packages(cache) == cache / "node_modules" and len(calls) == 2  # a changed lock: npm ci again
    assert (cache / "lock.sha256").read_text() == hashlib.sha256(LOCK).hexdigest()


def test_a_cache_without_its_stamp_is_installed_again(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = fake_npm(monkeypatch)
    (tmp_path / "node_modules").mkdir()  # an interrupted install: packages, but no stamp
    assert build.npm_packages(tmp_path) == tmp_path / "node_modules" and len(calls) == 1
    assert (tmp_path / "node_modules" / "ran").is_file()


def test_npm_failing_is_reported_with_its_own_words(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_npm(monkeypatch, fail=True)
    with pytest.raises(build.BuildError) as raised:
        build.npm_packages(tmp_path / "cache")
    assert str(raised.value) == f"npm ci failed in {tmp_path / 'cache'} (exit 1):\nnpm error network request failed"


def test_without_npm_the_whole_message(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(build.BuildError) as raised:
        build.npm_packages(tmp_path)
    assert str(raised.value) == (
        "make site fetches Pyodide and Graphviz (WebAssembly builds) from the npm registry, and npm was not "
        "found: install Node.js with npm (Debian: apt-get install nodejs npm)")


def test_zip_entries_carry_the_fixed_date(tmp_path: Path) -> None:
    files = {"engine/value.py": ROOT / "engine" / "value.py", "nn/__init__.py": ROOT / "nn" / "__init__.py"}
    build.write_zip(tmp_path / "a.zip", files)
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        assert [(i.filename, i.date_time, i.compress_type) for i in z.infolist()] == [
            ("engine/value.py", (2020, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED),
            ("nn/__init__.py", (2020, 1, 1, 0, 0, 0), zipfile.ZIP_DEFLATED)]


def notebook(path: Path, *cells: List[str]) -> None:
    path.write_text(json.dumps({"cells": [{"cell_type": "markdown", "source": c} for c in cells]}))


def test_tutorial_titles_come_from_the_first_heading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "docs").mkdir(parents=True)
    (project / "demos" / "notebooks").mkdir(parents=True)
    (project / "docs" / "a.md").write_text("intro\n## X-rays and gradients\n# later\n")
    (project / "docs" / "b.md").write_text("no heading here\n")
    notebook(project / "demos" / "notebooks" / "n1.ipynb", ["Some words\n", "# Notebook one\n"], ["# Second cell\n"])
    notebook(project / "demos" / "notebooks" / "n2.ipynb")
    notebook(project / "demos" / "notebooks" / "n3.ipynb", ["no heading\n"], ["# Not the first cell\n"])
    monkeypatch.setattr(build, "PROJECT", project)
    out = tmp_path / "not" / "yet" / "site"
    assert build.tutorials(out) == [
        {"file": "tutorials/a.md", "title": "X-rays and gradients", "kind": "docs"},
        {"file": "tutorials/b.md", "title": "b", "kind": "docs"},
        {"file": "tutorials/n1.ipynb", "title": "Notebook one", "kind": "demos/notebooks"},
        {"file": "tutorials/n2.ipynb", "title": "n2", "kind": "demos/notebooks"},
        {"file": "tutorials/n3.ipynb", "title": "n3", "kind": "demos/notebooks"},
    ]
    assert (out / "tutorials" / "n1.ipynb").read_bytes() == (project / "demos" / "notebooks" / "n1.ipynb").read_bytes()


def fake_modules(folder: Path) -> Path:
    modules = folder / "node_modules"
    (modules / "pyodide").mkdir(parents=True)
    for name in build.PYODIDE_FILES:
        (modules / "pyodide" / name).write_text('{"version": "1.2.3"}' if name == "package.json" else name)
    (modules / "@viz-js" / "viz" / "dist").mkdir(parents=True)
    (modules / "@viz-js" / "viz" / "dist" / "viz-global.js").write_text("the viz build")
    (modules / "@viz-js" / "viz" / "package.json").write_text('{"version": "4.5.6"}')
    return modules


def test_the_site_holds_its_files_and_every_slot_filled(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    build.fill(out, fake_modules(tmp_path))
    assert (out / "vendor" / "viz-global.js").read_text() == "the viz build"
    assert (out / "pyodide" / "pyodide.asm.wasm").read_text() == "pyodide.asm.wasm"
    with zipfile.ZipFile(out / "chainrule.zip") as z:
        assert z.read("engine/value.py") == (ROOT / "engine" / "value.py").read_bytes()
    pages = {name: (out / name).read_text(encoding="utf-8") for name in build.PAGES}
    for name, text in pages.items():
        for slot in ("__CONTROLS__", "__EXAMPLES__", "__TRAINING__", "__TUTORIALS__", "__VERSIONS__"):
            assert slot not in text, (name, slot)
    assert (ROOT / "viz" / "explorer_controls.html").read_text(encoding="utf-8") in pages["index.html"]
    assert script_json(TRAINING) in pages["train.html"]
    titles = script_json(build.tutorials(tmp_path / "again"))
    assert '"title": "The playground: chainrule in a web page"' in titles and titles in pages["tutorials.html"]
    assert (out / build.MARK).read_text() == (
        "made by make site (python -m viz.playground): replaced whole at the next build\n")


def test_a_build_swaps_in_a_finished_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    modules = fake_modules(tmp_path)
    caches: List[Path] = []
    monkeypatch.setattr(build, "npm_packages", lambda cache: caches.append(cache) or modules)
    filled: List[Path] = []
    real_fill = build.fill

    def fill(new: Path, mods: Path) -> None:
        filled.append(new)
        real_fill(new, mods)

    monkeypatch.setattr(build, "fill", fill)
    site = tmp_path / "a" / "b" / "site"  # a and b do not exist yet
    assert build.build(site, cache=tmp_path / "cache") == site
    assert caches == [tmp_path / "cache"]
    # filled in a hidden folder beside the site, named after it, which is then renamed into place
    assert filled[0].parent == site.parent and filled[0].name.startswith(".site-")
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]
    assert (site / "index.html").is_file() and (site / build.MARK).is_file()

    (site / "stale.txt").write_text("left by an older build")
    assert build.build(site, cache=tmp_path / "cache") == site  # a site the build made is replaced whole
    assert not (site / "stale.txt").exists() and (site / "index.html").is_file()
    assert sorted(p.name for p in site.parent.iterdir()) == ["site"]


def test_outside_a_checkout_the_build_says_to_clone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(build, "PROJECT", tmp_path / "installed")
    with pytest.raises(build.BuildError) as raised:
        build.build(tmp_path / "site", cache=tmp_path / "cache")
    assert str(raised.value) == (
        f"make site builds from a checkout of chainrule (docs/ and demos/notebooks/ beside engine/), and "
        f"{tmp_path / 'installed'} has no docs/: clone the repository and run it there")


ASCII_LOCALE = """
import pathlib, shutil, sys
from viz.playground import build
work = pathlib.Path(sys.argv[1])
here = work / "pages"
shutil.copytree(build.HERE, here)
(here / "index.html").write_text((here / "index.html").read_text(encoding="utf-8") + "<!-- caf\\u00e9 -->",
                                 encoding="utf-8")
build.HERE = here
project = work / "project"
(project / "viz").mkdir(parents=True)
for name in ("docs", "demos", "engine", "nn"):
    (project / name).symlink_to(build.PROJECT / name)
for name in ("explorer.js", "explorer.css"):
    shutil.copy(build.PROJECT / "viz" / name, project / "viz" / name)
(project / "viz" / "explorer_controls.html").write_text("<p>\\u00e9t\\u00e9</p>", encoding="utf-8")
build.PROJECT = project
(work / "out").mkdir()
build.fill(work / "out", work / "node_modules")
"""


def test_files_are_read_and_written_as_utf8_in_an_ascii_locale(tmp_path: Path) -> None:
    fake_modules(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONUTF8"))}
    env.update(LC_ALL="C", PYTHONUTF8="0", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-X", "utf8=0", "-c", ASCII_LOCALE, str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<!-- caf\u00e9 -->" in index and "<p>\u00e9t\u00e9</p>" in index
    copied = sorted((tmp_path / "out" / "tutorials").glob("*.md"))
    assert any(not p.read_bytes().isascii() for p in copied)  # the guides hold non-ASCII text, read as UTF-8
    assert all(p.read_bytes() == (ROOT / "docs" / p.name).read_bytes() for p in copied)
