"""The colours of the calculus pictures as a reader tells their series apart: in plot_function, plot_chain and
plot_contour the k-th function, link or path is drawn in C0 to C9 in turn (the eleventh repeats C0), whatever
colour cycle the reader's style has, and a function's derivatives, a link's local derivative and a path's start
circle take the colour of their function, link or path."""

import matplotlib
from cycler import cycler
from matplotlib.colors import to_rgba

import viz

TWELVE = [f"#{k:02x}{k:02x}{k:02x}" for k in range(0, 240, 20)]  # a style of twelve distinct greys
STYLE = {"axes.prop_cycle": cycler(color=TWELVE)}
XS = [0.0, 1.0, 2.0]


def ten_in_turn(n: int) -> list:
    """C0, C1, ..., C9, C0, ...: "CN" names resolve against the style in force, so call this inside it."""
    return [to_rgba(f"C{k % 10}") for k in range(n)]


def colours(lines) -> list:
    return [to_rgba(line.get_color()) for line in lines]


def test_twelve_functions_take_ten_colours_in_turn_and_their_derivatives_take_theirs() -> None:
    functions = {f"f{k}": (lambda x, k=k: x * k) for k in range(12)}
    with matplotlib.rc_context(STYLE):
        values, slopes = viz.plot_function(functions, XS).axes
        expected = ten_in_turn(12)
        drawn, derived = colours(values.get_lines()), colours(slopes.get_lines())
    assert [line.get_label() for line in values.get_lines()] == list(functions)
    assert [line.get_label() for line in slopes.get_lines()] == [f"f{k}'" for k in range(12)]
    assert drawn == expected and derived == expected
    assert expected[10] == to_rgba(TWELVE[0]) and expected[11] == to_rgba(TWELVE[1])  # not the style's 11th, 12th


def test_twelve_links_take_ten_colours_in_turn_in_both_panels() -> None:
    links = [(f"u{k}", f"h{k}", lambda t: t + 1) for k in range(12)]
    with matplotlib.rc_context(STYLE):
        left, middle, _ = viz.plot_chain(links, XS, at=1.0).axes
        expected = ten_in_turn(12)
        drawn = [colours(left.get_lines()[:12]), colours(middle.get_lines()[:12])]  # then the dashed mark at x = 1
    assert [line.get_label() for line in left.get_lines()][:3] == ["u0 = h0(x)", "u1 = h1(u0)", "u2 = h2(u1)"]
    assert [line.get_label() for line in middle.get_lines()][:3] == ["h0'(x)", "h1'(u0)", "h2'(u1)"]
    assert drawn == [expected, expected]
    assert expected[10] == to_rgba(TWELVE[0])


def test_twelve_paths_and_their_start_circles_take_ten_colours_in_turn() -> None:
    paths = {f"p{k}": [(0.1 * k, 0.0), (0.1 * k, 1.0)] for k in range(12)}
    with matplotlib.rc_context(STYLE):
        (ax,) = viz.plot_contour(lambda x, y: x + y, (0.0, 2.0), (0.0, 2.0), paths=paths).axes
        expected = ten_in_turn(12)
        lines = ax.get_lines()
        drawn, circles = colours(lines[0::2]), colours(lines[1::2])
        rims = [to_rgba(line.get_markeredgecolor()) for line in lines[1::2]]
    assert [line.get_label() for line in lines[0::2]] == list(paths)
    assert [(line.get_marker(), line.get_markerfacecolor()) for line in lines[1::2]] == [("o", "none")] * 12
    assert [line.get_xydata().tolist() for line in lines[1::2]] == [[[0.1 * k, 0.0]] for k in range(12)]
    assert drawn == expected and circles == expected and rims == expected
    assert expected[10] == to_rgba(TWELVE[0]) and expected[11] == to_rgba(TWELVE[1])
