"""``make site``: the browser playground as static files that any file server serves, offline.

Everything the pages load is copied in at build time: Pyodide (CPython compiled to
WebAssembly) and Graphviz compiled to WebAssembly (``@viz-js/viz``) from the npm registry,
at the versions ``package-lock.json`` pins; chainrule's ``engine``, ``nn`` and ``viz`` and the
pure-Python ``graphviz`` package they import, zipped; the pages; the tutorials. Nothing is
fetched from another host when a page runs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Dict, Iterable, List

import graphviz

from ..explorer import script_json
from .examples import EXAMPLES, TRAINING

HERE = Path(__file__).parent
PROJECT = HERE.parents[1]  # the checkout: engine/, nn/, viz/, docs/, demos/
PACKAGES = ("engine", "nn", "viz")
PYODIDE_FILES = ("pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json",
                 "package.json")  # what loadPyodide fetches with no packages asked for (numpy is not: the engine needs none)
VIZ_FILE = "@viz-js/viz/dist/viz-global.js"  # Graphviz with its WebAssembly inlined: one file
PAGES = ("index.html", "train.html", "tutorials.html", "python.js", "playground.js", "train.js", "site.css")


class BuildError(Exception):
    """The site could not be built; the message says what to install or change."""


def npm_packages(cache: Path) -> Path:
    """The pinned npm packages, installed under ``cache`` (again only when the lock file changed); their folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("make site fetches Pyodide and Graphviz (WebAssembly builds) from the npm registry, and "
                         "npm was not found: install Node.js with npm (Debian: apt-get install nodejs npm)")
    lock = (HERE / "package-lock.json").read_bytes()
    stamp = cache / "lock.sha256"
    modules = cache / "node_modules"
    if not (modules.is_dir() and stamp.is_file() and stamp.read_text() == hashlib.sha256(lock).hexdigest()):
        cache.mkdir(parents=True, exist_ok=True)
        shutil.copy(HERE / "package.json", cache / "package.json")
        (cache / "package-lock.json").write_bytes(lock)
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                              cwd=cache, capture_output=True, text=True)
        if done.returncode != 0:
            raise BuildError(f"npm ci failed in {cache} (exit {done.returncode}):\n{done.stderr.strip()}")
        stamp.write_text(hashlib.sha256(lock).hexdigest())
    return modules


def python_files() -> Dict[str, Path]:
    """Every file the page's Python imports, by its path in the zip: chainrule's packages and ``graphviz``."""
    files = {}
    for package in PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):  # sources only: the pages need no package data
            files[path.relative_to(PROJECT).as_posix()] = path
    source = Path(graphviz.__file__).parent  # the pure-Python package as pip installed it from PyPI
    for path in sorted(source.rglob("*.py")):
        files["graphviz/" + path.relative_to(source).as_posix()] = path
    return files


def write_zip(path: Path, files: Dict[str, Path]) -> None:
    """``files`` zipped, with a fixed date, so that the same sources give the same bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, source in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, source.read_bytes())


def tutorials(out: Path) -> List[Dict[str, str]]:
    """The guides and notebooks copied beside the pages, each with its title, for the tutorials page."""
    found = []
    for folder, pattern in (("docs", "*.md"), ("demos/notebooks", "*.ipynb")):
        for path in sorted((PROJECT / folder).glob(pattern)):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".ipynb":
                cells = json.loads(text)["cells"]
                text = "".join(cells[0]["source"]) if cells else ""
            title = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), path.stem)
            target = out / "tutorials" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
            found.append({"file": f"tutorials/{path.name}", "title": title, "kind": folder})
    return found


def build(out: Path, cache: Path = Path("build/playground-npm")) -> Path:
    """Build the site into ``out`` (made afresh) and return its path."""
    modules = npm_packages(cache)
    if out.exists():
        shutil.rmtree(out)
    (out / "pyodide").mkdir(parents=True)
    (out / "vendor").mkdir()
    for name in PYODIDE_FILES:
        shutil.copy(modules / "pyodide" / name, out / "pyodide" / name)
    shutil.copy(modules / VIZ_FILE, out / "vendor" / "viz-global.js")
    write_zip(out / "chainrule.zip", python_files())
    shutil.copy(PROJECT / "viz" / "explorer.js", out / "explorer.js")
    slots = {
        "__EXAMPLES__": script_json([e._asdict() for e in EXAMPLES]),
        "__TRAINING__": script_json(TRAINING),
        "__TUTORIALS__": script_json(tutorials(out)),
        "__VERSIONS__": script_json(versions(modules)),
    }
    for name in PAGES:
        text = (HERE / name).read_text(encoding="utf-8")
        for slot, value in slots.items():
            text = text.replace(slot, value)
        (out / name).write_text(text, encoding="utf-8")
    return out


def versions(modules: Path) -> Dict[str, str]:
    """The versions the site was built from, shown in its footers."""
    def version(package: str) -> str:
        return json.loads((modules / package / "package.json").read_text())["version"]
    return {"pyodide": version("pyodide"), "viz": version("@viz-js/viz")}


def size(paths: Iterable[Path]) -> int:
    """Bytes in ``paths``."""
    return sum(p.stat().st_size for p in paths if p.is_file())
