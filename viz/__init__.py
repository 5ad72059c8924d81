"""chainrule's drawings of computation graphs, with Graphviz.

>>> from engine import Value
>>> from viz import draw_dot
>>> draw_dot(Value(2.0, label="a") * 3).source.count("record")
3
"""

from .dot import draw_dot
from .render import RenderWarning, find_renderer, save

__all__ = ["RenderWarning", "draw_dot", "find_renderer", "save"]
