"""The text view names the output as the output, even when it is a single leaf."""

from engine import Value
import viz


def test_a_leaf_drawn_alone_is_the_output() -> None:
    x = Value(2.0, label="x")
    assert viz.text_view(x) == "v0 x = output  data=2  grad=0"
    assert viz.text_view(x * 1.0).splitlines()[0] == "v0 x = input  data=2  grad=0"  # an input once it feeds one
