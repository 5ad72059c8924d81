"""micrograd's `_backward` closures, made from each op's rule, and nodes made by hand as in the lecture."""

import math
from typing import Dict, List

import pytest
from hypothesis import given, strategies as st

import engine
from engine import Value, ops
from engine.closures import backward_source
from engine.testing.oracles import TORCH_MISSING

# Every op with a small input where it is smooth, and how to apply it to Values.
CASES = {
    "add": (lambda a, b: a + b, [0.7, -1.3]),
    "sub": (lambda a, b: a - b, [0.7, -1.3]),
    "mul": (lambda a, b: a * b, [0.7, -1.3]),
    "div": (lambda a, b: a / b, [0.7, -1.3]),
    "neg": (lambda a: -a, [0.7]),
    "pow": (lambda a: a ** 3, [0.7]),
    "rpow": (lambda a: 2.5 ** a, [0.7]),
    "vpow": (lambda a, b: a ** b, [0.7, -1.3]),
    "exp": (lambda a: a.exp(), [0.7]),
    "log": (lambda a: a.log(), [0.7]),
    "sqrt": (lambda a: a.sqrt(), [0.7]),
    "sin": (lambda a: a.sin(), [0.7]),
    "cos": (lambda a: a.cos(), [0.7]),
    "tanh": (lambda a: a.tanh(), [0.7]),
    "sigmoid": (lambda a: a.sigmoid(), [0.7]),
    "softplus": (lambda a: a.softplus(), [0.7]),
    "relu": (lambda a: a.relu(), [0.7]),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), [-0.7]),
    "abs": (lambda a: a.abs(), [-0.7]),
    "sum": (lambda a, b, c: engine.sum([a, b, c]), [0.7, -1.3, 2.0]),
    "dot": (lambda a, b, c: engine.dot([a, b], [c, a], bias=b), [0.7, -1.3, 2.0]),
    "logsumexp": (lambda a, b, c: engine.logsumexp([a, b, c]), [0.7, -1.3, 2.0]),
    "stop_gradient": (lambda a, b: ops.STOP(a) * b, [0.7, -1.3]),
    "round": (lambda a: a.round(), [0.7]),
    "floor": (lambda a: a.floor(), [0.7]),
    "sign": (lambda a: a.sign(), [-0.7]),
    "step": (lambda a: a.step(), [0.7]),
    "straight_through": (lambda a, b: engine.straight_through(a, lambda _: b), [0.7, -1.3]),
}

# What the printed closures may call, bound to plain math: an independent reading of the text.
NAMES = {"exp": math.exp, "log": math.log, "sin": math.sin, "cos": math.cos,
         "sigmoid": lambda x: 1 / (1 + math.exp(-x)), "sign": lambda x: float((x > 0) - (x < 0))}


def test_every_op_has_a_case() -> None:
    all_ops = {name for name, v in vars(ops).items() if isinstance(v, ops.Op)}
    assert len(CASES) == len(all_ops)


