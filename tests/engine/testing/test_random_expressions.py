"""random_expressions: exactly count programs, seeded, within its defaults, its ops, its extras and its kinks; a
clear error for a bad domain or one where no program is usable (each used to hang or raise a bare KeyError)."""

import pytest

from engine import Value
from engine.testing import random_expressions
from engine.testing.strategies import well_conditioned


@pytest.mark.parametrize("count", [0, 1, 7])
def test_it_returns_exactly_count_usable_expressions(count: int) -> None:
    found = random_expressions(count, seed=2)
    assert len(found) == count
    for e in found:
        assert well_conditioned(e.steps, e.run([Value(x) for x in e.inputs]))


def test_the_same_seed_gives_the_same_programs_and_the_default_seed_is_0() -> None:
    assert random_expressions(6, seed=3) == random_expressions(6, seed=3)
    assert random_expressions(6) == random_expressions(6, seed=0)
    assert random_expressions(6, seed=1) != random_expressions(6, seed=0)


def test_by_default_up_to_3_inputs_in_minus_2_to_2_and_up_to_8_steps() -> None:
    found = random_expressions(300, seed=5)
    assert max(len(e.steps) for e in found) == 8 and min(len(e.steps) for e in found) == 1
    assert max(len(e.inputs) for e in found) == 3 and min(len(e.inputs) for e in found) == 1
    xs = [x for e in found for x in e.inputs]
    assert all(-2.0 <= x <= 2.0 and x != 0.0 for x in xs)
    assert len({step[0] for e in found for step in e.steps}) > 20  # every kind of op, by default


def test_it_uses_only_the_ops_asked_for_and_the_extra_ones() -> None:
    found = random_expressions(30, seed=4, ops=["sin", "mul"])
    assert {step[0] for e in found for step in e.steps} == {"sin", "mul"}
    twice = lambda x: x * 2  # noqa: E731
    found = random_expressions(30, seed=4, ops=["twice", "add"], extra={"twice": twice})
    assert {step[0] for e in found for step in e.steps} == {"twice", "add"}
    e = next(e for e in found if [s[0] for s in e.steps] == ["twice"])
    (_, (i,), _), = e.steps
    assert e(*[Value(x) for x in e.inputs]).data == 2 * e.inputs[i] and e.extra == (("twice", twice),)
    found = random_expressions(40, seed=4, extra={"twice": twice})
    assert "twice" in {step[0] for e in found for step in e.steps}


def test_with_kinks_inputs_are_sometimes_exactly_0_and_relu_meets_them() -> None:
    found = random_expressions(40, seed=6, ops=["relu", "abs"], kinks=True)
    assert any(x == 0.0 for e in found for x in e.inputs)
    at_a_kink = [e for e in found for _, args, _ in e.steps if e.run([Value(x) for x in e.inputs])[args[0]].data == 0.0]
    assert at_a_kink


@pytest.mark.parametrize("domain, lo, hi", [((0.5, 1.0), 0.5, 1.0), ("positive", 1e-3, 1e3), ("sin", -10.0, 10.0)])
def test_inputs_come_from_the_domain_asked_for(domain, lo: float, hi: float) -> None:
    xs = [x for e in random_expressions(30, seed=8, ops=["add", "mul"], domain=domain) for x in e.inputs]
    assert all(lo <= x <= hi for x in xs)
    assert len(set(xs)) == len(xs)  # drawn, not pinned to one end


DOMAIN_NAMES = "real, positive, nonzero, exp, log, sqrt, sin, cos, tanh, sigmoid, softplus, relu, leaky_relu, abs, " \
               "neg, add, sub, mul, div, pow"


@pytest.mark.parametrize("domain, error, message", [
    ("reals", ValueError, f"expressions: domain must be one of {DOMAIN_NAMES} or a pair (lo, hi), got 'reals'"),
    ((0.0, float("inf")), ValueError, "expressions: domain's hi must be finite, got inf"),  # was: forever
    ((float("-inf"), 0.0), ValueError, "expressions: domain's lo must be finite, got -inf"),
    ((float("nan"), 1.0), ValueError, "expressions: domain's lo must not be nan, got nan"),
    ((2.0, 1.0), ValueError, "expressions: domain's lo must be below its hi, got (2.0, 1.0)"),
    ((1.0, 1.0), ValueError, "expressions: domain's lo must be below its hi, got (1.0, 1.0)"),
    (("a", 1), TypeError, "expressions: domain's lo must be a real number, got str 'a'"),
    (5, TypeError, "expressions: domain must be a name or a pair (lo, hi), got int 5"),
    ((-1, 0, 1), TypeError, "expressions: domain must be a name or a pair (lo, hi), got tuple (-1, 0, 1)"),
])
def test_a_bad_domain_is_refused_word_for_word(domain, error, message: str) -> None:
    with pytest.raises(error) as info:
        random_expressions(1, domain=domain)
    assert str(info.value) == message


