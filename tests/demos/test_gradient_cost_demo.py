"""python -m demos gradient_cost: exercise 16.5's counts read off the engine's graph and backward pass, against the
layer-by-layer formulas of Chapter 16: Backpropagation -- The Complete Derivation, §16.7 (lines 725-746), and
exercise 16.3's bound."""

import pytest

from demos import gradient_cost as demo


@pytest.mark.parametrize("nin, sizes", [(5, [10, 8, 3]), (3, [4, 2]), (2, [7]), (4, [3, 3, 3, 1])])
def test_counts_are_the_matrix_shapes_sums(nin, sizes) -> None:
    shapes = list(zip([nin] + sizes[:-1], sizes))  # (n_in, n_out) of each weight matrix
    c = demo.count(nin, sizes)
    assert c.parameters == sum(a * b + b for a, b in shapes)
    assert c.forward == c.weight_gradients == sum(a * b for a, b in shapes)  # W a, and dL/dW = delta a^T
    assert c.passed_back == sum(a * b for a, b in shapes[1:])  # W^T delta for every layer but the first
    assert c.backward <= 2 * c.forward  # exercise 16.3


def test_the_exercise_network_and_the_demo(tmp_path, capsys) -> None:
    assert demo.count(5, [10, 8, 3]) == (175, 154, 154, 104)
    assert demo.main(["--widths", "2", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "parameters                                  175" in out and "at most 2 x 154 = 308" in out
    assert (tmp_path / "gradient_cost.png").read_bytes()[:4] == b"\x89PNG"


def test_the_slow_part_shows_progress_and_quick_is_documented(tmp_path, capsys) -> None:
    assert demo.main(["--widths", "2", "3", "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    # central differences take minutes at the default widths: a bar per width, counting its parameters
    assert "central differences, P = 19:" in err and "/19 [" in err and "central differences, P = 31:" in err
    assert demo.main(["--widths", "2", "--no-progress", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""
    with pytest.raises(SystemExit):
        demo.main(["--help"])
    assert "--quick" in capsys.readouterr().out
