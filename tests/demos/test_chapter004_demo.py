"""python -m demos chapter004: each small example against the chapter's exact arithmetic (NumPy's matrix form
and the closed forms), with the chapter's rounding where it rounds."""

import math

import numpy as np
import pytest

from demos import chapter004 as demo


def test_the_chain_rule_at_a_point_is_4_e_to_the_4() -> None:
    d = demo.chain_rule_at_a_point()
    assert d == pytest.approx(4 * math.exp(4), rel=1e-15) and round(d, 1) == 218.4


def test_sum_times_difference_forward_and_backward() -> None:
    f = demo.sum_times_difference()
    assert [f[k] for k in ("a", "b", "f", "df/da", "df/db", "df/dx", "df/dy")] == [5, 1, 5, 1, 5, 6, -4]


def test_the_relu_mask_blocks_the_gradient_where_z_is_not_positive() -> None:
    z, g = np.array([[-2.0, 0.5], [3.0, -1.0]]), np.array([[0.3, 0.5], [0.2, 0.8]])
    assert demo.relu_mask(z.tolist(), g.tolist()) == (g * (z > 0)).tolist() == [[0.0, 0.5], [0.2, 0.0]]


def test_batch_gradients_are_the_matrix_formulas_with_the_one_over_m() -> None:
    W = np.array([[0.5, 0.2, 0.1], [0.3, 0.4, 0.6]])
    A = np.array([[1.0, 2.0], [0.5, 1.5], [0.0, 1.0]])
    G = np.array([[0.2, 0.3], [0.1, 0.4]])
    got = demo.layer_gradients(W.tolist(), A.tolist(), G.tolist())
    assert np.allclose(got["dL/dW"], G @ A.T / 2, rtol=1e-15)
    assert np.allclose(got["dL/dW"], [[0.4, 0.275, 0.15], [0.45, 0.325, 0.2]], rtol=1e-15)  # lines 871-872
    assert np.allclose(got["dL/da_prev"], W.T @ G, rtol=1e-15)
    assert np.allclose(got["dL/da_prev"], [[0.13, 0.27], [0.08, 0.22], [0.08, 0.27]], rtol=1e-14)  # lines 965-967
    G3 = np.array([[0.2, 0.3, 0.1], [0.1, 0.4, 0.2]])
    bias = demo.layer_gradients(W.tolist(), np.ones((3, 3)).tolist(), G3.tolist())["dL/db"]
    assert np.allclose(bias, G3.mean(axis=1, keepdims=True), rtol=1e-15)
    assert [round(b[0], 3) for b in bias] == [0.2, 0.233]  # lines 913-914, as the chapter rounds


def test_ten_sigmoid_slopes_multiply_to_a_quarter_to_the_tenth() -> None:
    assert demo.vanishing_product() == pytest.approx(0.25 ** 10, rel=1e-15)
    assert demo.vanishing_product(3) == pytest.approx(0.25 ** 3, rel=1e-15)


def test_the_demo_prints_every_example_and_draws_the_graph(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("chapter") >= 7 and "chainrule 218.392600" in out
    svg = (tmp_path / "chapter004_graph.svg").read_text()
    for label in ("x", "y", "a", "b", "f"):
        assert f">{label}<" in svg


def test_the_first_examples_by_the_chapters_own_formulas() -> None:
    assert demo.one_update() == 0.5 - 0.1 * 2.0  # w_new = w_old - alpha dL/dw
    xs = [-1.5, 0.25, 2.0, 7.0]
    assert demo.square_of_three_x(xs) == pytest.approx([18 * x for x in xs], rel=1e-15)
    for x, y in [(1.0, 2.0), (-0.5, 3.0), (2.5, -1.25)]:
        assert demo.partials(x, y) == pytest.approx([2 * x + 3 * y, 3 * x + 2 * y], rel=1e-15)
    for x in xs:
        assert demo.cube_of_square_plus_one(x) == pytest.approx(6 * x * (x * x + 1) ** 2, rel=1e-14)
