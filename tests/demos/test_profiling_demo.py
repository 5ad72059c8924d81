"""The profiling demo: its tables count the network's ops as the network's shape says, and its summary says what
the tables hold."""

import re

from demos import profiling


def test_the_three_profiles_count_what_the_network_computes(tmp_path, capsys) -> None:
    samples = 3
    assert profiling.main(["--samples", str(samples), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    found, _ = profiling.profiles(samples)
    units = profiling.DEPTH * profiling.WIDTH  # one dot and one tanh per hidden unit, one dot for the output
    for name in ("eager", f"checkpoint every {profiling.EVERY}"):
        forward = {r.kind: r.count for r in found[name].rows if r.phase == "forward"}
        assert forward["dot"] == samples * (units + 1) and forward["tanh"] == samples * units
        assert forward["sub"] == forward["pow"] == samples and forward["sum"] == forward["div"] == 1  # the mean
    kept = found[f"checkpoint every {profiling.EVERY}"]
    again = {r.kind: r.count for r in kept.rows if r.phase == "recompute"}
    assert again == {"dot": samples * (units + 1), "tanh": samples * units}  # every layer sits in a segment
    assert kept.peak_nodes < found["eager"].peak_nodes / 3
    replay = [r for r in found["compiled replay (NumPy)"].rows]
    assert [(r.phase, r.kind, r.count) for r in replay] == [("compiled", "batch", 1)]
    assert replay[0].nodes == 2 * units + 1 + 2  # the tape of one sample: dots, tanhs, sub and pow
    assert "the gradients agree to 1e-9 in all three" in out
    peaks = re.search(r"bought a peak of ([\d,]+) graph nodes alive instead of ([\d,]+)", out)
    assert peaks and int(peaks[2].replace(",", "")) == samples * (2 * units + 1 + 2) + 2
    assert (tmp_path / "profiling.png").stat().st_size > 20_000
