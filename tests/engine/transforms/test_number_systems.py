"""Fixed-point and logarithmic numbers: every value on the grid, products exact in the logarithmic system, and
gradients_in agreeing with a hand-rounded backward pass and converging to the float gradient as bits grow."""

import math

import pytest
from hypothesis import given, strategies as st

from engine import Value
from engine.transforms.number_systems import FixedPoint, Logarithmic, gradients_in


@given(st.floats(-100, 100), st.integers(2, 20))
def test_fixed_point_rounds_to_its_grid_and_saturates(x, bits) -> None:
    Q = FixedPoint(bits, integer=4)
    q = Q(x).data
    assert q * 2 ** bits == round(q * 2 ** bits)  # a whole number of steps
    top = 2.0 ** 4 - 2.0 ** -bits
    if abs(x) < top:
        assert abs(q - x) <= 2.0 ** -(bits + 1)
    else:
        assert q in (top, -top - 2.0 ** -bits)


@given(st.floats(1e-30, 1e30), st.floats(1e-30, 1e30), st.integers(2, 12))
def test_a_logarithmic_product_is_exact_and_a_value_is_relatively_close(a, b, bits) -> None:
    L = Logarithmic(bits)
    x, y = L(a), L(-b)
    index = lambda v: round(math.log2(abs(v.data)) * 2 ** bits)  # noqa: E731 (the log's place on the grid)
    assert index(x * y) == index(x) + index(y)  # the logs add: the product is the grid point of the sum
    assert abs(x.data - a) <= (2.0 ** (2.0 ** -(bits + 1)) - 1) * a * (1 + 1e-12)
    assert math.log2(abs(y.data)) * 2 ** bits == pytest.approx(round(math.log2(abs(y.data)) * 2 ** bits), abs=1e-6)


def test_gradients_in_rounds_every_step_as_a_hand_computation_does() -> None:
    Q = FixedPoint(6).rounded
    x, w = Value(0.7), Value(-1.3)
    y = (x * w).tanh()
    # by hand on the grid of 1/64: u = Q(Q(x) Q(w)), t = Q(tanh(u)), dy/du = Q(1 - Q(t t)); dy/dx = Q(dy/du Q(w))
    u = Q(Q(0.7) * Q(-1.3))
    t = Q(math.tanh(u))
    dydu = Q(1.0 - Q(t * t))
    assert gradients_in(FixedPoint(6), y, [x, w]) == [Q(dydu * Q(-1.3)), Q(dydu * Q(0.7))]


def test_more_bits_give_the_float_gradient() -> None:
    x, w = Value(0.7), Value(-1.3)
    y = ((x * w).tanh() + x * x).exp()
    y.backward()
    exact = [x.grad, w.grad]
    for kind in (FixedPoint, Logarithmic):
        errors = [max(abs(a - b) for a, b in zip(gradients_in(kind(bits), y, [x, w]), exact)) for bits in (4, 8, 16, 30)]
        assert errors[-1] < 1e-7 and errors[0] > errors[-1] * 1000
