"""explain, backward_steps and table: the chain rule written out, checked against the engine, and printed exactly as a
learner reads it (a derivation the engine disagrees with is flagged)."""

import io
import math
import re
from typing import List

import pytest

import engine
from engine import Value, explain, table
from engine.testing import close


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, x1, w1


def explained(y, x, **kwargs) -> str:
    out = io.StringIO()
    explain(y, wrt=x, file=out, **kwargs)
    return out.getvalue()


def test_the_lecture_neuron_path_by_path() -> None:
    o, x1, w1 = neuron()
    text = explained(o, w1)
    assert "1 path from w1 to o" in text
    assert "d tanh(u)/du = 1 - tanh(u)^2 = 0.5" in text  # tanh(0.8814) = 1/sqrt(2)
    assert "d (a·b)/db = a = 2" in text
    o.backward()
    assert f"{w1.grad:.6g}" in text.splitlines()[-1] and text.rstrip().endswith("✓")
    assert close(w1.grad, 1.0, rel=1e-12)  # (1 - 1/2) * x1 = 1


def test_fan_out_gives_one_path_per_use_and_sums_them() -> None:
    x = Value(1.5, label="x")
    y = (x * x).sin() + x
    y.label = "y"
    text = explained(y, x)
    products = [float(p) for p in re.findall(r"product = (\S+)", text)]
    assert len(products) == 3
    y.backward()
    assert close(sum(products), x.grad, rel=1e-5)  # printed to 6 digits


def test_many_paths_are_grouped_by_node() -> None:
    x = Value(0.9, label="x")
    y = x
    for _ in range(8):
        y = y * y  # 2^8 paths
    text = explained(y, x, max_paths=10)
    assert "256 paths" in text and "grouped by node" in text and "adj(x) =" in text
    assert text.rstrip().endswith("✓")


def test_independent_output() -> None:
    x, z = Value(1.0, label="x"), Value(2.0, label="z")
    assert "does not depend on x" in explained(z * z, x)


def test_backward_steps_walk_the_graph_and_end_where_backward_ends() -> None:
    o, x1, w1 = neuron()
    steps = list(o.backward_steps())
    assert [s.node.label or s.node._op for s in steps][:2] == ["o", "n"]
    stepped = {v.label: v.grad for v in (x1, w1)}
    first = steps[0]
    assert first.adjoint == 1.0 and close(first.sent[0][1], 0.5, rel=1e-12)
    for v in (x1, w1):
        v.grad = 0.0
    o.backward()
    assert stepped == {v.label: v.grad for v in (x1, w1)}


