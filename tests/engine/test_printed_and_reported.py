"""What the engine prints and reports, word for word: closures, reprs, hand-made nodes, anomaly sites."""

import math
import os
import re

import pytest

import engine
from engine import Value

ENGINE_DIR = os.path.dirname(os.path.abspath(engine.__file__))


def closure(out: Value) -> str:
    return str(out._backward)


def test_closures_print_as_micrograd_writes_them() -> None:
    a, b = Value(2.0), Value(3.0)
    assert closure(a + b) == "def _backward():\n    self.grad += out.grad\n    other.grad += out.grad"
    assert closure(a - b) == "def _backward():\n    self.grad += out.grad\n    other.grad -= out.grad"
    assert closure(-a) == "def _backward():\n    self.grad -= out.grad"
    assert closure(a * b) == ("def _backward():\n    self.grad += other.data * out.grad\n"
                              "    other.grad += self.data * out.grad")
    assert closure(engine.ops.STOP(a)) == "def _backward():\n    pass  # every local derivative is 0"


def test_a_constant_local_derivative_prints_as_a_number() -> None:
    @engine.op(derivative=lambda x, out: (3.0,))
    def triple(x):
        return 3 * x

    @engine.op(derivative=lambda x, out: (-1.0,))
    def negated(x):
        return -x

    x = Value(2.0)
    assert closure(triple(x)) == "def _backward():\n    self.grad += 3 * out.grad"
    assert closure(negated(x)) == "def _backward():\n    self.grad -= out.grad"


@pytest.mark.parametrize("n", [7, 8, 9, 12])
def test_a_wide_node_shows_eight_lines_at_most(n: int) -> None:
    text = closure(engine.sum([Value(float(i)) for i in range(n)]))
    head, *lines = text.split("\n")
    assert head == "def _backward():  # xs = out._prev, in argument order"
    if n <= 8:
        assert lines == [f"    xs[{i}].grad += out.grad" for i in range(n)]
    else:
        assert lines == [f"    xs[{i}].grad += out.grad" for i in range(7)] + [
            f"    ...  # and {n - 7} more lines like these, one per input"]


def test_reprs() -> None:
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0, label="a")) == "Value(data=2.0, grad=0.0, label='a')"
    v = Value(1.0)
    (v * v).backward(create_graph=True)
    assert repr(v) == "Value(data=1.0, grad=Value(2.0))"
    assert f"{Value(2.0)}" == "Value(data=2.0, grad=0.0)" and f"{Value(2.0):.2f}" == "2.00"


@pytest.mark.parametrize("op, label, named", [("square", "s", "hand-made 'square' node 's' with data=4.0"),
                                              ("", "", "hand-made '?' node with data=4.0")])
def test_hand_made_nodes_are_named_in_refusals(op: str, label: str, named: str) -> None:
    a = Value(2.0)
    out = Value(4.0, (a,), op, label=label)
    with pytest.raises(AttributeError) as caught:
        out.backward()
    assert str(caught.value) == (
        f"{named} has parents but no _backward: set out._backward = _backward (a function adding out.grad times "
        f"each local derivative to the parents' grads), or make the node with an op so its rule is used")
    out._backward = lambda: None
    with pytest.raises(TypeError) as caught:
        out.backward(create_graph=True)
    assert str(caught.value) == (
        f"differentiating again (create_graph, grad, hessian, jacobian, jvp of grad) needs each op's derivative "
        f"rule, but {named} has a hand-written _backward closure, which only eager backward() can run. Define the "
        f"op with @engine.op(derivative=...) to use it in every mode")
    with pytest.raises(TypeError) as caught:
        out._backward = 3
    assert str(caught.value) == "_backward must be a function of no arguments, got int 3"


def test_calling_a_closure_checks_the_gradient_it_is_given() -> None:
    x = Value(1.0)
    y = x.exp()
    y.grad = math.inf
    with pytest.raises(OverflowError, match=r"^backward: the gradient reaching exp with x=1\.0 is inf$"):
        y._backward()
    assert x.grad == 0.0


SITE = r"(?P<file>[^;]+):(?P<line>\d+)"


def outside_the_engine(path: str) -> bool:
    return os.path.dirname(os.path.abspath(path)) != ENGINE_DIR


def test_anomaly_sites_name_each_operand_once_and_a_file_outside_the_engine() -> None:
    with engine.detect_anomaly():
        x, y = Value(1e308), Value(10.0)  # two leaves of one line: one site
        with pytest.raises(OverflowError) as caught:
            x * y
    found = re.fullmatch(rf"mul: result too large for a float with a=1e\+308, b=10\.0; the leaf was created at "
                         rf"{SITE}; computed at (?P<at>[^;]+):\d+", str(caught.value))
    assert found, str(caught.value)
    assert outside_the_engine(found["file"]) and outside_the_engine(found["at"])


def test_an_infinite_gradient_names_the_op_and_where_it_was_made() -> None:
    with engine.detect_anomaly():
        x = Value(0.0, label="x")
        y = x.sqrt()
        with pytest.raises(ZeroDivisionError) as caught:
            y.backward()
    message = str(caught.value)
    found = re.search(rf"; the sqrt was created at {SITE}", message)
    assert found and outside_the_engine(found["file"]), message
    assert "leaf 'x' with data=0.0" in message or "sqrt" in message


def test_without_anomaly_mode_no_site_is_named() -> None:
    x = Value(1e308)
    with pytest.raises(OverflowError) as caught:
        x * 10
    assert str(caught.value) == "mul: result too large for a float with a=1e+308, b=10.0"


def test_backward_steps_print_each_nodes_turn() -> None:
    a, b = Value(2.0, label="a"), Value(3.0)
    d = a * b + b
    d.label = "d"
    assert [str(step) for step in d.backward_steps()] == [
        "d: adjoint 1 -> * += 1, leaf += 1",
        "*: adjoint 1 -> a += 3, leaf += 2",
    ]
    assert (a.grad, b.grad) == (3.0, 3.0)  # d/da = b, d/db = a + 1


def test_stepping_through_a_hand_made_node_reads_what_its_closure_sent() -> None:
    a = Value(2.0, label="a")
    a.grad = 5.0  # what a held before must not count as sent
    out = Value(4.0, (a,), "square", label="out")

    def _backward() -> None:
        a.grad += 2 * a.data * out.grad

    out._backward = _backward
    steps = list(out.backward_steps())
    assert [(s.node, s.adjoint, s.sent) for s in steps] == [(out, 1.0, [(a, 4.0)])]
    assert str(steps[0]) == "out: adjoint 1 -> a += 4"
    y = out + a  # a already holds y's direct share when out's closure runs: only the closure's part is sent
    y.label = "y"
    assert [str(s) for s in y.backward_steps()] == ["y: adjoint 1 -> out += 1, a += 1", "out: adjoint 1 -> a += 4"]
    assert a.grad == 5.0 + 4.0 + (1.0 + 4.0)  # grads accumulate across passes, as in micrograd


def test_an_infinite_gradient_names_the_op_with_its_constant() -> None:
    x = Value(1e-200)
    w = x ** 2.0 * 1e308 * 1e308  # every value finite (0.0), but 1e308 * 1e308 reaches the power
    with pytest.raises(OverflowError) as caught:
        w.backward()
    assert str(caught.value) == "backward: the gradient reaching pow with x=1e-200, k=2.0 is inf"
