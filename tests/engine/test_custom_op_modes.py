"""A custom op whose rule is written with Value methods works in every mode, unary and variadic alike."""

import math

import pytest

import engine
from engine import Value


def my_sin(x):
    return define_my_sin()(x)


def sin_product(*xs):
    return define_sin_product()(*xs)


# Defined afresh on each use: what @engine.op decides when an op is defined is part of what is tested.
def define_my_sin():
    @engine.op(derivative=lambda x, out: (x.cos(),), name="my_sin")
    def my_sin(x):
        return math.sin(x)
    return my_sin


def define_sin_product():
    @engine.op(derivative=lambda xs, out: [x.cos() * out / x.sin() for x in xs], name="sin_product")
    def sin_product(*xs):
        return math.prod(math.sin(x) for x in xs)
    return sin_product


X = 0.7
XS = (0.4, 0.9, 1.3)


def test_a_value_method_rule_in_eager_backward_and_higher_order() -> None:
    x = Value(X)
    y = my_sin(x)
    y.backward(create_graph=True)
    assert x.grad.data == pytest.approx(math.cos(X), rel=1e-15)
    assert engine.grad(engine.grad(my_sin))(X).data == pytest.approx(-math.sin(X), rel=1e-15)
    x2 = Value(X)
    my_sin(x2).backward()
    assert x2.grad == pytest.approx(math.cos(X), rel=1e-15) and type(x2.grad) is float


def test_a_value_method_rule_in_forward_mode_and_forward_over_reverse() -> None:
    value, tangent = engine.jvp(my_sin, (X,), (2.0,))
    assert (value, tangent) == (pytest.approx(math.sin(X)), pytest.approx(2 * math.cos(X), rel=1e-15))
    _, curvature = engine.jvp(engine.grad(my_sin), (X,), (1.0,))
    assert curvature == pytest.approx(-math.sin(X), rel=1e-15)


def test_a_variadic_value_method_rule_everywhere() -> None:
    xs = [Value(v) for v in XS]
    out = sin_product(*xs)
    assert out.data == pytest.approx(math.prod(math.sin(v) for v in XS), rel=1e-15)
    out.backward()
    for i, x in enumerate(xs):  # d/dxi prod sin = cos(xi) * prod_{j != i} sin(xj)
        others = math.prod(math.sin(v) for j, v in enumerate(XS) if j != i)
        assert x.grad == pytest.approx(math.cos(XS[i]) * others, rel=1e-12) and type(x.grad) is float
    _, tangent = engine.jvp(lambda *vs: sin_product(*vs), XS, (1.0, 0.0, 0.0))
    assert tangent == pytest.approx(xs[0].grad, rel=1e-12)
    program = engine.compile(lambda a, b, c: sin_product(a, b, c), *XS)
    assert program(*XS).grads == pytest.approx([x.grad for x in xs], rel=1e-12)


def test_rules_are_tried_with_the_ops_own_number_of_inputs() -> None:
    with pytest.raises(TypeError) as caught:
        engine.op(derivative=lambda x, y, out: (1.0,), name="two_in")(lambda x, y: x + y)
    assert str(caught.value) == "op 'two_in': the derivative rule must return one partial per input (2), got 1"
    with pytest.raises(TypeError) as caught:
        engine.op(derivative=lambda xs, out: [1.0, 1.0], name="n_in")(lambda *xs: sum(xs))
    assert str(caught.value) == "op 'n_in': the derivative rule must return one partial per input (3), got 2"


def test_detach_keeps_the_label_and_cuts_the_gradient() -> None:
    x = Value(2.0, label="x")
    d = x.detach()
    assert d.label == "x" and d.data == 2.0 and d is not x
    (d * x).backward()
    assert x.grad == 2.0 and d.grad == 2.0


def test_forward_mode_through_a_variadic_rule_with_some_inputs_held_constant() -> None:
    value, tangent = engine.jvp(lambda a: sin_product(a, XS[1], XS[2]), (XS[0],), (1.0,))
    by_hand = math.cos(XS[0]) * math.sin(XS[1]) * math.sin(XS[2])
    assert tangent == pytest.approx(by_hand, rel=1e-12) and type(tangent) is float and type(value) is float
    _, second = engine.jvp(engine.grad(lambda a: sin_product(a, XS[1], XS[2])), (XS[0],), (1.0,))
    assert second == pytest.approx(-math.sin(XS[0]) * math.sin(XS[1]) * math.sin(XS[2]), rel=1e-12)


def test_an_ops_symbol_domain_and_defaulted_parameters() -> None:
    @engine.op(derivative=lambda x, out: (0.5 / out,), name="root", symbol="√", domain="root needs x >= 0")
    def root(x, unused=1.0):  # a parameter with a default is not an input
        return math.sqrt(x)

    y = root(Value(4.0))
    assert (root.arity, root.symbol, y.data, y._op) == (1, "√", 2.0, "√")
    with pytest.raises(ValueError) as caught:
        root(Value(-1.0))
    assert str(caught.value) == "root: root needs x >= 0; got x=-1.0"

    @engine.op(derivative=lambda xs, out: [1.0 for _ in xs], name="total", symbol="Σ", domain="finite inputs")
    def total(*xs):
        return sum(xs)

    assert (total.arity, total.symbol, total.domain) == (None, "Σ", "finite inputs")
    plain = engine.op(derivative=lambda x, out: (1.0,))(lambda x: x)
    assert (plain.name, plain.symbol, plain.domain) == ("<lambda>", "<lambda>", "")


def test_a_rule_is_tried_on_symbols_with_its_output() -> None:
    with pytest.raises(TypeError, match=r"^op 'needs_out': the derivative rule does not work on every kind"):
        engine.op(derivative=lambda xs, out: [out.undefined_method() for _ in xs], name="needs_out")(
            lambda *xs: sum(xs))
    ok = engine.op(derivative=lambda xs, out: [out / x for x in xs], name="product")(lambda *xs: math.prod(xs))
    xs = [Value(2.0), Value(3.0), Value(5.0)]
    ok(*xs).backward()
    assert [x.grad for x in xs] == [15.0, 10.0, 6.0]
