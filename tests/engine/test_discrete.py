"""Discrete ops: round, floor, sign and step give Python's values with a zero gradient in every mode;
straight_through passes the identity's gradient (against PyTorch's x + (y - x).detach()); argmax and one_hot
refuse to be differentiated."""

import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import engine
from engine import Value, argmax, grad, jacobian, jvp, one_hot, straight_through
from engine.testing import torch_reference

HALVES = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.0, -0.0, 3.0]
EXPECTED = {"round": lambda x: float(round(x)), "floor": lambda x: float(math.floor(x)),
            "sign": lambda x: float(np.sign(x)) + 0.0, "step": lambda x: 1.0 if x > 0 else 0.0}


@pytest.mark.parametrize("name", EXPECTED)
@given(x=st.one_of(st.sampled_from(HALVES), st.floats(-1e6, 1e6)))
def test_values_are_pythons_and_no_gradient_passes(name, x) -> None:
    v = Value(x)
    y = getattr(v, name)() * 3.0 + v
    y.backward()
    assert y.data == EXPECTED[name](x) * 3.0 + x and v.grad == 1.0  # only the + v reaches x
    assert jvp(lambda t: getattr(t, name)(), (x,), (1.0,)) == (EXPECTED[name](x), 0.0)
    assert grad(lambda t: getattr(t, name)())(x).data == 0.0


@pytest.mark.parametrize("name", EXPECTED)
def test_compiled_replays_give_the_same_values_on_numpy_and_torch(name) -> None:
    w = Value(0.25)
    program = engine.compile(lambda x: getattr(x * w + x, name)() + x * w, 1.0)
    xs = np.array([h / 1.25 for h in HALVES] + [3.7, -3.7])  # x * 1.25 lands on the halves
    eager = [getattr(Value(x) * 0.25 + x, name)().data + x * 0.25 for x in xs]
    for backend in ("numpy", "torch") if _has_torch() else ("numpy",):
        r = program.batch(xs, backend=backend)
        assert np.asarray(r.values).tolist() == eager, backend
        assert np.asarray(r.grads[0]).tolist() == [0.25] * len(xs), backend  # the rounded path sends nothing


def _has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


@given(st.floats(-3, 3), st.floats(0.5, 4))
def test_straight_through_matches_pytorch(x, scale) -> None:
    f = lambda t, s: straight_through(t * s, lambda u: u.round()).tanh()  # noqa: E731
    value, grads = torch_reference(f, [x, scale])
    a, b = Value(x), Value(scale)
    y = f(a, b)
    y.backward()
    assert y.data == math.tanh(round(x * scale)) and y.data == pytest.approx(value, abs=1e-15)
    assert [a.grad, b.grad] == pytest.approx(grads, rel=1e-12, abs=1e-15)


def test_straight_through_in_forward_mode_and_compiled() -> None:
    assert jvp(lambda t: straight_through(t * 2.0), (0.7,), (1.0,)) == (1.0, 2.0)
    program = engine.compile(lambda t: straight_through(t, lambda u: u.floor()) * t, 0.3)
    r = program.batch(np.array([0.3, 1.6, -0.4]))
    assert r.values.tolist() == [0.0, 1.6, 0.4]  # floor(t) * t
    assert r.grads[0].tolist() == [0.3 + 0.0, 1.6 + 1.0, -0.4 - 1.0]  # t + floor(t): the floor passed as identity


def test_argmax_and_one_hot_have_no_gradient_and_say_so() -> None:
    assert argmax([Value(0.5), Value(2.0), Value(2.0)]) == 1 and argmax([3.0, 1.0]) == 0  # first of a tie
    assert one_hot(argmax([0.0, 5.0, 1.0]), 3) == [0.0, 1.0, 0.0]
    for call in (lambda: grad(lambda v: argmax(v))([1.0, 2.0]), lambda: jacobian(lambda v: argmax(v))([1.0, 2.0]),
                 lambda: jvp(lambda a, b: argmax([a, b]), (1.0, 2.0), (1.0, 0.0))):
        with pytest.raises(TypeError, match="argmax gives an index, which has no gradient"):
            call()
    with pytest.raises(TypeError, match="one_hot takes an index, an int in range\\(3\\), got Value"):
        one_hot(Value(1.0), 3)
    with pytest.raises(ValueError, match="one_hot: index 3 is not in range\\(3\\)"):
        one_hot(3, 3)
    with pytest.raises(ValueError, match="^argmax of an empty sequence$"):
        argmax([])


def test_one_hot_takes_every_index_in_range_from_the_first_to_the_last() -> None:
    assert one_hot(0, 3) == [1.0, 0.0, 0.0] and one_hot(2, 3) == [0.0, 0.0, 1.0]
    assert one_hot(0, 1) == [1.0]  # a single class: index 0 is its one choice
    assert one_hot(argmax([5.0, 1.0]), 2) == [1.0, 0.0]
    with pytest.raises(ValueError, match=r"^one_hot: index -1 is not in range\(3\)$"):
        one_hot(-1, 3)  # not Python's last element: an index below 0 is refused
