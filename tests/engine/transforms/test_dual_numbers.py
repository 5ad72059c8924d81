"""Dual numbers: their defaults, their branch helpers, detach, attribute errors, and what jvp returns."""

import pytest

from engine import Dual, Value, grad, jvp


def test_a_dual_number_defaults_to_no_tangent_and_no_jvp() -> None:
    d = Dual(3.0)
    assert (d.primal, d.tangent, d.tag) == (3.0, 0.0, 0)
    assert repr(d) == "Dual(3.0, 0.0)"


@pytest.mark.parametrize("x, branch, sign", [
    (-2.0, "otherwise", -1.0),
    (0.0, "otherwise", 0.0),
    (0.5, "then", 1.0),
    (3.0, "then", 1.0),
])
def test_if_positive_and_sign_follow_the_primal(x: float, branch: str, sign: float) -> None:
    d = Dual(x, 1.0)
    assert d.if_positive("then", "otherwise") == branch
    assert d.sign() == sign and type(d.sign()) is float
    assert Dual(Dual(x, 1.0), 1.0).sign() == sign  # a primal that is itself a dual number


@pytest.mark.parametrize("x, expected", [(-0.5, (-1.0, 0.0)), (0.5, (1.0, 0.0))])
def test_second_derivative_of_abs_by_nested_jvp(x: float, expected) -> None:
    # The inner rule sign(x) runs on the outer jvp's dual numbers.
    assert jvp(lambda a: jvp(lambda b: abs(b), (a,), (1.0,))[1], (x,), (1.0,)) == expected


@pytest.mark.parametrize("x, expected", [(-0.5, (0.0, 0.0)), (0.5, (1.0, 0.0))])
def test_second_derivative_of_relu_by_nested_jvp(x: float, expected) -> None:
    assert jvp(lambda a: jvp(lambda b: b.relu(), (a,), (1.0,))[1], (x,), (1.0,)) == expected


def test_detach_drops_the_tangent_and_keeps_the_tag() -> None:
    d = Dual(3.0, 1.0, 7).detach()
    assert (d.primal, d.tangent, d.tag) == (3.0, 0.0, 7)


def test_detach_of_a_value_primal_detaches_it_from_its_graph() -> None:
    a = Value(3.0)
    primal = a * 2.0
    d = Dual(primal, 1.0, 7).detach()
    assert d.primal is not primal and d.primal.data == 6.0 and not d.primal._prev
    # Reverse mode through forward mode: t * detach(t) has d/da of its value = detach(t) = 3
    # and of its tangent (t' detach(t) = detach(a)) = 0.
    assert grad(lambda x: jvp(lambda t: t * t.detach(), (x,), (1.0,))[0])(3.0).data == 3.0
    assert grad(lambda x: jvp(lambda t: t * t.detach(), (x,), (1.0,))[1])(3.0).data == 0.0


def test_missing_dunder_attributes_are_plain_attribute_errors() -> None:
    # Python's protocols probe dunders (copy, pickle, numpy): they get the bare name, not advice.
    with pytest.raises(AttributeError) as e:
        Dual(1.0).__wrapped__
    assert str(e.value) == "__wrapped__"
    with pytest.raises(AttributeError) as e:
        Dual(1.0).grad
    assert str(e.value) == (
        "'grad' is a Value's, not a dual number's: inside jvp (forward mode) f gets dual numbers, which carry "
        "a tangent instead of a grad and record no graph. Use x.primal and x.tangent, or run f on Values for "
        "reverse mode")


def test_jvp_of_a_constant_function_has_a_zero_tangent() -> None:
    assert jvp(lambda x: 5.0, (1.0,), (1.0,)) == (5.0, 0.0)
    assert jvp(lambda x: [x, 5.0], (1.0,), (1.0,)) == ([1.0, 5.0], [1.0, 0.0])


def test_jvp_refuses_a_nested_list_with_its_message() -> None:
    with pytest.raises(TypeError) as e:
        jvp(lambda x: [[x]], (1.0,), (1.0,))
    assert str(e.value) == "jvp: f must return a number or a flat list of numbers, got a nested list"


def test_a_zero_tangent_sends_nothing() -> None:
    # Along a zero direction nothing is multiplied in: the tangent stays a plain +0.0 float,
    # even where the local derivative is negative or a Value.
    value, tangent = jvp(lambda a: a * -2.0, (1.0,), (0.0,))
    assert value == -2.0 and repr(tangent) == "0.0"
    value, tangent = jvp(lambda a: a * a, (Value(2.0),), (0.0,))
    assert value.data == 4.0 and tangent.__class__ is float and repr(tangent) == "0.0"
