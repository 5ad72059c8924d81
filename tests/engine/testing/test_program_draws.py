"""What the random programs are drawn from, counted over many seeded draws: how often an input sits exactly on
a kink, how many inputs a many-input op gets, and which steps carry a constant and from which range."""

import random
from collections import Counter

from engine.testing.strategies import CONSTANT, FUSED, TABLE, _Picks, _program

DRAWS = 3000


def draws(kinks):
    rng = random.Random(12)
    return [_program(_Picks(rng=rng), list(TABLE), 6, 3, -2.0, 2.0, kinks) for _ in range(DRAWS)]


def test_with_kinks_one_input_in_five_is_exactly_zero_and_without_none() -> None:
    inputs = [x for xs, _, _ in draws(kinks=True) for x in xs]
    share = inputs.count(0.0) / len(inputs)
    assert 0.18 < share < 0.22, share  # 1 in 5; over ~6,000 inputs the spread is about 0.005
    assert 0.0 not in [x for xs, _, _ in draws(kinks=False) for x in xs]


def test_many_input_ops_get_two_to_four_inputs_each() -> None:
    arities = Counter(len(args) for _, steps, _ in draws(kinks=False) for name, args, _ in steps if name in FUSED)
    assert set(arities) == {2, 3, 4} and min(arities.values()) > 100


def test_only_ops_with_a_constant_get_one_spread_over_minus_3_to_3() -> None:
    steps = [step for _, program, _ in draws(kinks=False) for step in program]
    assert all(c == 0.0 for name, _, c in steps if name not in CONSTANT)
    constants = [c for name, _, c in steps if name in CONSTANT]
    assert len(set(constants)) > 100 and -3.0 <= min(constants) < -2.8 and 2.8 < max(constants) <= 3.0
