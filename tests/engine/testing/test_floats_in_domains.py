"""floats_in, built inside the test: the default domain, (lo, hi) pairs, op domains and the kink margin."""

import math

import pytest
from hypothesis import given, settings

from engine import ops
from engine.testing.strategies import DOMAINS, KINK_MARGIN, floats_in


def draws(strategy, n=60):
    seen = []

    @settings(max_examples=n, derandomize=True, database=None)
    @given(strategy)
    def collect(x):
        seen.append(x)

    collect()
    return seen


def test_the_default_domain_is_finite_reals() -> None:
    xs = draws(floats_in())
    assert xs and all(math.isfinite(x) for x in xs)
    assert draws(floats_in()) == draws(floats_in("real"))


def test_a_pair_is_a_closed_range_and_an_op_names_its_domain() -> None:
    assert all(-1.0 <= x <= 3.0 and math.isfinite(x) for x in draws(floats_in((-1, 3))))
    assert all(x > 0 for x in draws(floats_in(ops.LOG)))
    assert draws(floats_in(ops.LOG)) == draws(floats_in("log"))


def test_kinked_ops_keep_their_draws_away_from_the_kink() -> None:
    assert all(abs(x) > KINK_MARGIN for x in draws(floats_in("relu"), 200))


def test_an_unknown_domain_is_refused_listing_the_known_ones() -> None:
    with pytest.raises(ValueError) as caught:
        floats_in("nowhere")
    assert str(caught.value) == (f"floats_in: unknown domain 'nowhere'; use an op name ({', '.join(DOMAINS)}) "
                                 f"or a (lo, hi) pair")
