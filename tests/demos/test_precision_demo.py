"""The precision demo: each part's numbers say what its text says, within what each dtype's rounding allows."""

import re

from demos import precision


def test_each_part_says_what_its_numbers_show(tmp_path, capsys) -> None:
    assert precision.main(["--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    layers = {d: [float(v) for v in re.search(rf"^   {d}\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+$", out, re.M).groups()]
              for d in ("float32", "float16")}
    assert all(e < 8 * precision.EPS[d] for d, row in layers.items() for e in row)  # a few roundings, per layer
    assert all(1e-9 < e for e in layers["float32"]) and all(e > 1e-5 for e in layers["float16"])  # not float64
    scaled = dict(re.findall(r"^   (float\S*(?:, [^z]+?)?)\s+zero gradients\s+([\d.]+)%", out, re.M))
    assert float(scaled["float64"]) == 0.0 and float(scaled["float16, no scaling"]) > 20.0
    assert float(scaled["float16, static scale 2^15"]) == 0.0 and float(scaled["float16, dynamic scale"]) == 0.0
    best = dict(re.findall(r"^   (float\d+)\s+best h (\S+)", out, re.M))
    assert float(best["float64"]) < float(best["float32"]) < float(best["float16"])  # the V's bottom moves with eps
    rows = re.findall(r"^\s+(\d+)\s+(\S+e[+-]\d+)\s+(\S+e[+-]\d+)$", out, re.M)
    assert [int(b) for b, _, _ in rows] == list(precision.BITS)
    assert all(float(log) < float(fixed) for _, fixed, log in rows)  # relative rounding beats absolute here
    assert float(rows[-1][1]) < 1e-5 < float(rows[0][1])
    for name in ("precision_training.png", "precision_steps.png", "number_systems.png"):
        assert (tmp_path / name).stat().st_size > 10_000
