"""An Op made directly with engine.ops.Op: its defaults, and how it names itself in results and errors."""

import math

import pytest

from engine import Value, ops


def test_an_op_with_only_a_name_a_value_and_a_rule_is_unary_and_named_by_its_name() -> None:
    twice = ops.Op("twice", lambda x: 2 * x, lambda x, out: (2.0,))
    assert (twice.arity, twice.symbol, twice.domain, twice.param_name) == (1, "twice", "", "")
    x = Value(3.0)
    y = twice(x)
    assert (y.data, y._op) == (6.0, "twice")
    y.backward()
    assert x.grad == 2.0
    assert twice(3.0) == 6.0


def test_its_errors_name_it_and_its_inputs() -> None:
    root = ops.Op("root", math.sqrt, lambda x, out: (0.5 / out,))
    with pytest.raises(ValueError) as caught:
        root(Value(-1.0))
    assert str(caught.value) == "root: math domain error; got x=-1.0"
    checked = ops.Op("root", math.sqrt, lambda x, out: (0.5 / out,), domain="root is defined only for x >= 0")
    with pytest.raises(ValueError) as caught:
        checked(Value(-1.0))
    assert str(caught.value) == "root: root is defined only for x >= 0; got x=-1.0"


def test_a_parameter_without_a_name_is_called_param() -> None:
    scale = ops.Op("scale", lambda x, k: k * x, lambda x, k, out: (k,))
    assert scale.operands([1.0], 2.0) == "x=1.0, param=2.0"
    named = ops.Op("scale", lambda x, k: k * x, lambda x, k, out: (k,), param_name="k")
    assert named.operands([1.0], 2.0) == "x=1.0, k=2.0" and ops.DIV.operands([1.0, 0.0]) == "a=1.0, b=0.0"
    assert ops.SUM.operands([1.0, 2.0, 3.0]) == "3 inputs"
