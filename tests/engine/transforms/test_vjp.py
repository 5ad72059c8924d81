"""vjp: the pullback v^T J against PyTorch's torch.autograd.functional.vjp, and the two properties
Backpropagation: The Engine of Deep Learning states for backward functions (§7.4.1, lines 830-831):
linearity, and composition B[f o g, z](v) = B[g, z](B[f, g(z)](v))."""

import math

import pytest
from hypothesis import given, settings, strategies as st

from engine import Value, vjp
from engine.testing import expressions, torch_reference

cotangents = st.lists(st.floats(-3.0, 3.0), min_size=3, max_size=3)


def outputs(e, k=3):
    """A function with several outputs from one expression: its last k registers."""
    return lambda *xs: list(e.run(xs)[-k:])


def close(a, b):
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in zip(a, b)) and len(a) == len(b)


@settings(max_examples=50, deadline=None)
@given(expressions(inputs=3, max_depth=8), cotangents)
def test_the_pullback_is_pytorchs_vjp(e, v) -> None:
    f = outputs(e)
    value, back = vjp(f, *e.inputs)
    k = len(value)
    ours = back(v[:k])

    # v^T J is the gradient of v . f, which PyTorch computes from the very same expression
    want_value = [torch_reference(lambda *xs, i=i: outputs(e, k)(*xs)[i], e.inputs)[0] for i in range(k)]
    _, want = torch_reference(lambda *xs: sum((c * o for c, o in zip(v, outputs(e, k)(*xs))), 0.0), e.inputs)
    assert close(value, want_value)
    assert close(ours, want)


@settings(max_examples=50, deadline=None)
@given(expressions(inputs=3, max_depth=8), cotangents, cotangents, st.floats(-2, 2), st.floats(-2, 2))
def test_the_pullback_is_linear(e, v, w, a, b) -> None:
    value, back = vjp(outputs(e), *e.inputs)
    k = len(value)
    v, w = v[:k], w[:k]
    combined = back([a * vi + b * wi for vi, wi in zip(v, w)])
    assert close(combined, [a * p + b * q for p, q in zip(back(v), back(w))])


@settings(max_examples=40, deadline=None)
@given(expressions(inputs=2, max_depth=5), expressions(inputs=3, max_depth=5), cotangents)
def test_pullbacks_compose_as_the_chain_rule_says(g_expr, f_expr, v) -> None:
    n = len(f_expr.inputs)  # f takes as many inputs as g gives outputs
    g = lambda *z: list(g_expr.run(z)[-n:])  # noqa: E731
    f = lambda *u: [f_expr(*u)]  # noqa: E731
    if len(g(*[Value(z) for z in g_expr.inputs])) < n:
        return  # g has fewer registers than f has inputs
    z = g_expr.inputs
    u, back_g = vjp(g, *z)
    try:
        _, back_f = vjp(f, *u)
        _, back_fg = vjp(lambda *zs: f(*g(*zs)), *z)
        whole = back_fg([v[0]])
    except (ArithmeticError, ValueError):
        return  # f's domain does not reach where g lands
    assert close(whole, back_g(list(back_f([v[0]]))))


def test_list_primals_get_list_cotangents_and_the_value_comes_first() -> None:
    value, back = vjp(lambda p, s: [p[0] * p[1] * s, p[0] + s], [2.0, 3.0], 4.0)
    assert value == [24.0, 6.0]
    assert back([1.0, 0.0]) == ([12.0, 8.0], 6.0)
    assert back([0.0, 2.0]) == ([2.0, 0.0], 2.0)
    value, back = vjp(lambda x: x.sin(), 0.5)
    assert value == math.sin(0.5) and back(2.0) == (2 * math.cos(0.5),)


def test_a_cotangent_not_shaped_like_the_output_is_a_clear_error() -> None:
    _, back = vjp(lambda x, y: [x * y, x + y], 2.0, 5.0)
    with pytest.raises(ValueError, match=r"vjp: the cotangent must be shaped like f's output, a list of 2; got \[1.0\]"):
        back([1.0])
    with pytest.raises(ValueError, match="vjp: the cotangent must be shaped like f's output, a list of 2; got 1.0"):
        back(1.0)
    _, back = vjp(lambda x: x * x, 2.0)
    with pytest.raises(ValueError, match=r"one number; got \[1.0\]"):
        back([1.0])
    with pytest.raises(ValueError, match="vjp: a cotangent must not be nan"):
        back(float("nan"))


def test_errors_name_vjp_and_the_output() -> None:
    with pytest.raises(TypeError, match="vjp: can only differentiate with respect to numbers or Values"):
        vjp(lambda x: x, "2")
    with pytest.raises(TypeError, match=r"vjp \(output 1\): f must return a scalar Value, got str"):
        vjp(lambda x: [x, "y"], 2.0)
    with pytest.raises(TypeError, match="^vjp: f must return a scalar Value, got str"):
        vjp(lambda x: "y", 2.0)


def test_a_pullback_runs_on_plain_numbers_and_names_an_overflowing_gradient() -> None:
    """engine.transforms.functional.vjp: the pullback is first order (no graph of its own: grad of a vjp is
    vjp's job again), so an overflow is backward's, naming the input it reaches, not an op's inside a graph."""
    _, pullback = vjp(lambda x: x * 1e200, 1e-200)
    assert pullback(1.0) == (1e200,)
    with pytest.raises(OverflowError) as caught:
        pullback(1e200)  # 1e200 * 1e200 is past the floats
    assert str(caught.value) == "backward: the gradient reaching leaf with data=1e-200 is inf"
