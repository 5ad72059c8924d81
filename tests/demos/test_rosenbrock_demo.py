"""python -m demos rosenbrock: Newton (engine.newton_step) and the demo's BFGS reach (1, 1) where SciPy's BFGS does,
in as many iterations as the method promises, while gradient descent is still crawling."""

import numpy as np
import pytest
from scipy.optimize import minimize

from demos import rosenbrock as demo


@pytest.fixture(scope="module")
def paths():
    return demo.run()


def test_newton_and_bfgs_reach_the_minimum_and_gradient_descent_crawls(paths) -> None:
    gd, newton, bfgs = paths.values()
    assert demo.distance(newton[-1]) < 1e-12 and len(newton) - 1 <= 10
    assert demo.distance(bfgs[-1]) < 1e-9 and len(bfgs) - 1 <= 60
    assert demo.distance(gd[-1]) > 0.1 and len(gd) - 1 == demo.GD_STEPS
    assert all(demo.value(b) <= demo.value(a) + 1e-12 for a, b in zip(bfgs, bfgs[1:]))  # the line search descends


def test_bfgs_agrees_with_scipys_within_a_few_iterations(paths) -> None:
    fun = lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2  # noqa: E731
    jac = lambda p: np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)])  # noqa: E731
    theirs = minimize(fun, demo.START, jac=jac, method="BFGS", options={"gtol": 1e-10})
    ours = paths["BFGS"]
    assert ours[-1] == pytest.approx(theirs.x.tolist(), abs=1e-8)
    assert abs((len(ours) - 1) - theirs.nit) <= 15
    assert demo.gradient([0.3, -0.4]) == pytest.approx(jac([0.3, -0.4]).tolist(), rel=1e-14)


def test_the_demo_prints_and_draws(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Newton                                  7          8         7" in out
    for name in ("rosenbrock_paths.png", "rosenbrock_convergence.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
