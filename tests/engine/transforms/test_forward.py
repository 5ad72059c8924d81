"""Forward mode: dual numbers (their defaults, branch helpers, detach and attribute errors), jvp and jacfwd, checked
against reverse mode and by hand."""

import math
import re

import pytest
from hypothesis import given, strategies as st

import engine
from engine import Dual, Value, grad, hessian, jacfwd, jacobian, jvp
from tests.engine.test_differential import engine_gradient
from engine.testing import close, expressions, floats_in
from engine import Dual, Value, grad, jvp


@given(expressions(), st.lists(floats_in((-2, 2)), min_size=3, max_size=3))
def test_jvp_is_the_gradient_dotted_with_the_direction(e, direction) -> None:
    value, gradient = engine_gradient(e)
    direction = direction[: len(e.inputs)]
    primal, tangent = jvp(e, e.inputs, direction)
    assert close(primal, value, rel=1e-12)
    expected = sum(g * d for g, d in zip(gradient, direction))
    scale = sum(abs(g * d) for g, d in zip(gradient, direction))
    assert abs(tangent - expected) <= 1e-9 * max(1.0, scale)


def test_f_of_x_y_by_forward_mode_needs_one_pass_per_input() -> None:
    def f(x, y):
        return x ** 2 + y ** 3

    assert jvp(f, (2.0, 3.0), (1.0, 0.0)) == (31.0, 4.0)  # df/dx = 2x
    assert jvp(f, (2.0, 3.0), (0.0, 1.0)) == (31.0, 27.0)  # df/dy = 3y^2


def test_jacfwd_equals_reverse_mode_jacobian() -> None:
    def f(v):
        x, y, z = v
        return [x * y.sin(), (x + z).tanh(), y ** z]

    at = [0.3, 1.2, 2.0]
    forward = jacfwd(f)(at)
    reverse = [[d.data for d in row] for row in jacobian(f)(at)]
    for fr, rr in zip(forward, reverse):
        for a, b in zip(fr, rr):
            assert close(a, b, rel=1e-12)
    assert jacfwd(lambda v: v[0] * v[1])([2.0, 3.0]) == [3.0, 2.0]


def test_reverse_over_forward_gives_second_derivatives() -> None:
    f = lambda x: x.sin() * x  # noqa: E731
    x = 0.7
    # jvp with a Value primal carries Value tangents, which grad differentiates again
    second = grad(lambda t: jvp(f, (t,), (1.0,))[1])(x)
    assert close(second.data, 2 * math.cos(x) - x * math.sin(x), rel=1e-12)


def test_dual_errors_name_the_op_and_value() -> None:
    with pytest.raises(ValueError, match="log: log is defined only for x > 0; got x=-1.0"):
        jvp(lambda x: x.log(), (-1.0,), (1.0,))
    with pytest.raises(ZeroDivisionError, match="sqrt: the local derivative is undefined at x=0.0"):
        jvp(lambda x: x.sqrt(), (0.0,), (1.0,))
    with pytest.raises(ValueError, match="one tangent per primal"):
        jvp(lambda x: x, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match="str"):
        Dual(1.0, 1.0) + "a"


# -- every reduction, detach, models, and forward-over-reverse -------------------------------------


