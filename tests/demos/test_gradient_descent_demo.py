"""python -m demos gradient_descent: the behaviours Chapter 02: Backpropagation & Gradient Descent, §6,
describes (lines 1069-1147), measured: full batch
smooth and slow per epoch, stochastic fast and noisy; a rate too small barely moves, a right one descends
steadily, a too large one overshoots."""

import pytest

from demos import gradient_descent as demo


@pytest.fixture(scope="module")
def panels():
    return demo.run(epochs=25)


def test_batch_sizes(panels) -> None:
    curves = panels[f"batch size, at learning rate {demo.BATCH_RATE}"]
    full, mini, sgd = curves["full batch (200)"], curves["mini-batch (32)"], curves["stochastic (1)"]
    assert all(b < a for a, b in zip(full, full[1:]))  # one exact step an epoch: smooth
    assert sgd[-1] < mini[-1] < full[-1]  # more steps an epoch: further in as many epochs
    assert any(b > a for a, b in zip(sgd, sgd[1:]))  # noisy: it sometimes goes up


def test_learning_rates(panels) -> None:
    curves = panels["learning rate, full batch"]
    small, right, large = curves["too small (1e-4)"], curves["about right (0.5)"], curves["too large (50)"]
    assert abs(small[-1] - small[0]) < 0.01 * small[0]  # creeps
    assert all(b < a for a, b in zip(right, right[1:])) and right[-1] < 0.5 * right[0]  # steady descent
    assert max(large) > 10 * large[0] and sum(b > a for a, b in zip(large, large[1:])) >= 3  # overshoots, again and again


def test_the_chapters_own_rates(panels) -> None:
    curves = panels["the chapter's rates (§6.4), full batch"]
    assert list(curves) == ["too small (1e-5)", "just right, low end (0.001)", "just right, high end (0.01)",
                            "too large (10)"]
    finals = [curve[-1] for curve in curves.values()]
    assert finals[0] > finals[1] > finals[2]  # a larger rate, further down, up to the chapter's "just right"
    large = curves["too large (10)"]
    assert sum(b > a for a, b in zip(large, large[1:])) >= 3  # 10 oscillates, as the chapter says


def test_the_demo_draws_both_panels(tmp_path, capsys) -> None:
    assert demo.main(["--out", str(tmp_path), "--epochs", "5"]) == 0
    out = capsys.readouterr().out
    assert "  stochastic (1)                     1000" in out and "too large (50)" in out and "too large (10)" in out
    assert "which rate is right depends on the problem" in out
    assert (tmp_path / "gradient_descent.png").read_bytes()[:4] == b"\x89PNG"
