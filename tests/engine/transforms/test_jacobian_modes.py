"""jacobian(f, mode="fwd" | "rev" | "auto") and jacobian_plan: every mode gives PyTorch's Jacobian, and the plan's
counts are the edges each sweep really crosses, counted again here by brute force."""

import math
import re

import pytest
from hypothesis import given, settings, strategies as st

import engine
from engine import JacobianPlan, Value, grad, jacobian, jacobian_plan, jacrev
from engine.graph import topological_order
from engine.testing import close, expressions, torch_reference
from engine.transforms.jacobian_modes import plan

MODES = ("rev", "fwd", "auto")


def outputs_of(e, last: int):
    """The expression's last few registers as outputs: a function of its inputs to a list (shared nodes, several
    outputs, some of them the inputs themselves when the program is short)."""
    return lambda *xs: e.run(xs)[-registers(e, last):]


def registers(e, last: int) -> int:
    return min(last, len(e.inputs) + len(e.steps))


def numbers(rows):
    return [[d.data for d in row] for row in rows]


@given(expressions(inputs=4, max_depth=10), st.integers(1, 4))
def test_every_mode_gives_pytorchs_jacobian(e, last) -> None:
    f = outputs_of(e, last)
    want = [torch_reference(lambda *xs, r=r: e.run(xs)[r], e.inputs)[1] for r in range(-registers(e, last), 0)]
    for mode in MODES:
        got = numbers(jacobian(lambda v: f(*v), mode=mode)(list(e.inputs)))
        for row, expected in zip(got, want):
            assert all(close(a, b, rel=1e-9) for a, b in zip(row, expected)), (mode, got, want)


@given(expressions(inputs=4, max_depth=10), st.integers(1, 4))
def test_forward_and_reverse_sweeps_agree_and_match_central_differences(e, last) -> None:
    f = outputs_of(e, last)
    rev = numbers(jacobian(lambda v: f(*v), mode="rev")(list(e.inputs)))
    fwd = numbers(jacobian(lambda v: f(*v), mode="fwd")(list(e.inputs)))
    assert all(close(a, b, rel=1e-12) for r, s in zip(rev, fwd) for a, b in zip(r, s)), (rev, fwd)
    h = 1e-6
    for j, x in enumerate(e.inputs):
        up, down = list(e.inputs), list(e.inputs)
        up[j], down[j] = x + h, x - h
        column = [(a.data - b.data) / (2 * h) for a, b in zip(f(*map(Value, up)), f(*map(Value, down)))]
        assert all(close(row[j], c, rel=1e-4, floor=1e-3) for row, c in zip(fwd, column)), (j, fwd, column)


def brute_force_counts(outputs, inputs):
    """Each sweep's work by sets, one sweep at a time: the edges a forward sweep from input j crosses (those out of
    a node its tangent reaches, into a node that leads to an output), and the partials a reverse pass from output i
    evaluates (every edge into a node of its cone: reached from an input, leading to output i)."""
    order = topological_order(*outputs)

    def descendants(x):
        found = {x}
        for node in order:
            if any(p in found for p in node._prev):
                found.add(node)
        return found

    def ancestors(y):
        return set(topological_order(y))

    from_inputs = set().union(*(descendants(x) - {x} for x in inputs))
    forward = sum(1 for x in inputs for node in order if node in from_inputs
                  for p in node._prev if p in descendants(x))
    reverse = sum(len(node._prev) for y in outputs for node in ancestors(y) if node in from_inputs)
    forward_visits = sum(len(descendants(x) & from_inputs) for x in inputs)
    reverse_visits = sum(len(ancestors(y)) for y in outputs)
    return forward, reverse, sum(len(node._prev) for node in from_inputs), forward_visits, reverse_visits


@given(expressions(inputs=4, max_depth=12), st.integers(1, 4))
@settings(max_examples=40)
def test_the_plans_counts_are_each_sweeps_edges(e, last) -> None:
    xs = [Value(x) for x in e.inputs]
    outs = [y if isinstance(y, Value) else Value(y) for y in outputs_of(e, last)(*xs)]
    p = plan(outs, xs)
    assert (p.forward_multiply_adds, p.reverse_multiply_adds, p.edges, p.forward_visits,
            p.reverse_visits) == brute_force_counts(outs, xs)
    assert p.mode == ("fwd" if p.forward_ops < p.reverse_ops else "rev")


