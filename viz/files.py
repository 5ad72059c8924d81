"""Drawings to files: ``save`` writes SVG, PNG or dot source, falling back to the source when no picture can be made."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, Union

from engine import Value
from engine.files import write_atomic

from .dot import draw_dot
from .renderer import INSTALL_HINT, TOO_SLOW, RenderError, RenderTimeout, render

SUFFIXES = (".svg", ".png", ".dot")


class RenderWarning(UserWarning):
    """A picture could not be rendered, so the graph was saved as .dot source instead."""


def save(root: Value, path: Union[str, Path], **options: Any) -> Path:
    """Draw ``root``'s graph to ``path`` (.svg, .png or .dot, by its suffix) and return the file written.

    ``options`` are ``viz.DrawOptions``' (``rankdir``, ``color_by``, ``show_local``, ``timeout``, ...).
    Without any renderer, or when rendering runs past ``timeout``, it writes the .dot
    source next to ``path`` instead, warns with a :class:`RenderWarning` saying what to
    do, and returns that path.

    >>> from engine import Value
    >>> save(Value(1.0) * 2, "/tmp/chainrule-doctest.dot").name
    'chainrule-doctest.dot'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"save writes {', '.join(SUFFIXES)} files; got {str(path)!r}")
    graph = draw_dot(root, **options)
    if suffix == ".dot":
        return write_atomic(path, graph.source)
    try:
        return write_atomic(path, render(graph.source, suffix[1:], graph.options.timeout))
    except RenderError as problem:
        fallback = write_atomic(path.with_suffix(".dot"), graph.source)
        advice = TOO_SLOW if isinstance(problem, RenderTimeout) else f"To get pictures, {INSTALL_HINT}."
        warnings.warn(f"could not write {path} ({problem}); wrote the graph source to {fallback} instead. "
                      f"{advice}", RenderWarning, stacklevel=2)
        return fallback

