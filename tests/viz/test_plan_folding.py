"""viz.plan: which items a drawing shows, their inputs, and the notes on what was folded or cut."""

import random

import pytest

import engine
from engine import Value
from nn import MLP
from viz.plan import plan


def items(p):
    return [(i.id, i.kind, i.text, [q.id for q in i.parents], i.members, i.first, i.inputs) for i in p.items]


def test_eight_inputs_are_drawn_nine_are_folded_to_three() -> None:
    xs = [Value(float(i)) for i in range(8)]
    p = plan(engine.sum(xs), max_nodes=8)
    assert p.notes == [] and not p.folded and p.root.id == "v8" and len(p.order) == 9
    assert items(p)[-1] == ("v8", "value", "", [f"v{i}" for i in range(8)], 1, 8, 8)
    xs = [Value(float(i)) for i in range(9)]
    p = plan(engine.sum(xs), max_nodes=9)
    assert items(p) == [("v9_more", "more", "+6 more inputs", [], 0, -1, 0), ("v0", "value", "", [], 1, 0, 0),
                        ("v1", "value", "", [], 1, 1, 0), ("v2", "value", "", [], 1, 2, 0),
                        ("v9", "value", "", ["v0", "v1", "v2", "v9_more"], 1, 9, 9)]
    assert p.notes == ["6 of the 9 inputs of Σ folded", "6 of 10 values not drawn"] and p.folded
    unfolded = plan(engine.sum(xs), max_nodes=10)
    assert unfolded.notes == [] and len(unfolded.items) == 10
    assert plan(engine.sum(xs), max_nodes=None).notes == []


def test_scopes_used_in_turn_are_each_drawn_once_with_the_root_last() -> None:
    x = Value(1.0, label="x")
    a1 = x * 2
    a1.scope = "a"
    b = a1 + 1
    b.scope = "b"
    a2 = b * 3
    a2.scope = "a"
    y = a2 + x
    p = plan(y, max_nodes=3)  # a feeds b, which feeds a again: no order puts every box after its inputs
    assert [(i.id, [q.id for q in i.parents]) for i in p.items] == [  # the leaves, then the cycle from its earliest
        ("v0", []), ("v1", []), ("v3", []), ("v5", []), ("scope_0", ["v0", "v1", "scope_1", "v5"]),
        ("scope_1", ["scope_0", "v3"]), ("v7", ["scope_0", "v0"])]
    assert p.notes == ["a collapsed (2 values)", "b collapsed (1 value)"]
    assert p.items[5].text == "b: 1 value"


def test_model_scopes_collapse_into_one_box_each() -> None:
    random.seed(0)
    out = MLP(2, [2, 1])([1.0, 2.0])
    p = plan(out, max_nodes=5)
    assert items(p) == [("v9", "value", "", [], 1, 9, 0), ("v10", "value", "", [], 1, 10, 0),  # inputs first
                        ("scope_0", "scope", "layer0: 2 neurons, 10 values", ["v9", "v10"], 10, 0, 2),
                        ("scope_1", "scope", "layer1: 1 neuron, 4 values", ["scope_0"], 4, 6, 1)]
    assert p.notes == ["layer0 collapsed (10 values)", "layer1 collapsed (4 values)"]
    assert p.root.id == "scope_1" and len(p.order) == 16
    assert plan(out, max_nodes=16).notes == []


def test_a_scope_without_neurons_counts_values_only() -> None:
    a = Value(1.0)
    a.scope = "enc"
    b = a * 2
    b.scope = "enc"
    c = b + 1
    p = plan(c, max_nodes=2)
    assert items(p) == [("v1", "value", "", [], 1, 1, 0), ("scope_0", "scope", "enc: 2 values", ["v1"], 2, 0, 1),
                        ("v3", "value", "", [], 1, 3, 0), ("v4", "value", "", ["scope_0", "v3"], 1, 4, 2)]
    assert p.notes == ["enc collapsed (2 values)"]


def chain(n: int) -> Value:
    y = Value(1.0, label="s")
    for _ in range(n):
        y = y * 2
    return y


