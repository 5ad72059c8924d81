"""Writing a file whole or not at all, in place of a regular file only, keeping its permissions."""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from pathlib import Path
from typing import Optional, Tuple, Union

_TEMPORARY = re.compile(r"(\d+)-[0-9a-f]{8}\.tmp")  # what follows ".<name>." in a temporary's name
_MAX_LINKS = 40  # as Linux's own limit on symbolic links followed in one lookup (ELOOP beyond it)

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"))


def write_atomic(path: Union[str, Path], data: Union[bytes, str]) -> Path:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one, never half.

    The bytes go to a temporary file beside the file, are flushed to the disk (fsync),
    and the temporary is renamed over it. What is at ``path`` decides the rest:

    - nothing: the new file gets mode 0666 less the umask, as ``open(path, "w")`` would give
      (not the private 0600 of ``tempfile.mkstemp``); missing parent folders are made;
    - a regular file: it is replaced, keeping its permission bits (a ``chmod 600`` checkpoint
      stays 0600) and, where the writer may set them (as root), its owner and group;
    - a symbolic link (or a chain of them): the file it points to is written as above and the
      link stays a link; for a dangling link, the target is created if its folder exists,
      else ``FileNotFoundError``; a loop raises ``OSError`` with ``errno.ELOOP``;
    - a directory: ``IsADirectoryError``; anything else (a device such as ``/dev/null``,
      a FIFO, a socket): ``FileExistsError``, never replaced. Both name the path and what is
      there, and nothing is written.

    Returns ``path`` as given (a link stays the way to the file).

    >>> import tempfile, os
    >>> p = write_atomic(os.path.join(tempfile.mkdtemp(), "a.txt"), "hello")
    >>> p.read_text(encoding="utf-8")
    'hello'
    >>> try:
    ...     write_atomic(p.parent, "x")
    ... except IsADirectoryError as e:
    ...     print(e.strerror.endswith("it is a directory"))
    True
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode() if isinstance(data, str) else data
    target, existing = _destination(path)
    _sweep_dead_temporaries(target)
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
    try:
        with os.fdopen(fd, "wb") as f:
            if existing is not None:
                _keep_owner_and_mode(f.fileno(), tmp, existing)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return path


def _destination(path: Path) -> Tuple[Path, Optional[os.stat_result]]:
    """The file to replace (``path``, or the end of its chain of symbolic links) and its status, None if missing.

    Only the last component's links are followed, one at a time, without recursion: the
    folders on the way are resolved by the kernel when the file is opened and renamed.
    """
    target = path
    for _ in range(_MAX_LINKS):
        try:
            status = os.lstat(target)
        except FileNotFoundError:
            if target != path and not target.parent.is_dir():
                raise FileNotFoundError(errno.ENOENT, f"cannot write through the symbolic link {path}: it points "
                                        f"to {target}, whose folder does not exist", str(path)) from None
            return target, None
        if stat.S_ISLNK(status.st_mode):
            link = Path(os.readlink(target))
            target = link if link.is_absolute() else target.parent / link
            continue
        shown = str(path) if target == path else f"{path} (a symbolic link to {target})"
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, f"cannot write the file {shown}: it is a directory", str(path))
        if not stat.S_ISREG(status.st_mode):
            # Renaming over a device or a pipe would put a file where the system expects the device (as root,
            # os.devnull), and writing into it would not save anything: refuse before touching it.
            kind = next((name for test, name in _KINDS if test(status.st_mode)), "something else")
            raise FileExistsError(errno.EEXIST, f"refusing to replace {shown}: it is {kind}, not a regular file",
                                  str(path))
        return target, status
    raise OSError(errno.ELOOP, f"cannot write {path}: more than {_MAX_LINKS} symbolic links in a row "
                  f"(a loop?)", str(path))


def _keep_owner_and_mode(fd: int, tmp: Path, existing: os.stat_result) -> None:
    """Give the temporary the replaced file's owner, group and permission bits, so a save does not widen a
    private file's permissions (a plain ``open(path, "w")`` keeps them too)."""
    mine = os.fstat(fd)
    if hasattr(os, "fchown") and (mine.st_uid, mine.st_gid) != (existing.st_uid, existing.st_gid):
        try:
            os.fchown(fd, existing.st_uid, existing.st_gid)
        except OSError:  # only root may give a file away: a non-root writer's file is its own, as with open()
            pass
    # After the chown, which clears set-uid and set-gid bits. os.chmod by name, as Windows has no fchmod.
    os.chmod(tmp, stat.S_IMODE(existing.st_mode))


def _sweep_dead_temporaries(path: Path) -> None:
    """Remove the temporaries of ``path`` left by writers that were killed mid-write (kill -9, power loss).

    A temporary carries its writer's pid, so one whose process is gone is garbage; a live
    writer's (another process saving the same file right now) is left alone.
    """
    prefix = f".{path.name}."
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return
    for sibling in siblings:
        match = _TEMPORARY.fullmatch(sibling.name[len(prefix):]) if sibling.name.startswith(prefix) else None
        if match is None or _alive(int(match.group(1))):
            continue
        try:
            sibling.unlink()
        except OSError:  # gone already, or not ours to remove: the write itself does not depend on it
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":
        return True  # another thread of ours may be writing it; on Windows signal 0 is CTRL_C_EVENT
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OverflowError, OSError):  # PermissionError among them
        return True  # someone else's process, or a pid we cannot ask about: leave it
    return True
