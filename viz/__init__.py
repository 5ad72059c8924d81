"""chainrule's pictures: computation graphs (Graphviz), a text view, plots and a backprop explorer.

>>> from engine import Value
>>> from viz import draw_dot
>>> draw_dot(Value(2.0, label="a") * 3, legend=False).source.count("<TABLE")
3
"""

from .calculus import plot_chain, plot_contour, plot_function
from .dot import Graph, draw_dot
from .explorer import explorer
from .files import RenderWarning, save
from .options import DrawOptions
from .measures import plot_bars, plot_estimators, plot_mode_grid, plot_profile, plot_tradeoff
from .plots import (plot_convergence, plot_decision_boundary, plot_grad_flow, plot_gradient_cures, plot_history,
                    plot_loss_curves, plot_memory_tradeoff, plot_scaling, plot_step_error)
from .network import draw_network
from .renderer import RenderError, RenderTimeout, find_renderer, render
from .text import text, text_view

__all__ = [
    "DrawOptions", "Graph", "RenderError", "RenderTimeout", "RenderWarning", "draw_dot", "draw_network", "explorer", "find_renderer",
    "plot_chain", "plot_contour", "plot_convergence", "plot_decision_boundary", "plot_function", "plot_grad_flow", "plot_gradient_cures", "plot_history", "plot_loss_curves", "plot_bars", "plot_estimators", "plot_memory_tradeoff", "plot_mode_grid", "plot_profile", "plot_scaling", "plot_step_error", "plot_tradeoff", "render", "save", "text",
    "text_view",
]
