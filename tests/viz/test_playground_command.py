"""``python -m viz.playground``: its help, the summary it prints, the folder it builds by default, and ``--serve``.

No npm and no browser: ``build`` and ``serve`` are replaced by stand-ins that record what they were asked.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from viz.playground import __main__ as command

HELP = """usage: python -m viz.playground [-h] [--out OUT] [--serve [PORT]]

``python -m viz.playground [--out site] [--serve [PORT]]``: build the playground site, and serve it if asked.

options:
  -h, --help      show this help message and exit
  --out OUT       the folder to build into, replaced whole (default: site)
  --serve [PORT]  then serve it on 127.0.0.1 (port 8000 unless given) until Ctrl+C
"""


def test_help_names_the_command_and_its_options(monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # no wrapping: the text as written
    with pytest.raises(SystemExit) as raised:
        command.main(["--help"])
    assert raised.value.code == 0
    assert capsys.readouterr().out == HELP


def fake_build(monkeypatch: pytest.MonkeyPatch, site: Path, nbytes: int) -> List[Path]:
    """``build`` replaced: it makes ``site`` with one file of ``nbytes`` bytes, deep inside, and records its ``out``."""
    asked: List[Path] = []

    def build(out: Path) -> Path:
        asked.append(out)
        (site / "pyodide").mkdir(parents=True)
        with open(site / "pyodide" / "pyodide.asm.wasm", "wb") as f:
            f.truncate(nbytes)
        return site

    monkeypatch.setattr(command, "build", build)
    return asked


def test_it_builds_into_site_by_default_and_says_how_big_and_how_to_open_it(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    site = tmp_path / "site"
    asked = fake_build(monkeypatch, site, 1_050_001)  # 1.050001 MB: "1.1", where a million and one would give 1.0
    monkeypatch.setattr(command, "serve", lambda *args, **kwargs: pytest.fail("serve without --serve"))
    assert command.main([]) == 0
    assert asked == [Path("site")]
    assert capsys.readouterr().out == (
        f"built the playground in {site}/: 1.1 MB, almost all of it fetched by the first page load "
        f"(Pyodide; `make bench` measures the load)\n"
        f"open it: make playground (or python3 -m http.server --directory {site} --bind 127.0.0.1 8000), "
        f"then http://127.0.0.1:8000/ in a browser\n")


def fake_serve(monkeypatch: pytest.MonkeyPatch) -> Dict[str, Any]:
    """``serve`` replaced by a context manager that records its arguments, and ``time.sleep`` by a Ctrl+C."""
    seen: Dict[str, Any] = {"sleeps": []}

    @contextlib.contextmanager
    def serve(folder: Path, port: int = 0, quiet: bool = True) -> Iterator[str]:
        seen.update(folder=folder, port=port, quiet=quiet)
        yield f"http://127.0.0.1:{port}"

    def sleep(seconds: float) -> None:
        seen["sleeps"].append(seconds)
        seen["shown before waiting"] = raw.getvalue().decode()
        raise KeyboardInterrupt

    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8"))  # buffered, as a pipe is
    monkeypatch.setattr(command, "serve", serve)
    monkeypatch.setattr(command.time, "sleep", sleep)
    return seen


def test_serve_on_a_given_port_until_ctrl_c(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site = tmp_path / "site"
    fake_build(monkeypatch, site, 10)
    seen = fake_serve(monkeypatch)
    assert command.main(["--out", str(site), "--serve", "8123"]) == 0  # Ctrl+C is the normal way out
    assert (seen["folder"], seen["port"], seen["quiet"]) == (site, 8123, False)  # requests are logged
    assert len(seen["sleeps"]) == 1 and isinstance(seen["sleeps"][0], (int, float)) and seen["sleeps"][0] > 0
    # the address is on screen (flushed, even into a pipe) before the command waits
    assert seen["shown before waiting"] == (
        f"built the playground in {site}/: 0.0 MB, almost all of it fetched by the first page load "
        f"(Pyodide; `make bench` measures the load)\n"
        f"serving {site}/ at http://127.0.0.1:8123/ : open it in a browser; Ctrl+C stops\n")


def test_serve_without_a_port_uses_8000(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site = tmp_path / "site"
    fake_build(monkeypatch, site, 10)
    seen = fake_serve(monkeypatch)
    assert command.main(["--out", str(site), "--serve"]) == 0
    assert (seen["folder"], seen["port"]) == (site, 8000)
    assert "at http://127.0.0.1:8000/ :" in seen["shown before waiting"]
