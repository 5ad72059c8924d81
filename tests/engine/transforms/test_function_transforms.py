"""grad, value_and_grad, jacobian, hessian and jvp of grad: which argument they differentiate, the shape
of what they return, and the exact words of their refusals."""

import math

import pytest

from engine import Dual, Value, grad, hessian, jacobian, jvp, value_and_grad


def values(x):  # noqa: ANN001, ANN201
    """The floats inside a nest of lists and tuples of Values."""
    if isinstance(x, (list, tuple)):
        return type(x)(values(i) for i in x)
    return x.data


def test_value_and_grad_differentiates_the_first_argument_by_default() -> None:
    v, g = value_and_grad(lambda x, y: x * y + y)(2.0, 5.0)
    assert (v.data, g.data) == (15.0, 5.0)  # d/dx (xy + y) = y


@pytest.mark.parametrize("argnums, expected", [(-2, 5.0), (-1, 4.0), (1, 4.0), ((-2, 1), (5.0, 4.0))])
def test_negative_argnums_count_from_the_end(argnums, expected) -> None:
    assert values(grad(lambda x, y: x * y, argnums=argnums)(4.0, 5.0)) == expected


@pytest.mark.parametrize("argnums", [2, -3])
def test_argnums_outside_the_call_are_refused(argnums: int) -> None:
    with pytest.raises(ValueError) as e:
        grad(lambda x, y: x * y, argnums=argnums)(4.0, 5.0)
    assert str(e.value) == f"grad: argnums {argnums} does not fit a call with 2 arguments"


def test_jacobian_of_a_scalar_function_is_its_gradient() -> None:
    f = lambda x, y: x * x * y  # noqa: E731  d/dx = 2xy = 12, d/dy = x^2 = 4 at (2, 3)
    j = jacobian(f)(2.0, 3.0)
    assert isinstance(j, Value) and j.data == 12.0
    assert values(jacobian(f, argnums=(0, 1))(2.0, 3.0)) == (12.0, 4.0)
    assert values(jacobian(f, argnums=1)(2.0, 3.0)) == 4.0
    assert values(jacobian(lambda v: v[0] * v[1])([2.0, 5.0])) == [5.0, 2.0]


def test_jacobian_with_several_argnums_gives_a_tuple_per_row() -> None:
    rows = jacobian(lambda x, y: [x * y, x + 3 * y], argnums=(0, 1))(2.0, 5.0)
    assert values(rows) == [(5.0, 2.0), (1.0, 3.0)]
    assert values(jacobian(lambda x, y: [x * y, x + 3 * y], argnums=1)(2.0, 5.0)) == [2.0, 3.0]


