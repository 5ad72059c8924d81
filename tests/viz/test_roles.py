"""A leaf's role comes from the graph: a number written into an expression is a constant, a Value the user
made is an input (labelled or not), a model's or a listed leaf is a parameter; the drawing, the text view
and the explorer say the same."""

import random
import re

import engine
from engine import Value, no_grad
from nn import MLP
from viz import draw_dot, text_view
from viz.explorer import explorer_data
from viz.style import KIND_COLOURS, kind


def fills(source: str) -> dict:
    """node id -> fill colour of its table."""
    return dict(re.findall(r'^\s*(v\d+) \[label=<<TABLE[^>]*BGCOLOR="([^"]+)"', source, re.M))


def roles_in_text(root: Value, **options) -> dict:
    return {m[0]: m[1] for m in re.findall(r"^(v\d+)(?: \S+)? = (input|parameter|constant|output)  ", text_view(root, **options), re.M)}


def test_the_issues_example_unlabelled_values_are_inputs_the_literal_a_constant() -> None:
    a = Value(2.0)
    b = Value(-3.0)
    y = ((a * b) + 10).tanh()  # v0 a, v1 b, v2 a*b, v3 the 10, v4 the sum, v5 tanh
    want = {"v0": "input", "v1": "input", "v3": "constant"}
    assert {k: v for k, v in fills(draw_dot(y).source).items() if k in want} == {k: KIND_COLOURS[r] for k, r in want.items()}
    assert roles_in_text(y) == want
    nodes = explorer_data(y)["nodes"]
    assert {k: nodes[k]["kind"] for k in want} == want and nodes["v5"]["kind"] == "output"


def test_every_way_a_number_enters_an_expression_makes_a_constant() -> None:
    x = Value(2.0, label="x")
    for y, constant in [(3 - x, 1), (x / 4, 1), (engine.sum([x, 5.0]), 1), (2.0 ** x * x, None), (x ** x, None)]:
        leaves = [v for v in engine.topological_order(y) if not v._prev]
        roles = [kind(v, y, set()) for v in leaves]
        expected = ["input"] * len(leaves)
        if constant is not None:
            expected[constant] = "constant"
        assert roles == expected, (y, roles)
    # 2 ** x keeps its base as the op's parameter, not as a leaf: x is the only leaf, an input


def test_values_the_user_made_any_way_are_inputs() -> None:
    a = Value(1.0)
    with no_grad():
        b = a * 3  # computed without a graph: a leaf, but one the user made, not a number in an expression
    c = a.detach()
    y = a * b * c
    assert [kind(v, y, set()) for v in (a, b, c)] == ["input"] * 3


def test_model_leaves_are_parameters_its_number_inputs_inputs() -> None:
    random.seed(0)
    model = MLP(2, [1])
    out = (1 - model([1.0, 2.0])).relu()
    roles = {v.label or v._op or "1": kind(v, out, set()) for v in engine.topological_order(out) if not v._prev}
    assert roles == {"w0": "parameter", "w1": "parameter", "b": "parameter", "x0": "input", "x1": "input",
                     "1": "constant"}
    w = Value(3.0)
    y = w * Value(4.0)
    assert roles_in_text(y, parameters=[w]) == {"v0": "parameter", "v1": "input"}
    assert fills(draw_dot(y, parameters=[w]).source)["v0"] == KIND_COLOURS["parameter"]


def legend_of(graph) -> list:
    """The meanings the legend lists, read from the drawing's source."""
    table = graph.source.split("legend [", 1)[1].split("shape=note", 1)[0]
    return re.findall(r'<TD ALIGN="LEFT">(\w+)</TD>', table)


def test_the_legend_lists_only_the_kinds_drawn() -> None:
    a, b = Value(2.0), Value(-3.0)
    assert legend_of(draw_dot(((a * b) + 10).tanh())) == ["input", "constant", "output"]
    w = Value(0.5)
    assert legend_of(draw_dot(a * w, parameters=[w])) == ["input", "parameter", "output"]
    assert "legend" not in draw_dot(a * w, legend=False).source


def test_a_constant_stays_a_constant_through_pickle_and_deepcopy() -> None:
    import copy
    import pickle

    y = (Value(2.0) * 3).tanh()
    again = copy.deepcopy(y)
    assert [kind(v, again, set()) for v in again._prev[0]._prev] == ["input", "constant"]
    three = pickle.loads(pickle.dumps(y._prev[0]._prev[1]))  # a leaf pickles (a whole graph holds its ops' rules)
    assert (three.data, kind(three, y, set())) == (3.0, "constant")
