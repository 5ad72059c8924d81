"""Forward mode: dual numbers, jvp and jacfwd, checked against reverse mode and by hand."""

import math

import pytest
from hypothesis import given, strategies as st

from engine import Dual, grad, jacfwd, jacobian, jvp
from tests.engine.test_differential import engine_gradient
from tests.strategies import ENGINE_OPS, close, programs, reals, run_program


@given(programs(), st.lists(reals(-2, 2), min_size=3, max_size=3))
def test_jvp_is_the_gradient_dotted_with_the_direction(program, direction) -> None:
    inputs, steps = program
    value, gradient = engine_gradient(inputs, steps)  # rejects programs outside their domain
    direction = direction[: len(inputs)]
    primal, tangent = jvp(lambda *xs: run_program(steps, xs, ENGINE_OPS)[-1], inputs, direction)
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
