"""One atomic write for checkpoints, drawings, plots and demos: whole or nothing, with a normal file's mode."""

import os
import random
import stat
from pathlib import Path

import pytest

import viz
from engine import Value
from nn import MLP, save
from nn.files import write_atomic


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
