"""checkpoint: gradients identical to the last bit to the plain pass (the oracle), in backward, create_graph,
grad and nested checkpoints; correct against finite differences in forward mode and hvp; a clear error when
f computes something else the second time; and the inner graph really dropped."""

import math
import random
import struct

import pytest
from hypothesis import given, settings, strategies as st

from engine import RecomputeError, TraceError, Value, checkpoint, compile, explain, grad, hvp, jvp, no_grad, topological_order
from engine.testing import expressions
from engine.testing.strategies import CONSTANT
from engine.transforms.differences import derivative


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same_bits(a, b) -> bool:
    return len(a) == len(b) and all(bits(float(getattr(x, "data", x))) == bits(float(getattr(y, "data", y)))
                                    for x, y in zip(a, b))


def run_steps(steps, regs):
    """The registers an Expression's ``steps`` add to ``regs`` (as Expression.run does)."""
    from engine.testing.strategies import TABLE
    regs = list(regs)
    for name, args, c in steps:
        f = TABLE[name]
        regs.append(f(regs[args[0]], c) if name in CONSTANT else f(*[regs[i] for i in args]))
    return regs


def run_in_segments(e, xs, cuts, nest=False):
    """The expression's last register, with each run of steps between ``cuts`` inside a checkpoint."""
    regs = list(xs)
    bounds = [0] + sorted(set(cuts)) + [len(e.steps)]
    for a, b in zip(bounds, bounds[1:]):
        if a == b:
            continue
        chunk = e.steps[a:b]
        n = len(regs)

        def segment(*rs, chunk=chunk, n=n):
            if nest and len(chunk) > 1:  # the first half in a checkpoint of its own, inside this one
                half = len(chunk) // 2
                inner = checkpoint(lambda *q: run_steps(chunk[:half], q)[n:], *rs)
                return inner + run_steps(chunk[half:], list(rs) + inner)[n + half:]
            return run_steps(chunk, rs)[n:]

        regs += checkpoint(segment, *regs)
    return regs[-1]


cut_lists = st.lists(st.integers(0, 8), max_size=4)


@settings(max_examples=60, deadline=None)
@given(expressions(inputs=3, max_depth=8), cut_lists, st.booleans())
def test_backward_gives_the_plain_pass_gradients_to_the_last_bit(e, cuts, nest) -> None:
    plain = [Value(x) for x in e.inputs]
    want = e(*plain)
    want.backward()
    kept = [Value(x) for x in e.inputs]
    y = run_in_segments(e, kept, cuts, nest)
    assert bits(y.data) == bits(want.data)
    y.backward()
    assert same_bits([v.grad for v in kept], [v.grad for v in plain])


@settings(max_examples=30, deadline=None)
@given(expressions(inputs=2, max_depth=6), cut_lists, st.booleans())
def test_grad_matches_the_plain_pass_to_the_last_bit_and_grad_of_grad_to_rounding(e, cuts, nest) -> None:
    f = lambda v: e(*v)  # noqa: E731
    g = lambda v: run_in_segments(e, v, cuts, nest)  # noqa: E731
    x = list(e.inputs)
    assert same_bits(grad(g)(x), grad(f)(x))
    # The second pass runs over a graph whose nodes were made in another order (the recomputed ones
    # during the first backward pass), so its sums may add in another order: equal to rounding.
    second = [d.data for d in grad(lambda v: grad(g)(v)[0])(x)]
    want = [d.data for d in grad(lambda v: grad(f)(v)[0])(x)]
    assert all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) for a, b in zip(second, want))