def test_table_lists_every_node() -> None:
    o, x1, w1 = neuron()
    o.backward()
    out = io.StringIO()
    table(o, file=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["node", "op", "data", "grad", "local", "derivatives", "consumers"]
    assert len(lines) == 1 + 10  # 5 leaves, 2 products, 2 sums, tanh
    tanh_row = next(line for line in lines if line.startswith("o "))
    assert "tanh" in tanh_row and "0.5" in tanh_row


def explained_text(y: Value, wrt: Value, **kwargs) -> str:
    out = io.StringIO()
    explain(y, wrt=wrt, file=out, **kwargs)
    return out.getvalue()


def fan_out(label: bool = True):
    """y = x*x + x at x = 3: three paths (two through the product, one direct), dy/dx = 2x + 1 = 7."""
    x = Value(3.0, label="x" if label else "")
    y = x * x + x
    if label:
        y.label = "y"
    return y, x


def test_paths_are_numbered_from_one_with_every_factor_indented() -> None:
    y, x = fan_out()
    assert explained_text(y, x) == """\
dy/dx by the chain rule: 3 paths from x to y
path 1: x -> v1 -> y
  dy/dv1: d (a + b)/da = 1   (a = v1, b = x)
  dv1/dx: d (a·b)/da = b = 3   (a = x, b = x)
  product = 3
path 2: x -> v1 -> y
  dy/dv1: d (a + b)/da = 1   (a = v1, b = x)
  dv1/dx: d (a·b)/db = a = 3   (a = x, b = x)
  product = 3
path 3: x -> y
  dy/dx: d (a + b)/db = 1   (a = v1, b = x)
  product = 1
sum over paths: dy/dx = 3 + 3 + 1 = 7
reverse mode (what y.backward() adds to x.grad): 7  ✓
"""


def test_unlabelled_nodes_are_named_by_position_everywhere() -> None:
    y, x = fan_out(label=False)
    text = explained_text(y, x)
    assert text.splitlines()[0] == "dv2/dv0 by the chain rule: 3 paths from v0 to v2"
    assert text.splitlines()[-2] == "sum over paths: dv2/dv0 = 3 + 3 + 1 = 7"
    assert text.splitlines()[-1] == "reverse mode (what v2.backward() adds to v0.grad): 7  ✓"


def test_two_paths_are_plural_and_one_path_is_singular() -> None:
    x = Value(2.0, label="x")
    y = x * x
    y.label = "y"
    assert explained_text(y, x).splitlines()[0] == "dy/dx by the chain rule: 2 paths from x to y"
    # tanh(2x) at x = 2: (1 - tanh(4)^2) * 2 = 0.00134095 * 2.
    x = Value(2.0, label="x")
    y = (x * 2.0).tanh()
    y.label = "y"
    assert explained_text(y, x) == """\
dy/dx by the chain rule: 1 path from x to y
path 1: x -> v2 -> y
  dy/dv2: d tanh(u)/du = 1 - tanh(u)^2 = 0.00134095   (u = v2)
  dv2/dx: d (a·b)/da = b = 2   (a = x, b = v1)
  product = 0.0026819
sum over paths: dy/dx = 0.0026819
reverse mode (what y.backward() adds to x.grad): 0.0026819  ✓
"""


@pytest.mark.parametrize("at, build, factor", [
    # The exponent and the slope are the op's parameter: the formula must show them.
    (2.0, lambda x: x ** 3, "  dy/dx: d (u^3)/du = 3·u^2 = 12   (u = x)"),
    (-2.0, lambda x: x.leaky_relu(0.1), "  dy/dx: d leaky_relu(u, 0.1)/du = (1 if u > 0 else 0.1) = 0.1   (u = x)"),
])
def test_a_factor_shows_the_ops_parameter(at: float, build, factor: str) -> None:
    x = Value(at, label="x")
    y = build(x)
    y.label = "y"
    assert explained_text(y, x).splitlines()[2] == factor


def test_a_many_input_sum_names_each_of_its_inputs() -> None:
    x = Value(0.5, label="x")
    s = engine.sum([x, x * x, Value(2.0, label="c")])
    s.label = "s"
    assert explained_text(s, x) == """\
ds/dx by the chain rule: 3 paths from x to s
path 1: x -> s
  ds/dx: d (v0 + v1 + v2)/dv0 = 1   (v0 = x, v1 = v1, v2 = c)
  product = 1
path 2: x -> v1 -> s
  ds/dv1: d (v0 + v1 + v2)/dv1 = 1   (v0 = x, v1 = v1, v2 = c)
  dv1/dx: d (a·b)/da = b = 0.5   (a = x, b = x)
  product = 0.5
path 3: x -> v1 -> s
  ds/dv1: d (v0 + v1 + v2)/dv1 = 1   (v0 = x, v1 = v1, v2 = c)
  dv1/dx: d (a·b)/db = a = 0.5   (a = x, b = x)
  product = 0.5
sum over paths: ds/dx = 1 + 0.5 + 0.5 = 2
reverse mode (what s.backward() adds to x.grad): 2  ✓
"""


def test_more_paths_than_max_paths_are_grouped_by_node() -> None:
    y, x = fan_out()
    assert explained_text(y, x, max_paths=2) == """\
dy/dx: 3 paths from x to y, too many to list; grouped by node instead \
(each adjoint = sum over consumers of adjoint x local derivative)
  adj(y) = 1
  adj(v1) = adj(y)·dy/dv1 = 1·1 = 1
  adj(x) = adj(v1)·dv1/dx + adj(v1)·dv1/dx + adj(y)·dy/dx = 1·3 + 1·3 + 1·1 = 7
so dy/dx = adj(x) = 7
reverse mode (what y.backward() adds to x.grad): 7  ✓
"""
    assert explained_text(y, x, max_paths=3).splitlines()[0] == "dy/dx by the chain rule: 3 paths from x to y"


@pytest.mark.parametrize("uses, first", [
    (12, "ds/dx by the chain rule: 12 paths from x to s"),
    (13, "ds/dx: 13 paths from x to s, too many to list; grouped by node instead "
         "(each adjoint = sum over consumers of adjoint x local derivative)"),
])
def test_paths_are_listed_up_to_twelve_by_default(uses: int, first: str) -> None:
    x = Value(1.0, label="x")
    s = engine.sum([x] * uses)
    s.label = "s"
    lines = explained_text(s, x).splitlines()
    assert lines[0] == first
    assert lines[-1] == f"reverse mode (what s.backward() adds to x.grad): {uses}  ✓"


@pytest.mark.parametrize("label, expected", [
    ("w", "y does not depend on w: dy/dw = 0"),
    ("", "y does not depend on x: dy/dx = 0"),  # an unnamed input outside the graph is called x
])
def test_an_input_outside_the_graph(label: str, expected: str) -> None:
    x = Value(2.0, label="x")
    y = x * x
    y.label = "y"
    assert explained_text(y, Value(1.0, label=label)) == expected + "\n"


def test_explain_prints_to_standard_output_by_default(capsys) -> None:
    y, x = fan_out()
    explain(y, wrt=x)
    assert capsys.readouterr().out.splitlines()[-1] == "reverse mode (what y.backward() adds to x.grad): 7  ✓"


def test_explain_needs_values() -> None:
    with pytest.raises(TypeError) as e:
        explain(Value(1.0), 3.0)
    assert str(e.value) == "explain needs Values, got Value and float"


def tripled_by_hand(z: Value) -> Value:
    """3z as the lecture makes a node: micrograd's constructor and a hand-written _backward."""
    h = Value(z.data * 3, (z,), "triple")

    def _backward() -> None:
        z.grad += 3 * h.grad
    h._backward = _backward
    return h


def test_a_hand_written_node_off_the_path_does_not_stop_the_check() -> None:
    # explain checks against the plain float pass, which runs a hand-written _backward.
    h = tripled_by_hand(Value(2.0, label="z"))
    x = Value(1.0, label="x")
    y = h + x
    y.label = "y"
    assert explained_text(y, x).splitlines()[-1] == "reverse mode (what y.backward() adds to x.grad): 1  ✓"


def test_an_exactly_zero_derivative_agrees_with_the_engine() -> None:
    x = Value(-1.0, label="x")
    y = x.relu()
    y.label = "y"
    assert explained_text(y, x).splitlines()[-2:] == [
        "sum over paths: dy/dx = 0", "reverse mode (what y.backward() adds to x.grad): 0  ✓"]


# An op whose rule answers the engine differently from explain: the check must notice, with a
# tolerance relative to the size of the terms summed (here 1 + 1 = 2), not to the tiny derivative.
_answers: List[float] = []


def _drifting_rule(x, out):  # noqa: ANN001
    if isinstance(x, float) and _answers:
        return (_answers.pop(0),)
    return (1.0 + 0 * x,)


@engine.op(derivative=_drifting_rule, name="drift")
def _drift(x: float) -> float:
    return x


@pytest.mark.parametrize("delta, mark", [
    (1.5e-9, "✓"),            # within 1e-9 of the terms' size 2
    (3e-9, "✗ MISMATCH"),     # beyond it
])
def test_the_check_is_relative_to_the_size_of_the_terms(delta: float, mark: str) -> None:
    x = Value(1.0, label="x")
    y = _drift(x) - x  # two paths, products 1 and -1: the chain rule sums to 0
    y.label = "y"
    _answers[:] = [1.0, 1.0 + delta]  # explain's own factor, then the engine's
    lines = explained_text(y, x).splitlines()
    _answers.clear()
    assert lines[-2] == "sum over paths: dy/dx = 1 - 1 = 0"
    assert lines[-1] == f"reverse mode (what y.backward() adds to x.grad): {delta:.6g}  {mark}"


def test_table_shows_every_node_its_uses_and_hand_written_rules() -> None:
    h = tripled_by_hand(Value(2.0, label="z"))
    x = Value(-1.5, label="x")
    y = h * x + x * x  # 6x + x^2: dy/dx = 6 + 2x = 3, dy/dz = 3x = -4.5
    y.label = "y"
    y.backward()
    out = io.StringIO()
    table(y, file=out)
    assert out.getvalue() == """\
node  op      data   grad  local derivatives  consumers
z             2      -4.5  -                  1
v1    triple  6      -1.5  hand-written       1
x             -1.5   3     -                  3
v3    *       -9     1     -1.5, 6            1
v4    *       2.25   1     -1.5, -1.5         1
y     +       -6.75  1     1, 1               0
"""


def test_a_zero_is_written_0_never_minus_0() -> None:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w).relu()  # relu'(-6) = 0 times d(x*w)/dx = w = -3 is -0.0 in floating point
    y.label = "y"
    assert (0.0 * -3.0).hex() == "-0x0.0p+0"  # the sign the text must not show
    text = explained_text(y, x)
    assert "  product = 0" in text.splitlines() and "-0" not in text
    assert text.splitlines()[-2] == "sum over paths: dy/dx = 0"


def test_table_gives_data_to_six_digits_and_grads_to_three() -> None:
    """The docstring's example, pinned where mutation runs see it: tanh(x^2) at x = 2; the grads by hand."""
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.label = "y"
    y.backward()
    d = 1 - math.tanh(4.0) ** 2  # dy/d(x^2)
    assert f"{2 * 2.0 * d:.3g}" == "0.00536" and f"{d:.3g}" == "0.00134" and f"{math.tanh(4.0):.6g}" == "0.999329"
    out = io.StringIO()
    table(y, file=out)
    assert out.getvalue() == """\
node  op    data      grad     local derivatives  consumers
x           2         0.00536  -                  2
v1    *     4         0.00134  2, 2               1
y     tanh  0.999329  1        0.00134095         0
"""
