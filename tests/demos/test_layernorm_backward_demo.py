"""python -m demos layernorm_backward: the hand-derived layer-norm backward of
Backpropagation: The Engine of Deep Learning, §7.4.3 (line 1069) against PyTorch's
autograd: right for one shared gain, wrong for a gain per feature; the corrected formula right for both."""

import random

import pytest
from hypothesis import given, settings, strategies as st

from demos import layernorm_backward as demo
from tests.torch_oracle import needs_torch, torch


def torch_vjp(z, v, gamma, eps=demo.EPS):
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.layer_norm(zt, (len(z),), torch.tensor(gamma, dtype=torch.float64), None, eps)
    (out * torch.tensor(v, dtype=torch.float64)).sum().backward()
    return zt.grad.tolist()


@needs_torch
@settings(max_examples=40, deadline=None)
@given(st.integers(2, 7), st.integers(0, 10 ** 6))
def test_the_engine_and_the_corrected_formula_are_pytorchs_and_the_chapters_holds_for_one_gain(n, seed) -> None:
    rng = random.Random(seed)
    z = [rng.gauss(0.0, 2.0) for _ in range(n)]
    v = [rng.gauss(0.0, 1.0) for _ in range(n)]
    gamma = [rng.uniform(0.5, 2.0) for _ in range(n)]
    want = torch_vjp(z, v, gamma)
    assert demo.engines(z, v, gamma) == pytest.approx(want, rel=1e-8, abs=1e-10)
    assert demo.corrected_formula(z, v, gamma) == pytest.approx(want, rel=1e-8, abs=1e-10)
    shared = [gamma[0]] * n
    assert demo.chapters_formula(z, v, shared) == pytest.approx(torch_vjp(z, v, shared), rel=1e-8, abs=1e-10)


@needs_torch
def test_the_chapters_formula_fails_for_a_gain_per_feature() -> None:
    z, v, gamma = [0.5, -1.0, 2.0], [1.0, 0.0, 0.0], [1.0, 2.0, 3.0]
    assert demo.worst(demo.chapters_formula(z, v, gamma), torch_vjp(z, v, gamma)) > 0.1


def test_the_demo_says_which_holds(capsys) -> None:
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert out.count(": holds") == 3 and out.count(": FAILS") == 1
