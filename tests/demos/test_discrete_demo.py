"""The discrete demo: the exact gradient is the hand formula's, its table's estimators match what each is known
to be, and the quantised network learns only with straight-through."""

import re

from demos import discrete


def test_exact_gradient_is_the_hand_formula() -> None:
    import math

    z = [math.exp(t) for t in discrete.THETA]
    p = [v / sum(z) for v in z]
    mean = sum(q * f for q, f in zip(p, discrete.F))
    assert discrete.exact() == __import__("pytest").approx([q * (f - mean) for q, f in zip(p, discrete.F)], rel=1e-12)


def test_the_table_and_the_training_say_what_they_should(tmp_path, capsys) -> None:
    assert discrete.main(["--draws", "200", "--steps", "15", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {name.strip(): (float(b), float(v)) for name, b, v in
            re.findall(r"^(\S[^\d\n]*?(?:tau = [\d.]+)?)\s+([\d.e+-]+)\s+([\d.]+)\s+[\d.]+$", out, re.M)}
    assert set(rows) == set(discrete.ESTIMATORS)
    assert rows["REINFORCE"][0] < 5 * rows["REINFORCE"][1] / 200  # unbiased: only sampling noise
    assert rows["REINFORCE with a baseline"][1] < rows["REINFORCE"][1]
    taus = [rows[f"Gumbel-softmax, tau = {t}"] for t in ("0.1", "0.5", "1", "2")]
    assert [b for b, _ in taus] == sorted(b for b, _ in taus)  # bias grows with the temperature
    assert [v for _, v in taus] == sorted((v for _, v in taus), reverse=True)  # variance falls
    trained = dict(re.findall(r"^  (\S.*?)\s+loss [\d.]+ -> ([\d.]+)", out, re.M))
    first = dict(re.findall(r"^  (\S.*?)\s+loss ([\d.]+) ->", out, re.M))
    assert trained["rounded"] == first["rounded"]  # no gradient: not one step moved it
    assert float(trained["straight-through"]) < float(first["straight-through"]) - 0.1
    assert (tmp_path / "discrete.png").stat().st_size > 10_000
