"""Writing a file whole or not at all, with the permissions a plain write would give it."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Union

_TEMPORARY = re.compile(r"(\d+)-[0-9a-f]{8}\.tmp")  # what follows ".<name>." in a temporary's name


def write_atomic(path: Union[str, Path], data: Union[bytes, str]) -> Path:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one, never half.

    The bytes go to a temporary file beside ``path``, are flushed to the disk (fsync),
    and the file is renamed into place. It is created with mode 0666 less the umask,
    as ``open(path, "w")`` would, not the private 0600 of ``tempfile.mkstemp``.

    >>> import tempfile, os
    >>> p = write_atomic(os.path.join(tempfile.mkdtemp(), "a.txt"), "hello")
    >>> p.read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode() if isinstance(data, str) else data
    _sweep_dead_temporaries(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for open()
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if tmp.exists():
            tmp.unlink()
        raise
    return path


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
