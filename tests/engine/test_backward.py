"""backward(): graph order, repeated calls, and graphs far deeper than Python's recursion limit."""

import sys

import pytest

import engine
from engine import Value, topological_order
from engine.testing import close, derivative as central_difference


def micrograd_longer_expression(a: Value, b: Value) -> Value:
    """micrograd's test_more_ops expression: g = 24.7041, dg/da = 138.8338, dg/db = 645.5773."""
    c = a + b
    d = a * b + b ** 3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e ** 2
    g = f / 2.0
    g += 10.0 / f
    return g


def test_longer_expression_against_central_differences() -> None:
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_longer_expression(a, b)
    g.backward()
    assert close(a.grad, central_difference(lambda t: micrograd_longer_expression(Value(t), Value(2.0)).data, -4.0), rel=1e-6)
    assert close(b.grad, central_difference(lambda t: micrograd_longer_expression(Value(-4.0), Value(t)).data, 2.0), rel=1e-6)


def test_second_backward_adds_exactly_one_more_copy_to_leaves() -> None:
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_longer_expression(a, b)
    g.backward()
    once = (a.grad, b.grad)
    inner = [n.grad for n in topological_order(g) if n._prev]
    g.backward()
    # Equal up to rounding: each leaf's grad is a sum of several contributions.
    assert close(a.grad, 2 * once[0], rel=1e-14) and close(b.grad, 2 * once[1], rel=1e-14)  # micrograd: 1852.27
    assert [n.grad for n in topological_order(g) if n._prev] == inner  # recomputed, not doubled


def test_zero_grad_then_backward_gives_one_copy() -> None:
    a = Value(3.0)
    y = (a * a).tanh() * a
    y.backward()
    first = a.grad
    a.grad = 0.0
    y.backward()
    assert a.grad == first


def test_backward_of_two_roots_sums_at_shared_leaves() -> None:
    x = Value(1.5)
    h = x * x  # shared intermediate
    y1, y2 = h.sin(), h.exp()
    y1.backward()
    y2.backward()
    want = central_difference(lambda t: ((Value(t) * t).sin() + (Value(t) * t).exp()).data, 1.5)
    assert close(x.grad, want, rel=1e-6)


def test_backward_on_a_leaf_accumulates_one() -> None:
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_prev_keeps_argument_order_and_repeats() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert (b - a)._prev == (b, a)
    assert (a * a)._prev == (a, a)
    assert (2 ** a)._prev == (a,)  # a number base is the op's parameter, like a number exponent
    assert (a ** 2)._prev == (a,) and (a ** 2)._op == "**2"


def test_topological_order_puts_parents_first_and_is_deterministic() -> None:
    def build():
        x, y = Value(1.0, label="x"), Value(2.0, label="y")
        z = (x * y + x).tanh() * y
        return z

    orders = []
    for _ in range(2):
        order = topological_order(build())
        position = {node: i for i, node in enumerate(order)}
        assert all(position[p] < position[n] for n in order for p in n._prev)
        orders.append([(n.label, n._op, n.data) for n in order])
    assert orders[0] == orders[1]


N = 1_000_000


@pytest.mark.slow
def test_million_step_chain_at_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 10_000
    a, b = Value(1.0 - 1e-7), Value(1e-7)
    y = Value(0.5)
    for _ in range(N):
        y = y * a + b
    y.backward()
    # y_n = a^n y_0 + b (1 - a^n) / (1 - a); its derivative in b is (1 - a^n) / (1 - a)
    an = a.data ** N
    assert close(b.grad, (1 - an) / (1 - a.data), rel=1e-6)
    assert repr(y).startswith("Value(data=")


@pytest.mark.slow
def test_million_term_builtin_sum() -> None:
    xs = [Value(i / N) for i in range(N)]
    total = sum(x * x for x in xs)  # a chain of a million additions
    total.backward()
    assert close(total.data, sum((i / N) ** 2 for i in range(N)), rel=1e-9)
    assert all(x.grad == 2 * x.data for x in xs[:: N // 1000])


@pytest.mark.slow
def test_million_term_fused_sum_is_one_node() -> None:
    xs = [Value(1.0) for _ in range(N)]
    total = engine.sum(x * 3 for x in xs)
    total.backward()
    assert total.data == 3.0 * N and len(total._prev) == N and xs[-1].grad == 3.0
