"""plot_function, plot_contour and draw_network: what they draw, checked against hand derivatives and the model's
shape."""

import math
import random
from pathlib import Path

import pytest

import viz
from nn import MLP


def lines(ax):
    return [(line.get_label(), list(line.get_xdata()), list(line.get_ydata())) for line in ax.get_lines()]


def test_plot_function_draws_the_values_and_the_engines_derivatives(tmp_path: Path) -> None:
    xs = [0.0, 0.5, 1.0, 1.5]
    fig = viz.plot_function({"J = exp(sin(x^2))": lambda x: (x * x).sin().exp()}, xs, derivatives=2, at=1.5)
    values, slopes = fig.axes
    (name, x, y), _marker = lines(values)[0], lines(values)[1]
    assert name == "J = exp(sin(x^2))" and x == xs
    assert y == pytest.approx([math.exp(math.sin(t * t)) for t in xs], rel=1e-15)
    first, second = lines(slopes)[:2]
    # d/dx e^(sin x^2) = 2x cos(x^2) e^(sin x^2), and its derivative, by hand
    d1 = [2 * t * math.cos(t * t) * math.exp(math.sin(t * t)) for t in xs]
    d2 = [(2 * math.cos(t * t) - 4 * t * t * math.sin(t * t) + 4 * t * t * math.cos(t * t) ** 2) * math.exp(math.sin(t * t))
          for t in xs]
    assert first[0] == "J'" and first[1] == xs and first[2] == pytest.approx(d1, rel=1e-12, abs=1e-15)
    assert second[0] == "J''" and second[2] == pytest.approx(d2, rel=1e-12, abs=1e-15)
    assert list(lines(values)[1][1]) == [1.5, 1.5]  # the dashed mark at x = 1.5
    named = viz.plot_function({"J=x^2": lambda x: x * x, "g": lambda x: x}, xs).axes[1]
    assert [label for label, _, _ in lines(named)] == ["J'", "g'"]  # the name before "=", however spaced
    assert viz.plot_function(lambda x: x * x, xs, path=tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    assert len(viz.plot_function(lambda x: x * x, xs, derivatives=0).axes) == 1
    with pytest.raises(ValueError, match="at least two points"):
        viz.plot_function(lambda x: x, [1.0])
    with pytest.raises(ValueError, match="derivatives must be a whole number >= 0, got -1"):
        viz.plot_function(lambda x: x, xs, derivatives=-1)


def test_plot_contour_draws_the_gradient_arrow_along_the_gradient(tmp_path: Path) -> None:
    fig = viz.plot_contour(lambda x, y: x * x + y ** 3, (0.0, 4.0), (0.0, 4.0), at=(2.0, 3.0),
                           paths={"steps": [(1.0, 1.0), (0.5, 0.5)]})
    (ax,) = fig.axes
    arrow = next(a for a in ax.texts if a.get_text() == "")
    (x0, y0), (x1, y1) = arrow.xyann, arrow.xy
    assert (x0, y0) == (2.0, 3.0)
    assert math.atan2(y1 - y0, x1 - x0) == pytest.approx(math.atan2(27.0, 4.0), rel=1e-12)  # along (2x, 3y^2)
    assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(0.8, rel=1e-12)  # a fifth of the box
    assert any(t.get_text() == "gradient (4, 27)" for t in ax.texts)
    assert ("steps", [1.0, 0.5], [1.0, 0.5]) in lines(ax)
    assert ax.get_aspect() == 1.0
    rosenbrock = lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2  # noqa: E731
    assert viz.plot_contour(rosenbrock, (-2, 2), (-1, 3), log=True, path=tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"


def test_draw_network_draws_every_neuron_of_a_small_model_and_elides_wide_layers(tmp_path: Path) -> None:
    random.seed(0)
    fig = viz.draw_network(MLP(3, [4, 2]))
    (ax,) = fig.axes
    assert len(ax.patches) == 3 + 4 + 2
    arrows = [a for a in ax.texts if a.get_text() == ""]
    assert len(arrows) == 3 * 4 + 4 * 2 + 2  # every connection, and the forward and backward arrows
    assert ax.get_title() == "3-4-2 network"
    assert {"input\n3 units", "hidden 1\n4 units", "output\n2 units: $\\hat{y} = a^{(2)}$"} <= {t.get_text() for t in ax.texts}
    wide = viz.draw_network(MLP(784, [128, 10]), tmp_path / "n.png")
    assert wide.read_bytes()[:4] == b"\x89PNG"
    fig = viz.draw_network(MLP(784, [128, 10]))
    assert len(fig.axes[0].patches) == 7 + 7 + 7 and sum(t.get_text() == "\u22ee" for t in fig.axes[0].texts) == 3
    with pytest.raises(TypeError, match="draw_network draws an MLP"):
        viz.draw_network(object())


def unit_names(ax):
    """The names written in the circles, column by column (left to right), each column top to bottom."""
    names = [t for t in ax.texts if t.get_zorder() == 6]
    columns = {}
    for t in names:
        columns.setdefault(t.get_position()[0], []).append((-t.get_position()[1], t.get_text()))
    return [[name for _, name in sorted(column)] for _, column in sorted(columns.items())]


def test_draw_network_names_each_unit_by_its_layer() -> None:
    # The hidden units were a1..a4 and the outputs a1, a2 again: two units had one name.
    random.seed(0)
    ax = viz.draw_network(MLP(3, [4, 2])).axes[0]
    assert unit_names(ax) == [["$x_{1}$", "$x_{2}$", "$x_{3}$"],
                              ["$a^{(1)}_{1}$", "$a^{(1)}_{2}$", "$a^{(1)}_{3}$", "$a^{(1)}_{4}$"],
                              ["$a^{(2)}_{1}$", "$a^{(2)}_{2}$"]]
    wide = unit_names(viz.draw_network(MLP(784, [128, 16, 10])).axes[0])
    flat = [name for column in wide for name in column]
    assert len(flat) == len(set(flat)) == 4 * 7  # seven drawn per wide layer, every name once
    assert wide[1][-1] == "$a^{(1)}_{128}$" and wide[2][0] == "$a^{(2)}_{1}$" and wide[3][-1] == "$a^{(3)}_{10}$"
    assert wide[0][-1] == "$x_{784}$"


def test_contour_paths_marks_and_labels_read_plainly() -> None:
    rosenbrock = lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2  # noqa: E731
    valley = [(-1.2, 1.0), (-0.5, 0.3), (0.5, 0.25), (1.0, 1.0)]
    fig = viz.plot_contour(rosenbrock, (-2, 2), (-1, 3), log=True, paths={"a": valley, "b": valley},
                           marks={"minimum (1, 1)": (1.0, 1.0)})
    ax = fig.axes[0]
    drawn = {l.get_label(): l for l in ax.get_lines()}
    a, b = drawn["a"], drawn["b"]
    # two paths down the same valley: not told apart by colour alone
    assert (a.get_linestyle(), a.get_marker()) != (b.get_linestyle(), b.get_marker())
    star = drawn["minimum (1, 1)"]
    assert star.get_marker() == "*" and (list(star.get_xdata()), list(star.get_ydata())) == ([1.0], [1.0])
    # the legend sits below the box, where it hides no path
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    assert legend_box.y1 < ax.get_window_extent().y0
    # contour labels as numbers are written: no 2.23e+03
    assert all("e+" not in t.get_text() for t in ax.texts)
    assert viz.calculus._level(2234.6) == "2,235" and viz.calculus._level(8.71) == "8.71" \
        and viz.calculus._level(0.0512) == "0.051"


def test_the_gradient_label_has_a_background_over_the_lines() -> None:
    ax = viz.plot_contour(lambda x, y: x * x + y ** 3, (0, 4), (0, 4), at=(2.0, 3.0)).axes[0]
    label = next(t for t in ax.texts if t.get_text().startswith("gradient"))
    assert label.get_bbox_patch() is not None and label.get_bbox_patch().get_facecolor()[:3] == (1.0, 1.0, 1.0)


def test_plot_chain_draws_values_local_derivatives_and_the_graph(tmp_path: Path) -> None:
    links = [("u", "h", lambda t: t * t), ("v", "g", lambda t: t.sin()), ("J", "f", lambda t: t.exp())]
    xs = [i / 10 for i in range(31)]
    fig = viz.plot_chain(links, xs, at=1.5, title="chain")
    values, slopes, graph = fig.axes
    assert [line.get_label() for line in values.get_lines()[:3]] == ["u = h(x)", "v = g(u)", "J = f(v)"]
    assert [line.get_label() for line in slopes.get_lines()[:3]] == ["h'(x)", "g'(u)", "f'(v)"]
    # the local derivatives by hand: 2x, cos(x^2), exp(sin(x^2)), each in its own link's input
    for line, hand in zip(slopes.get_lines()[:3], (lambda x: 2 * x, lambda x: math.cos(x * x),
                                                  lambda x: math.exp(math.sin(x * x)))):
        assert list(line.get_ydata()) == pytest.approx([hand(x) for x in xs], rel=1e-12, abs=1e-15)
    texts = [t.get_text() for t in graph.texts]
    assert texts[:4] == ["x = 1.5", "u = 2.25", "v = 0.778", "J = 2.18"]
    assert "h' = 3" in texts and "g' = -0.628" in texts and "f' = 2.18" in texts
    assert viz.plot_chain(links, xs, at=1.5, path=tmp_path / "chain.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="plot_chain needs at least two points and one link"):
        viz.plot_chain([], xs, at=1.0)
