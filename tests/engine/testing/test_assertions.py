"""assert_derivative and check_grads: they pass on right derivatives and catch wrong ones."""

import math

import pytest
from hypothesis import strategies as st

from engine import op
from engine.testing import DerivativeError, assert_derivative, check_grads, floats_in

F = lambda x: (x ** 2).sin().exp()  # noqa: E731 (exp(sin(x^2)), the chapters' example)


def dF(x: float) -> float:
    return math.exp(math.sin(x * x)) * math.cos(x * x) * 2 * x


def softmax_ce(a, b, c):
    import engine

    return engine.logsumexp([a, b, c]) - b  # -log softmax(z)[1]


def dsoftmax_ce(a, b, c):
    e = [math.exp(z) for z in (a, b, c)]
    s = sum(e)
    return e[0] / s, e[1] / s - 1, e[2] / s


@pytest.mark.parametrize("at", [1.5, [0.1, -0.7, 1.5], floats_in((-2, 2))])
def test_a_right_derivative_passes_at_points_and_over_a_strategy(at) -> None:
    assert_derivative(F, dF, at=at)


def test_a_right_gradient_of_several_inputs_passes() -> None:
    assert_derivative(softmax_ce, dsoftmax_ce, at=st.tuples(*[floats_in((-5, 5))] * 3))


@pytest.mark.parametrize("wrong, why", [
    (lambda x: 1.01 * dF(x), "off by 1%"),
    (lambda x: -dF(x), "a sign error"),
])
def test_a_wrong_derivative_fails_with_the_table(wrong, why: str) -> None:
    with pytest.raises(DerivativeError) as info:
        assert_derivative(F, wrong, at=[0.3, 1.5])
    error = info.value
    assert "exp(sin(x^2))" in str(error) and "hand differs" in str(error), why
    row = next(r for r in error.rows if r.verdict != "ok")
    assert row.engine == pytest.approx(dF(0.3), rel=1e-12) and row.numeric == pytest.approx(dF(0.3), rel=1e-6)
    assert row.hand == pytest.approx(wrong(0.3), rel=1e-15)
    assert "sin" in error.graph and "exp" in error.graph  # the engine's table of nodes


def test_a_wrong_partial_among_several_is_named() -> None:
    def wrong(a, b, c):
        da, db, dc = dsoftmax_ce(a, b, c)
        return da, db * 1.01, dc

    with pytest.raises(DerivativeError, match=r"d/dx1 at x0=0\.5, x1=-1, x2=2 .*hand differs"):
        assert_derivative(softmax_ce, wrong, at=[(0.5, -1.0, 2.0)])


def test_a_strategy_failure_is_shrunk_and_raised() -> None:
    # Wrong only for x > 1: hypothesis finds such a point.
    with pytest.raises(DerivativeError, match="hand differs"):
        assert_derivative(F, lambda x: dF(x) * (1.0 if x <= 1 else 1.5), at=floats_in((-2, 2)))


def test_misuse_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="one partial derivative per input"):
        assert_derivative(softmax_ce, lambda a, b, c: (1.0, 2.0), at=[(0.0, 0.0, 0.0)])
    with pytest.raises(ValueError, match="unknown finite-difference scheme 'midpoint'"):
        assert_derivative(F, dF, at=1.0, scheme="midpoint")


@pytest.mark.parametrize("scheme", ["forward", "backward", "central", "five_point", "richardson"])
def test_every_scheme_serves_assert_derivative(scheme: str) -> None:
    assert_derivative(F, dF, at=[0.4, 1.2], scheme=scheme)
    with pytest.raises(DerivativeError):
        assert_derivative(F, lambda x: 1.01 * dF(x), at=[1.2], scheme=scheme)


# -- check_grads -----------------------------------------------------------------------------------


@pytest.mark.parametrize("modes", [("fwd",), ("rev",), ("fwd", "rev")])
def test_check_grads_passes_on_the_engine_to_order_three(modes) -> None:
    check_grads(lambda x, y: (x * y).sin() * y.exp() + x ** 3 / (1 + y * y), [0.4, -0.8], order=3, modes=modes)
    check_grads(lambda x, y: [(x * y).tanh(), softmax_ce(x, y, x * y)], [0.4, -0.8], order=2, modes=modes)


@pytest.mark.parametrize("modes, label", [(("fwd",), "JVP"), (("rev",), "VJP")])
def test_check_grads_catches_a_wrong_rule(modes, label: str) -> None:
    @op(derivative=lambda x, out: (1.01 * x.cos(),))
    def bad_sin(x: float) -> float:
        return math.sin(x)

    with pytest.raises(DerivativeError, match=f"{label} of bad_sin"):
        check_grads(lambda x: bad_sin(x) * 2, [0.7], order=1, modes=modes)


@pytest.mark.parametrize("modes, label", [(("fwd",), "JVP of JVP"), (("rev",), "VJP of VJP")])
def test_check_grads_catches_a_rule_wrong_only_at_second_order(modes, label: str) -> None:
    # Right first derivative, but computed from the float, so its own derivative is lost.
    @op(derivative=lambda x, out: (2 * getattr(x, "data", x),))
    def frozen_square(x: float) -> float:
        return x * x

    check_grads(frozen_square, [0.7], order=1, modes=modes)
    with pytest.raises(DerivativeError, match=label):
        check_grads(frozen_square, [0.7], order=2, modes=modes)


def test_check_grads_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="order"):
        check_grads(F, [1.0], order=0)
    with pytest.raises(ValueError, match="modes"):
        check_grads(F, [1.0], modes=("sideways",))


def test_a_hand_written_backward_is_checked_as_it_is() -> None:
    from tests.engine.test_closures import my_tanh

    assert_derivative(lambda x: my_tanh(x * 2), lambda x: 2 * (1 - math.tanh(2 * x) ** 2), at=[0.3, -1.1])

    def wrong_tanh(x):
        out = my_tanh(x)
        out._backward = lambda: setattr(x, "grad", x.grad + out.grad)  # forgot the (1 - t^2)
        return out

    with pytest.raises(DerivativeError, match="engine differs"):
        assert_derivative(wrong_tanh, lambda x: 1 - math.tanh(x) ** 2, at=[0.8])


def test_a_list_of_single_numbers_for_a_function_of_two_is_explained() -> None:
    with pytest.raises(TypeError, match=r"does not take 1 input.*as a tuple"):
        assert_derivative(lambda x, y: x * y, lambda x, y: (y, x), at=[0.5, 2.0])


def test_gradcheck_runs_hand_written_closures_at_first_order() -> None:
    from engine import gradcheck
    from tests.engine.test_closures import my_tanh

    assert all(row.ok for row in gradcheck(lambda x: my_tanh(x) * x, [0.4]))
