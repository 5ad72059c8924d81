"""Warnings point at the line of the user's code that called the library, not at the library."""

import random
import sys
import warnings

import viz
from engine import Value
from nn import MLP, SGD, DeadNetworkWarning, fit, losses
from viz.renderer import RenderError


def test_the_dead_network_warning_names_the_fit_call() -> None:
    random.seed(0)
    m = MLP(2, [2, 1])
    for n in m.layers[0].neurons:  # every hidden ReLU off: no weight gets a gradient
        n.b.data = -100.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        fit(m, [[1.0, 2.0]], [1.0], losses.mse, SGD(m.parameters(), lr=0.01), epochs=1, progress=False)
    (dead,) = [w for w in caught if issubclass(w.category, DeadNetworkWarning)]
    assert (dead.filename, dead.lineno) == (__file__, line)


def test_the_render_fallback_warning_names_the_save_call(tmp_path, monkeypatch) -> None:
    def broken(source, fmt, timeout=None):
        raise RenderError("no Graphviz renderer was found")

    monkeypatch.setattr("viz.files.render", broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        viz.save(Value(1.0) * 2, tmp_path / "g.svg")
    (warning,) = caught
    assert (warning.category, warning.filename, warning.lineno) == (viz.RenderWarning, __file__, line)
