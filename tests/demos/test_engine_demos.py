"""The engine demos: worked_example pinned against NumPy, forward_vs_reverse and gradcheck by hand."""

import math
import re

import numpy as np
import pytest

from demos import forward_vs_reverse, gradcheck as gradcheck_demo, worked_example as we
import engine
from engine import Value


def numpy_worked_example():
    """The same network, forward and backward written out in NumPy, independent of the engine."""
    x, W1, b1 = np.array(we.X), np.array(we.W1), np.array(we.B1)
    W2, b2, y = np.array(we.W2), we.B2, we.TARGET
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    z1 = W1 @ x + b1
    a1 = sig(z1)
    z2 = W2 @ a1 + b2
    a2 = sig(z2)
    loss = 0.5 * (a2 - y) ** 2
    delta2 = (a2 - y) * a2 * (1 - a2)  # BP1
    delta1 = W2 * delta2 * a1 * (1 - a1)  # BP2
    gW2, gb2, gW1, gb1 = delta2 * a1, delta2, np.outer(delta1, x), delta1  # BP3, BP4
    W1n, W2n, b1n, b2n = W1 - we.ETA * gW1, W2 - we.ETA * gW2, b1 - we.ETA * gb1, b2 - we.ETA * gb2
    a2n = sig(W2n @ sig(W1n @ x + b1n) + b2n)
    return dict(z1=z1, a1=a1, z2=z2, a2=a2, loss=loss, delta2=delta2, delta1=delta1, grad_w2=gW2,
                grad_b2=gb2, grad_w1=gW1, grad_b1=gb1, w2_after=W2n, w1_after=W1n,
                loss_after=0.5 * (a2n - y) ** 2)


def test_worked_example_numbers_match_numpy(capsys) -> None:
    engine, reference = we.run(), numpy_worked_example()
    assert set(engine) == set(reference)
    for key, want in reference.items():
        np.testing.assert_allclose(np.array(engine[key]), want, rtol=1e-12, err_msg=key)
    assert reference["loss_after"] < reference["loss"]
    assert we.main([]) == 0
    printed = capsys.readouterr().out
    for value in (reference["loss"], reference["delta2"], *reference["delta1"], reference["loss_after"]):
        assert f"{value:.9f}" in printed  # the printed figures are these numbers
    # numbered as Chapter 16 numbers them (§16.4, lines 201 and 216): BP3 the weight gradients, BP4 the bias gradients
    lines = printed.splitlines()
    bp3 = next(line for line in lines if "(BP3)" in line)
    bp4 = next(line for line in lines if "(BP4)" in line)
    assert "weight gradient dL/dW2" in bp3 and f"{reference['grad_w2'][0]:.9f}" in bp3
    assert "bias gradient" in bp4 and f"dL/db2 = delta2 = {reference['grad_b2']:.9f}" in bp4
    assert lines.index(bp3) < lines.index(bp4) and "other texts, Nielsen's among them" in printed


def test_forward_vs_reverse_counts_passes(capsys) -> None:
    assert forward_vs_reverse.main([]) == 0
    out = capsys.readouterr().out
    assert "gradient (4.0, 27.0) after 2 passes" in out and "gradient (4, 27) after 1 pass" in out
    assert "Passes: forward mode 2, reverse mode 1" in out


def test_gradcheck_demo_agrees_three_ways(capsys) -> None:
    x = gradcheck_demo.X
    hand = math.exp(math.sin(x * x)) * math.cos(x * x) * 2 * x
    assert gradcheck_demo.by_hand(x) == pytest.approx(hand, rel=1e-15)
    assert gradcheck_demo.central(x) == pytest.approx(hand, rel=1e-8)
    assert gradcheck_demo.main([]) == 0
    out = capsys.readouterr().out
    assert f"{hand:.12g}"[:10] in out and "d/dx0" in out


