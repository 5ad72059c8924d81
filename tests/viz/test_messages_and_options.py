"""Every drawing option's check and every viz entry point's refusal, message word for word."""

from pathlib import Path

import pytest

import viz
from engine import Value
from viz import DrawOptions

OPTION_ERRORS = [
    (dict(rankdir="XY"), "rankdir must be one of LR, TB, BT, RL, got 'XY'"),
    (dict(format="gif2"), "format 'gif2' is not one Graphviz knows; try 'svg' or 'png'"),
    (dict(color_by="age"), "color_by must be 'kind', 'grad' or None, got 'age'"),
    (dict(max_nodes=0), "max_nodes must be a positive whole number or None, got 0"),
    (dict(max_nodes=-3), "max_nodes must be a positive whole number or None, got -3"),
    (dict(max_nodes=2.0), "max_nodes must be a positive whole number or None, got 2.0"),
    (dict(max_nodes=True), "max_nodes must be a positive whole number or None, got True"),
    (dict(max_depth=0), "max_depth must be a positive whole number or None, got 0"),
    (dict(max_depth=True), "max_depth must be a positive whole number or None, got True"),
    (dict(max_depth="3"), "max_depth must be a positive whole number or None, got '3'"),
    (dict(max_size=0), "max_size must be a positive whole number or None, got 0"),
    (dict(max_size=1500.0), "max_size must be a positive whole number or None, got 1500.0"),
    (dict(precision=0), "precision must be a whole number of digits from 1 to 17, got 0"),
    (dict(precision=18), "precision must be a whole number of digits from 1 to 17, got 18"),
    (dict(precision=True), "precision must be a whole number of digits from 1 to 17, got True"),
    (dict(precision=4.0), "precision must be a whole number of digits from 1 to 17, got 4.0"),
    (dict(timeout=0), "timeout must be a positive number of seconds or None, got 0"),
    (dict(timeout=-1.0), "timeout must be a positive number of seconds or None, got -1.0"),
    (dict(timeout="1"), "timeout must be a positive number of seconds or None, got '1'"),
    (dict(timeout=float("inf")), "timeout must be a positive number of seconds or None, got inf"),  # never stops
]


@pytest.mark.parametrize("kwargs, message", OPTION_ERRORS)
def test_each_bad_option_is_refused_by_name(kwargs, message) -> None:
    with pytest.raises(ValueError) as e:
        DrawOptions(**kwargs)
    assert str(e.value) == message
    with pytest.raises(ValueError) as e:
        viz.draw_dot(Value(1.0), **kwargs)
    assert str(e.value) == message


@pytest.mark.parametrize("kwargs", [
    dict(rankdir="TB"), dict(rankdir="BT"), dict(rankdir="RL"), dict(format="png"), dict(color_by=None),
    dict(color_by="grad"), dict(max_nodes=1), dict(max_nodes=None), dict(max_depth=1), dict(precision=1),
    dict(precision=17), dict(timeout=None), dict(timeout=0.001), dict(timeout=5),
])
def test_the_edges_of_each_range_are_accepted(kwargs) -> None:
    options = DrawOptions(**kwargs)
    for name, value in kwargs.items():
        assert getattr(options, name) == value


def test_a_numpy_whole_number_is_kept_as_an_int() -> None:
    import numpy as np

    options = DrawOptions(precision=np.int64(3), max_nodes=np.int32(7), max_depth=np.int64(2), max_size=np.int16(900))
    assert [(type(v), v) for v in (options.precision, options.max_nodes, options.max_depth, options.max_size)] == [
        (int, 3), (int, 7), (int, 2), (int, 900)]
    assert options.number(3.14159) == "3.14"


def test_of_merges_options_and_overrides() -> None:
    w = Value(1.0, label="w")
    base = DrawOptions(rankdir="TB", precision=2, parameters=[w])
    assert base.parameters == frozenset({w}) and isinstance(base.parameters, frozenset)
    merged = DrawOptions.of(base, precision=6, show_local=True)
    assert (merged.rankdir, merged.precision, merged.show_local, merged.parameters) == ("TB", 6, True, frozenset({w}))
    assert DrawOptions.of() == DrawOptions()
    assert DrawOptions.of(None, rankdir="RL") == DrawOptions(rankdir="RL")
    assert DrawOptions.of(base) == base
    with pytest.raises(TypeError) as e:
        DrawOptions.of(base, zz=1, colour="red")
    assert str(e.value) == ("unknown drawing option colour, zz; the options are clusters, color_by, format, legend, "
                            "log_scale, max_depth, max_nodes, max_size, parameters, precision, rankdir, show_local, timeout")
    with pytest.raises(TypeError) as e:
        viz.draw_dot(Value(1.0), colour="red")
    assert str(e.value).startswith("unknown drawing option colour; the options are clusters, ")


def test_numbers_keep_precision_significant_digits() -> None:
    assert DrawOptions().number(3.14159265) == "3.142"
    assert DrawOptions(precision=2).number(3.14159) == "3.1"
    assert DrawOptions(precision=1).number(-0.000123456) == "-0.0001"
    assert DrawOptions(precision=6).number(Value(2.5)) == "2.5"
    assert DrawOptions().number(123456.0) == "1.235e+05"


def test_entry_points_refuse_what_they_cannot_draw(tmp_path: Path) -> None:
    cases = [
        (lambda: viz.draw_dot(1.0), TypeError, "draw_dot needs a Value, got float"),
        (lambda: viz.draw_dot([Value(1.0)]), TypeError, "draw_dot needs a Value, got list"),
        (lambda: viz.explorer(1.0, tmp_path / "a.html"), TypeError, "explorer needs a Value, got float"),
        (lambda: viz.explorer(Value(1.0), "a.htmx"), ValueError, "explorer writes an .html file; got 'a.htmx'"),
        (lambda: viz.save(Value(1.0), "a.jpg"), ValueError, "save writes .svg, .png, .dot files; got 'a.jpg'"),
    ]
    for call, kind, message in cases:
        with pytest.raises(kind) as e:
            call()
        assert str(e.value) == message
    y = Value(1.0)
    for _ in range(250):
        y = y + 1  # 1 + 2 * 250 = 501 values
    with pytest.raises(ValueError) as e:
        viz.explorer(y, tmp_path / "big.html")
    assert str(e.value) == ("explorer steps through graphs of up to 500 values; this one has 501. "
                            "Draw it with viz.draw_dot, which folds big graphs")
    assert not (tmp_path / "big.html").exists()


def test_explorer_takes_html_and_htm_in_any_case(tmp_path: Path) -> None:
    if viz.find_renderer() is None:
        pytest.skip("no Graphviz renderer")
    y = Value(1.0)
    for _ in range(249):
        y = y + 1  # 499 values: within the limit
    x = Value(2.0, label="x") * 3
    for name in ("a.HTML", "b.htm"):
        page = viz.explorer(x, tmp_path / name)
        assert page == tmp_path / name and page.read_text().startswith("<!doctype html>")
    assert viz.explorer(y, tmp_path / "edge.html").exists()
