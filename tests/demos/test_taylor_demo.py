"""The Taylor-mode demo: its table's errors are against sympy, and its claims follow from its numbers."""

import re

from demos import taylor as demo


def test_the_table_agrees_with_sympy_and_the_claims_follow(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(demo, "ORDERS", range(1, 7))  # to order 6: nested grad's eighth order alone takes a second
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = [tuple(float(v.replace(",", "")) for v in m) for m in
            re.findall(r"^\s*(\d)\s+([\d.]+)\s+([\d.]+)\s+([\d,]+)\s+([\d,]+)\s+([\d.e+-]+)\s+([\d.e+-]+)$", out, re.M)]
    assert [int(r[0]) for r in rows] == list(demo.ORDERS)
    assert all(r[5] < 1e-13 and r[6] < 1e-13 for r in rows)  # both exact to rounding, against sympy
    assert all(r[3] < r[4] for r in rows[1:])  # fewer series ops than Value ops from order 2 on
    assert rows[-1][4] > 30 * rows[-2][4] / 10  # nested grad's ops keep growing about threefold an order
    exact = demo.exact(4)
    shown = [float(v) for v in re.findall(r"f\^\(\d\) = (-?[\d.]+)", out)]
    assert shown == [float(f"{e:.6g}") for e in exact]
    assert (tmp_path / "taylor.png").stat().st_size > 10_000