def test_max_depth_cuts_only_what_lies_beyond() -> None:
    p = plan(chain(3), max_depth=2)
    assert items(p) == [("v2_deep", "deep", "... deeper than 2", [], 0, -1, 0), ("v2", "value", "", ["v2_deep"], 1, 2, 2),
                        ("v3", "value", "", [], 1, 3, 0), ("v4", "value", "", ["v2", "v3"], 1, 4, 2),
                        ("v5", "value", "", [], 1, 5, 0), ("v6", "value", "", ["v4", "v5"], 1, 6, 2)]
    assert p.notes == ["cut at depth 2 from the root", "2 of 7 values not drawn"]
    assert plan(chain(3), max_depth=3).notes == []
    assert len(plan(chain(3), max_depth=3).items) == 7
    p = plan(chain(3), max_depth=1)
    assert p.notes == ["cut at depth 1 from the root", "4 of 7 values not drawn"]
    two = Value(1.0) * Value(2.0) + Value(3.0) * Value(4.0)
    assert plan(two, max_depth=1).notes == ["cut at depth 1 from the root", "4 of 7 values not drawn"]


def test_a_long_chain_is_cut_after_max_nodes_items_with_one_note() -> None:
    y = Value(1.0, label="start")
    for _ in range(30):
        y = y * 2 + 1
    p = plan(y, max_nodes=10)
    assert p.notes == ["cut after 10 items from the root to stay within max_nodes", "110 of 121 values not drawn"]
    assert [i.id for i in p.items if i.kind == "value"] == ["v109", "v110", "v111", "v112", "v113", "v114",
                                                            "v115", "v116", "v117", "v118", "v119", "v120"][-11:]


def test_after_the_cut_every_drawn_value_still_shows_its_inputs_or_a_cut() -> None:
    y = Value(1.0, label="start")
    for _ in range(30):
        y = y * 2 + 1
    p = plan(y, max_nodes=10)
    values = [i for i in p.items if i.kind == "value"]
    assert all(i.parents for i in values if i.value._prev)
    assert all(i.inputs == len(i.value._prev) for i in values)
    cut = [i for i in values if i.parents and i.parents[0].kind == "deep"]
    assert cut and all(i.parents[0].text == "... more" and i.parents[0].id == f"{i.id}_deep" for i in cut)


def tree(depth: int) -> Value:
    return Value(1.0) if depth == 0 else tree(depth - 1) * tree(depth - 1)


def test_a_wide_graph_is_cut_once_max_nodes_items_are_reached() -> None:
    p = plan(tree(6), max_nodes=11)  # 127 values, breadth first: 11 drawn, the rest cut
    assert p.notes == ["cut after 11 items from the root to stay within max_nodes", "116 of 127 values not drawn"]
    values = [i for i in p.items if i.kind == "value"]
    assert len(values) == 11
    assert all(i.parents for i in values if i.value._prev)  # each shows its inputs or a cut
    assert sum(1 for i in values if i.parents and i.parents[0].kind == "deep") == 6


def mixed() -> Value:
    """Scopes to collapse, a sum too wide to draw whole, and a chain: every kind of fold a fit can need."""
    random.seed(3)
    out = MLP(3, [4, 1])([0.5, -1.0, 2.0])
    wide = engine.sum([Value(float(i)) * out for i in range(12)])
    for _ in range(6):
        wide = (wide * 0.5).tanh()
    return wide


def largest_fit(root, max_nodes, max_depth, fits, too_big):
    """The plan ``plan`` should find, by the slowest sure way: the plan as folded for max_nodes if it fits, else
    every cut from the most items down, folded, until one fits (the one-item cut if none does)."""
    from viz.plan import _Index, _plan

    index = _Index(engine.topological_order(root))
    collapse = max_nodes is not None and len(index.order) > max_nodes
    first = _plan(index, root, collapse, max_depth, max_nodes if collapse else None, "to stay within max_nodes")
    if fits(first):
        return first
    most = len(first.items) if max_nodes is None else min(max_nodes, len(first.items))
    for limit in range(most, 0, -1):
        cut = _plan(index, root, True, max_depth, limit, too_big)
        if fits(cut) or limit == 1:
            return cut


def chains(count: int, length: int) -> Value:
    """``count`` chains of ``length`` tanh steps, summed: shallow and wide."""
    heads = []
    for k in range(count):
        h = Value(float(k))
        for _ in range(length):
            h = (h * 0.5).tanh()
        heads.append(h)
    return engine.sum(heads)


