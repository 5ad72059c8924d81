"""The text view: the output named as the output, even a single leaf; folded boxes named in the lines that read them."""

import random

import engine
from engine import Value
from nn import MLP
import viz


def test_a_leaf_drawn_alone_is_the_output() -> None:
    x = Value(2.0, label="x")
    assert viz.text_view(x) == "v0 x = output  data=2  grad=0"
    assert viz.draw_dot(x).text_view == "v0 x = output  data=2  grad=0"  # what a notebook without Graphviz shows
    assert viz.text_view(x * 1.0).splitlines()[0] == "v0 x = input  data=2  grad=0"  # an input once it feeds one


def test_folded_boxes_are_named_in_the_lines_that_read_them() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(10)]
    assert viz.text_view(engine.sum(xs), max_nodes=1).splitlines()[:2] == [
        "v10_deep = [... more]", "v10 = sum(...)  data=45  grad=0"]  # the cut stands as "..." among its inputs
    random.seed(0)
    model = MLP(2, [3, 1])
    assert viz.text_view(model([1.0, 2.0]), max_nodes=6).splitlines()[:4] == [
        "v13 x0 = input  data=1  grad=0", "v14 x1 = input  data=2  grad=0",  # inputs first, as everywhere
        "scope_0 = [layer0: 3 neurons, 15 values]  inputs v13, v14",  # a collapsed layer lists what feeds it
        "scope_1 = [layer1: 1 neuron, 5 values]  inputs scope_0"]  # (the boxes came first: their weights do)
