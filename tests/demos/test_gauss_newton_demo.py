"""python -m demos gauss_newton: Gauss-Newton reaches the least-squares fit in a few steps, gradient descent in
tens, both at the fit the same method written out in NumPy finds."""

import math

import numpy as np
import pytest

from demos import gauss_newton as demo


def numpy_gauss_newton(ts, ys, p, steps=20):
    """The same fit written out in NumPy: J by hand, the normal equations by numpy.linalg.solve."""
    t, y = np.array(ts), np.array(ys)
    p = np.array(p, dtype=float)
    for _ in range(steps):
        e = np.exp(-p[1] * t)
        r = p[0] * e - y
        J = np.stack([e, -p[0] * t * e], axis=1)
        p = p + np.linalg.solve(J.T @ J, -J.T @ r)
    return p, 0.5 * float(((p[0] * np.exp(-p[1] * t) - y) ** 2).sum())


def test_both_methods_end_at_numpys_least_squares_fit_and_gauss_newton_is_ten_times_quicker() -> None:
    results = demo.run(gn_steps=8, gd_steps=100)
    want, best = numpy_gauss_newton(*demo.data(), demo.START)
    for losses, p in results.values():
        assert p == pytest.approx(want.tolist(), rel=1e-9) and losses[-1] == pytest.approx(best, rel=1e-12)
    (gn, _), (gd, _) = results.values()
    reach = [next(k for k, x in enumerate(losses) if x <= best * (1 + 1e-6)) for losses in (gn, gd)]
    assert reach == [3, 33]  # as the demo's docstring says
    assert all(b <= a * (1 + 1e-12) for a, b in zip(gn, gn[1:]))  # each Gauss-Newton step lowers the loss


def test_the_demo_prints_the_race_and_draws_it(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path), "--gd-steps", "40"]) == 0
    out = capsys.readouterr().out
    assert "Gauss-Newton: within 1e-6 of the least-squares loss after 3 steps" in out
    assert "gradient descent (lr 0.12): within 1e-6 of the least-squares loss after 33 steps" in out
    assert (tmp_path / "gauss_newton.png").read_bytes()[:4] == b"\x89PNG"


def test_a_faster_rate_does_not_converge() -> None:
    # the docstring's claim that 0.12 is the largest of its rates that converges: 0.15 stays at twice the loss
    rate = demo.LR
    try:
        demo.LR = 0.15
        losses, _ = demo.run(gn_steps=1, gd_steps=200)["gradient descent (lr 0.15)"]
    finally:
        demo.LR = rate
    best = numpy_gauss_newton(*demo.data(), demo.START)[1]
    assert min(losses[-20:]) > 1.5 * best and math.isfinite(losses[-1])
