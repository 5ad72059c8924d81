"""check_grads: its random directions, steps, orders and tolerances, pinned by the numbers it reports."""

import math
import random

import pytest

from engine import op
from engine.testing import DerivativeError, check_grads


def innermost(x):
    """The plain float inside a Value, a Dual or a Dual of Values (a rule that reads it is frozen there)."""
    while hasattr(x, "data"):
        x = x.data
    return x


@op(derivative=lambda x, out: (1.01 * x.cos(),))
def bad_sin(x: float) -> float:
    """sin with a derivative rule 1% off."""
    return math.sin(x)


@op(derivative=lambda x, out: (1.005 * x.cos(),))
def slightly_bad_sin(x: float) -> float:
    """sin with a derivative rule 0.5% off."""
    return math.sin(x)


def _frozen_cos(x, out):
    c = innermost(x)
    return (x.cos(),) if not isinstance(c, float) else (math.cos(c),)


@op(derivative=_frozen_cos)
def frozen_sin(x: float) -> float:
    """sin whose rule is right, but a constant: its derivative (sin'') comes out 0."""
    return math.sin(x)


def _second_order_cos(x, out):
    c = innermost(x)
    if not isinstance(c, float):
        return (x.cos(),)
    return (math.cos(c) - math.sin(c) * (x - c),)  # cos to first order around c: sin'' right, sin''' = 0


@op(derivative=_second_order_cos)
def linearised_sin(x: float) -> float:
    """sin whose rule is right to first order: check_grads sees it only at order 3."""
    return math.sin(x)


X = 1.2


def gaussians(seed: int, k: int):
    rng = random.Random(seed)
    return [rng.gauss(0.0, 1.0) for _ in range(k)]


def central(f, h):
    """(f(h) - f(-h)) / 2h; with h None, the exact derivative the default step reaches."""
    return (f(h) - f(-h)) / (2 * h)


def sin_along(v, h):
    """d/dt sin(X + t v) at 0, by a central difference with step h (exactly, for h None)."""
    return math.cos(X) * v if h is None else central(lambda t: math.sin(X + t * v), h)


def assert_rows(rows, expected):
    assert [r[0] for r in rows] == [e[0] for e in expected]
    for (i, g, w), (_, g_want, w_want) in zip(rows, expected):
        assert g == pytest.approx(g_want, rel=1e-11), i
        assert w == pytest.approx(w_want, rel=1e-8), i


def message(label, formula, args, rows):
    lines = [f"output {i}: analytic {g:.10g}, numeric {w:.10g}, rel. error {abs(g - w) / (abs(g) + abs(w)):.2e}"
             for i, g, w in rows]
    return (f"check_grads: {label} of {formula} at {args} disagrees with finite differences:\n"
            + "\n".join(lines))


@pytest.mark.parametrize("seed", [None, 0, 7])
@pytest.mark.parametrize("eps", [None, 0.1])
@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_a_first_order_failure_reports_both_outputs_in_the_seeded_direction(mode, eps, seed) -> None:
    f = lambda x: [bad_sin(x), bad_sin(x) * 2]  # noqa: E731
    kwargs = {} if seed is None else {"seed": seed}
    with pytest.raises(DerivativeError) as info:
        check_grads(f, [X], order=1, modes=(mode,), eps=eps, **kwargs)
    error = info.value
    g = gaussians(seed or 0, 3)
    h = None if eps is None else eps * max(1.0, abs(X))
    c = math.cos(X)
    if mode == "fwd":
        v = g[0]
        expected = [(0, 1.01 * c * v, sin_along(v, h)), (1, 2.02 * c * v, 2 * sin_along(v, h))]
        label = "JVP"
    else:
        v, u0, u1 = g
        expected = [(0, (u0 * 1.01 * c + u1 * 2.02 * c) * v, u0 * sin_along(v, h) + u1 * 2 * sin_along(v, h))]
        label = "VJP"
    assert_rows(error.rows, expected)
    assert error.formula == "[bad_sin(x), bad_sin(x)·2]"
    assert error.graph == ""
    assert str(error) == message(label, "[bad_sin(x), bad_sin(x)·2]", [X], error.rows)


