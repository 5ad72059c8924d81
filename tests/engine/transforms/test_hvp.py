"""hvp: the Hessian-vector product by forward-over-reverse and by reverse-over-reverse, against the full
Hessian times v, a closed form, the finite-difference formula of Backpropagation Calculus for Deep Learning
and PyTorch."""

import math
import random

import pytest
from hypothesis import given, settings, strategies as st

import engine
from engine import Value, grad, hessian, hvp
from engine.testing import expressions
from engine.testing.oracles import TORCH_MISSING

MODES = ["forward-over-reverse", "reverse-over-reverse"]


def hessian_times(f, x, v):
    H = hessian(f)(x)
    return [math.fsum(H[i][j].data * v[j] for j in range(len(v))) for i in range(len(v))]


@pytest.mark.parametrize("mode", MODES)
def test_a_quadratic_form_gives_a_plus_a_transposed_times_v_exactly(mode) -> None:
    # f(x) = x^T A x (A not symmetric): H = A + A^T, whatever x is
    A = [[1.0, 2.0, -0.5], [0.0, 3.0, 4.0], [1.5, -2.0, 0.25]]
    f = lambda x: engine.sum([A[i][j] * x[i] * x[j] for i in range(3) for j in range(3)])  # noqa: E731
    v = [0.5, -1.0, 2.0]
    want = [sum((A[i][j] + A[j][i]) * v[j] for j in range(3)) for i in range(3)]
    for x in ([0.0, 0.0, 0.0], [1.0, -2.0, 3.5]):
        assert hvp(f, x, v, mode=mode) == want


@settings(max_examples=40, deadline=None)
@given(expressions(inputs=3, max_depth=8), st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_both_modes_give_the_hessian_times_v(e, v) -> None:
    f = lambda x: e(*x)  # noqa: E731
    x = list(e.inputs)
    v = v[:len(x)]
    want = hessian_times(f, x, v)
    scale = max([1.0] + [abs(w) for w in want])
    for mode in MODES:
        got = hvp(f, x, v, mode=mode)
        assert all(abs(a - b) <= 1e-10 * scale for a, b in zip(got, want)), (mode, got, want)


def test_chapter_002s_jacobian_free_formula_approaches_it() -> None:
    # Backpropagation Calculus for Deep Learning, §9, Jacobian-Free Methods (lines 270-271):
    # Hv ~ (grad f(x + eps v) - grad f(x)) / eps,
    # with an error of order eps (and rounding of order 1e-16 / eps): 1e-6 is about the best step
    f = lambda x: (x[0] * x[1]).sin() + x[0] ** 3 * x[1].exp()  # noqa: E731
    x, v = [0.7, -0.3], [1.0, 2.0]
    g = lambda at: [d.data for d in grad(f)(at)]  # noqa: E731
    exact = hvp(f, x, v)
    for eps, tolerance in ((1e-3, 2e-2), (1e-6, 2e-5)):
        moved = g([a + eps * b for a, b in zip(x, v)])
        estimate = [(m - o) / eps for m, o in zip(moved, g(x))]
        assert all(abs(e - h) <= tolerance * max(1.0, abs(h)) for e, h in zip(estimate, exact)), (eps, estimate)
    assert hvp(f, x, v, mode="reverse-over-reverse") == pytest.approx(exact, rel=1e-14)


def test_pytorch_gives_the_same_product() -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)

    def f(x):
        return (x[0] * x[1]).tanh() + (x[1] - x[2]) ** 2 * x[0].exp() + engine.logsumexp(x)

    def f_torch(x):
        return torch.tanh(x[0] * x[1]) + (x[1] - x[2]) ** 2 * torch.exp(x[0]) + torch.logsumexp(x, 0)

    x, v = [0.3, -1.2, 0.8], [1.0, 0.5, -2.0]
    _, want = torch.autograd.functional.hvp(f_torch, torch.tensor(x, dtype=torch.float64),
                                            torch.tensor(v, dtype=torch.float64))
    for mode in MODES:
        assert hvp(f, x, v, mode=mode) == pytest.approx(want.tolist(), rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("mode", MODES)
def test_a_scalar_input_and_weights_from_outside(mode) -> None:
    w = Value(1.5)  # a model's weight: a constant to hvp, as to grad
    assert hvp(lambda x: x ** 3 * w, 2.0, 0.5, mode=mode) == 0.5 * 6 * 2.0 * 1.5
    assert hvp(lambda x: x * w + 1.0, 2.0, 1.0, mode=mode) == 0.0  # linear: no curvature
    assert hvp(lambda x: x[0] + 2.0 * x[1], [1.0, 2.0], [1.0, 1.0], mode=mode) == [0.0, 0.0]
    assert w.grad == 0.0


@pytest.mark.parametrize("mode", MODES)
def test_a_random_mlp_loss(mode) -> None:
    random.seed(3)
    from nn import MLP

    model = MLP(3, [4, 1], activation="tanh")
    f = lambda x: (model(x) - 0.5) ** 2  # noqa: E731
    x, v = [0.2, -0.4, 1.1], [1.0, 0.0, -1.0]
    assert hvp(f, x, v, mode=mode) == pytest.approx(hessian_times(f, x, v), rel=1e-12, abs=1e-14)


def test_bad_input_says_what_and_with_which_value() -> None:
    f = lambda x: x[0] * x[1]  # noqa: E731
    cases = [
        ((f, [1.0, 2.0], [1.0]), {}, ValueError, "hvp: v must be shaped like x; x is a list of 2 numbers and v is a list of 1 number"),
        ((f, [1.0, 2.0], 1.0), {}, ValueError, "hvp: v must be shaped like x; x is a list of 2 numbers and v is one number"),
        ((f, [1.0, 2.0], [1.0, math.nan]), {}, ValueError, "hvp: v must not be nan, got nan"),
        ((lambda x: x * x, 1.0, "a"), {}, TypeError, "hvp: v must be a real number, got str 'a'"),
        ((lambda x: x * x, 1.0, 1.0), {"mode": "newton"}, ValueError,
         "hvp: mode must be 'forward-over-reverse' or 'reverse-over-reverse', got 'newton'"),
        ((lambda x: [x[0], x[1]], [1.0, 2.0], [1.0, 1.0]), {}, TypeError,
         "hvp: f must return a scalar, but it returned a list of 2 values; use jacobian(f) for functions with several outputs"),
    ]
    for args, options, kind, message in cases:
        with pytest.raises(kind) as caught:
            hvp(*args, **options)
        assert str(caught.value) == message


def test_the_default_is_forward_over_reverse_one_jvp_and_the_other_mode_uses_none(monkeypatch) -> None:
    import engine.transforms.second_order as second_order

    calls = []
    real = second_order.jvp
    monkeypatch.setattr(second_order, "jvp", lambda *a: calls.append(1) or real(*a))
    f = lambda x: x[0] ** 2 * x[1]  # noqa: E731
    assert hvp(f, [3.0, 2.0], [1.0, 0.0]) == [4.0, 6.0] and calls == [1]
    assert hvp(f, (3.0, 2.0), (1.0, 0.0), mode="reverse-over-reverse") == [4.0, 6.0] and calls == [1]
