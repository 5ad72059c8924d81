"""write_atomic's bytes, mode, fsync and temporaries, and how the sweep decides a temporary's writer is gone."""

import errno
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


def leftovers(*folders: Path) -> set:
    """Every name in ``folders``: a temporary left behind would show here."""
    return {p.name for folder in folders for p in folder.iterdir()}


def test_a_symbolic_link_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "ckpt-3.json"
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to("ckpt-3.json")  # relative, as `ln -s ckpt-3.json latest.json` makes it
    got = write_atomic(link, "new")
    assert got == link and link.is_symlink() and os.readlink(link) == "ckpt-3.json"
    assert real.read_text() == "new" and leftovers(tmp_path) == {"ckpt-3.json", "latest.json"}


def test_a_chain_of_links_across_folders_writes_the_last_target_in_its_own_folder(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (b / "real.json").write_text("old")
    (b / "middle.json").symlink_to("real.json")
    (a / "first.json").symlink_to(b / "middle.json")
    write_atomic(a / "first.json", "new")
    assert (b / "real.json").read_text() == "new" and not (b / "real.json").is_symlink()
    assert (a / "first.json").is_symlink() and (b / "middle.json").is_symlink()
    assert leftovers(a, b) == {"first.json", "middle.json", "real.json"}


def test_a_dangling_link_creates_its_target_when_the_targets_folder_exists(tmp_path: Path) -> None:
    link = tmp_path / "latest.json"
    link.symlink_to("nowhere.json")
    write_atomic(link, "new")
    assert link.is_symlink() and (tmp_path / "nowhere.json").read_text() == "new"
    assert stat.S_IMODE((tmp_path / "nowhere.json").stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


def test_a_dangling_link_into_a_missing_folder_is_a_clear_error_and_makes_nothing(tmp_path: Path) -> None:
    link = tmp_path / "latest.json"
    link.symlink_to(tmp_path / "gone" / "m.json")
    with pytest.raises(FileNotFoundError, match=r"cannot write through the symbolic link .*latest\.json: it points "
                                                r"to .*gone/m\.json, whose folder does not exist") as e:
        write_atomic(link, "new")
    assert e.value.errno == errno.ENOENT and e.value.filename == str(link)
    assert leftovers(tmp_path) == {"latest.json"} and link.is_symlink()


def test_a_loop_of_links_is_an_eloop_error(tmp_path: Path) -> None:
    (tmp_path / "x").symlink_to("y")
    (tmp_path / "y").symlink_to("x")
    with pytest.raises(OSError, match="more than 40 symbolic links") as e:
        write_atomic(tmp_path / "x", "new")
    assert e.value.errno == errno.ELOOP and leftovers(tmp_path) == {"x", "y"}


def test_a_directory_is_refused_with_is_a_directory_error(tmp_path: Path) -> None:
    folder = tmp_path / "m.json"
    folder.mkdir()
    (folder / "inside.txt").write_text("kept")
    with pytest.raises(IsADirectoryError, match=r"cannot write the file .*m\.json: it is a directory") as e:
        write_atomic(folder, "new")
    assert e.value.errno == errno.EISDIR and e.value.filename == str(folder)  # as open() names it
    (tmp_path / "to-dir.json").symlink_to("m.json")
    with pytest.raises(IsADirectoryError, match=r"to-dir\.json \(a symbolic link to .*m\.json\): it is a directory"):
        write_atomic(tmp_path / "to-dir.json", "new")
    assert folder.is_dir() and leftovers(folder) == {"inside.txt"} and leftovers(tmp_path) == {"m.json", "to-dir.json"}


def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "m.json"
    os.mkfifo(fifo)  # opening it to write would block until a reader came: the refusal must come before
    with pytest.raises(FileExistsError, match=r"refusing to replace .*m\.json: it is a FIFO \(named pipe\), "
                                              r"not a regular file") as e:
        write_atomic(fifo, "new")
    assert e.value.errno == errno.EEXIST and e.value.filename == str(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and leftovers(tmp_path) == {"m.json"}


def test_a_socket_is_refused(tmp_path: Path) -> None:
    import socket
    import tempfile
    folder = Path(tempfile.mkdtemp(dir="/tmp"))  # a short path: a socket's address holds about 100 bytes
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(folder / "s"))
        with pytest.raises(FileExistsError, match="it is a socket, not a regular file"):
            write_atomic(folder / "s", "new")
        assert stat.S_ISSOCK(os.lstat(folder / "s").st_mode) and leftovers(folder) == {"s"}
    finally:
        server.close()
        (folder / "s").unlink()
        folder.rmdir()


@pytest.mark.parametrize("name, minor", [("null", 3), ("full", 7)])
def test_a_character_device_is_refused_and_kept(tmp_path: Path, name: str, minor: int) -> None:
    device = tmp_path / name
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, minor))  # copies of /dev/null and /dev/full
    except (PermissionError, AttributeError):
        pytest.skip("making a device needs root (CAP_MKNOD)")
    with pytest.raises(FileExistsError, match=rf"refusing to replace .*{name}: it is a character device"):
        write_atomic(device, "new")
    (tmp_path / "via-link").symlink_to(name)
    with pytest.raises(FileExistsError, match=rf"via-link \(a symbolic link to .*{name}\): it is a character device"):
        write_atomic(tmp_path / "via-link", "new")
    status = os.lstat(device)
    assert stat.S_ISCHR(status.st_mode) and status.st_rdev == os.makedev(1, minor)
    assert leftovers(tmp_path) == {name, "via-link"}


