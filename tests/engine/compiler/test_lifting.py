"""The lifted replay: a layer as one matrix product, and the same numbers as the per-node replay and the
eager engine, sample by sample (random programs, MLPs of several shapes, shared nodes, relu kinks)."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import engine
from engine import Value
from engine.compiler.lifting import lift
from engine.compiler.program import eager_call
from engine.testing import convolutions, expressions, mlps
from nn import MLP


def close(a, b, scale):
    """Equal to rounding at the scale of the numbers involved (matrix products add in another order)."""
    return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b), scale)


def check_against_per_node_and_eager(program, args, samples):
    """Lifted against per-node, and each sample against the eager engine; returns the lifted result."""
    lifted, per_node = program.batch(*args, lifted=True), program.batch(*args, lifted=False)
    scale = float(np.max(np.abs(per_node.values)))
    for i in range(samples):
        want = eager_call(program.f, [a[i].tolist() for a in args], program.parameters)
        pairs = [(lifted.values[i], per_node.values[i], want.value)]
        pairs += [(a[i] if np.ndim(a) == 1 else a[i].tolist(), b[i] if np.ndim(b) == 1 else b[i].tolist(), c)
                  for a, b, c in zip(lifted.grads, per_node.grads, want.grads)]
        for x, y, z in pairs:
            for p, q, r in zip(np.ravel(x), np.ravel(y), np.ravel(z)):
                assert close(p, q, scale) and close(p, r, scale), (i, p, q, r)
    gscale = max([1.0] + [abs(g) for g in per_node.param_grads])
    for p, q in zip(lifted.param_grads, per_node.param_grads):
        assert close(p, q, gscale * samples)
    return lifted


def mlp_loss(model, kind):
    def f(x, t):
        out = model(x)
        out = out if isinstance(out, list) else [out]
        if kind == "softmax":
            return engine.logsumexp(out) - out[0] * t
        return engine.mean([(o - t) ** 2 for o in out])
    return f


@settings(max_examples=40, deadline=None)
@given(expressions(kinks=True, max_depth=10, inputs=3), st.integers(0, 2 ** 31 - 1))
def test_random_programs_give_the_same_numbers_lifted_per_node_and_eager(e, seed) -> None:
    program = engine.compile(lambda *xs: e(*xs), *e.inputs)
    rng = np.random.default_rng(seed)
    # The traced point, points within 1e-7 of it (same domains), and the kinks' own zeros.
    columns = [np.array([x, x + 1e-7 * rng.standard_normal(), x - 1e-7 * abs(rng.standard_normal()), x])
               for x in e.inputs]
    check_against_per_node_and_eager(program, columns, 4)


@settings(max_examples=15, deadline=None)
@given(mlps(MLP, nin=(1, 5), layers=(1, 3), width=(1, 9)), st.sampled_from(["softmax", "mse"]), st.integers(0, 2 ** 31 - 1))
def test_mlps_of_several_shapes_lift_to_one_product_per_layer(model, kind, seed) -> None:
    nin = len(model.layers[0].neurons[0].w)
    rng = np.random.default_rng(seed)
    X, t = rng.standard_normal((6, nin)), rng.standard_normal(6)
    program = engine.compile(mlp_loss(model, kind), X[0].tolist(), float(t[0]))
    lifted = lift(program.tape)
    assert lifted.forward.count(" @ ") == len(model.layers)  # a layer is one matrix product
    check_against_per_node_and_eager(program, [X, t], 6)


def test_relu_kinks_take_the_engines_convention_in_a_lifted_layer() -> None:
    # Weights and biases chosen so that every hidden pre-activation is exactly 0 for the second sample:
    # relu'(0) = 0 there, as eagerly and in PyTorch.
    W = [[Value(1.0), Value(-1.0)], [Value(2.0), Value(-2.0)], [Value(0.5), Value(0.5)]]
    b = [Value(0.0), Value(0.0), Value(-1.0)]
    v = [Value(1.0), Value(-2.0), Value(3.0)]

    def f(x):
        hidden = [engine.dot(w, x, bias=bb).relu() for w, bb in zip(W, b)]
        return engine.dot(v, hidden)

    program = engine.compile(f, [0.3, 0.1])
    X = np.array([[0.3, 0.1], [1.0, 1.0], [-0.7, 0.2]])
    r = check_against_per_node_and_eager(program, [X], 3)
    assert r.grads[0][1].tolist() == [0.0, 0.0]  # every relu is at its kink, so nothing flows to x
    assert lift(program.tape).forward.count(" @ ") == 2


def test_shared_nodes_weights_and_repeated_inputs_add_up() -> None:
    # A weight shared by two neurons (no matrix product for that layer), an input read twice by one
    # neuron, a parameter used inside and outside a dot, and a hidden node read by two later groups.
    w = Value(0.7)
    a, c = Value(-0.4), Value(1.3)

    def f(x):
        h1 = engine.dot([w, a, c], [x[0], x[1], x[0]])
        h2 = engine.dot([w, c, a], [x[1], x[0], x[0]])
        u, s = h1.tanh(), (h1 * w).sigmoid()
        return engine.sum([u * s, h2 * h2, u + w])

    program = engine.compile(f, [0.2, -0.5])
    X = np.random.default_rng(1).standard_normal((5, 2))
    check_against_per_node_and_eager(program, [X], 5)


def test_a_layer_applied_twice_is_still_one_product_with_its_weights_gradients_added_up() -> None:
    random.seed(6)
    from nn import MLP

    model = MLP(3, [4, 2])
    # model(x) twice on the same x: each layer's nodes appear twice at one depth, reading the same inputs
    program = engine.compile(lambda x, t: engine.logsumexp(model(x)) - model(x)[0] * t, [0.0] * 3, 0.0)
    lifted = lift(program.tape)
    assert lifted.forward.count(" @ ") == 3 and lifted.backward.count("add_at(GP,") == 2  # layer 1 once, for both
    X, t = np.random.default_rng(6).standard_normal((5, 3)), np.arange(5.0)
    check_against_per_node_and_eager(program, [X, t], 5)


def test_a_hand_built_layer_lifts_like_an_nn_layer() -> None:
    random.seed(3)
    weights = [[Value(random.uniform(-1, 1)) for _ in range(4)] for _ in range(6)]
    biases = [Value(random.uniform(-1, 1)) for _ in range(6)]

    def f(x):  # the user's own layer: engine.dot per unit, no nn classes
        return engine.logsumexp([engine.dot(w, x, bias=b).tanh() for w, b in zip(weights, biases)])

    program = engine.compile(f, [0.0] * 4)
    lifted = lift(program.tape)
    assert lifted.groups == 3 and lifted.forward.count(" @ ") == 1
    check_against_per_node_and_eager(program, [np.random.default_rng(2).standard_normal((8, 4))], 8)


def test_many_input_ops_run_as_one_block_with_the_rules_one_partial() -> None:
    program = engine.compile(lambda x: engine.logsumexp(x) + engine.sum(x), [0.0] * 5)
    lifted = lift(program.tape)
    assert lifted.forward.splitlines()[:2] == [  # each reduced over the block's first axis, in one call
        "V[5:6] = logsumexp_over_0(V[0:5].reshape(5, 1, -1))", "V[6:7] = sum_over_2(V[0:5].reshape(5, 1, -1))"]
    assert lifted.backward.splitlines()[2:] == [  # logsumexp's rule e^(x_i - out), once for the block, added in
        "G[0:5].reshape(5, 1, -1)[...] = G[6:7]",  # through a view of the block's rows (first: assigned)
        "G[0:5].reshape(5, 1, -1)[...] += G[5:6] * (exp_1(V[0:5].reshape(5, 1, -1) - V[5:6][None]))"]
    check_against_per_node_and_eager(program, [np.random.default_rng(3).standard_normal((7, 5)) * 30], 7)


def test_parameters_in_element_wise_ops_sum_their_gradients_over_the_batch() -> None:
    w1, w2 = Value(0.5), Value(-1.5)
    program = engine.compile(lambda x: (x * w1 + w2).tanh() * w1 + w2 ** 2, 0.0)
    xs = np.linspace(-2, 2, 9)
    r = check_against_per_node_and_eager(program, [xs], 9)
    per_sample = [eager_call(program.f, [x], program.parameters).param_grads for x in xs.tolist()]
    assert r.param_grads == pytest.approx([sum(g[0] for g in per_sample), sum(g[1] for g in per_sample)], rel=1e-12)


def test_extra_outputs_and_list_arguments_come_back_shaped_as_per_node() -> None:
    W = [[Value(0.1 * (i + j)) for j in range(3)] for i in range(2)]

    def f(x, t):
        h = [engine.dot(w, x).tanh() for w in W]
        return (h[0] - t) ** 2 + h[1], h

    program = engine.compile(f, [0.0, 0.0, 0.0], 0.0)
    X, t = np.random.default_rng(4).standard_normal((4, 3)), np.arange(4.0)
    a, b = program.batch(X, t), program.batch(X, t, lifted=False)
    assert a.aux.shape == b.aux.shape == (4, 2) and np.allclose(a.aux, b.aux, rtol=1e-13, atol=0)
    assert a.grads[0].shape == (4, 3) and np.allclose(a.grads[0], b.grads[0], rtol=1e-12, atol=1e-15)
    assert np.allclose(a.grads[1], b.grads[1], rtol=1e-12, atol=1e-15)


def test_a_lifted_batch_with_a_bad_sample_gives_the_eager_engines_error() -> None:
    program = engine.compile(lambda x: x.log() * 2.0, 1.0)
    with pytest.raises(ValueError, match=r"log: log is defined only for x > 0; got x=-1\.0"):
        program.batch(np.array([1.0, -1.0, 2.0]))


def test_every_sample_falls_back_alone_when_all_are_false_alarms() -> None:
    # sqrt(relu(x))^2 at x <= 0: the array pass meets 0 * inf at every sample, the eager engine does not.
    program = engine.compile(lambda x: x.relu().sqrt() ** 2 + x, 1.0)
    r = program.batch(np.array([-1.0, -2.0]))
    assert r.values.tolist() == [-1.0, -2.0] and r.grads[0].tolist() == [1.0, 1.0]



def test_training_can_leave_out_the_inputs_gradients() -> None:
    random.seed(5)
    from nn import MLP

    model = MLP(3, [4, 2])
    program = engine.compile(lambda x, t: (lambda out: engine.logsumexp(out) - out[0] * t)(model(x)), [0.0] * 3, 0.0)
    X, t = np.random.default_rng(5).standard_normal((6, 3)), np.arange(6.0)
    full, lean = program.batch(X, t), program.batch(X, t, input_grads=False)
    assert lean.grads == () and lean.values.tolist() == full.values.tolist()
    assert lean.param_grads == pytest.approx(full.param_grads, rel=1e-13, abs=1e-15)
    rows = lift(program.tape, input_grads=False)
    assert "G[0:3] = " not in rows.backward and "G[0:3] = " in lift(program.tape).backward  # no W.T @ G for x
    assert program.batch(X, t, lifted=False, input_grads=False).grads == ()


def test_a_layers_weights_and_biases_are_read_as_views_of_the_parameters() -> None:
    random.seed(7)
    from nn import MLP

    model = MLP(4, [5, 3])  # each neuron's weights then its bias: a (5, 5) block of P, its first 4 columns
    program = engine.compile(lambda x, t: (lambda out: engine.logsumexp(out) - out[0] * t)(model(x)), [0.0] * 4, 0.0)
    lifted = lift(program.tape)
    assert "P[0:25].reshape(5, 5)[:, :4] @ V[0:4] + P[4:25:5, None]" in lifted.forward
    assert "GP[0:25].reshape(5, 5)[:, :4] = G[5:10] @ V[0:4].T" in lifted.backward.splitlines()
    assert not any(len(index) > 1 for index in lifted.indices.values())  # nothing of size gathered
    X, t = np.random.default_rng(7).standard_normal((6, 4)), np.arange(6.0)
    check_against_per_node_and_eager(program, [X, t], 6)
    pair = MLP(3, [2, 1])  # two neurons: a (2, 4) block, its first 3 columns
    two = lift(engine.compile(lambda x: pair(x), [0.0] * 3).tape)
    assert "P[0:8].reshape(2, 4)[:, :3] @ V[0:3] + P[3:8:4, None]" in two.forward and not two.indices


@pytest.mark.parametrize("layout", ["biases first", "past the end", "reversed", "plain"])
def test_weights_that_are_not_a_strided_block_are_gathered_with_the_same_numbers(layout) -> None:
    # Parameters take the order the Values were made in; each layout makes them in another order.
    rng, W, extra = random.Random(8), [], []
    for j in range(4):
        if layout == "biases first":
            extra.append(Value(rng.uniform(-1, 1)))
        W.append([Value(rng.uniform(-1, 1)) for _ in range(3)])
        if layout == "past the end" and j < 3 or layout in ("reversed", "plain"):
            extra.append(Value(rng.uniform(-1, 1)))  # after the last neuron's weights, nothing
    if layout == "reversed":
        W[1].reverse()  # the second neuron reads its weights backwards
    bias = layout != "past the end"

    def f(x):
        outs = [engine.dot(w, x, bias=extra[j] if bias else None) for j, w in enumerate(W)]
        return engine.logsumexp(outs) + (0.0 if bias else engine.sum(extra) * x[0])

    program = engine.compile(f, [0.0] * 3)
    forward = lift(program.tape).forward
    assert forward.count(" @ ") == 1
    assert ("P[i0].reshape(4, 3)" in forward) == (layout != "plain"), forward
    check_against_per_node_and_eager(program, [np.random.default_rng(9).standard_normal((5, 3))], 5)


def test_a_bad_sample_falls_back_alone_when_training_leaves_out_the_inputs_gradients() -> None:
    w = Value(0.5)
    program = engine.compile(lambda x: (x * w).relu().sqrt() ** 2 + x * w, 1.0)
    xs = np.array([1.0, -1.0, 2.0])
    r = program.batch(xs, input_grads=False)
    want = [eager_call(program.f, [x], program.parameters) for x in xs.tolist()]
    assert r.grads == () and r.values.tolist() == pytest.approx([o.value for o in want], rel=1e-15)
    assert r.param_grads == pytest.approx([sum(o.param_grads[0] for o in want)], rel=1e-13)


def test_a_program_that_passes_back_nothing_still_lifts() -> None:
    # (x ** 0) ** 0: two groups whose derivative is 0, so the backward pass has no line at all
    program = engine.compile(lambda x: (x ** 0) ** 0, 0.0)
    assert lift(program.tape).backward == "pass"
    check_against_per_node_and_eager(program, [np.array([0.0, 2.0, -1.5])], 3)


def test_many_input_ops_whose_inputs_share_one_rule_are_stacked_and_others_are_not() -> None:
    @engine.op(derivative=lambda xs, out: [float(i + 1) * x for i, x in enumerate(xs)])
    def weighted_squares(*xs):  # the partial for input i is (i + 1) * x_i: not one rule for all inputs
        return math.fsum((i + 1) * x * x / 2 for i, x in enumerate(xs))

    program = engine.compile(lambda x: engine.logsumexp(x) + engine.sum(x) + engine.mean(x) + weighted_squares(*x),
                             [0.0] * 4)
    lifted = lift(program.tape)
    lines = lifted.forward.splitlines()
    stacked = [line for line in lines if ".reshape(4, " in line]  # a (4 inputs, group, samples) block
    assert len(stacked) == 2 and "logsumexp" in stacked[0] and "sum" in stacked[1]  # the sums of sum and mean: one
    assert [line for line in lines if "weighted_squares" in line and ".reshape(" not in line]
    # the one partial serves every input, for those two groups only: logsumexp's through a view of x's rows,
    # the sums' (reading x's rows in turn) stretched and added at them
    backward = lifted.backward.splitlines()
    assert [line for line in backward if "reshape(4, " in line or "stretch(" in line] == [
        "add_at(G, i0, stretch(G[6:8], 4))",
        "G[0:4].reshape(4, 1, -1)[...] += G[5:6] * (exp_1(V[0:4].reshape(4, 1, -1) - V[5:6][None]))"]
    check_against_per_node_and_eager(program, [np.random.default_rng(11).standard_normal((5, 4))], 5)


def test_a_stacked_group_that_passes_back_nothing_writes_no_backward_line() -> None:
    @engine.op(derivative=lambda xs, out: [0.0 for _ in xs])
    def frozen_total(*xs):  # a many-input op whose rule gives every input 0
        return math.fsum(xs)

    w = Value(2.0)
    program = engine.compile(lambda x: frozen_total(*x) * w + engine.sum(x) * w, [0.0] * 3)
    X = np.random.default_rng(12).standard_normal((4, 3))
    check_against_per_node_and_eager(program, [X], 4)
    lean = program.batch(X, input_grads=False)  # the sum reads only inputs, whose gradients are left out
    assert lean.param_grads == pytest.approx(program.batch(X).param_grads, rel=1e-13)
    assert "G[0:3]" in lift(program.tape).backward and "G[0:3]" not in lift(program.tape, input_grads=False).backward


def test_a_stacked_rule_that_counts_its_inputs_sees_all_of_them() -> None:
    @engine.op(derivative=lambda xs, out: [1.0 / len(xs) for _ in xs])
    def average(*xs):
        return math.fsum(xs) / len(xs)

    program = engine.compile(lambda x: average(*x) * 3.0, [0.0] * 5)
    assert "G[0:5].reshape(5, 1, -1)[...] = G[6:7] * (0.2)" in lift(program.tape).backward.splitlines()
    r = check_against_per_node_and_eager(program, [np.random.default_rng(13).standard_normal((3, 5))], 3)
    assert r.grads[0].ravel().tolist() == pytest.approx([0.6] * 15, rel=1e-15)  # 3 / 5 for each input


def test_training_without_input_gradients_keeps_extra_outputs_beside_a_sample_replayed_alone() -> None:
    w = Value(0.5)
    f = lambda x: ((x * w).relu().sqrt() ** 2 + x * w, [x * 2.0, x * w])  # noqa: E731
    program = engine.compile(f, 1.0)
    xs = np.array([1.0, -1.0, 3.0])
    lean, full = program.batch(xs, input_grads=False), program.batch(xs)
    assert lean.grads == () and lean.aux.tolist() == full.aux.tolist() == [[2.0, 0.5], [-2.0, -0.5], [6.0, 1.5]]
    assert lean.values.tolist() == full.values.tolist() and lean.param_grads == pytest.approx(full.param_grads)


def test_a_layers_element_wise_products_are_one_array_operation() -> None:
    # x_i * w_i for i < 3: one op, one depth, each node with its own weight: one product of blocks, then the sum
    w = [Value(0.5), Value(-1.5), Value(2.0)]
    program = engine.compile(lambda x: engine.sum([x[i] * w[i] for i in range(3)]), [0.0] * 3)
    lifted = lift(program.tape)
    assert lifted.groups == 2 and lifted.forward.splitlines()[0] == "V[3:6] = V[0:3]*P[0:3, None]"
    check_against_per_node_and_eager(program, [np.random.default_rng(15).standard_normal((4, 3))], 4)


def test_a_many_input_op_of_three_inputs_is_stacked() -> None:
    program = engine.compile(lambda x: engine.logsumexp(x) * 2.0, [0.0] * 3)
    lifted = lift(program.tape)
    assert ".reshape(3, 1, -1)" in lifted.forward and lifted.backward.count(".reshape(3, 1, -1)[...] = ") == 1
    check_against_per_node_and_eager(program, [np.random.default_rng(16).standard_normal((5, 3)) * 10], 5)


def test_a_many_input_rule_that_is_its_output_is_stacked() -> None:
    @engine.op(derivative=lambda xs, out: [out for _ in xs])
    def exp_of_total(*xs):  # every partial is the output itself: one rule, in no input at all
        return math.exp(math.fsum(xs))

    program = engine.compile(lambda x: exp_of_total(*x) * 2.0, [0.0] * 3)
    assert ".reshape(3, 1, -1)[...] = " in lift(program.tape).backward
    r = check_against_per_node_and_eager(program, [np.array([[0.5, -1.0, 0.25], [0.0, 0.0, 0.0]])], 2)
    assert r.grads[0].ravel().tolist() == pytest.approx([2 * math.exp(-0.25)] * 3 + [2.0] * 3, rel=1e-15)


def test_a_many_input_rule_that_reads_another_input_is_not_stacked() -> None:
    @engine.op(derivative=lambda xs, out: [x / xs[1] for x in xs])
    def lopsided(*xs):  # every partial reads the second input: not one rule written in its own input alone
        return math.fsum(x * x for x in xs) / (2.0 * xs[1])

    program = engine.compile(lambda x: lopsided(*x) * 2.0, [1.0] * 3)
    assert "stretch(" not in lift(program.tape).backward
    r = check_against_per_node_and_eager(program, [np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]])], 2)
    assert r.grads[0].tolist() == [[1.0, 2.0, 3.0], [-4.0, 2.0, 16.0]]  # 2 x_i / x_1


def test_one_sums_adjoint_reaches_its_inputs_by_broadcasting() -> None:
    # One sum (a group of one): its adjoint row is added to each input row as it is. A sum that reads one row
    # twice still adds up the repeats, through add_at and the stretched block.
    program = engine.compile(lambda x: engine.sum([x[0] * x[1], x[1] * x[2], x[2] * x[3], x[3] * x[0]]), [0.0] * 4)
    backward = lift(program.tape).backward
    assert "G[4:8].reshape(4, 1, -1)[...] = G[8:9]" in backward.splitlines() and "stretch(" not in backward
    r = check_against_per_node_and_eager(program, [np.random.default_rng(17).standard_normal((3, 4))], 3)
    X = np.random.default_rng(17).standard_normal((3, 4))
    want = np.roll(X, -1, axis=1) + np.roll(X, 1, axis=1)  # d/dx_i = x_(i+1) + x_(i-1), around the ring
    assert r.grads[0].ravel().tolist() == pytest.approx(want.ravel().tolist(), rel=1e-14)
    twice = engine.compile(lambda x: (lambda y: engine.sum([y, y, x[1].exp()]))(x[0].exp()), [0.0] * 2)
    assert "stretch(" in lift(twice.tape).backward
    r = check_against_per_node_and_eager(twice, [np.array([[0.5, -1.0], [2.0, 0.0]])], 2)
    assert r.grads[0].ravel().tolist() == pytest.approx([2 * math.exp(0.5), math.exp(-1.0), 2 * math.exp(2.0), 1.0],
                                                        rel=1e-14)


def test_a_many_input_op_over_evenly_spaced_rows_adds_back_through_a_strided_view() -> None:
    program = engine.compile(lambda x: engine.logsumexp(x[0::2]) + engine.sum(x[1::2]) * 2.0, [0.0] * 6)
    lifted = lift(program.tape)
    assert lifted.functions["logsumexp_over_0"] == ("over", engine.ops.LOGSUMEXP)  # NumPy's reduction binds to it
    backward = lifted.backward.splitlines()
    assert any(line.startswith("G[0:5:2].reshape(3, 1, -1)[...] = ") for line in backward), backward
    assert any(line.startswith("G[1:6:2].reshape(3, 1, -1)[...] = ") for line in backward), backward
    r = check_against_per_node_and_eager(program, [np.random.default_rng(21).standard_normal((4, 6)) * 5], 4)
    X = np.random.default_rng(21).standard_normal((4, 6)) * 5
    softmax = np.exp(X[:, 0::2]) / np.exp(X[:, 0::2]).sum(axis=1, keepdims=True)
    assert r.grads[0][:, 0::2].ravel().tolist() == pytest.approx(softmax.ravel().tolist(), rel=1e-13)
    assert r.grads[0][:, 1::2].ravel().tolist() == [2.0] * 12


def test_a_rule_that_chooses_between_blocks_is_not_taken_for_relus_slope() -> None:
    # if_positive(x, x, 0): its branches are arrays, so NumPy's shortcut for relu's (1.0, 0.0) must not apply
    @engine.op(derivative=lambda x, out: (engine.ops.if_positive(x, 2.0 * x, 0.0),), name="half square")
    def half_square(x):
        return x * x if x > 0 else 0.0

    # and rules of two numbers other than (1.0, 0.0): a slope of 2 on the right, and of 1 on both sides
    @engine.op(derivative=lambda x, out: (engine.ops.if_positive(x, 2.0, 0.0) + engine.ops.if_positive(x, 1.0, 1.0),),
               name="bent")
    def bent(x):
        return 3.0 * x if x > 0 else x

    program = engine.compile(lambda x: half_square(x) * 3.0 + bent(x), 1.0)
    assert lift(program.tape).backward.count("if_positive") == 3
    xs = np.array([-1.5, 0.0, 0.5, 2.0])
    r = check_against_per_node_and_eager(program, [xs], 4)
    assert r.grads[0].tolist() == [1.0, 1.0, 3.0 + 3.0, 12.0 + 3.0]


def test_numpy_reduces_a_stacked_sum_and_logsumexp_in_one_call_and_others_row_by_row() -> None:
    @engine.op(derivative=lambda xs, out: [1.0 for _ in xs], name="plain total")
    def plain_total(*xs):
        return math.fsum(xs)

    from engine.compiler.numpy_backend import NUMPY

    bound = NUMPY.bind({"s": ("over", engine.ops.SUM), "l": ("over", engine.ops.LOGSUMEXP), "t": ("over", plain_total)})
    assert (bound["s"].__name__, bound["l"].__name__) == ("sum_over", "logsumexp_over")
    block = np.arange(12.0).reshape(3, 2, 2)
    assert bound["t"](block).tolist() == bound["s"](block).tolist() == block.sum(axis=0).tolist()
    want = np.log(np.exp(block).sum(axis=0))
    assert bound["l"](block).ravel().tolist() == pytest.approx(want.ravel().tolist(), rel=1e-15)


@settings(max_examples=15, deadline=None)
@given(convolutions(dims=2, channels=(1, 3), size=(2, 6)), st.booleans())
def test_a_convolution_lifts_to_one_product_per_kind_of_window_with_the_eager_numbers(s, bias) -> None:
    """One kernel over many windows (im2col): a product for the inner windows and one for each pattern of
    padding at the border, never one per window; values and every gradient as per node and eager."""
    from nn import Conv2d, Flatten

    random.seed(s["seed"])
    conv = Conv2d(s["in_channels"], s["out_channels"], s["kernel_size"], s["stride"], s["padding"], s["dilation"],
                  bias=bias)
    (h, w), c = s["shape"], s["in_channels"]
    coef = [random.uniform(-1, 1) for _ in range(10_000)]

    def f(x):
        planes = [[x[(ch * h + r) * w:(ch * h + r + 1) * w] for r in range(h)] for ch in range(c)]
        out = Flatten()(conv(planes))
        return engine.dot(coef[:len(out)], [o.tanh() for o in out])

    rng = np.random.default_rng(s["seed"])
    X = rng.standard_normal((3, c * h * w))
    program = engine.compile(f, X[0].tolist())
    lifted = lift(program.tape)
    products = lifted.forward.count(" @ ")
    windows = len(Flatten()(conv([[[0.0] * w for _ in range(h)] for _ in range(c)]))) // s["out_channels"]
    assert products <= windows and (products == 1 or any(s["padding"]))  # without padding, every window is alike
    check_against_per_node_and_eager(program, [X], 3)


def test_a_padded_convolution_is_one_product_inside_and_one_per_kind_of_border() -> None:
    from nn import Conv2d, Flatten

    random.seed(0)
    conv = Conv2d(2, 3, 3, padding=1)
    planes = lambda x: [[x[64 * c + 8 * r:64 * c + 8 * r + 8] for r in range(8)] for c in range(2)]  # noqa: E731
    program = engine.compile(lambda x: engine.sum(Flatten()(conv(planes(x)))), [0.5] * 128)
    lifted = lift(program.tape)
    assert lifted.forward.count(" @ ") == 9  # the 6 x 6 inner windows, 4 edges, 4 corners
    assert lifted.groups == 10 == len(lifted.forward.splitlines())  # and the sum: one array operation each


def test_a_convolution_reads_contiguous_inputs_as_a_view_and_skips_adjoints_nobody_reads() -> None:
    from nn import Conv1d

    random.seed(0)
    pointwise = Conv1d(1, 2, 1)  # each window one input: the windows' inputs are rows 0 to 3, a slice
    program = engine.compile(lambda x: engine.sum([v for row in pointwise([x]) for v in row]), [0.5] * 4)
    assert lift(program.tape).forward.splitlines()[0] == (
        "V[4:12] = (P[0:2].reshape(2, 1) @ V[0:4].reshape(1, -1) + P[2:4, None]).reshape(8, -1)")
    conv = Conv1d(1, 1, 3)  # overlapping windows: a gather, and the inputs' adjoints added back where they overlap
    program = engine.compile(lambda x: engine.sum(conv([x])[0]), [0.5] * 6)
    with_inputs = "add_at(G, i0, (P[0:3].reshape(1, 3).T @ G[6:10].reshape(1, -1)).reshape(12, -1))"
    assert with_inputs in lift(program.tape).backward.splitlines()
    assert lift(program.tape, input_grads=False).backward.splitlines() == [
        "G[6:10].reshape(4, 1, -1)[...] = G[10:11]",
        "GP[0:3] = (G[6:10].reshape(1, -1) @ V[i0].reshape(3, -1).T).reshape(-1)",
        "GP[3:4] = (G[6:10].reshape(1, -1)).sum(axis=1)"]


def test_windows_with_a_per_sample_bias_stay_correct() -> None:
    """One kernel over windows, its bias an input (not a parameter): not merged into one product, still right."""
    random.seed(1)
    w = [Value(random.uniform(-1, 1)) for _ in range(2)]

    def f(x):
        return engine.sum([engine.dot(w, x[j:j + 2], bias=x[4]).tanh() for j in range(3)])

    X = np.random.default_rng(0).standard_normal((4, 5))
    check_against_per_node_and_eager(engine.compile(f, X[0].tolist()), [X], 4)


def test_the_lifted_program_reads_as_one_would_write_it() -> None:
    """``code("lifted")`` is shown to learners: no needless view, stack or multiply by -1 in it."""
    random.seed(5)
    W = [[Value(random.uniform(-1, 1)) for _ in range(3)] for _ in range(2)]
    layer = lift(engine.compile(lambda x: engine.sum([engine.dot(w, x) for w in W]), [0.0] * 3).tape)
    assert layer.forward.splitlines() == [  # no bias: the weights are P's first six, a plain (2, 3) slice
        "V[3:5] = P[0:6].reshape(2, 3) @ V[0:3]",
        "V[5:6] = sum_0(V[3:4], V[4:5])"]  # two inputs are added as they are, not stacked into a block first
    assert layer.backward.splitlines()[-1] == "GP[0:6] = (G[3:5] @ V[0:3].T).reshape(-1)"
    difference = lift(engine.compile(lambda x, y: (x - y) * 2.0, 0.0, 0.0).tape)
    assert difference.backward.splitlines()[-2:] == ["G[0:1] = G[3:4]", "G[1:2] = -G[3:4]"]  # d(x - y)/dy = -1