def test_the_plan_chooses_forward_for_few_inputs_and_reverse_for_few_outputs() -> None:
    def spread(x):  # one input, eight outputs
        return [(x * k).tanh() for k in range(1, 9)]

    def gather(v):  # eight inputs, one output, every node after the sum reached by every input
        s = sum(v)
        for _ in range(6):
            s = (s * s).tanh()
        return s

    wide = jacobian_plan(spread, 0.5)
    assert (wide.mode, wide.inputs, wide.outputs) == ("fwd", 1, 8)
    assert wide.forward_ops < wide.reverse_ops
    narrow = jacobian_plan(gather, [0.1 * k for k in range(8)])
    assert (narrow.mode, narrow.inputs, narrow.outputs) == ("rev", 8, 1)
    assert narrow.reverse_ops < narrow.forward_ops
    assert str(wide).startswith("fwd: ") and str(narrow).startswith("rev: ")
    assert re.search(r"forward: 1 sweep\(s\) cross \d+ edges and visit \d+ nodes = \d+ ops", str(wide))
    assert isinstance(wide, JacobianPlan)


def test_a_separable_function_costs_each_forward_sweep_only_its_own_inputs_cone() -> None:
    # eight inputs, one output, but each input reaches only its own square: all eight sweeps together cross each
    # edge once, as the one reverse pass does, so n = 8 > m = 1 alone does not make reverse mode cheaper
    p = jacobian_plan(lambda v: engine.sum([(t * t).tanh() for t in v]), [0.1 * k for k in range(8)])
    assert p.forward_multiply_adds == p.reverse_multiply_adds == p.edges


def test_a_fused_sum_counts_one_edge_per_term() -> None:
    # n and m alone cannot tell these apart: a sum of 50 terms per output is 50 edges per reverse pass
    xs = [Value(float(k)) for k in range(3)]
    wide = [sum((x * k for k in range(50) for x in xs), 0.0)]
    assert plan(wide, xs).reverse_multiply_adds > 150


