"""``p.data = ...`` and ``p.grad = ...`` take real numbers only, refused at the assignment with what to write instead."""

import math
from fractions import Fraction

import numpy as np
import pytest

from engine import Value
from nn import MLP, SGD, clip_grad_norm


def test_the_lecture_update_with_p_for_p_grad_is_refused_at_the_assignment() -> None:
    p = Value(0.5)
    with pytest.raises(TypeError, match=r"Value.data must be a real number, got a Value .*"
                                        r"write p.data \+= -0.1 \* p.grad"):
        p.data += -0.1 * p
    assert p.data == 0.5 and p.data.__class__ is float  # untouched: the next operation works
    assert (p * 2).data == 1.0


@pytest.mark.parametrize("name", ["data", "grad"])
@pytest.mark.parametrize("bad", ["x", None, [1.0], 1j, {"a": 1}], ids=lambda v: type(v).__name__)
def test_non_numbers_are_refused_naming_the_type_and_value(name: str, bad: object) -> None:
    p = Value(0.5)
    with pytest.raises(TypeError, match=rf"Value.{name} must be a real number .*got {type(bad).__name__} "
                                        rf"{__import__('re').escape(repr(bad))}"):
        setattr(p, name, bad)
    assert (p.data, p.grad) == (0.5, 0.0)


def test_none_as_a_grad_suggests_zero_as_zero_grad_writes() -> None:
    with pytest.raises(TypeError, match=r"Value.grad must be a real number .*got NoneType None; write p.grad = 0.0"):
        Value(1.0).grad = None


@pytest.mark.parametrize("name", ["data", "grad"])
def test_a_zero_dimensional_array_is_its_number_and_a_bool_one_is_refused(name: str) -> None:
    v = Value(1.0)
    setattr(v, name, np.array(2.5))  # what a.sum() or a[()] can give: one number
    assert getattr(v, name) == 2.5 and getattr(v, name).__class__ is float
    with pytest.raises(TypeError, match=rf"Value.{name} must be a real number .*got ndarray array\(True\); "
                                        rf"write p.{name} = x.item\(\)"):
        setattr(v, name, np.array(True))


def test_text_that_reads_as_a_number_gets_the_conversion_suggested() -> None:
    with pytest.raises(TypeError, match=r"got str '1.5'; write p.data = float\('1.5'\)"):
        Value(0.0).data = "1.5"


@pytest.mark.parametrize("name", ["data", "grad"])
def test_a_bool_is_refused_as_value_refuses_it(name: str) -> None:
    # True is an int to Python, but a parameter set to a comparison (p.data = p.data > 0) is surely a slip.
    with pytest.raises(TypeError, match=rf"got bool True; write p.{name} = 1.0"):
        setattr(Value(0.5), name, True)
    with pytest.raises(TypeError, match=r"got bool False; write Value\(0.0\)"):
        Value(False)


@pytest.mark.parametrize("name", ["data", "grad"])
@pytest.mark.parametrize("number", [np.float64(0.1), np.float32(0.1), np.int64(-3), np.float16(2.5), Fraction(1, 3), 7,
                                    2 ** 60 + 1], ids=repr)
def test_real_numbers_are_stored_as_floats(name: str, number: object) -> None:
    p = Value(0.0)
    setattr(p, name, number)
    stored = getattr(p, name)
    assert stored.__class__ is float and stored == float(number)  # float() is the oracle: the nearest float


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan")], ids=repr)
def test_non_finite_data_is_refused_as_by_the_constructor(bad: float) -> None:
    p = Value(1.0)
    with pytest.raises(ValueError) as by_constructor:
        Value(bad)
    with pytest.raises(ValueError) as by_assignment:
        p.data = bad
    assert str(by_assignment.value) == str(by_constructor.value).replace("Value data", "Value.data")
    assert p.data == 1.0


def test_an_int_too_large_for_a_float_is_refused() -> None:
    with pytest.raises(OverflowError, match="Value.data is too large for a float: int with 401 digits"):
        Value(0.0).data = 10 ** 400


def test_a_grad_may_be_set_to_inf_for_the_optimizer_to_name() -> None:
    p = Value(1.0, label="w")
    p.grad = math.inf
    with pytest.raises(ValueError, match="gradient of w is inf"):
        SGD([p], lr=0.1).step()
    import numpy as np  # a NumPy number takes the slower path, and the same answer

    p.grad = np.float32("-inf")
    assert p.grad == -math.inf and p.grad.__class__ is float
    with pytest.raises(ValueError, match="gradient of w is -inf"):
        SGD([p], lr=0.1).step()


