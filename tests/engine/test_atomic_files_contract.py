"""write_atomic's bytes, mode, fsync and temporaries, and how the sweep decides a temporary's writer is gone."""

import os
import re
import stat
from pathlib import Path

import pytest

from engine import files
from engine.files import _alive, write_atomic

pytestmark = pytest.mark.skipif(os.name == "nt", reason="pids are probed with signal 0")


def test_text_bytes_parents_and_the_returned_path(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "note.txt"
    got = write_atomic(str(target), "grüße ✓")
    assert got == target and isinstance(got, Path)
    assert target.read_bytes() == "grüße ✓".encode("utf-8")
    write_atomic(target, b"\x00\xffraw")
    assert target.read_bytes() == b"\x00\xffraw"
    assert [p.name for p in target.parent.iterdir()] == ["note.txt"]


@pytest.mark.parametrize("umask, want", [(0o022, 0o644), (0o000, 0o666), (0o077, 0o600)])
def test_mode_is_0666_less_the_umask(tmp_path: Path, umask: int, want: int) -> None:
    old = os.umask(umask)
    try:
        path = write_atomic(tmp_path / "m.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == want


def test_the_bytes_are_flushed_and_synced_in_a_named_temporary(tmp_path: Path, monkeypatch) -> None:
    seen = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        seen.append(("fsync", os.fstat(fd).st_size))
        return real_fsync(fd)

    def replace(src, dst):
        seen.append(("replace", Path(src).name, Path(src).read_bytes(), Path(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomic(tmp_path / "m.json", "12345")
    assert seen[0] == ("fsync", 5)
    kind, name, content, dst = seen[1]
    assert (kind, content, dst) == ("replace", b"12345", tmp_path / "m.json")
    assert re.fullmatch(rf"\.m\.json\.{os.getpid()}-[0-9a-f]{{8}}\.tmp", name)


def test_an_existing_temporary_name_is_never_overwritten(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(files.secrets, "token_hex", lambda n: "abcdef01")
    clash = tmp_path / f".m.json.{os.getpid()}-abcdef01.tmp"
    clash.write_text("another thread's")
    with pytest.raises(FileExistsError):
        write_atomic(tmp_path / "m.json", "mine")
    assert clash.read_text() == "another thread's" and not (tmp_path / "m.json").exists()


def test_own_temporaries_are_kept_and_strangers_swept(tmp_path: Path, monkeypatch) -> None:
    gone = 2 ** 22 + 12345  # above Linux's pid_max: no such process
    monkeypatch.setattr(files, "_alive", lambda pid: pid != gone)
    names = {
        f".m.json.{os.getpid()}-0123abcd.tmp": True,   # ours (another thread may be writing it)
        f".m.json.{gone}-0123abcd.tmp": False,          # its writer is gone
        f".m.json.{gone}-0123abcd.tmpx": True,          # not exactly a temporary's name
        f".m.json.{gone}-0123ABCD.tmp": True,           # the token is lower-case hex
        f".m.json.{gone}-0123abc.tmp": True,            # and eight digits long
        f".m.json.x{gone}-0123abcd.tmp": True,
        f".n.json.{gone}-0123abcd.tmp": True,           # another file's
    }
    for name in names:
        (tmp_path / name).write_text("partial")
    write_atomic(tmp_path / "m.json", "new")
    assert {p.name for p in tmp_path.iterdir()} == {"m.json"} | {n for n, kept in names.items() if kept}


def test_sweep_failures_never_stop_the_write(tmp_path: Path, monkeypatch) -> None:
    gone = 2 ** 22 + 12345
    stale = tmp_path / f".m.json.{gone}-0123abcd.tmp"
    stale.write_text("partial")
    real_unlink = Path.unlink

    def unlink(self, *args, **kwargs):
        if self.name == stale.name:
            raise PermissionError("not ours")
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    write_atomic(tmp_path / "m.json", "new")
    assert (tmp_path / "m.json").read_text() == "new" and stale.exists()

    def no_listing(self):
        raise PermissionError("cannot list")

    monkeypatch.setattr(Path, "iterdir", no_listing)
    write_atomic(tmp_path / "m.json", "newer")
    assert (tmp_path / "m.json").read_text() == "newer"


def test_alive_asks_with_signal_zero(monkeypatch) -> None:
    calls = []

    def kill(pid, sig):
        calls.append((pid, sig))
        raise {11: ProcessLookupError, 12: PermissionError, 13: OverflowError, 14: OSError}.get(pid, ValueError)()

    monkeypatch.setattr(os, "kill", kill)
    assert _alive(11) is False
    assert _alive(12) is True and _alive(13) is True and _alive(14) is True
    assert calls == [(11, 0), (12, 0), (13, 0), (14, 0)]
    calls.clear()
    assert _alive(os.getpid()) is True and calls == []
    monkeypatch.setattr(os, "kill", lambda pid, sig: calls.append((pid, sig)))
    assert _alive(15) is True and calls == [(15, 0)]


def test_on_windows_every_other_writer_counts_as_alive(monkeypatch) -> None:
    calls = []

    def kill(pid, sig):
        calls.append((pid, sig))
        raise ProcessLookupError

    monkeypatch.setattr(os, "kill", kill)
    monkeypatch.setattr(os, "name", "nt")
    try:
        results = [_alive(11), _alive(os.getpid())]
    finally:
        monkeypatch.undo()
    assert results == [True, True] and calls == []


def test_the_sweep_looks_past_files_that_are_not_dead_temporaries(tmp_path: Path, monkeypatch) -> None:
    gone = 2 ** 22 + 12345
    monkeypatch.setattr(files, "_alive", lambda pid: pid != gone)
    kept = [tmp_path / "other.txt", tmp_path / f".m.json.{os.getpid()}-0123abcd.tmp"]
    stale = [tmp_path / f".m.json.{gone}-0123abcd.tmp", tmp_path / f".m.json.{gone}-89abcdef.tmp"]
    for p in kept + stale:
        p.write_text("x")
    ordered = [kept[0], stale[0], kept[1], stale[1]]  # a fixed listing order, the kept ones in between
    monkeypatch.setattr(Path, "iterdir", lambda self: iter(ordered) if self == tmp_path else iter([]))
    write_atomic(tmp_path / "m.json", "new")
    monkeypatch.undo()
    assert {p.name for p in tmp_path.iterdir()} == {"m.json"} | {p.name for p in kept}
