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


def writers(y: Value):
    """Every public way chainrule writes a file, each as ``name -> write(path)``, with the suffix it needs."""
    random.seed(0)
    model = MLP(2, [3, 1])
    return {
        "model.json": lambda p: model.save(p),
        "nn.json": lambda p: save(model, p),
        "graph.dot": lambda p: viz.save(y, p),
        "graph.svg": lambda p: viz.save(y, p),
        "page.html": lambda p: viz.explorer(y, p),
        "history.png": lambda p: viz.plot_history({"loss": [1.0, 0.5]}, p),
    }


def test_every_writer_keeps_a_private_files_mode(tmp_path: Path) -> None:
    for name, write in writers(Value(2.0, label="a") * 3).items():
        path = tmp_path / name
        path.write_text("old")
        os.chmod(path, 0o600)  # a checkpoint made private: a save must not make it 0644 again
        write(path)
        assert mode(path) == 0o600 and path.read_bytes() != b"old", name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(writers(Value(1.0)))


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_every_writer_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    for name, write in writers(Value(2.0, label="a") * 3).items():
        real = tmp_path / f"real-{name}"
        real.write_text("old")
        link = tmp_path / name  # as latest.json -> ckpt-3.json
        link.symlink_to(real.name)
        write(link)
        assert link.is_symlink() and os.readlink(link) == real.name, name
        assert real.read_bytes() != b"old" and not real.is_symlink(), name
    assert len(list(tmp_path.iterdir())) == 2 * len(writers(Value(1.0)))
    assert MLP.load(tmp_path / "model.json").config == MLP(2, [3, 1]).config  # loads through the link too


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_every_writer_refuses_a_fifo_or_a_directory_and_leaves_it(tmp_path: Path) -> None:
    for name, write in writers(Value(2.0, label="a") * 3).items():
        fifo = tmp_path / "fifos" / name
        fifo.parent.mkdir(exist_ok=True)
        os.mkfifo(fifo)
        with pytest.raises(FileExistsError, match="it is a FIFO"):
            write(fifo)
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode), name
        folder = tmp_path / "folders" / name
        folder.mkdir(parents=True)
        with pytest.raises(IsADirectoryError, match="it is a directory"):
            write(folder)
        assert folder.is_dir() and list(folder.iterdir()) == [], name
    assert len(list((tmp_path / "fifos").iterdir())) == len(writers(Value(1.0)))


def test_a_copy_of_dev_full_is_refused_not_saved(tmp_path: Path) -> None:
    full = tmp_path / "full.json"
    try:
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except (PermissionError, AttributeError):
        pytest.skip("making a device needs root (CAP_MKNOD)")
    random.seed(0)
    with pytest.raises(FileExistsError, match=r"full\.json: it is a character device, not a regular file"):
        MLP(2, [3, 1]).save(full)
    assert stat.S_ISCHR(os.lstat(full).st_mode) and [p.name for p in tmp_path.iterdir()] == ["full.json"]