def test_a_value_as_a_first_order_grad_is_refused_saying_what_to_write() -> None:
    p, v = Value(1.0), Value(4.0)
    with pytest.raises(TypeError, match=r"Value.grad must be a real number, got a Value .*write p.grad = v.data"):
        p.grad = v
    p.grad = v.data
    assert p.grad == 4.0


def test_create_graph_grads_are_values_and_can_be_replaced_by_values() -> None:
    x = Value(3.0)
    y = x * x * x
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 27.0  # 3 x^2
    x.grad = x.grad * 0.5  # e.g. clipping a higher-order grad: a Value in place of a Value
    assert isinstance(x.grad, Value) and x.grad.data == 13.5
    g = x.grad
    x.grad = 0.0
    g.backward()
    assert x.grad == 9.0  # d/dx of 0.5 * 3 x^2 = 3 x


def test_clip_grad_norm_and_sgd_work_on_create_graph_grads() -> None:
    a, b = Value(3.0), Value(4.0)
    (a * a / 2 + b * b / 2).backward(create_graph=True)  # grads a and b, as Values
    assert clip_grad_norm([a, b], 1.0) == pytest.approx(5.0)
    assert isinstance(a.grad, Value) and a.grad.data == pytest.approx(0.6, rel=1e-6)
    SGD([a, b], lr=1.0).step()
    assert a.data == pytest.approx(2.4, rel=1e-6) and a.data.__class__ is float


def test_a_model_trains_with_the_lecture_loop_after_the_change() -> None:
    import random
    random.seed(0)
    model = MLP(2, [4, 1])
    X, y = [[1.0, 2.0], [-1.0, 0.5], [0.3, -2.0]], [1.0, -1.0, 1.0]
    losses = []
    for _ in range(20):
        loss = sum((model(x) - t) ** 2 for x, t in zip(X, y))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < losses[0]
    assert all(p.data.__class__ is float and p.grad.__class__ is float for p in model.parameters())


@pytest.mark.parametrize("second", [0, 1.0, np.float64(2.0)], ids=repr)
def test_a_number_as_the_second_argument_says_what_the_arguments_are(second: object) -> None:
    with pytest.raises(TypeError, match=r"Value\(data, _children=\(\), _op='', label=''\): the second argument is "
                                        r"the node's parents .*got .* write Value\(1\), then v.grad = "):
        Value(1, second)


def test_a_single_value_as_the_parents_asks_for_a_tuple() -> None:
    with pytest.raises(TypeError, match=r"got one Value .*write \(v,\) for a single parent"):
        Value(1.0, Value(2.0), "id")
    assert Value(1.0, (Value(2.0),), "id")._prev[0].data == 2.0


def test_own_attributes_still_work_beside_the_checked_ones() -> None:
    p = Value(1.0)
    p.m = 0.25  # an optimizer's moment, as in the class docstring
    assert p.m == 0.25 and "m" in vars(p) and "data" not in vars(p)


def test_after_create_graph_the_advice_reads_the_grads_number() -> None:
    p = Value(3.0)
    (p * p).backward(create_graph=True)  # p.grad is the Value 2p = 6
    with pytest.raises(TypeError, match=r"write p\.data \+= -0\.1 \* p\.grad\.data;"):
        p.data += -0.1 * p.grad
    p.data += -0.1 * p.grad.data  # the advice works
    assert p.data == pytest.approx(2.4, rel=1e-15)


@pytest.mark.parametrize("bad, error, message", [
    ("1.5", TypeError, "Value.data must be a real number (an int or a float), got str '1.5'; write p.data = "
                       "float('1.5') to convert the text"),
    ("abc", TypeError, "Value.data must be a real number (an int or a float), got str 'abc'"),
    ("nan", TypeError, "Value.data must be a real number (an int or a float), got str 'nan'"),  # no hint: nan is refused
    (True, TypeError, "Value.data must be a real number (an int or a float), got bool True; write p.data = 1.0 if "
                      "you mean the number"),
    (10 ** 400, OverflowError, "Value.data is too large for a float: int with 401 digits (floats reach about 1.8e308)"),
])
def test_assigning_a_not_quite_number_says_exactly_what_to_write(bad, error, message) -> None:
    v = Value(1.0)
    with pytest.raises(error) as e:
        v.data = bad
    assert str(e.value) == message and v.data == 1.0


def test_only_a_0_d_array_gives_its_one_number() -> None:
    import numpy as np

    v = Value(1.0)
    v.data = np.array(2.5)
    assert v.data == 2.5 and v.data.__class__ is float
    with pytest.raises(TypeError, match=r"got ndarray array\(\[1\.5\]\)$"):
        v.data = np.array([1.5])  # it has .item(), but holds an array