@pytest.mark.parametrize("mode", MODES)
def test_the_jacobian_in_every_mode_can_be_differentiated_again(mode) -> None:
    f = lambda v: [v[0] ** 3 * v[1], (v[0] * v[1]).sin()]  # noqa: E731
    # d/dx of J[0][0] = d/dx (3 x^2 y) = 6 x y; d/dy of J[1][0] = d/dy (y cos(xy)) = cos(xy) - x y sin(xy)
    x, y = 0.7, -1.3
    assert close(grad(lambda v: jacobian(f, mode=mode)(v)[0][0])([x, y])[0].data, 6 * x * y, rel=1e-12)
    assert close(grad(lambda v: jacobian(f, mode=mode)(v)[1][0])([x, y])[1].data,
                 math.cos(x * y) - x * y * math.sin(x * y), rel=1e-12)
    g = grad(lambda v: v[0] ** 2 * v[1] + v[1].exp())
    hand = [2 * y, 2 * x, 2 * x, math.exp(y)]  # the Hessian of x^2 y + e^y, row by row
    got = [d for row in numbers(jacobian(g, mode=mode)([x, y])) for d in row]
    assert got == pytest.approx(hand, rel=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_shapes_are_the_same_in_every_mode(mode) -> None:
    assert [d.data for d in jacobian(lambda x: [x, x * x, 3.0], mode=mode)(2.0)] == [1.0, 4.0, 0.0]
    assert [d.data for d in jacobian(lambda v: v[0] * v[1], mode=mode)([2.0, 5.0])] == [5.0, 2.0]
    rows = jacobian(lambda x, y: [x * y, x + 3 * y], argnums=(0, 1), mode=mode)(2.0, 5.0)
    assert [tuple(d.data for d in row) for row in rows] == [(5.0, 2.0), (1.0, 3.0)]
    same = Value(2.0)  # one Value passed twice: each column is the whole derivative
    assert numbers(jacobian(lambda v: [v[0] * v[1]], mode=mode)([same, same])) == [[4.0, 4.0]]


def test_forward_mode_walks_a_deep_graph_without_recursion() -> None:
    def chain(x):
        for _ in range(30_000):  # deeper than any recursion limit
            x = x * 1.0000001
        return [x, x * 2]

    assert [d.data for d in jacobian(chain, mode="fwd")(1.0)] == pytest.approx([1.0000001 ** 30_000,
                                                                               2 * 1.0000001 ** 30_000])
    assert jacobian_plan(chain, 1.0).mode == "fwd"


def test_jacrev_is_jacobian_in_reverse_mode() -> None:
    assert numbers(jacrev(lambda v: [v[0] * v[1]])([2.0, 5.0])) == [[5.0, 2.0]]


def test_forward_mode_refuses_what_reverse_mode_refuses() -> None:
    w = Value(2.0)
    stale = [w * w, (w * 3.0).tanh()]
    w.data = 5.0  # assigned after the graph read it: no Jacobian is right
    for mode in ("fwd", "rev"):
        with pytest.raises(RuntimeError, match="was assigned after"):
            jacobian(lambda x: [s * x for s in stale], mode=mode)(1.0)
    for mode in ("fwd", "rev"):  # a derivative that overflows where the value does not: an error, never inf
        with pytest.raises(OverflowError, match="mul: result too large for a float"):
            jacobian(lambda x: [(x * 1e300) * 1e10, x], mode=mode)(1e-300)


def test_an_unknown_mode_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="jacobian: mode must be one of 'rev', 'fwd', 'auto', got 'forward'"):
        jacobian(lambda x: x, mode="forward")
    with pytest.raises(TypeError, match="jacobian_plan: f must return a scalar Value, got str 's'"):
        jacobian_plan(lambda x: "s", 1.0)


@pytest.mark.parametrize("mode", MODES)
def test_an_input_that_depends_on_another_and_an_empty_output(mode) -> None:
    x = Value(2.0)
    y = x * 3.0  # y is an input too, and depends on x: each column is the total derivative, as reverse mode's
    assert numbers(jacobian(lambda a, b: [a * b], argnums=(0, 1), mode=mode)(x, y)) == [[12.0, 2.0]]
    assert jacobian(lambda v: [], mode=mode)([1.0, 2.0]) == []


def test_the_plan_of_no_outputs_is_empty() -> None:
    p = jacobian_plan(lambda v: [], [1.0, 2.0])
    assert (p.mode, p.outputs, p.forward_ops, p.reverse_ops) == ("rev", 0, 0, 0)


def shared_square_of_product(v):
    u = v[0] * v[1]
    return u.sin() * (u * u)


def test_a_tie_goes_to_reverse_mode_and_the_plan_says_so() -> None:
    # u = x0 x1 (2 edges), sin u (1), u u (2), sin u * u u (2): 7 edges. Each of the 2 forward sweeps crosses all 7
    # but the one from the other input, 6, and visits the 4 nodes: 12 + 8 = 20 ops. The one reverse pass crosses
    # the 7 edges at 2 ops each and visits the 4 nodes and 2 inputs: 14 + 6 = 20 ops. A tie: reverse mode
    p = jacobian_plan(shared_square_of_product, [0.1, 0.2])
    assert p == JacobianPlan("rev", inputs=2, outputs=1, nodes=4, edges=7, forward_multiply_adds=12,
                             reverse_multiply_adds=7, forward_visits=8, reverse_visits=6)
    assert p.forward_ops == p.reverse_ops == 20
    assert str(p) == ("rev: reverse mode does no more work for 1 output(s) of 2 input(s) through 4 node(s) and "
                      "7 edge(s).\n"
                      "  forward: 2 sweep(s) cross 12 edges and visit 8 nodes = 20 ops\n"
                      "  reverse: 1 pass(es) cross 7 edges and visit 6 nodes = 20 ops")


