"""The training demos: xor, circles and digits, run end to end (vanishing has its own file)."""

from pathlib import Path

import pytest

from demos import circles, digits, xor


def test_xor_learns_the_truth_table(tmp_path: Path, capsys) -> None:
    assert xor.main(["--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "accuracy 100%" in out
    rows = [line.split("|") for line in out.splitlines() if line.count("|") == 3 and "target" not in line]
    assert [(r[0].split(), int(r[1]), int(r[3])) for r in rows] == [
        (["0", "0"], 0, 0), (["0", "1"], 1, 1), (["1", "0"], 1, 1), (["1", "1"], 0, 0)]
    assert (tmp_path / "xor_boundary.png").read_bytes()[:4] == b"\x89PNG"


def test_circles_gradient_descent_beats_random_search_on_the_same_budget(tmp_path: Path, capsys) -> None:
    X, y = circles.circles(100, noise=0.08, seed=circles.SEED)
    _, rs_curve = circles.random_search(X, y, 60)
    _, gd_curve = circles.gradient_descent(X, y, 60)
    assert len(rs_curve) == len(gd_curve) == 60
    assert all(a >= b for a, b in zip(rs_curve, rs_curve[1:]))  # best-so-far never rises
    assert gd_curve[-1] < rs_curve[-1]
    assert circles.main(["--out", str(tmp_path), "--budget", "40"]) == 0
    printed = capsys.readouterr()
    out = printed.out
    assert "random search" in out and "gradient descent" in out and (tmp_path / "circles.png").exists()
    # fifteen seconds at the default budget: a bar for each method, counting its loss evaluations
    assert "random search:" in printed.err and "/39 [" in printed.err
    assert "gradient descent:" in printed.err and "/40 [" in printed.err


def test_circles_quick_is_documented_and_used(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        circles.main(["--help"])
    assert "--quick" in capsys.readouterr().out
    assert circles.main(["--out", str(tmp_path), "--quick", "--no-progress"]) == 0
    printed = capsys.readouterr()
    assert f"budget: {circles.QUICK} loss evaluations each" in printed.out and printed.err == ""


@pytest.mark.slow
def test_digits_reaches_97_percent_on_held_out_data(tmp_path: Path, capsys) -> None:
    pytest.importorskip("sklearn")
    assert digits.main(["--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.split("test accuracy on 359 held-out images: ")[1].split("%")[0])
    assert accuracy >= 97.0
    assert "time per epoch" in out and "confusion matrix" in out
    matrix = [list(map(int, line.split()[1:])) for line in out.splitlines()[6:16]]
    assert sum(map(sum, matrix)) == 359 and sum(matrix[i][i] for i in range(10)) / 359 * 100 == pytest.approx(accuracy, abs=0.05)


def test_digits_quick_is_documented(capsys) -> None:
    with pytest.raises(SystemExit):
        digits.main(["--help"])
    assert "--quick" in capsys.readouterr().out and digits.QUICK < digits.EPOCHS