@pytest.mark.parametrize("name", sorted(CASES))
def test_calling_the_closure_adds_grad_times_local_derivatives(name: str) -> None:
    f, xs = CASES[name]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.grad = 1.7
    out._backward()
    got = [v.grad for v in leaves]
    for v in leaves:
        v.grad = 0.0
    out.backward()  # the engine's pass, seeded with 1
    assert got == pytest.approx([1.7 * v.grad for v in leaves], rel=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_printed_closure_is_true_python(name: str) -> None:
    # Run the text the learner reads on real objects, and get the same grads as calling the closure.
    f, xs = CASES[name]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    parents = list(out._prev)
    text = str(out._backward)
    assert text.startswith("def _backward():")
    namespace: Dict[str, object] = dict(NAMES, out=out, xs=parents, self=parents[0],
                                        other=parents[1] if len(parents) > 1 else None)
    exec(text, namespace)
    out.grad = -0.6
    namespace["_backward"]()
    from_text = [v.grad for v in parents]
    for v in parents:
        v.grad = 0.0
    out._backward()
    assert from_text == pytest.approx([v.grad for v in parents], rel=1e-12)


def test_closures_read_as_in_the_lecture() -> None:
    a, b = Value(2.0), Value(-3.0)
    assert str((a * b)._backward).splitlines()[1:] == ["    self.grad += other.data * out.grad",
                                                        "    other.grad += self.data * out.grad"]
    assert str(a.tanh()._backward).splitlines()[1] == "    self.grad += (1 - out.data**2) * out.grad"
    assert str((a + b)._backward).splitlines()[1:] == ["    self.grad += out.grad", "    other.grad += out.grad"]
    assert str((a ** 3)._backward).splitlines()[1] == "    self.grad += 3 * self.data**2 * out.grad"
    assert repr((a * b)._backward) == ("<_backward of mul: self.grad += other.data * out.grad; "
                                       "other.grad += self.data * out.grad>")


def test_closure_text_comes_from_the_rule() -> None:
    # A new op's closure prints from its rule alone: nothing is written per op.
    @engine.op(derivative=lambda x, out: (3 * x * x + out,))
    def cubic(x: float) -> float:
        return x ** 3

    assert backward_source(cubic, 1) == "def _backward():\n    self.grad += (3 * self.data * self.data + out.data) * out.grad"


def test_a_big_fused_node_shows_its_first_lines() -> None:
    xs = [Value(float(i)) for i in range(20)]
    text = str(engine.sum(xs)._backward)
    assert text.count("\n") == 8 and "and 13 more lines" in text


def test_a_leaf_backward_does_nothing_and_op_names() -> None:
    a = Value(1.0)
    assert a._backward() is None and a.grad == 0.0
    a.grad = 0.25
    a._backward()  # micrograd's lambda: None: nothing to send, nothing changed
    assert a.grad == 0.25 and a._backward is Value(3.0)._backward
    assert str(a._backward) == "def _backward():\n    pass  # a leaf: no inputs to pass anything on to"
    assert repr(a._backward) == "<_backward of a leaf: nothing to pass on>"
    assert a.relu()._op == "ReLU" and (a ** 2)._op == "**2" and (a * 2)._op == "*" and a._op == ""


# -- the lecture (nn-zero-to-hero, micrograd) ------------------------------------------------------


def lecture_neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    n = x1w1 + x2w2 + b
    return (x1, x2, w1, w2, b), [x1w1, x2w2, n]


def test_the_lecture_neuron_by_backward_and_by_calling_each_closure() -> None:
    # By hand: o = tanh(n), do/dn = 1 - o^2 = 0.5; then x1 gets w1 * 0.5, w1 gets x1 * 0.5, ...
    want = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    (x1, x2, w1, w2, b), (x1w1, x2w2, n) = lecture_neuron()
    o = n.tanh()
    o.backward()
    assert o.data == pytest.approx(math.sqrt(0.5), rel=1e-15)
    assert {v.label: v.grad for v in (x1, x2, w1, w2, b)} == pytest.approx(want, rel=1e-12)
    # The lecture's manual pass: seed o.grad, then call each _backward from the top.
    (x1, x2, w1, w2, b), (x1w1, x2w2, n) = lecture_neuron()
    o = n.tanh()
    o.grad = 1.0
    for node in [o, n, n._prev[0], x1w1, x2w2, b]:
        node._backward()
    assert {v.label: v.grad for v in (x1, x2, w1, w2, b)} == pytest.approx(want, rel=1e-12)


def my_tanh(x: Value) -> Value:
    """The lecture's tanh, written by hand in micrograd's constructor form."""
    t = (math.exp(2 * x.data) - 1) / (math.exp(2 * x.data) + 1)
    out = Value(t, (x,), "tanh")

    def _backward() -> None:
        x.grad += (1 - t ** 2) * out.grad

    out._backward = _backward
    return out


def test_a_hand_written_closure_runs_inside_backward() -> None:
    (x1, x2, w1, w2, b), (x1w1, x2w2, n) = lecture_neuron()
    o = my_tanh(n)
    assert o._op == "tanh" and o._prev == (n,)
    o.backward()
    assert [x1.grad, w1.grad, x2.grad, w2.grad] == pytest.approx([-1.5, 1.0, 0.5, 0.0], rel=1e-12)
    steps = [str(s) for s in o.backward_steps()]
    assert steps[0].startswith("tanh: adjoint 1 -> + += 0.5")


def test_a_plus_a_counts_both_uses() -> None:
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0  # the lecture's bug, fixed: both edges count


def test_the_lecture_exercise_with_sin() -> None:
    # f(a, b, c) = -a^3 + sin(3b) - 1/c + b^2.5 - a^0.5, differentiated by hand:
    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    f = -a ** 3 + (3 * b).sin() - 1.0 / c + b ** 2.5 - a ** 0.5
    f.backward()
    assert a.grad == pytest.approx(-3 * 2.0 ** 2 - 0.5 * 2.0 ** -0.5, rel=1e-12)  # -12.3536
    assert b.grad == pytest.approx(3 * math.cos(9.0) + 2.5 * 3.0 ** 1.5, rel=1e-12)  # 10.2570
    assert c.grad == pytest.approx(1 / 16, rel=1e-12)
    with pytest.raises(TypeError, match="cut the gradient"):
        -a ** 3 + math.sin(3 * b)  # the trap that gave b.grad 12.99 with no error


@given(st.lists(st.floats(-2, 2), min_size=3, max_size=3), st.lists(st.booleans(), min_size=4, max_size=4))
def test_hand_written_nodes_mixed_with_rule_nodes_match_pytorch(xs: List[float], by_hand: List[bool]) -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    tanh = [my_tanh if h else Value.tanh for h in by_hand]
    a, b, c = (Value(x) for x in xs)
    y = tanh[0](a * b + c) * tanh[1](b - c * a) + tanh[2](tanh[3](a + a) * c)
    y.backward()
    ta, tb, tc = (torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs)
    ty = torch.tanh(ta * tb + tc) * torch.tanh(tb - tc * ta) + torch.tanh(torch.tanh(ta + ta) * tc)
    ty.backward()
    assert y.data == pytest.approx(ty.item(), rel=1e-12, abs=1e-15)
    assert [a.grad, b.grad, c.grad] == pytest.approx([t.grad.item() for t in (ta, tb, tc)], rel=1e-9, abs=1e-12)


# compile refuses earlier, where the closure's op reads x.data to compute its number (a TraceError).
@pytest.mark.parametrize("mode, run, error, says", [
    ("create_graph", lambda y: y.backward(create_graph=True), TypeError, "hand-written _backward.*@engine.op"),
    ("grad", lambda y: engine.grad(lambda t: my_tanh(t) * t)(0.3), TypeError, "hand-written _backward.*@engine.op"),
    ("jvp of grad", lambda y: engine.jvp(engine.grad(lambda t: my_tanh(t) * t), (0.3,), (1.0,)), TypeError,
     "hand-written _backward.*@engine.op"),
    ("compile", lambda y: engine.compile(lambda t: my_tanh(t) * t, 0.3), engine.TraceError,
     r"reads \.data of leaf with data=0\.3.*a node made by hand needs @engine\.op"),
    ("explain", lambda y: engine.explain(y, wrt=y._prev[1]), TypeError, "hand-written _backward.*@engine.op"),
])
def test_modes_that_need_a_rule_refuse_hand_written_nodes(mode: str, run, error, says: str) -> None:
    x = Value(0.3)
    y = my_tanh(x) * x
    with pytest.raises(error, match=says):
        run(y)


def test_hand_made_nodes_refuse_clearly_inside_jvp() -> None:
    with pytest.raises(TypeError, match="_children must be Values.*@engine.op"):
        engine.jvp(my_tanh, (0.3,), (1.0,))


def test_a_hand_made_node_without_a_closure_is_an_error_not_a_zero() -> None:
    a = Value(2.0)
    out = Value(4.0, (a,), "square")
    with pytest.raises(AttributeError, match="has parents but no _backward"):
        out.backward()


def test_replacing_an_op_nodes_closure_makes_it_hand_made() -> None:
    a = Value(2.0)
    out = a * 3
    out._backward = lambda: setattr(a, "grad", a.grad + 100 * out.grad)
    out.backward()
    assert a.grad == 100.0 and out._op == "*"
    with pytest.raises(TypeError, match="hand-written"):
        out.backward(create_graph=True)


def test_micrograd_constructor_form_and_its_errors() -> None:
    a = Value(1.0)
    v = Value(2.0, (a,), "f", label="v")
    assert (v.data, v._prev, v._op, v.label) == (2.0, (a,), "f", "v")
    with pytest.raises(TypeError, match="label='x'"):
        Value(1.0, "x")
    with pytest.raises(TypeError, match="_children must be Values.*float"):
        Value(1.0, (2.0,))
    with pytest.raises(TypeError, match="_backward must be a function"):
        v._backward = 3


def test_values_take_attributes_of_your_own() -> None:
    p = Value(1.0)
    p.m, p.v = 0.0, 0.0  # an optimizer's moments, as in LLM101n's micrograd
    p.m = 0.9 * p.m + 0.1 * 2.0
    assert p.m == pytest.approx(0.2) and vars(p) == {"m": pytest.approx(0.2), "v": 0.0}
    assert (p * 2).data == 2.0  # no effect on the graph


def test_a_nodes_backward_is_one_object_kept_until_a_closure_replaces_it() -> None:
    import copy

    a, b = Value(2.0), Value(-3.0)
    out = a * b
    kept = out._backward
    assert out._backward is kept and (out * 1)._backward is not kept  # one per node
    twin = copy.copy(out)
    assert twin._backward is twin._backward and twin._backward.out is twin and out._backward is kept
    out.grad = 1.0
    kept()  # the kept closure is the node's step: it sends the grad on
    assert (a.grad, b.grad) == (-3.0, 2.0)

    def mine() -> None:
        a.grad += 100.0

    out._backward = mine
    assert out._backward is mine and "_rule" not in out.__dict__