def test_a_forward_plan_explains_itself_in_text_and_in_ipython() -> None:
    from IPython.lib.pretty import pretty

    # sin x and cos x: one sweep crosses both edges and visits both nodes (4 ops); each of two reverse passes
    # crosses one edge (2 ops) and visits its output and x (2): 8 ops
    p = jacobian_plan(lambda x: [x.sin(), x.cos()], 0.5)
    text = ("fwd: forward mode does less work for 2 output(s) of 1 input(s) through 2 node(s) and 2 edge(s).\n"
            "  forward: 1 sweep(s) cross 2 edges and visit 2 nodes = 4 ops\n"
            "  reverse: 2 pass(es) cross 2 edges and visit 4 nodes = 8 ops")
    assert str(p) == text
    assert pretty(p) == text


def test_one_value_returned_twice_is_two_outputs_to_reverse_mode() -> None:
    # [y, y] with y = sin x: two reverse passes, each crossing sin's edge and visiting y and x
    p = jacobian_plan(lambda x: (lambda y: [y, y])(x.sin()), 0.5)
    assert (p.outputs, p.reverse_multiply_adds, p.reverse_visits) == (2, 2, 4)
    assert (p.forward_multiply_adds, p.forward_visits) == (1, 1)


def test_the_plan_of_no_outputs_counts_nothing_but_the_inputs() -> None:
    assert jacobian_plan(lambda v: [], [1.0, 2.0]) == JacobianPlan("rev", 2, 0, 0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("mode", MODES)
def test_no_inputs_give_one_empty_row_per_output(mode) -> None:
    assert jacobian(lambda v: [sum(v, Value(2.0)), Value(3.0) * 1.0], mode=mode)([]) == [[], []]


def test_a_forward_sweep_multiplies_nothing_into_an_inputs_own_edges() -> None:
    # the seed tangent of x is 1, so d sin(x) / dx is the local derivative cos x itself: the sweep makes no product
    with engine.profile() as prof:
        (entry,) = jacobian(lambda x: [x.sin()], mode="fwd")(0.5)
    assert entry.data == math.cos(0.5)
    assert sorted(row.kind for row in prof.rows) == ["cos", "sin"]


def test_jacrev_differentiates_the_argument_it_is_given() -> None:
    # [x y, y^2] with respect to y at (2, 5): [x, 2y] = [2, 10]
    assert [d.data for d in jacrev(lambda x, y: [x * y, y * y], argnums=1)(2.0, 5.0)] == [2.0, 10.0]


@pytest.mark.parametrize("f, x, auto, by_hand", [
    (lambda v: [v[0] * k for k in range(1, 6)] + [v[1]], [2.0, 3.0], "fwd",  # 2 inputs, 6 outputs
     [[k, 0.0] for k in range(1, 6)] + [[0.0, 1.0]]),
    (lambda v: [engine.sum(v).tanh()], [0.1 * k for k in range(6)], "rev",  # 6 inputs, 1 output: tanh' = 1 - tanh^2
     [[1 - math.tanh(1.5) ** 2] * 6]),
])
def test_each_mode_runs_its_own_sweeps_and_auto_runs_the_plans(monkeypatch, f, x, auto, by_hand) -> None:
    from engine.transforms import functional

    ran = []
    forward, reverse = functional.forward_rows, functional.isolated_gradients
    monkeypatch.setattr(functional, "forward_rows", lambda *a: ran.append("fwd") or forward(*a))
    monkeypatch.setattr(functional, "isolated_gradients", lambda *a: ran.append("rev") or reverse(*a))
    outputs = len(by_hand)
    assert jacobian_plan(f, x).mode == auto
    for mode in ("fwd", "rev", "auto"):
        ran.clear()
        rows = [[d.data for d in row] for row in jacobian(f, mode=mode)(x)]  # a row per output, over the list
        assert [d for row in rows for d in row] == pytest.approx([d for row in by_hand for d in row], rel=1e-12)
        chosen = auto if mode == "auto" else mode
        assert ran == (["fwd"] if chosen == "fwd" else ["rev"] * outputs)  # one forward call, or a pass per output
