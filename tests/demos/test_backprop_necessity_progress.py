"""python -m demos backprop_necessity shows progress through its three trainings (this file needs no PyTorch,
unlike test_backprop_necessity_demo.py, so it runs everywhere)."""

from demos import backprop_necessity as demo


def test_each_training_shows_a_bar(capsys) -> None:
    assert demo.main(["--iterations", "100"]) == 0
    printed = capsys.readouterr()
    # several seconds of silence at the default 500 iterations: random search and both descents show bars
    assert "random search:" in printed.err and printed.err.count("fit:") >= 2 and "/100 [" in printed.err
    assert "W2 and b2 swapped" in printed.out
    assert demo.main(["--iterations", "20", "--no-progress"]) == 0
    assert capsys.readouterr().err == ""


def test_quick_is_documented_and_runs_fewer_iterations(capsys) -> None:
    import pytest

    with pytest.raises(SystemExit):
        demo.main(["--help"])
    assert "--quick" in capsys.readouterr().out
    assert demo.main(["--quick", "--no-progress"]) == 0
    assert f"{demo.QUICK} iterations each" in capsys.readouterr().out