def test_create_graph_through_a_checkpoint_gives_second_derivatives() -> None:
    # y = x sin(x^2): y' = sin(x^2) + 2x^2 cos(x^2), y'' = 6x cos(x^2) - 4x^3 sin(x^2), by hand
    for x0 in (0.3, -1.1, 2.0):
        x = Value(x0)
        y = checkpoint(lambda t: t * (t * t).sin(), x)
        y.backward(create_graph=True)
        assert math.isclose(x.grad.data, math.sin(x0 ** 2) + 2 * x0 ** 2 * math.cos(x0 ** 2), rel_tol=1e-14)
        dx = x.grad
        x.grad = 0.0
        dx.backward()
        assert math.isclose(x.grad, 6 * x0 * math.cos(x0 ** 2) - 4 * x0 ** 3 * math.sin(x0 ** 2),
                            rel_tol=1e-12, abs_tol=1e-12)


def mlp_block(h, weights):
    return [sum((w * x for w, x in zip(row, h)), Value(0.1)).tanh() for row in weights]


def test_weights_read_from_outside_get_their_gradients_to_the_last_bit() -> None:
    rng = random.Random(3)
    W = [[[Value(rng.gauss(0, 1)) for _ in range(4)] for _ in range(4)] for _ in range(6)]

    def loss(kept):
        h = [Value(v) for v in (0.5, -1.0, 2.0, 0.25)]
        for ws in W:
            h = checkpoint(mlp_block, h, ws) if kept else mlp_block(h, ws)
        for row in W:
            for r in row:
                for w in r:
                    w.grad = 0.0
        out = sum((t * t for t in h), Value(0.0))
        out.backward()
        return [w.grad for row in W for r in row for w in r]

    plain, kept = loss(False), loss(True)
    assert any(g != 0.0 for g in plain)
    assert same_bits(kept, plain)


def test_the_inner_graph_is_dropped_and_the_results_read_the_outside_values_in_creation_order() -> None:
    x, w = Value(3.0), Value(0.5)  # made in this order, though x's data is the larger
    def f(t):
        out = ((t * w).tanh() * 3 + 1).exp()
        out.label = "out"
        return out

    y = checkpoint(f, x)
    assert y._op == "checkpoint" and list(y._prev) == [x, w] and y.label == "out"
    assert topological_order(y) == [x, w, y]


def test_leading_to_collects_into_a_set_of_its_own_when_given_none() -> None:
    from engine.reverse import leading_to

    x, t = Value(2.0), Value(0.0)
    y = x * t ** 0.5
    assert [v._op for v in leading_to(topological_order(y), [x])] == ["*"]


