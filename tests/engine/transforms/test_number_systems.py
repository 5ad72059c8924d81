"""Fixed-point and logarithmic numbers: every value on the grid, products exact in the logarithmic system, and
gradients_in agreeing with a hand-rounded backward pass and converging to the float gradient as bits grow."""

import math

import pytest
from hypothesis import given, strategies as st

from engine import Value, ops
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


def test_fixed_point_has_fifteen_integer_bits_by_default() -> None:
    Q8 = FixedPoint(8)
    assert Q8.bits == (8, 15) and Q8.__name__ == "FixedPoint15.8"
    # two's complement with 15 integer bits and 8 fraction bits: from -2^15 up to 2^15 - 2^-8
    assert Q8(1e6).data == 2.0 ** 15 - 2.0 ** -8
    assert Q8(-1e6).data == -(2.0 ** 15)
    assert Q8(40000.0).data == 2.0 ** 15 - 2.0 ** -8  # past 2^15, within 2^16: saturated too
    assert FixedPoint(8, integer=4).bits == (8, 4)


def test_a_logarithmic_kind_knows_its_bits_and_numbers_show_their_kind() -> None:
    L4 = Logarithmic(4)
    assert L4.bits == (4,) and L4.__name__ == "Logarithmic4"
    assert repr(L4(2.0)) == "Logarithmic4(2.0)"
    assert repr(FixedPoint(8)(0.5)) == "FixedPoint15.8(0.5)"


def test_a_plain_number_in_an_op_is_rounded_onto_the_grid_first() -> None:
    Q = FixedPoint(2)  # steps of 1/4: 1.4 is 1.5 on the grid
    assert (Q(1.5) * 1.4).data == Q.rounded(1.5 * 1.5) == 2.25  # not Q(1.5 * 1.4) = Q(2.1) = 2.0


def test_an_op_on_two_systems_rounds_only_its_result() -> None:
    # each number enters at its own value, and the result is rounded onto the grid of whichever kind applies the op:
    # 3.5 + 0.25 = 3.75, which is 4.0 on both grids (had either been rounded onto the other's grid first, the sum
    # would be 3.5 + 0 = 3.5 on the fixed grid, or 2^(7/4) + 0.25 = 3.61, 2^(7/4) on the log grid)
    a, b = FixedPoint(1)(3.5), Logarithmic(2)(0.25)
    assert (a.data, b.data) == (3.5, 0.25)
    total = a + b
    assert total.data == type(total).rounded(3.75) == 4.0


def test_a_grid_number_chooses_a_branch_by_its_value_as_the_float_rule_does() -> None:
    for kind in (FixedPoint(4), Logarithmic(4)):
        for x in (-1.0, 0.0, 0.5, 1.0, 2.0):
            assert kind(x).if_positive("then", "otherwise") == ops.if_positive(kind(x).data, "then", "otherwise")


def test_gradients_in_uses_the_forward_pass_on_the_grid_not_the_rounded_float_one() -> None:
    Q = FixedPoint(2).rounded  # steps of 1/4
    x, w = Value(1.4), Value(1.4)
    u = x * w
    y = u * u
    # on the grid: u = Q(1.5 * 1.5) = 2.25, while the float pass rounded would be Q(1.96) = 2.0;
    # dy/du = Q(u + u) = 4.5 and dy/dx = Q(4.5 * Q(1.4)) = 6.75 (with the float pass's u it would be 6.0)
    on_grid = Q(Q(1.4) * Q(1.4))
    assert on_grid != Q(1.4 * 1.4)
    dydu = Q(Q(on_grid * 1.0) + Q(on_grid * 1.0))
    assert gradients_in(FixedPoint(2), y, [x, w]) == [Q(dydu * Q(1.4))] * 2 == [6.75, 6.75]


def test_gradients_in_refuses_a_hand_made_node_naming_its_number_system() -> None:
    a = Value(2.0)
    out = Value(4.0, (a,), "sq")
    out._backward = lambda: None
    with pytest.raises(TypeError) as caught:
        gradients_in(FixedPoint(8), out * a, [a])
    assert str(caught.value) == (
        "gradients_in(FixedPoint15.8) needs each op's derivative rule, but hand-made 'sq' node with data=4.0 has a "
        "hand-written _backward closure, which only eager backward() can run. Define the op with "
        "@engine.op(derivative=...) to use it in every mode")