def test_a_domain_as_a_list_or_of_ints_is_a_pair_too() -> None:
    assert random_expressions(5, seed=4, domain=[-1, 1]) == random_expressions(5, seed=4, domain=(-1.0, 1.0))


@pytest.mark.parametrize("ops, named", [(["exp"], "exp"), (["exp", "square"], "exp, square")])
def test_a_domain_where_nothing_is_usable_stops_with_a_clear_error(ops, named) -> None:
    from engine.testing.strategies import MAX_MISSES

    # exp overflows everywhere there, and a square passes a million: every program is refused
    with pytest.raises(ValueError) as info:
        random_expressions(1, ops=ops, domain=(1000.0, 2000.0))
    assert str(info.value) == (f"random_expressions: no usable expression in {MAX_MISSES} tries in a row, with ops "
                               f"{named} on the domain 1000 to 2000: choose a domain where they stay finite "
                               "and smooth, or other ops")


@pytest.mark.parametrize("ops, unknown", [([], "[]"), (["frob", "sin"], "['frob']")])
def test_no_ops_or_unknown_ops_are_refused_word_for_word(ops, unknown: str) -> None:
    from engine.testing.strategies import TABLE

    with pytest.raises(ValueError) as info:
        random_expressions(3, ops=ops, extra={"twice": lambda x: x * 2})
    assert str(info.value) == f"expressions: unknown ops {unknown}; choose from {', '.join([*TABLE, 'twice'])}"


def test_held_inputs_come_last_with_roles_and_feed_kinks_fused_nodes_and_outputs() -> None:
    found = random_expressions(400, seed=9, kinks=True, max_depth=10, held=True)
    assert random_expressions(400, seed=9, kinks=True, max_depth=10) != found  # held changes the programs
    held = [e for e in found if e.held]
    assert len(held) > 200 and all(0 < len(e.held) < len(e.inputs) and e.traced == len(e.inputs) - len(e.held)
                                   for e in held)
    assert {role for e in held for role in e.held} == {"parameter", "constant"}
    assert all(not e.held for e in found if len(e.inputs) == 1)  # one input is always traced
    for e in held:  # held_only: exactly the registers that read no traced input, followed by hand
        reads_traced = [i < e.traced for i in range(len(e.inputs))]
        for _, args, _ in e.steps:
            reads_traced.append(any(reads_traced[a] for a in args))
        assert e.held_only == tuple(i for i, traced in enumerate(reads_traced) if not traced)
    on_held = lambda kinds: [e for e in held for k, (name, _, _) in enumerate(e.steps)  # noqa: E731
                             if name in kinds and len(e.inputs) + k in e.held_only]
    assert on_held({"relu", "abs", "leaky_relu", "leaky_relu_c"}) and on_held({"sum", "mean", "dot", "logsumexp"})
    assert [e for e in held if len(e.inputs) + len(e.steps) - 1 in e.held_only]  # outputs of held inputs alone
    assert any(name == "detach" for e in held for name, _, _ in e.steps)
    assert "x1 a parameter" in repr(next(e for e in held if e.held[0] == "parameter" and e.traced == 1))


def test_without_held_the_programs_are_those_of_before() -> None:
    # The bulk fuzz's seeds keep their programs: held=False draws nothing more.
    e = random_expressions(1, seed=1000, kinks=True, max_depth=10)[0]
    assert e.held == () and "detach" not in [name for name, _, _ in e.steps]


def test_only_misses_in_a_row_count_towards_giving_up(monkeypatch) -> None:
    from itertools import cycle

    from engine.testing import strategies

    monkeypatch.setattr(strategies, "MAX_MISSES", 3)
    verdicts = cycle([False, False, True])  # two misses before every usable program: 20 misses for 10
    monkeypatch.setattr(strategies, "_usable", lambda expression, kinks: next(verdicts))
    assert len(random_expressions(10)) == 10
    verdicts = iter([True, False, False, False])  # three in a row: the third stops it
    with pytest.raises(ValueError, match="^random_expressions: no usable expression in 3 tries in a row"):
        random_expressions(2)