def test_a_deep_chain_in_square_root_segments_backpropagates_without_recursion() -> None:
    n, k = 40_000, 200

    def chain(t, m=k):
        for _ in range(m):
            t = t + t.sin() * 1e-4
        return t

    x = Value(0.5)
    y = x
    for _ in range(n // k):
        y = checkpoint(chain, y)
    assert len(topological_order(y)) == n // k + 1
    y.backward()
    # the same recurrence differentiated by hand: d t_{i+1} / d t_i = 1 + 1e-4 cos(t_i)
    t, d = 0.5, 1.0
    for _ in range(n):
        d *= 1 + 1e-4 * math.cos(t)
        t = t + math.sin(t) * 1e-4
    assert math.isclose(x.grad, d, rel_tol=1e-9)
    assert bits(y.data) == bits(t)


def test_backward_twice_adds_the_gradient_twice_as_without_checkpoints() -> None:
    x = Value(0.7)
    y = checkpoint(lambda t: (t * t).sin(), x)
    y.backward()
    once = x.grad
    y.backward()
    assert x.grad == 2 * once and math.isclose(once, 2 * 0.7 * math.cos(0.49), rel_tol=1e-15)


def test_several_results_a_repeated_one_an_input_returned_and_a_constant() -> None:
    x, z = Value(1.5), Value(-0.5)
    def f(t, u):
        p = t * u
        return p, (t + u).exp(), p, t, 4.0

    a, b, a2, same, c = checkpoint(f, x, z)
    assert a is a2 and same is x and c == 4.0
    (a * 2 + b + a2).backward()
    # d/dx (3xz + e^(x+z)) = 3z + e^(x+z); d/dz = 3x + e^(x+z)
    assert math.isclose(x.grad, 3 * -0.5 + math.e, rel_tol=1e-15)
    assert math.isclose(z.grad, 3 * 1.5 + math.e, rel_tol=1e-15)


def test_a_tuple_stays_a_tuple_and_an_unused_result_gets_no_adjoint() -> None:
    x = Value(0.3)
    out = checkpoint(lambda t: (t.exp(), t.sin()), x)
    assert isinstance(out, tuple) and len(out) == 2
    out[1].backward()
    assert math.isclose(x.grad, math.cos(0.3), rel_tol=1e-15)


def test_random_numbers_from_the_random_module_are_replayed() -> None:
    def noisy(t):
        return t * random.gauss(0.0, 1.0) + random.random()

    random.seed(5)
    x = Value(2.0)
    y = checkpoint(noisy, x)
    after = random.random()
    y.backward()
    random.seed(5)
    factor = random.gauss(0.0, 1.0)
    assert x.grad == factor
    random.seed(5)
    noisy(Value(2.0)), random.random()
    # backward put the stream back where the forward pass left it
    random.seed(5)
    noisy(Value(0.0))
    assert random.random() == after


def test_a_result_that_is_no_longer_a_value_and_random_draws_not_preserved_are_clear_errors() -> None:
    calls = []

    def f(t):
        calls.append(1)
        a = t * 2
        c = a * 1.0
        return [a, c] if len(calls) == 1 else [5.0, c]  # the same nodes, but a number where a result was

    a, c = checkpoint(f, Value(2.0))
    with pytest.raises(RecomputeError, match=r"result 0 was 4.0 and is now 5.0\)"):
        (a + c).backward()
    random.seed(0)
    y = checkpoint(lambda t: t * random.random(), Value(1.0), preserve_random=False)
    with pytest.raises(RecomputeError, match="result 0 was"):
        y.backward()  # not replayed: the second draw differs


def test_a_function_that_computes_something_else_the_second_time_is_a_clear_error() -> None:
    own = random.Random(1)  # a generator of its own: checkpoint cannot replay it
    x = Value(2.0)
    y = checkpoint(lambda t: t * own.random(), x, preserve_random=False)
    with pytest.raises(RecomputeError, match=r"<lambda> gave something else .*result 0 was .* and is now"):
        y.backward()
    scale = [3.0]
    y = checkpoint(lambda t: t * scale[0], x)
    scale[0] = 4.0  # what f reads changed between the passes
    with pytest.raises(RecomputeError, match=r"result 0 was 6.0 and is now 8.0"):
        y.backward()
    deeper = [False]
    y = checkpoint(lambda t: (t.exp() if deeper[0] else t).sin(), x)
    deeper[0] = True  # and with it what f records: t, sin (2 nodes), then t, exp, sin
    with pytest.raises(RecomputeError, match="recorded 2 nodes reading 1 outside Values, where the first run "
                                             "recorded 1 reading 1"):
        y.backward()


def test_a_lambda_that_sees_a_loop_variables_last_value_is_named_as_the_cause() -> None:
    W = [Value(2.0), Value(3.0)]
    h = Value(1.0)
    for w in W:
        h = checkpoint(lambda t: t * w, h)  # every lambda reads the last w by the time backward runs
    with pytest.raises(RecomputeError) as caught:
        h.backward()
    assert str(caught.value) == (
        "checkpoint: <lambda> gave something else when run again for the backward pass (it read other outside "
        "Values than the first run did; a lambda made in a loop sees the loop variable's last value, so pass such "
        "Values as arguments: checkpoint(f, x, weights)), so its gradient would be wrong. f must compute the same "
        "thing each time: pass random numbers in as arguments or draw them from the random module (whose state "
        "checkpoint replays), and do not change what f reads between the forward and the backward pass (a module's "
        "train or eval mode, say)")


def test_no_grad_and_compile_run_f_as_it_is() -> None:
    with no_grad():
        y = checkpoint(lambda t: t * 3, Value(2.0))
    assert y.data == 6.0 and y._prev == ()
    program = compile(lambda t: checkpoint(lambda u: (u * u).tanh(), t), 1.0)
    r = program(0.5)
    assert r.value == math.tanh(0.25) and math.isclose(r.grads[0], (1 - math.tanh(0.25) ** 2), rel_tol=1e-15)
    assert all(not op.recomputes for op in program.tape.op_list)  # traced through: f ran as it is


def test_compiling_a_function_that_reads_an_older_checkpoint_result_is_a_clear_error() -> None:
    w = Value(0.7)
    y = checkpoint(lambda t: (t * t).sin(), w)
    with pytest.raises(TraceError, match="a result of engine.checkpoint made before the trace; call checkpoint "
                                         "inside f"):
        compile(lambda x: x * y, 2.0)


def test_forward_mode_and_hvp_through_a_checkpoint_agree_with_finite_differences() -> None:
    f = lambda v: checkpoint(lambda a, b: a * a * b.exp() + (a * b).sin(), v[0], v[1])  # noqa: E731
    for x in ([0.3, 0.4], [-1.0, 0.5]):
        value, tangent = jvp(lambda a, b: f([a, b]), x, [1.0, -2.0])
        fd = derivative(lambda t: f([Value(x[0] + t), Value(x[1] - 2 * t)]).data, 0.0)
        assert math.isclose(tangent, fd, rel_tol=1e-7)
        for mode in ("forward-over-reverse", "reverse-over-reverse"):
            hv = hvp(f, x, [1.0, 2.0], mode=mode)
            for i in range(2):
                gi = lambda t: grad(f)([x[0] + t, x[1] + 2 * t])[i].data  # noqa: E731
                assert math.isclose(hv[i], derivative(gi, 0.0), rel_tol=1e-6)


def test_a_checkpoint_node_prints_explains_and_steps_by_its_rule() -> None:
    x = Value(0.5, label="x")
    y = checkpoint(lambda t: t * (t * t).sin(), x)
    y.label = "y"
    text = str(y._backward)
    assert text.startswith("def _backward():") and "sin(" in text and "cos(" in text
    y.grad = 1.0
    y._backward()  # the closure micrograd's loop would call: the same partial as backward()
    assert math.isclose(x.grad, math.sin(0.25) + 2 * 0.25 * math.cos(0.25), rel_tol=1e-15)
    import io
    out = io.StringIO()
    explain(y, wrt=x, file=out)
    assert "checkpoint" in out.getvalue() and "✓" in out.getvalue()


def test_a_branch_that_does_not_lead_to_the_wanted_input_is_not_differentiated() -> None:
    # sqrt'(0) does not exist; grad in x alone never needs it, with or without the checkpoint
    t = Value(0.0)
    f = lambda x: checkpoint(lambda a, b: a * a + b.sqrt(), x, t)  # noqa: E731
    assert grad(f)(3.0).data == 6.0


def test_bad_arguments_are_clear_errors() -> None:
    with pytest.raises(TypeError, match="f must be a function, got int 3"):
        checkpoint(3, Value(1.0))
    with pytest.raises(TypeError, match="f must return a Value, a number, or a flat list or tuple of them, got str"):
        checkpoint(lambda t: "no", Value(1.0))
    with pytest.raises(TypeError, match="got a list holding a list; flatten it"):
        checkpoint(lambda t: [[t * 2], [t * 3]], Value(1.0))


def test_a_hand_made_node_inside_a_checkpoint_is_named_when_a_mode_needs_its_rule() -> None:
    def f(t):
        out = Value(math.tanh(t.data), (t,), "tanh")

        def _backward():
            t.grad += (1 - out.data ** 2) * out.grad

        out._backward = _backward
        return out * 2

    x = Value(0.5)
    y = checkpoint(f, x)
    y.backward()  # eager backward runs the hand-made closure, recomputed
    assert math.isclose(x.grad, 2 * (1 - math.tanh(0.5) ** 2), rel_tol=1e-15)
    with pytest.raises(TypeError, match="a checkpoint's replay needs each op's derivative rule, but hand-made 'tanh'"):
        hvp(lambda v: checkpoint(f, v[0]), [0.5], [1.0])  # forward-over-reverse carries f's nodes over to duals


def test_numbers_that_differ_inside_are_caught_even_when_the_results_agree() -> None:
    from nn import Dropout

    refused = 0
    for seed in range(12):  # a generator of the layer's own: its second mask may differ, though the sum may not
        draws = random.Random(seed)
        first = [2.0 if draws.random() >= 0.5 else 0.0 for _ in range(2)]  # the forward pass's mask, scaled
        drop = Dropout(0.5, seed=seed)
        x = [Value(1.0), Value(1.0)]
        y = checkpoint(lambda a, b: sum(drop([a, b]), Value(0.0)), *x)
        try:
            y.backward()
        except RecomputeError as e:
            assert "gave something else" in str(e)
            refused += 1
            continue
        assert [v.grad for v in x] == first  # the mask came out the same twice: the gradient is right
    assert refused >= 4  # seeds 1 and 3, whose masks differ but whose sums agree, among them


def test_a_namedtuple_comes_back_as_one() -> None:
    from collections import namedtuple

    Pair = namedtuple("Pair", "first second")
    x = Value(0.5)
    out = checkpoint(lambda t: Pair(t * 2, t.exp()), x)
    assert isinstance(out, Pair) and out.first._op == "checkpoint"
    out.second.backward()
    assert math.isclose(x.grad, math.exp(0.5), rel_tol=1e-15)


@pytest.mark.parametrize("first, second", [(lambda t: t * 1.0, lambda t: t / 1.0),  # another op, the same numbers
                                           (lambda t: t.leaky_relu(0.1), lambda t: t.leaky_relu(0.2))])  # another parameter
def test_another_op_or_parameter_with_the_same_numbers_is_caught(first, second) -> None:
    calls = []

    def f(t):
        calls.append(1)
        return (first if len(calls) == 1 else second)(t)

    y = checkpoint(f, Value(3.0))
    with pytest.raises(RecomputeError) as caught:
        y.backward()
    assert "for the backward pass (its results agree, but numbers inside it differ), so its gradient would be " \
        "wrong" in str(caught.value)


def test_a_result_beside_a_value_may_be_an_unhashable_number() -> None:
    import numpy as np

    x = Value(2.0)
    y, three = checkpoint(lambda t: [t * t * t, np.array(3.0)], x)
    assert three == 3.0 and y.data == 8.0
    y.backward()
    assert x.grad == 12.0  # d/dx x^3 = 3 x^2


def test_a_checkpoint_inside_a_checkpoint_differentiates_only_what_leads_to_wrt() -> None:
    """engine.reverse.reverse_pass: a recomputed segment is cut to the nodes leading to the wanted Values, and so is
    a segment recomputed inside it. The inner t ** 0.5 at t = 0 (a target's square root, say) has no derivative,
    and none is needed for d/dw: differentiated anyway, it raised. By hand: d(3(w² + √t))/dw = 6w = 12."""
    from engine.reverse import isolated_gradients

    w, t = Value(2.0, label="w"), Value(0.0, label="t")
    out = checkpoint(lambda w, t: checkpoint(lambda w, t: w * w + t ** 0.5, w, t) * 3.0, w, t)
    assert [g.data for g in isolated_gradients(out, [w])] == [12.0]
    assert (w.grad, t.grad) == (0.0, 0.0)  # isolated: the grads are left as they were
    # the inner segment's input made inside the outer one: d(3((2w)² + √t))/dw = 24w = 48, reached through it
    out = checkpoint(lambda w, t: checkpoint(lambda a, t: a * a + t ** 0.5, w * 2.0, t) * 3.0, w, t)
    assert [g.data for g in isolated_gradients(out, [w])] == [48.0]
