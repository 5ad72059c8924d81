"""The AD-accuracy demo: its exact derivatives are mpmath's (checked here against hand formulas), and its table
says what the text says."""

import math
import re

import pytest

from demos import ad_accuracy as demo


def test_the_exact_derivatives_are_the_hand_formulas() -> None:
    pytest.importorskip("mpmath", reason="mpmath comes with sympy: pip install sympy")
    assert demo.exact("tanh", 20.0) == pytest.approx(1 / math.cosh(20.0) ** 2, rel=1e-14)
    assert demo.exact("sigmoid", 40.0) == pytest.approx(math.exp(-40.0) / (1 + math.exp(-40.0)) ** 2, rel=1e-14)
    assert demo.exact("exp(x) - 1 - x", 1e-8) == pytest.approx(math.expm1(1e-8), rel=1e-14)


def test_the_table_and_the_picture(tmp_path, capsys) -> None:
    pytest.importorskip("mpmath", reason="mpmath comes with sympy: pip install sympy")
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {m[0].strip(): [float(v) for v in m[2:]] for m in
            re.findall(r"^(\S.*? at \S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$", out, re.M)}
    forward, reverse, cstep, central = zip(*rows.values())
    assert rows["tanh at 20"][:2] == [1.0, 1.0] and rows["sigmoid at 40"][:2] == [1.0, 1.0]  # the rule gives 0
    assert rows["tanh at 20"][2] < 1e-15 and rows["sigmoid at 40"][2] < 1e-15  # the complex step keeps them
    assert all(f < 1e-6 or f == 1.0 for f in forward[:1] + forward[4:])
    assert rows["chain at 0.5"][0] < 1e-13 and rows["chain at 0.5"][3] > 0.5
    assert (tmp_path / "ad_accuracy.png").stat().st_size > 10_000
