"""Turning dot source into pictures on any machine, with or without a system Graphviz."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Optional, Union

from engine import Value
from nn.files import write_atomic

SUFFIXES = (".svg", ".png", ".dot")
INSTALL_HINT = (
    "install a renderer with `pip install graphviz-pure` (self-contained) "
    "or your system's Graphviz (for example `apt-get install graphviz`)"
)


class RenderWarning(UserWarning):
    """A picture could not be rendered, so the graph was saved as .dot source instead."""


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


def render(source: str, fmt: str) -> bytes:
    """The picture (``fmt`` 'svg' or 'png') for dot ``source``; RenderError if no renderer managed it."""
    renderer = find_renderer()
    if renderer is None:
        raise RenderError("no Graphviz renderer was found")
    run = subprocess.run([renderer, f"-T{fmt}"], input=source.encode(), capture_output=True)
    if run.returncode != 0 or not run.stdout:
        raise RenderError(f"{renderer} failed: {run.stderr.decode(errors='replace').strip()}")
    return run.stdout


def save(root: Value, path: Union[str, Path], **draw_options) -> Path:
    """Draw ``root``'s graph to ``path`` (.svg, .png or .dot, by its suffix) and return the file written.

    ``draw_options`` go to ``draw_dot`` (``rankdir``, ``color_by``, ``show_local``, ...).
    Without any renderer it writes the .dot source next to ``path`` instead, warns
    with a :class:`RenderWarning` saying how to install one, and returns that path.

    >>> from engine import Value
    >>> save(Value(1.0) * 2, "/tmp/chainrule-doctest.dot").name
    'chainrule-doctest.dot'
    """
    from .dot import draw_dot

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"save writes {', '.join(SUFFIXES)} files; got {str(path)!r}")
    source = draw_dot(root, **draw_options).source
    if suffix == ".dot":
        write_atomic(path, source.encode())
        return path
    try:
        write_atomic(path, render(source, suffix[1:]))
        return path
    except RenderError as problem:
        fallback = path.with_suffix(".dot")
        write_atomic(fallback, source.encode())
        warnings.warn(f"could not write {path} ({problem}); wrote the graph source to {fallback} instead. "
                      f"To get pictures, {INSTALL_HINT}.", RenderWarning, stacklevel=2)
        return fallback
