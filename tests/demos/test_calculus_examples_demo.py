"""python -m demos calculus_examples: the quotients approach 6 as the chapter tabulates them, the slopes and the
sin(x + y^2) gradient are the closed forms, and the graph is drawn with the chapter's names."""

import math

import pytest

from demos import calculus_examples as demo


def test_the_quotients_and_slopes() -> None:
    # (3 + h)^2 - 9 = 6h + h^2, so the quotient is 6 + h exactly in real numbers
    assert [q for _, q in demo.limit_of_quotients()] == pytest.approx([6.1, 6.01, 6.001], rel=1e-12)
    assert demo.slopes() == {"x^2 at 3": 6.0, "3x + 2": 3.0, "x^2 at 2": 4.0, "x^2 at 5": 10.0}


@pytest.mark.parametrize("x, y", [(0.5, 1.5), (-1.0, 0.3), (2.0, -2.0)])
def test_the_sin_graph_gradient_is_the_closed_form(x, y) -> None:
    xv, yv, f = demo.sin_graph(x, y)
    c = math.cos(x + y * y)
    assert f.data == math.sin(x + y * y)
    assert xv.grad == pytest.approx(c, rel=1e-15) and yv.grad == pytest.approx(2 * y * c, rel=1e-15)


def test_the_demo_explains_and_draws(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "reverse mode (what y.backward() adds to x.grad): 20  ✓" in out
    svg = (tmp_path / "sin_x_plus_y_squared.svg").read_text()
    assert all(f">{name}<" in svg for name in ("x", "y", "v1", "v2", "f"))


def test_a_single_path_is_not_summed_and_no_number_is_written_twice(tmp_path, capsys) -> None:
    # "sum over paths: dy/dx = 20 = 20" (one path, nothing to add) and "d (a + b)/da = 1 = 1"
    import re

    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "sum over paths: dy/dx = 20\n" in out
    assert "dg/dv2: d (a + b)/da = 1   (a = v2, b = v3)" in out
    assert re.findall(r" = (\S+) = \1(?:\s|$)", out) == []