@pytest.mark.parametrize("call, message", [
    (lambda: jacobian(lambda x: [x], argnums=3)(1.0), "jacobian: argnums 3 does not fit a call with 1 arguments"),
    (lambda: jacobian(lambda x: [x])("s"),
     "jacobian: can only differentiate with respect to numbers or Values (or lists of them), got str 's'"),
    (lambda: jacobian(lambda v: [v[0]])([1.0, "s"]),
     "jacobian: can only differentiate with respect to numbers or Values (or lists of them), got str 's'"),
    (lambda: grad(lambda v: v[0])([1.0, "a"]),
     "grad: can only differentiate with respect to numbers or Values (or lists of them), got str 'a'"),
    # a number the engine refuses is named as the transform's argument; a bool or an array is told what to write
    (lambda: grad(lambda x: x * x)(math.nan), "grad: an argument must not be nan, got nan"),
    (lambda: hessian(lambda v: v[0] * v[1])([1.0, math.inf]), "hessian: an argument must be finite, got inf"),
    (lambda: grad(lambda x: x * x)(True), "grad: can only differentiate with respect to numbers or Values (or lists of "
                                          "them), got bool True; write 1.0 if you mean the number"),
    (lambda: hessian(lambda x: x * x, 1)(1.0), "hessian: argnums 1 does not fit a call with 1 arguments"),
    (lambda: jacobian(lambda x: "s")(1.0), "jacobian: f must return a scalar Value, got str 's'"),
    (lambda: jacobian(lambda x: [x, "s"])(1.0), "jacobian (output 1): f must return a scalar Value, got str 's'"),
])
def test_refusals_name_the_transform(call, message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as e:
        call()
    assert str(e.value) == message


def test_hessian_with_respect_to_a_later_argument() -> None:
    # a v0^2 v1: the Hessian in v is a [[2 v1, 2 v0], [2 v0, 0]] = 2 [[4, 6], [6, 0]] at a = 2, v = (3, 2)
    H = hessian(lambda a, v: a * v[0] ** 2 * v[1], 1)(2.0, [3.0, 2.0])
    assert values(H) == [[8.0, 12.0], [12.0, 0.0]]


# grad of a function that uses a jvp's input from outside: its result is a dual number, and so are the gradients.

def test_grad_inside_jvp_pairs_each_gradient_with_its_tangent() -> None:
    # d/dx x^2 t = 2xt = 12 at x = 2, t = 3; its derivative along t is 2x = 4
    g, dg = jvp(lambda t: grad(lambda x: x * x * t)(2.0), (3.0,), (1.0,))
    assert (g.data, dg.data) == (12.0, 4.0)


def test_grad_inside_jvp_of_a_list_argument_gives_one_dual_per_item() -> None:
    def f(t):  # noqa: ANN001, ANN202
        gs = grad(lambda v: v[0] * v[1] * t)([2.0, 5.0])
        assert isinstance(gs, list) and all(isinstance(d, Dual) and d.tag == t.tag for d in gs)
        return gs
    g, dg = jvp(f, (3.0,), (1.0,))
    assert values(g) == [15.0, 6.0] and values(dg) == [5.0, 2.0]  # (v1 t, v0 t) and (v1, v0)


def test_grad_inside_two_nested_jvps() -> None:
    # d/dx x^2 t s = 2xts; along t: 2xs = 20; that along s: 2x = 4
    out = jvp(lambda s: jvp(lambda t: grad(lambda x: x * x * t * s)(2.0), (3.0,), (1.0,))[1], (5.0,), (1.0,))
    assert values(out) == (20.0, 4.0)


@pytest.mark.parametrize("result", [Dual("s", 1.0), Dual(Dual("s", 1.0, 1), 1.0, 2)])
def test_grad_of_a_dual_number_of_a_non_number_is_refused(result: Dual) -> None:
    with pytest.raises(TypeError) as e:
        grad(lambda x: result)(1.0)
    assert str(e.value) == "grad: f must return a scalar Value, got str 's'"


# jvp of grad: a Hessian-vector product, with some differentiated arguments plain numbers.

def test_jvp_of_grad_with_a_plain_differentiated_argument() -> None:
    # x^2 y: gradient (2xy, x^2) = (12, 4) at (2, 3); along x: (2y, 2x) = (6, 4)
    f = grad(lambda x, y: x * x * y, argnums=(0, 1))
    assert jvp(lambda a: f(a, 3.0), (2.0,), (1.0,)) == ([12.0, 4.0], [6.0, 4.0])


def test_jvp_of_grad_with_a_list_holding_a_plain_number() -> None:
    assert jvp(lambda a: grad(lambda v: v[0] * v[0] * v[1])([a, 3.0]), (2.0,), (1.0,)) == ([12.0, 4.0], [6.0, 4.0])


def test_jvp_of_grad_differentiates_through_a_value_argument() -> None:
    # The tangent of d/dx (x^2 y) along x is 2y, whose derivative in y is 2.
    f = grad(lambda x, y: x * x * y, argnums=(0, 1))
    assert grad(lambda y: jvp(lambda a: f(a, y), (2.0,), (1.0,))[1][0])(3.0).data == 2.0


def test_jvp_of_grad_refusals_name_the_transform() -> None:
    with pytest.raises(TypeError) as e:
        jvp(lambda a: grad(lambda x, y: x * y, argnums=(0, 1))(a, "s"), (2.0,), (1.0,))
    assert str(e.value) == ("grad: can only differentiate with respect to numbers or Values "
                            "(or lists of them), got str 's'")
    for transform, name in [(grad, "grad"), (value_and_grad, "value_and_grad")]:
        with pytest.raises(TypeError) as e:
            jvp(transform(lambda x: [x, x]), (2.0,), (1.0,))
        assert str(e.value) == (f"{name}: f must return a scalar, but it returned a list of 2 values; "
                                f"use jacobian(f) for functions with several outputs")


def test_jvp_of_grad_refuses_a_hand_written_node() -> None:
    def triple(x):  # noqa: ANN001, ANN202
        out = Value(x.data * 3, (x,), "triple")

        def _backward() -> None:
            x.grad += 3 * out.grad
        out._backward = _backward
        return out

    with pytest.raises(TypeError) as e:
        jvp(grad(triple), (2.0,), (1.0,))
    assert str(e.value) == (
        "jvp of grad needs each op's derivative rule, but hand-made 'triple' node with data=6.0 has a "
        "hand-written _backward closure, which only eager backward() can run. Define the op with "
        "@engine.op(derivative=...) to use it in every mode")


def test_a_branch_that_does_not_lead_to_the_argument_is_not_differentiated() -> None:
    # d/dx x^2 sqrt(t) = 2 x sqrt(t), 0 at t = 0, where sqrt'(t) = 1/0. With t a Value (the output of other
    # code, say) t ** 0.5 is a node of the graph; grad in x, like JAX's, never asks for its derivative.
    f = lambda x, t: x * x * t ** 0.5  # noqa: E731
    assert grad(f)(2.0, Value(0.0)).data == 0.0 and grad(f)(2.0, Value(9.0)).data == 12.0
    assert hessian(f)(2.0, Value(9.0)).data == 6.0 and hessian(f)(2.0, Value(0.0)).data == 0.0
    assert grad(grad(f))(2.0, Value(0.0)).data == 0.0
    with pytest.raises(ZeroDivisionError, match="undefined at x=0.0, k=0.5"):  # asked for, it does not exist
        grad(f, argnums=(0, 1))(2.0, 0.0)
