"""python -m demos convolution: the flipped-kernel identities, by hand (checked here against NumPy's and SciPy's
own convolutions) beside the engine's gradients, in 1-D and 2-D, and the graph drawn."""

import random

import numpy as np
import pytest

from demos import convolution as demo


def test_the_hand_formulas_are_numpys_convolutions() -> None:
    rng = np.random.default_rng(0)
    x, w, g = rng.normal(size=7), rng.normal(size=3), rng.normal(size=5)
    assert np.allclose(demo.full_convolution_1d(g, w), np.convolve(g, w, mode="full"), rtol=1e-14)
    assert np.allclose(demo.correlation_1d(x, g), np.correlate(x, g, mode="valid"), rtol=1e-14)
    X, W, G = rng.normal(size=(5, 6)), rng.normal(size=(2, 3)), rng.normal(size=(4, 4))
    full = np.zeros((5, 6))  # the 2-D full convolution, written out as sums of shifted copies
    for a in range(2):
        for b in range(3):
            full[a:a + 4, b:b + 4] += W[a, b] * G
    assert np.allclose(demo.full_convolution_2d(G.tolist(), W.tolist()), full, rtol=1e-13)
    corr = [[(X[a:a + 4, b:b + 4] * G).sum() for b in range(3)] for a in range(2)]
    assert np.allclose(demo.correlation_2d(X.tolist(), G.tolist()), corr, rtol=1e-13)


@pytest.mark.parametrize("seed", range(5))
def test_the_engine_gives_both_identities_on_random_examples(seed: int) -> None:
    rng = random.Random(seed)
    n, k = rng.randint(3, 8), rng.randint(1, 3)
    x, w = [rng.uniform(-2, 2) for _ in range(n)], [rng.uniform(-2, 2) for _ in range(k)]
    g = [rng.uniform(-2, 2) for _ in range(n - k + 1)]
    conv, xs, _, _ = demo.engine_1d(x, w, g)
    assert [v.grad for v in xs] == pytest.approx(demo.full_convolution_1d(g, w), rel=1e-12, abs=1e-14)
    assert [v.grad for v in conv.weight[0][0][0]] == pytest.approx(demo.correlation_1d(x, g), rel=1e-12, abs=1e-14)


def test_main_prints_both_identities_to_the_last_bit_and_draws_the_graph(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "dL/dx 0 ulp, dL/dw 0 ulp" in out
    assert "largest difference 0 ulp" in out and out.count("0 ulp") >= 4
    assert "Convolutional Layers (lines 279-283)" in out
    svg = (tmp_path / "convolution.svg").read_text()
    assert "W0_0_0" in svg and "W0_0_2" in svg and "x4" in svg