def test_step_error_demo_finds_each_schemes_best_step_and_plots_it(tmp_path, capsys) -> None:
    from demos import step_error
    from engine.testing import SCHEMES

    assert step_error.main(["--out", str(tmp_path)]) == 0
    assert (tmp_path / "step_error.png").stat().st_size > 10_000
    out = capsys.readouterr().out
    for name, curve in step_error.curves().items():
        h_best, _ = min(curve, key=lambda p: p[1])
        if name == "complex_step":  # no V: once h^2 is below eps, every step is at rounding
            assert all(e < 1e-14 for h, e in curve if h < 1e-8), curve
            continue
        assert SCHEMES[name].step / 30 < h_best < SCHEMES[name].step * 30, name
        assert name in out
    central = dict(step_error.curves()["central"])
    assert central[min(central, key=lambda h: abs(h - 1e-7))] > 10 * min(central.values())  # the 1e-7 of §7.4.4


def test_forward_and_reverse_jacobians_agree_with_finite_differences_and_count_their_passes(tmp_path, capsys) -> None:
    import math

    for n, m in ((1, 4), (5, 2)):
        f, xs, forward, reverse = forward_vs_reverse.jacobians(n, m)
        for j in range(n):
            h = 1e-6
            up = [x + (h if k == j else 0.0) for k, x in enumerate(xs)]
            down = [x - (h if k == j else 0.0) for k, x in enumerate(xs)]
            numeric = [(a.data - b.data) / (2 * h) for a, b in zip(f([Value(u) for u in up]), f([Value(d) for d in down]))]
            for i in range(m):
                assert math.isclose(forward[i][j], numeric[i], rel_tol=1e-6, abs_tol=1e-9)
                assert math.isclose(forward[i][j], reverse[i][j], rel_tol=1e-12, abs_tol=1e-15)
    calls = []
    f = forward_vs_reverse.network(6, 3)
    counted = lambda xs: calls.append(1) or f(xs)  # noqa: E731
    forward_vs_reverse.jacfwd(counted)([0.1] * 6)
    assert len(calls) == 6  # forward mode: one pass per input
    calls.clear()
    forward_vs_reverse.jacobian(counted)([0.1] * 6)
    assert len(calls) == 1  # reverse mode: one forward pass, then one backward pass per output
    assert forward_vs_reverse.main(["--timing", "--sizes", "1", "4", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "the textbook rule (forward suits n < m, reverse n > m)" in out
    assert (tmp_path / "forward_vs_reverse.png").stat().st_size > 10_000
    rows = re.findall(r"^\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(fwd|rev)\s+(fwd|rev) \((\d+)/(\d+)\)$",
                      out, re.M)
    assert [(int(n), int(m)) for n, m, *_ in rows] == [(1, 1), (4, 1), (1, 4), (4, 4)]
    for n, m, tf, tr, _, faster, chosen, fwd_ops, rev_ops in rows:  # each row's words say what its numbers say
        assert faster == ("fwd" if float(tf) < float(tr) else "rev")
        assert chosen == ("fwd" if int(fwd_ops) < int(rev_ops) else "rev")
        assert chosen == engine.jacobian_plan(forward_vs_reverse.network(int(n), int(m)),
                                              forward_vs_reverse.point(int(n))).mode
    agreed = sum(faster == chosen for *_, faster, chosen, _, _ in rows)
    assert f"auto chose the mode that measured faster in {agreed} of 4 cells" in out


LONG_DEMOS = ("vanishing", "checkpointing", "gradient_cost", "circles", "backprop_necessity", "digits", "mnist",
              "discrete", "precision", "compression")


def test_the_usage_and_each_long_demos_help_document_quick(capsys) -> None:
    from demos.__main__ import main

    assert main([]) == 0
    assert "take --quick for a short run" in capsys.readouterr().out
    for name in LONG_DEMOS:
        with pytest.raises(SystemExit):
            main([name, "--help"])
        assert "--quick" in capsys.readouterr().out, name


def test_installed_the_usage_lines_and_the_index_name_the_chainrule_command(capsys) -> None:
    from demos import common
    from demos.__main__ import cli

    with pytest.raises(SystemExit):
        cli(["demo", "gradcheck", "--help"])
    assert capsys.readouterr().out.startswith("usage: chainrule demo gradcheck")
    assert cli(["demo", "--list"]) == 0
    pointers = [line.strip() for line in capsys.readouterr().out.splitlines() if line.strip().startswith("-> ")]
    assert pointers and not any("python -m demos" in p for p in pointers)
    assert "-> chainrule demo gradcheck" in pointers
    assert common.RUN == "python -m demos"  # put back: in a checkout the demos say python -m demos
