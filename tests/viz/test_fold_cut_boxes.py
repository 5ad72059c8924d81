"""A graph cut to stay within max_nodes draws each cut as a '... more' box, not as a bare node id."""

import re

import engine
from engine import Value
from viz import draw_dot
from viz.plan import plan


def test_a_cut_within_max_nodes_is_drawn_as_its_box() -> None:
    xs = [Value(float(i), label=f"x{i}") for i in range(10)]
    total = engine.sum(xs)
    p = plan(total, max_nodes=1)
    assert [(i.id, i.kind, i.text) for i in p.items] == [("v10_deep", "deep", "... more"), ("v10", "value", "")]
    src = draw_dot(total, max_nodes=1, legend=False).source
    assert '\tv10_deep [label="... more" fontsize=10 shape=note style=""]\n' in src
    declared = set(re.findall(r"^\t(\w+) \[", src, re.M))
    ends = {n for edge in re.findall(r"^\t(\w+) -> (\w+)", src, re.M) for n in edge}
    assert ends <= declared | {"v10_op"} and "v10_op" in declared  # every edge joins drawn boxes


def test_every_cut_item_of_a_long_chain_has_its_box() -> None:
    y = Value(1.0, label="start")
    for _ in range(30):
        y = y * 2 + 1
    src = draw_dot(y, max_nodes=10, legend=False).source
    declared = set(re.findall(r"^\t(\w+) \[", src, re.M))
    ends = {n for edge in re.findall(r"^\t(\w+) -> (\w+)", src, re.M) for n in edge}
    assert ends <= declared
    assert src.count('label="... more"') >= 1
