"""What batch and layer normalisation share: how a sample's features are read, each checked with an error that
names the module."""

import pytest

from engine import Value
from nn import BatchNorm, LayerNorm


def test_a_feature_that_is_not_a_number_is_named_by_its_module() -> None:
    with pytest.raises(TypeError) as caught:
        LayerNorm(2)(["a", 1.0])
    assert str(caught.value) == "LayerNorm input must be a real number, got str 'a'"
    with pytest.raises(ValueError) as caught:
        BatchNorm(2).forward_batch([[1.0, float("nan")], [1.0, 2.0]])
    assert str(caught.value) == "BatchNorm input must not be nan, got nan"


def test_a_value_given_is_used_itself_so_its_gradient_arrives() -> None:
    def first(x0):
        return LayerNorm(3)([x0, 1.0, 2.5])[0]

    v = Value(3.0)
    first(v).backward()
    h = 1e-6
    assert v.grad == pytest.approx((first(3.0 + h).data - first(3.0 - h).data) / (2 * h), rel=1e-6)
