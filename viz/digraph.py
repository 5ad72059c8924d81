"""The ``graphviz.Digraph`` that ``draw_dot`` returns: it renders, pipes and shows itself in Jupyter with
whatever renderer there is (the system ``dot``, else ``graphviz-pure``), as ``viz.save`` does."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional, Union

import graphviz

from engine.files import write_atomic

from .options import DrawOptions
from .renderer import TOO_SLOW, RenderError, RenderTimeout, render

PathLike = Union[str, "os.PathLike[str]"]


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that needs no system Graphviz.

    ``render`` and ``pipe`` go through chainrule's renderer, so they work with
    ``graphviz-pure`` alone, and a failed render leaves no file behind. In Jupyter it
    displays as SVG; with no renderer, or when the layout runs past the options'
    ``timeout``, it shows the (folded) text view and says how to get a picture.

    >>> from engine import Value
    >>> from viz import draw_dot
    >>> draw_dot(Value(2.0, label="a") * 3).pipe(format="svg")[:5]
    b'<?xml'
    """

    text_view = ""
    options = DrawOptions()

    def render(self, filename: Optional[PathLike] = None, directory: Optional[PathLike] = None, view: bool = False,
               cleanup: bool = False, format: Optional[str] = None, renderer: Optional[str] = None,
               formatter: Optional[str] = None, neato_no_op: Any = None, quiet: bool = False,
               quiet_view: bool = False, *, outfile: Optional[PathLike] = None, engine: Optional[str] = None,
               raise_if_result_exists: bool = False, overwrite_source: bool = False) -> str:
        """Write the picture and return its path, as ``graphviz.Digraph.render`` does: ``g.render('x',
        format='png')`` writes ``x.png``; ``outfile='x.svg'`` names the file (and its format) outright.

        Unlike graphviz, the dot source is not written beside the picture (``g.save()`` or
        ``viz.save(root, 'x.dot')`` write it). Other layout engines, renderers and formatters
        need the system Graphviz and go to graphviz's own ``render``.
        """
        if _needs_system_graphviz(renderer, formatter, neato_no_op, engine or self.engine):
            return super().render(filename, directory, view, cleanup, format, renderer, formatter, neato_no_op,
                                  quiet, quiet_view, outfile=outfile, engine=engine,
                                  raise_if_result_exists=raise_if_result_exists, overwrite_source=overwrite_source)
        if outfile is not None:
            out = Path(outfile)
            fmt = format or out.suffix[1:] or self.format
        else:
            fmt = format or self.format
            name = Path(self.filename if filename is None else filename)
            out = Path(self.directory if directory is None else directory) / f"{name}.{fmt}"
        if raise_if_result_exists and out.exists():
            raise FileExistsError(f"output file exists: {os.fspath(out)!r}")
        picture = render(self.source, fmt, self.options.timeout)  # first: a failure writes nothing
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, picture)
        if view:
            graphviz.view(out, quiet=quiet_view)
        return os.fspath(out)

    def pipe(self, format: Optional[str] = None, renderer: Optional[str] = None, formatter: Optional[str] = None,
             neato_no_op: Any = None, quiet: bool = False, *, engine: Optional[str] = None,
             encoding: Optional[str] = None) -> Union[bytes, str]:
        """The picture as bytes (or text, given an ``encoding``), as ``graphviz.Digraph.pipe`` gives it."""
        if _needs_system_graphviz(renderer, formatter, neato_no_op, engine or self.engine):
            return super().pipe(format, renderer, formatter, neato_no_op, quiet, engine=engine, encoding=encoding)
        picture = render(self.source, format or self.format, self.options.timeout)
        return picture.decode(encoding) if encoding is not None else picture

    def _repr_mimebundle_(self, include=None, exclude=None, **_):  # noqa: ANN001 (IPython's protocol)
        try:
            svg = render(self.source, "svg", self.options.timeout)
        except RenderTimeout as problem:
            return {"text/plain": f"({problem}. {TOO_SLOW})\n{self.text_view}"}
        except RenderError:
            return {"text/plain": self.text_view or self.source}
        return {"image/svg+xml": svg.decode(), "text/plain": self.text_view or "<chainrule graph>"}


def _needs_system_graphviz(renderer: Optional[str], formatter: Optional[str], neato_no_op: Any, engine: str) -> bool:
    return bool(renderer or formatter or neato_no_op) or engine != "dot"
