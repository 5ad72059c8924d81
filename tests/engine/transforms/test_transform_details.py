"""Small contracts of the transforms: arguments cut back into groups, explain's local terms and its refusal."""

import pytest

import engine
from engine import Value, checkpoint, jvp, newton_step
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


def test_local_terms_keep_a_label_holding_an_equals_sign_whole() -> None:
    """A drawing's edge label is the rule alone, however the inputs are named: once it was cut at the first " = ",
    which a label such as "k = 2" holds too. Unnamed, a sum's inputs are v0, v1, ..."""
    k = Value(2.0, label="k = 2")
    t = 1 - (k.tanh().data) ** 2
    assert local_terms(k.tanh(), ["k = 2"]) == [("1 - tanh(k = 2)^2", pytest.approx(t, rel=1e-15))]
    assert local_terms(engine.sum([k, k, k])) == [("1", 1.0)] * 3


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


def test_a_singular_hessian_is_refused_in_words() -> None:
    """engine.transforms.second_order newton_step: the message's text."""
    with pytest.raises(ValueError) as caught:
        newton_step(lambda v: v[0] + v[1], [1.0, 2.0])  # a plane: its Hessian is 0
    assert str(caught.value) == ("newton_step: the Hessian is singular at x (no pivot in column 0), so Newton's step "
                                 "is not defined there; take a gradient step, or damp it")


def test_a_nan_primal_is_named_by_its_place() -> None:
    """engine.transforms.forward jvp: the primal's name in the message."""
    with pytest.raises(ValueError, match=r"^jvp: primal 1 must not be nan, got nan$"):
        jvp(lambda a, b: a * b, (1.0, float("nan")), (1.0, 0.0))


def test_a_checkpoint_whose_results_get_no_gradient_is_not_run_again() -> None:
    """engine.transforms.checkpoint Recompute.continue_backward: results with a zero (float) gradient skip the
    recomputation, which only costs time, so the profile is what sees it."""
    x = Value(0.3)
    with engine.profile() as prof:
        y = checkpoint(lambda t: (t * 2.0).tanh(), x)
        (y * 0.0 + x).backward()  # y's gradient is 0.0: nothing to send through the segment
    assert "recompute" not in {r.phase for r in prof.rows}
    assert x.grad == 1.0
