"""The drawing plan's limits, exactly at their edges: max_nodes reached but not passed, a wide input list
folded without making an item for every hidden input, the folded caption's size, and the text view's cap."""

import gc
import re
import tracemalloc

import engine
from engine import Value
from viz import draw_dot
from viz.plan import plan


def test_a_graph_of_exactly_max_nodes_values_is_drawn_whole() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    root = a * b + (a + b)  # a diamond: the sum's second input finds its inputs already drawn
    p = plan(root, max_nodes=5)
    assert len(p.order) == 5 and p.notes == []
    assert sorted(item.kind for item in p.items) == ["value"] * 5


def test_folding_a_wide_input_list_does_not_make_an_item_for_each_hidden_input() -> None:
    leaves = [Value(float(i)) for i in range(100_000)]
    root = engine.sum(leaves)
    gc.collect()
    tracemalloc.start()
    try:
        p = plan(root, max_nodes=300)
        peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    finally:
        tracemalloc.stop()
    assert [item.kind for item in p.items].count("value") == 4  # three inputs and the sum; the rest folded
    assert peak < 20, f"{peak:.1f} MiB"  # the walk itself is ~10 MiB; an item per input would add ~28 MiB


def test_the_folded_caption_is_set_in_small_type() -> None:
    leaves = [Value(float(i)) for i in range(400)]
    src = draw_dot(engine.sum(leaves)).source
    (caption,) = [line for line in src.splitlines() if "folded:" in line]
    assert re.fullmatch(r'\tfontname=Helvetica fontsize=10 label="folded: .*" labelloc=b', caption)  # the nodes' font


def test_the_text_view_is_folded_as_the_drawing_is() -> None:
    # It was the whole graph, a line a Value, up to 2000 Values: 1,699 lines in a terminal for a folded drawing.
    v = Value(0.5)
    for _ in range(1999):
        v = v.tanh()
    drawn = draw_dot(v)
    lines = drawn.text_view.splitlines()
    assert lines[0] == "v1995_deep = [... more]" and lines[-1].startswith("folded: cut after ")
    boxes = [n for n in re.findall(r"^\t(\w+) \[label=", drawn.source, re.M) if not n.endswith("_op") and n != "legend"]
    assert [line.split()[0] for line in lines[:-1]] == boxes  # a line for each box drawn, in the same order
    unfolded = draw_dot(v, max_nodes=None, max_size=None).text_view.splitlines()
    assert len(unfolded) == 2000 and unfolded[0] == "v0 = input  data=0.5  grad=0"


def test_a_scope_whose_name_says_cut_does_not_hide_the_max_nodes_note() -> None:
    y = Value(1.0)
    for i in range(400):
        y = y.tanh()
        if i < 5:
            y.scope = "shortcut"  # a model part with "cut" in its name, collapsed into a box
    p = plan(y, max_nodes=50)
    assert any(note.startswith("cut after 50 items from the root") for note in p.notes), p.notes


def test_plan_folds_past_300_values_by_default() -> None:
    v = Value(0.5)
    for _ in range(299):
        v = v.tanh()
    assert len(plan(v).order) == 300 and plan(v).notes == []
    assert plan(v.tanh()).notes != []
