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
import re
import shutil
import subprocess
import tempfile
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
CACHE = PROJECT / "build" / "playground-npm"  # the npm packages, kept between builds (git ignores build/)
MARK = ".chainrule-site"  # the file that says a folder is a built site, which the next build may replace
PAGES = ("index.html", "train.html", "tutorials.html", "python.js", "playground.js", "train.js", "site.css")


class BuildError(Exception):
    """The site could not be built; the message says what to install or change."""


def npm_packages(cache: Path) -> Path:
    """The pinned npm packages, installed under ``cache`` (again only when the lock file changed); their folder.

    >>> (npm_packages(CACHE) / "pyodide" / "pyodide.asm.wasm").is_file()  # doctest: +SKIP
    True
    """
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("make site fetches Pyodide and Graphviz (WebAssembly builds) from the npm registry, and "
                         "npm was not found: install Node.js with npm (Debian: apt-get install nodejs npm)")
    lock = (HERE / "package-lock.json").read_bytes()
    stamp = cache / "lock.sha256"
    modules = cache / "node_modules"
    fresh = stamp.is_file() and stamp.read_text(encoding="utf-8") == hashlib.sha256(lock).hexdigest()
    if not (modules.is_dir() and fresh):
        cache.mkdir(parents=True, exist_ok=True)
        shutil.copy(HERE / "package.json", cache / "package.json")
        (cache / "package-lock.json").write_bytes(lock)
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                              cwd=cache, capture_output=True, text=True)
        if done.returncode != 0:
            raise BuildError(f"npm ci failed in {cache} (exit {done.returncode}):\n{done.stderr.strip()}")
        stamp.write_text(hashlib.sha256(lock).hexdigest(), encoding="utf-8")
    return modules


def python_files() -> Dict[str, Path]:
    """Every file the page's Python imports, by its path in the zip: chainrule's packages and ``graphviz``.

    >>> files = python_files()
    >>> files["engine/value.py"] == PROJECT / "engine" / "value.py", "graphviz/__init__.py" in files
    (True, True)
    """
    files = {}
    for package in PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):  # sources only: the pages need no package data
            files[path.relative_to(PROJECT).as_posix()] = path
    source = Path(graphviz.__file__).parent  # the pure-Python package as pip installed it from PyPI
    for path in sorted(source.rglob("*.py")):
        files["graphviz/" + path.relative_to(source).as_posix()] = path
    return files


def write_zip(path: Path, files: Dict[str, Path]) -> None:
    """``files`` zipped, with a fixed date, so that the same sources give the same bytes.

    >>> folder = Path(tempfile.mkdtemp())
    >>> write_zip(folder / "a.zip", {"engine/value.py": PROJECT / "engine" / "value.py"})
    >>> zipfile.ZipFile(folder / "a.zip").namelist()
    ['engine/value.py']
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, source in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, source.read_bytes())


def tutorials(out: Path) -> List[Dict[str, str]]:
    """The guides and notebooks copied beside the pages, each with its title, for the tutorials page.

    >>> found = tutorials(Path(tempfile.mkdtemp()))
    >>> next(t["title"] for t in found if t["file"] == "tutorials/playground.md")
    'The playground: chainrule in a web page'
    """
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


def build(out: Path, cache: Path = CACHE) -> Path:
    """Build the site into ``out`` and return its path.

    The site is built beside ``out`` and swapped in whole, so a failed build leaves the last one as
    it was; a folder already at ``out`` is replaced only if a build made it (``MARK`` inside), so
    that ``--out .`` or ``--out docs`` is refused rather than deleted.

    >>> build(Path("site"))  # doctest: +SKIP
    PosixPath('site')
    """
    if out.exists() and not (out / MARK).is_file():
        raise BuildError(f"{out} exists and was not made by make site (no {MARK} in it): choose another --out, "
                         f"or remove it yourself")
    if not (PROJECT / "docs").is_dir():
        raise BuildError(f"make site builds from a checkout of chainrule (docs/ and demos/notebooks/ beside "
                         f"engine/), and {PROJECT} has no docs/: clone the repository and run it there")
    modules = npm_packages(cache)
    out.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        fill(new, modules)
        if out.exists():
            shutil.rmtree(out)
        new.rename(out)
    finally:
        shutil.rmtree(new, ignore_errors=True)
    return out


def fill(out: Path, modules: Path) -> None:
    """Write every file of the site into the empty folder ``out``, from the npm packages in ``modules``."""
    (out / "pyodide").mkdir()
    (out / "vendor").mkdir()
    for name in PYODIDE_FILES:
        shutil.copy(modules / "pyodide" / name, out / "pyodide" / name)
    shutil.copy(modules / VIZ_FILE, out / "vendor" / "viz-global.js")
    write_zip(out / "chainrule.zip", python_files())
    for part in ("explorer.js", "explorer.css"):  # the explorer's stepping and look, as viz.explorer inlines them
        shutil.copy(PROJECT / "viz" / part, out / part)
    slots = {
        "__CONTROLS__": (PROJECT / "viz" / "explorer_controls.html").read_text(encoding="utf-8"),
        "__EXAMPLES__": script_json([e._asdict() for e in EXAMPLES]),
        "__TRAINING__": script_json(TRAINING),
        "__TUTORIALS__": script_json(tutorials(out)),
        "__VERSIONS__": script_json(versions(modules)),
    }
    slot = re.compile("|".join(slots))
    for name in PAGES:  # every slot filled in one pass: an example holding "__VERSIONS__" stays as it is
        text = slot.sub(lambda m: slots[m.group(0)], (HERE / name).read_text(encoding="utf-8"))
        (out / name).write_text(text, encoding="utf-8")
    (out / MARK).write_text("made by make site (python -m viz.playground): replaced whole at the next build\n",
                           encoding="utf-8")


def versions(modules: Path) -> Dict[str, str]:
    """The versions the site was built from, shown in its footers.

    >>> versions(CACHE / "node_modules")  # doctest: +SKIP
    {'pyodide': '314.0.8', 'viz': '3.25.0'}
    """
    def version(package: str) -> str:
        return json.loads((modules / package / "package.json").read_text(encoding="utf-8"))["version"]
    return {"pyodide": version("pyodide"), "viz": version("@viz-js/viz")}


def size(paths: Iterable[Path]) -> int:
    """Bytes in ``paths`` (folders count nothing).

    >>> size([PROJECT / "viz" / "playground"]), size([HERE / "package.json"]) == (HERE / "package.json").stat().st_size
    (0, True)
    """
    return sum(p.stat().st_size for p in paths if p.is_file())