@pytest.mark.parametrize("eps", [None, 0.1])
def test_a_second_order_reverse_failure_checks_the_vjp_of_half_the_squared_output(eps) -> None:
    # Level 2 checks f_vjp(x) = d/dx (f(x)^2 / 2) = sin(x) cos(x). The engine differentiates the frozen
    # rule to cos(x)^2, the finite difference sees cos(2x).
    tol = {} if eps is None else {"atol": 1e-2, "rtol": 1e-2}  # a large step passes level 1 only loosely
    with pytest.raises(DerivativeError) as info:
        check_grads(frozen_sin, [X], order=2, modes=("rev",), eps=eps, **tol)
    _, _, v2, u2 = gaussians(0, 4)
    h = None if eps is None else eps * max(1.0, abs(X))
    half_sin_2x = lambda t: math.sin(X + t * v2) * math.cos(X + t * v2)  # noqa: E731
    numeric = math.cos(2 * X) * v2 if h is None else central(half_sin_2x, h)
    assert_rows(info.value.rows, [(0, u2 * math.cos(X) ** 2 * v2, u2 * numeric)])
    assert str(info.value) == message("VJP of VJP", "f_vjp", [X], info.value.rows)


@pytest.mark.parametrize("eps", [None, 0.1])
def test_a_second_order_forward_failure_checks_the_jvp_of_the_jvp(eps) -> None:
    # Level 2 checks (x, v) -> [sin(x), cos(x) v] along (a, b): the frozen rule loses -sin(x) a v.
    tol = {} if eps is None else {"atol": 1e-2, "rtol": 1e-2}
    with pytest.raises(DerivativeError, match=r"^check_grads: JVP of JVP of ") as info:
        check_grads(frozen_sin, [X], order=2, modes=("fwd",), eps=eps, **tol)
    v1, a, b = gaussians(0, 3)
    h = None if eps is None else eps * max(1.0, abs(X), abs(v1))
    tangent = lambda t: math.cos(X + t * a) * (v1 + t * b)  # noqa: E731
    numeric = -math.sin(X) * a * v1 + math.cos(X) * b if h is None else central(tangent, h)
    assert_rows(info.value.rows, [(1, math.cos(X) * b, numeric)])
    assert info.value.graph == ""


@pytest.mark.parametrize("modes, label", [(("fwd",), "JVP of JVP of JVP"), (("rev",), "VJP of VJP of VJP"),
                                          (("fwd", "rev"), "JVP of JVP of JVP")])
def test_order_three_reaches_the_third_derivative_and_the_default_order_is_two(modes, label: str) -> None:
    check_grads(linearised_sin, [0.7], order=2, modes=modes)
    check_grads(linearised_sin, [0.7], modes=modes)
    check_grads(linearised_sin, [0.7])
    with pytest.raises(DerivativeError, match=f"^check_grads: {label} of "):
        check_grads(linearised_sin, [0.7], order=3, modes=modes)


@pytest.mark.parametrize("mode", ["fwd", "rev"])
def test_tolerances_are_inclusive_and_rtol_scales_with_the_numeric_value(mode: str) -> None:
    # Exact agreement passes with no tolerance at all.
    check_grads(lambda x: x * 0.0, [0.5], order=1, modes=(mode,), atol=0.0, rtol=0.0)
    # A 0.5% error on a value near 10 passes rtol=1%, and fails rtol=0.1%.
    f = lambda x: slightly_bad_sin(x) * 10  # noqa: E731
    check_grads(f, [0.7], order=1, modes=(mode,), atol=0.0, rtol=1e-2)
    with pytest.raises(DerivativeError):
        check_grads(f, [0.7], order=1, modes=(mode,), atol=0.0, rtol=1e-3)


@pytest.mark.parametrize("kwargs, text", [
    ({"order": 0}, "check_grads: order must be a whole number >= 1, got 0"),
    ({"order": 1.5}, "check_grads: order must be a whole number >= 1, got 1.5"),
    ({"modes": ("sideways",)}, "check_grads: modes must be some of 'fwd' and 'rev', got ('sideways',)"),
    ({"modes": ("fwd", "up")}, "check_grads: modes must be some of 'fwd' and 'rev', got ('fwd', 'up')"),
    ({"modes": ()}, "check_grads: modes must be some of 'fwd' and 'rev', got ()"),
])
def test_bad_arguments_are_named_word_for_word(kwargs, text: str) -> None:
    with pytest.raises(ValueError) as info:
        check_grads(lambda x: x.sin(), [0.5], **kwargs)
    assert str(info.value) == text
