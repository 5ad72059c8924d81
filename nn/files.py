"""Writing a file whole or not at all, with the permissions a plain write would give it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Union


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
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
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
