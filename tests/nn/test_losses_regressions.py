"""Regression: cross_entropy returns a Value (one backward() can be called on) even for an all-zero soft target."""

from engine import Value
from nn import losses


def test_all_zero_soft_target_gives_a_zero_value_loss() -> None:
    zs = [Value(1.0), Value(2.0)]
    for target in ([0, 0], [0.0, 0.0], [[0.0, 0.0]]):
        out = losses.cross_entropy([zs] if isinstance(target[0], list) else zs, target)
        assert isinstance(out, Value)
        assert out.data == 0.0
        out.backward()
        assert [z.grad for z in zs] == [0.0, 0.0]