def fan() -> Value:
    """Six chains summed: shallow and wide, so a max_depth cuts before a cut by count does."""
    return chains(6, 5)


@pytest.mark.parametrize("make", [mixed, fan])
def test_the_fit_keeps_the_largest_cut_that_fits_as_a_search_down_from_the_top_does(make) -> None:
    y = make()
    tried = 0
    for max_nodes in (None, 6, 300):
        for max_depth in (None, 2, 5):
            for room in range(1, 60, 3):
                fits = lambda p: len(p.items) <= room  # noqa: E731
                found = plan(y, max_nodes, max_depth, fits, "to fit the page")
                assert items(found) == items(largest_fit(y, max_nodes, max_depth, fits, "to fit the page"))
                assert found.notes == largest_fit(y, max_nodes, max_depth, fits, "to fit the page").notes
                tried += found.folded
    assert tried > 60  # most of them folded or cut


def wide_fan() -> Value:
    """Twelve chains summed: a sum too wide to draw whole, so a fit folds it and a cut by count reaches deeper."""
    return chains(12, 4)


def depths(p):
    """Each drawn item's fewest steps from the root, walking the plan's own arrows."""
    steps, frontier = {p.root.id: 0}, [p.root]
    for item in frontier:
        for parent in item.parents:
            if parent.id not in steps:
                steps[parent.id] = steps[item.id] + 1
                frontier.append(parent)
    return steps


def scoped() -> Value:
    """A network's output: the root is in a scope, whose box reads the boxes of the layers below."""
    random.seed(4)
    return MLP(3, [4, 4, 1])([0.5, -1.0, 2.0])


@pytest.mark.parametrize("make", [mixed, fan, wide_fan, scoped])
@pytest.mark.parametrize("max_depth", [0, 1, 2, 3])
def test_max_depth_holds_in_every_fitted_plan(make, max_depth) -> None:
    """A fit may fold and cut, but never draws a Value (or a scope's box) deeper than max_depth items from the
    root, whatever the fit says."""
    y = make()
    fits_by = {"count": lambda room: lambda p: len(p.items) <= room,
               "no wide item": lambda room: lambda p: len(p.items) <= room and max(len(i.parents) for i in p.items) <= 8,
               "folded": lambda room: lambda p: p.folded and len(p.items) <= room,
               # a fit that turns down every cut at max_depth still gets none deeper
               "never at depth": lambda room: lambda p: len(p.items) <= room and "cut at depth" not in str(p.notes)}
    for name, fits in fits_by.items():
        for room in range(1, 80, 4):
            found = plan(y, None, max_depth, fits(room), "to fit the page")
            steps = depths(found)
            assert max(steps[i.id] for i in found.items if i.kind in ("value", "scope")) <= max_depth, (name, room)


def test_a_cut_to_fit_says_so_by_default() -> None:
    p = plan(mixed(), 300, None, lambda p: len(p.items) <= 3)
    assert p.notes[2:] == ["cut after 2 items from the root to fit", "74 of 76 values not drawn"] and len(p.items) == 3


def test_a_plan_that_fits_at_first_is_kept_with_its_max_nodes_folds() -> None:
    y = mixed()
    assert items(plan(y, 6, None, lambda p: True)) == items(plan(y, 6))
    calls = []
    rejected_first = plan(y, 6, None, lambda p: calls.append(p) or len(calls) > 1)  # no to the first plan only
    assert calls[0].notes[2] == "cut after 6 items from the root to stay within max_nodes"
    # then the same cut, at most max_nodes items from the root, is the largest tried, and told as a fit's
    assert rejected_first.notes[2] == "cut after 6 items from the root to fit" and len(calls) == 2
    assert items(rejected_first) == items(calls[0])


def test_names_are_unique_across_scopes_unless_drawn_in_their_scopes_boxes() -> None:
    from viz.plan import unique_names

    a, b = Value(1.0, label="w0"), Value(2.0, label="w0")
    a.scope, b.scope = "layer0", "layer1"
    p = plan(a * b)
    assert sorted(unique_names(p.items).values()) == ["w0 (v0)", "w0 (v1)"]  # one flat drawing: told apart
    assert sorted(unique_names(p.items, in_clusters=True).values()) == ["w0", "w0"]  # each in its layer's box