REDUCTIONS = {
    "sum": lambda a, b, c: engine.sum([a, b * c, 2.0]),
    "mean": lambda a, b, c: engine.mean([a * a, b, c]),
    "dot": lambda a, b, c: engine.dot([a, b], [c, a * b], bias=c),
    "logsumexp": lambda a, b, c: engine.logsumexp([a, b, c * a]),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(st.lists(floats_in((-2, 2)), min_size=3, max_size=3), st.lists(floats_in((-2, 2)), min_size=3, max_size=3))
def test_jvp_through_the_fused_reductions_matches_reverse_mode(name, xs, direction) -> None:
    f = REDUCTIONS[name]
    primal, tangent = jvp(f, xs, direction)
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    assert primal == pytest.approx(out.data, rel=1e-14)
    want = sum(v.grad * d for v, d in zip(leaves, direction))
    assert abs(tangent - want) <= 1e-12 * max(1.0, sum(abs(v.grad * d) for v, d in zip(leaves, direction)))


def test_jvp_through_detach_stops_the_tangent_as_eager_stops_the_gradient() -> None:
    assert jvp(lambda x: x * x.detach(), (3.0,), (1.0,)) == (9.0, 3.0)
    x = Value(3.0)
    (x * x.detach()).backward()
    assert x.grad == 3.0


def test_value_only_attributes_refuse_clearly_inside_jvp() -> None:
    with pytest.raises(AttributeError, match="'grad' is a Value's.*jvp"):
        jvp(lambda x: x.grad, (1.0,), (1.0,))
    with pytest.raises(AttributeError, match="'backward' is a Value's"):
        jvp(lambda x: x.backward(), (1.0,), (1.0,))
    with pytest.raises(AttributeError, match="'label' is a Value's"):
        jvp(lambda x: setattr(x, "label", "x"), (1.0,), (1.0,))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_jvp_through_an_mlp_matches_reverse_mode(activation: str) -> None:
    import random

    from nn import MLP
    from nn.losses import cross_entropy

    random.seed(3)
    model = MLP(3, [5, 4, 3], activation=activation)
    x, direction = [0.3, -1.2, 0.8], [1.0, -0.5, 2.0]

    def loss(*xs):
        return cross_entropy(model(list(xs)), 1)

    primal, tangent = jvp(loss, x, direction)
    leaves = [Value(v) for v in x]
    out = loss(*leaves)
    out.backward()
    assert primal.data == pytest.approx(out.data, rel=1e-14)
    assert tangent.data == pytest.approx(sum(v.grad * d for v, d in zip(leaves, direction)), rel=1e-12)


def f3(x, y, z):
    return (x * y).sin() * z ** 2 + engine.logsumexp([x, y * z]) + engine.dot([x, y], [z, x])


@given(st.lists(floats_in((-1.5, 1.5)), min_size=3, max_size=3), st.lists(floats_in((-2, 2)), min_size=3, max_size=3))
def test_forward_over_reverse_is_the_hessian_times_the_direction(xs, v) -> None:
    g, hv = jvp(grad(f3, argnums=(0, 1, 2)), xs, v)
    H = hessian(lambda p: f3(*p))(xs)
    for i in range(3):
        want = sum(H[i][j].data * v[j] for j in range(3))
        assert abs(hv[i] - want) <= 1e-10 * max(1.0, sum(abs(H[i][j].data * v[j]) for j in range(3)))
        assert g[i] == pytest.approx(grad(f3, argnums=(0, 1, 2))(*xs)[i].data, rel=1e-13)


def test_forward_over_reverse_against_a_difference_of_gradients() -> None:
    # Seed 002's formula, centred: (grad(x + eps v) - grad(x - eps v)) / (2 eps)
    xs, v, eps = [0.4, -0.7, 1.1], [0.3, 1.0, -2.0], 1e-5
    _, hv = jvp(grad(f3, argnums=(0, 1, 2)), xs, v)
    up = grad(f3, argnums=(0, 1, 2))(*[x + eps * d for x, d in zip(xs, v)])
    down = grad(f3, argnums=(0, 1, 2))(*[x - eps * d for x, d in zip(xs, v)])
    numeric = [(a.data - b.data) / (2 * eps) for a, b in zip(up, down)]
    assert hv == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_forward_over_reverse_composes_with_reverse_mode() -> None:
    # d/dx of (d^2/dx^2 x^4) = d/dx 12x^2 = 24x
    assert grad(lambda x: jvp(grad(lambda t: t ** 4), (x,), (1.0,))[1])(2.0).data == 48.0


# -- forward mode mixed with reverse mode, every way round ------------------------------------------


def test_jvp_of_grad_reaches_values_from_outside() -> None:
    # d/dw of (d^2/dx^2 x^2 w) = 2, by three routes.
    assert grad(lambda w: jvp(grad(lambda x: x * x * w), (1.0,), (1.0,))[1])(3.0).data == 2.0
    assert grad(lambda w: grad(grad(lambda x: x * x * w))(1.0))(3.0).data == 2.0
    w = Value(3.0)
    g, hv = jvp(grad(lambda x: x * x * w), (1.0,), (1.0,))
    assert (g.data, hv.data) == (6.0, 6.0)
    hv.backward()
    assert w.grad == 2.0  # the Hessian-vector product is a graph back to w


def test_jvp_of_grad_leaves_plain_arguments_plain() -> None:
    def power(x, n):
        y = x
        for _ in range(n):  # n is a count, not a Value
            y = y * x
        return y

    assert jvp(lambda x: grad(power)(x, 3), (2.0,), (1.0,)) == (32.0, 48.0)  # 4x^3 and 12x^2


def test_grad_inside_jvp_of_a_function_that_closes_over_the_dual() -> None:
    primal, tangent = jvp(lambda a: grad(lambda x: x * x * a)(3.0), (2.0,), (1.0,))
    assert (primal.data, tangent.data) == (12.0, 6.0)  # d/dx = 2xa = 12; d/da of that = 2x = 6
    g = grad(lambda v: v[0] * v[1] * v[1])
    assert jvp(lambda a, b: g((a, b)), (1.0, 2.0), (1.0, 0.0)) == jvp(lambda a, b: g([a, b]), (1.0, 2.0), (1.0, 0.0))


def test_nested_jvp_keeps_each_tangent_to_its_own_call() -> None:
    # d/dx [x * d/dy (x + y)] = d/dx [x] = 1; untagged duals would give 2.
    assert jvp(lambda x: x * jvp(lambda y: x + y, (1.0,), (1.0,))[1], (1.0,), (1.0,)) == (1.0, 1.0)
    # d/dx d/dy (x y) = 1
    assert jvp(lambda x: jvp(lambda y: x * y, (2.0,), (1.0,))[1], (3.0,), (1.0,)) == (3.0, 1.0)


def test_jvp_refuses_a_nested_list() -> None:
    with pytest.raises(TypeError, match="flat list"):
        jvp(lambda x: [[x, x * x]], (2.0,), (1.0,))


def test_custom_rules_with_value_methods_give_plain_numbers_in_every_mode() -> None:
    from engine import op

    xsin = op(derivative=lambda x, y, out: (y.sin(), x * y.cos()))(lambda x, y: x * math.sin(y))
    g, hv = jvp(grad(lambda y: xsin(2.0, y * y)), (0.7,), (1.0,))
    # f = 2 sin(y^2): f' = 4y cos(y^2), f'' = 4 cos(y^2) - 8 y^2 sin(y^2)
    assert float(g) == pytest.approx(4 * 0.7 * math.cos(0.49), rel=1e-12)
    assert float(hv) == pytest.approx(4 * math.cos(0.49) - 8 * 0.49 * math.sin(0.49), rel=1e-12)


@pytest.mark.parametrize("tangent, kind, message", [
    (float("nan"), ValueError, "jvp: tangent 1 must not be nan, got nan"),
    (float("-inf"), ValueError, "jvp: tangent 1 must be finite, got -inf"),
    (1j, TypeError, "jvp: tangent 1 must be a real number, got complex 1j"),
    ("0.5", TypeError, "jvp: tangent 1 must be a real number, got str '0.5'"),
])
def test_a_tangent_that_is_not_a_finite_real_number_is_refused_by_position(tangent, kind, message) -> None:
    with pytest.raises(kind, match=re.escape(message)):
        jvp(lambda x, y: x * y, (1.5, 2.0), (1.0, tangent))


def test_integer_and_numpy_tangents_are_numbers() -> None:
    np = pytest.importorskip("numpy")
    assert jvp(lambda x: x * x, (1.5,), (1,)) == (2.25, 3.0)
    assert jvp(lambda x: x * x, (1.5,), (np.float32(0.5),)) == (2.25, 1.5)


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
