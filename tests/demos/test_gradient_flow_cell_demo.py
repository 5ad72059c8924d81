"""Chapter 16's gradient-flow cell: the engine's deltas are the cell's own NumPy backward pass, run here as the
chapter wrote it, and the ReLU run's output unit is dead."""

import numpy as np
import pytest

from demos import gradient_flow_cell as demo


def the_cells_own(activation: str):
    """The chapter's cell (lines 600-660), its NumPy code as written."""
    sigmoid = lambda z: 1 / (1 + np.exp(-np.clip(z, -500, 500)))  # noqa: E731
    deriv = (lambda z: sigmoid(z) * (1 - sigmoid(z))) if activation == "sigmoid" else (lambda z: (z > 0).astype(float))
    act = sigmoid if activation == "sigmoid" else (lambda z: np.maximum(0, z))
    sizes = demo.SIZES
    np.random.seed(42)
    weights = [np.random.randn(sizes[i + 1], sizes[i]) * np.sqrt(2.0 / (sizes[i] + sizes[i + 1]))
               for i in range(len(sizes) - 1)]
    a = np.random.randn(sizes[0], 1)
    zs = []
    for W in weights:
        z = W @ a
        a = act(z)
        zs.append(z)
    y = np.random.randn(sizes[-1], 1)
    delta = (a - y) * deriv(zs[-1])
    norms = [np.linalg.norm(delta)]
    for l in range(len(weights) - 1, 0, -1):
        delta = (weights[l].T @ delta) * deriv(zs[l - 1])
        norms.append(np.linalg.norm(delta))
    return norms[::-1], float(zs[-1][0, 0])


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_the_engines_deltas_are_the_cells(activation) -> None:
    norms, output_z = the_cells_own(activation)
    run = demo.deltas(activation)
    assert run["norms"] == pytest.approx(norms, rel=1e-10, abs=1e-300)
    assert run["output z"] == pytest.approx(output_z, rel=1e-12)


def test_relu_as_written_is_dead_and_a_linear_output_brings_it_back(capsys) -> None:
    dead = demo.deltas("relu")
    assert dead["output z"] < 0 and all(n == 0.0 for n in dead["norms"])
    alive = demo.deltas("relu", linear_output=True)
    assert all(n > 0 for n in alive["norms"])
    assert demo.ratio_of(alive) > 100 * demo.ratio_of(demo.deltas("sigmoid"))
    assert demo.main([]) == 0
    assert "0/0" in capsys.readouterr().out