@pytest.mark.parametrize("kept", [0o600, 0o640, 0o751, 0o444, 0o000])
def test_a_replaced_file_keeps_its_mode_whatever_the_umask(tmp_path: Path, kept: int) -> None:
    path = write_atomic(tmp_path / "m.json", "old")
    os.chmod(path, kept)
    old = os.umask(0o000)  # would give 0666 to a new file: the existing file's mode must win
    try:
        write_atomic(path, "new")
    finally:
        os.umask(old)
    os.chmod(path, 0o600)  # so that reading it works without root too
    assert path.read_text() == "new"
    os.chmod(path, kept)
    assert stat.S_IMODE(path.stat().st_mode) == kept


def test_a_link_targets_mode_is_kept_and_the_links_own_is_not_used(tmp_path: Path) -> None:
    real = write_atomic(tmp_path / "real.json", "old")
    os.chmod(real, 0o600)
    (tmp_path / "latest.json").symlink_to("real.json")
    write_atomic(tmp_path / "latest.json", "new")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600 and real.read_text() == "new"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_as_root_a_replaced_file_keeps_its_owner_and_group(tmp_path: Path) -> None:
    path = write_atomic(tmp_path / "m.json", "old")
    os.chown(path, 12345, 23456)
    os.chmod(path, 0o2640)  # set-gid: a chown clears it, so the mode must be set after the owner
    write_atomic(path, "new")
    status = path.stat()
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (12345, 23456, 0o2640)


def test_when_the_owner_cannot_be_kept_the_write_still_happens(tmp_path: Path, monkeypatch) -> None:
    path = write_atomic(tmp_path / "m.json", "old")
    real_fstat = os.fstat
    calls = []

    class Other:  # the temporary as if owned by someone else, as for a non-root writer of another's file
        def __init__(self, status):
            self.st_uid, self.st_gid = status.st_uid + 1, status.st_gid

    def fchown(fd, uid, gid):
        calls.append((uid, gid))
        raise PermissionError("only root may")

    monkeypatch.setattr(os, "fstat", lambda fd: Other(real_fstat(fd)))
    monkeypatch.setattr(os, "fchown", fchown)
    os.chmod(path, 0o600)
    write_atomic(path, "new")
    monkeypatch.undo()
    assert calls == [(path.stat().st_uid, path.stat().st_gid)]
    assert path.read_text() == "new" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == {"m.json"}
