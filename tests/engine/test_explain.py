"""explain, backward_steps and table: the chain rule written out, checked against the engine."""

import io
import re

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
