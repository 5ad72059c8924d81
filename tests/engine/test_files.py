"""One atomic write for checkpoints, drawings, plots and demos: whole or nothing, with a normal file's mode."""

import os
import random
import stat
from pathlib import Path

import pytest

import viz
from engine import Value
from nn import MLP, save
from engine.files import write_atomic


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    try:
        yield 0o640  # what open(path, "w") gives under this umask
    finally:
        os.umask(old)


def test_written_files_get_the_mode_a_plain_write_would(tmp_path: Path, umask_027: int) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert mode(plain) == umask_027
    random.seed(0)
    y = Value(2.0, label="a") * 3
    written = [
        write_atomic(tmp_path / "a.txt", "hello"),
        save(MLP(2, [3, 1]), tmp_path / "model.json"),
        viz.save(y, tmp_path / "graph.dot"),
        viz.explorer(y, tmp_path / "page.html"),
        viz.plot_history({"loss": [1.0, 0.5]}, tmp_path / "history.png"),
    ]
    assert {p.name: mode(p) for p in written} == {p.name: umask_027 for p in written}


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch) -> None:
    target = write_atomic(tmp_path / "a.txt", "old")

    def broken(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.skipif(os.name == "nt", reason="pids are probed with signal 0")
def test_a_killed_writers_temporaries_are_swept_and_a_live_writers_kept(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        names = {
            f".model.json.{dead.pid}-0123abcd.tmp": False,    # its writer was killed: swept
            f".model.json.{live.pid}-0123abcd.tmp": True,     # its writer may still be saving: kept
            f".model.json.bak.{dead.pid}-0123abcd.tmp": True,  # the temporary of another file, model.json.bak
            f"model.json.{dead.pid}-0123abcd.tmp": True,      # not a temporary's name: the user's file
            ".model.json.tmp": True,
        }
        for name in names:
            (tmp_path / name).write_text("partial")
        write_atomic(tmp_path / "model.json", "new")
        left = {p.name for p in tmp_path.iterdir()}
        assert left == {"model.json"} | {name for name, kept in names.items() if kept}
    finally:
        live.kill()
        live.wait()
