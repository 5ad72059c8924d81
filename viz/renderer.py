"""Turning dot source into pictures on any machine, with or without a system Graphviz."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Optional

TOO_SLOW = ("To draw it, fold it (max_nodes=100), cut it (max_depth=5), give it longer (timeout=60), "
            "or install the system Graphviz (apt-get install graphviz), which lays out big graphs faster.")
INSTALL_HINT = (
    "install a renderer with `pip install graphviz-pure` (self-contained) "
    "or your system's Graphviz (for example `apt-get install graphviz`)"
)


def find_renderer() -> Optional[str]:
    """The command that turns dot source into pictures: system ``dot``, else ``graphviz-pure``.

    ``graphviz-pure`` is also looked for beside the running Python, since a virtual
    environment is often used without being activated.

    >>> find_renderer() is None or os.path.exists(find_renderer())
    True
    """
    for name in ("dot", "graphviz-pure"):
        found = shutil.which(name)
        if found:
            return found
    beside = Path(sys.executable).parent / "graphviz-pure"
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


class RenderError(RuntimeError):
    """No renderer turned the dot source into a picture; the message says why."""


class RenderTimeout(RenderError):
    """The renderer took longer than its time budget and was stopped."""


def render(source: str, fmt: str, timeout: Optional[float] = None) -> bytes:
    """The picture (``fmt`` 'svg' or 'png') for dot ``source``; RenderError if no renderer managed it.

    The renderer runs in a process group of its own and is ended with the call: after
    ``timeout`` seconds (:class:`RenderTimeout`), on an interrupt, or when this Python
    process dies (on Linux), so no renderer is ever left running on its own.
    """
    renderer = find_renderer()
    if renderer is None:
        raise RenderError("no Graphviz renderer was found")
    # `with`: its pipes are closed however the call ends (left open, a stopped render kept three files open)
    with subprocess.Popen([renderer, f"-T{fmt}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_die_with_parent) as process:
        try:
            # draw_dot's labels go through viz.style.printable; a graph made otherwise may still hold a lone
            # surrogate, which UTF-8 cannot encode: written as its escape, it draws instead of raising.
            out, err = process.communicate(source.encode(errors="backslashreplace"), timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(process)
            raise RenderTimeout(f"{Path(renderer).name} took longer than {timeout:g} s and was stopped") from None
        except BaseException:  # an interrupt in a notebook, say
            _end(process)
            raise
    if process.returncode != 0 or not out:
        raise RenderError(f"{renderer} failed: {err.decode(errors='replace').strip()}")
    return out


def _end(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


def _die_with_parent() -> None:
    """In the renderer's process, before it starts: be killed when the Python that started it dies."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1
try:  # Linux only; elsewhere the process group and the timeout still apply
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
except (OSError, AttributeError):
    _PRCTL = None
