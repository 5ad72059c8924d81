"""python -m demos implicit: the hypergradient through w*(lam) by implicit_grad, checked three ways, and outer
gradient descent reaching the penalty found in closed form."""

import pytest

from demos import implicit as demo


def test_the_three_derivatives_agree_and_the_outer_descent_finds_the_best_penalty() -> None:
    result = demo.run(outer_steps=12)
    checks = result["checks"]
    assert checks["implicit_grad"] == pytest.approx(checks["closed form"], rel=1e-12)
    assert checks["200 unrolled steps"] == pytest.approx(checks["closed form"], rel=1e-9)
    train, val = demo.data()
    # the closed-form best penalty zeroes the validation gradient: w*(lam) is the validation set's own slope
    lam = result["best"]
    assert demo.solve(train, lam) == pytest.approx(sum(x * t for x, t in val) / sum(x * x for x, _ in val), rel=1e-12)
    assert demo.hypergradient(train, val, lam)[2] == pytest.approx(0.0, abs=1e-12)
    lams = [step[0] for step in result["path"]]
    losses = [step[2] for step in result["path"]]
    assert lams[-1] == pytest.approx(lam, rel=1e-5) and all(b <= a for a, b in zip(losses, losses[1:]))


def test_the_demo_prints_its_checks_and_steps(capsys) -> None:
    assert demo.main([]) == 0
    printed = capsys.readouterr()
    out = printed.out
    assert "implicit_grad       -0.527597393737" in out and "closed form         -0.527597393737" in out
    assert "the best penalty, in closed form: lam = 1.26198" in out
    assert "200 unrolled steps:" in printed.err and "/200 [" in printed.err  # its slow part shows progress
    assert demo.main(["--no-progress"]) == 0 and capsys.readouterr().err == ""
