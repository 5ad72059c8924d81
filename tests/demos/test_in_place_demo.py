"""The in-place demo: the mixed gradient is what micrograd's own closures compute, it differs from both right
answers, and chainrule refuses."""

import math

import pytest

from demos import in_place as demo


def test_the_mixed_gradient_is_micrographs_and_neither_right_one() -> None:
    micrograd = pytest.importorskip("micrograd.engine", reason="micrograd is the bench's: pip install micrograd==0.1.0")
    x, w = micrograd.Value(demo.X), micrograd.Value(demo.W_OLD)
    n = x * w
    y = micrograd.Value(math.tanh(n.data), (n,), "tanh")  # the lecture's tanh: micrograd 0.1.0 has no tanh

    def _backward():
        n.grad += (1 - y.data ** 2) * y.grad

    y._backward = _backward
    w.data = demo.W_NEW
    y.backward()
    assert x.grad == pytest.approx(demo.mixed(), rel=1e-15)


def test_the_numbers_and_the_refusal(capsys) -> None:
    assert demo.right(demo.W_OLD) == pytest.approx(demo.W_OLD / math.cosh(demo.X * demo.W_OLD) ** 2, rel=1e-14)
    assert all(abs(demo.mixed() - demo.right(w)) > 0.1 for w in (demo.W_OLD, demo.W_NEW))
    assert "was assigned after" in demo.refused()
    assert demo.after_backward() == pytest.approx([demo.right(demo.W_OLD), demo.right(demo.W_NEW)], rel=1e-14)
    assert demo.main([]) == 0
    assert "chainrule refuses" in capsys.readouterr().out
