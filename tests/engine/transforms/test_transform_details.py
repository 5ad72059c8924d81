"""Small contracts of the transforms: arguments cut back into groups, explain's local terms and its refusal."""

import pytest

import engine
from engine import Value
from engine.transforms.explain import local_terms
from engine.arguments import regroup


def test_flat_results_are_cut_back_into_their_arguments() -> None:
    assert regroup([1, 2, 3, 4, 5, 6], [1, None, 2, 2]) == [[1], 2, [3, 4], [5, 6]]
    assert regroup([1, 2, 3], [None, None, None]) == [1, 2, 3]
    assert regroup([1, 2, 3], [3], join=tuple) == [(1, 2, 3)]


def test_local_terms_show_an_ops_constant() -> None:
    x = Value(2.0, label="x")
    assert local_terms(x ** 3, ["x"]) == [("3·x^2", 12.0)]  # d x^3/dx = 3x^2 = 12 at 2
    assert local_terms(x.leaky_relu(0.1), ["x"]) == [("(1 if x > 0 else 0.1)", 1.0)]


def test_explain_refuses_a_hand_made_node_naming_itself() -> None:
    a = Value(2.0)
    out = Value(4.0, (a,), "sq")
    out._backward = lambda: None
    with pytest.raises(TypeError) as caught:
        engine.explain(out * a, wrt=a)
    assert str(caught.value) == (
        "explain needs each op's derivative rule, but hand-made 'sq' node with data=4.0 has a hand-written "
        "_backward closure, which only eager backward() can run. Define the op with @engine.op(derivative=...) "
        "to use it in every mode")
