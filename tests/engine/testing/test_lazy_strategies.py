"""engine.testing loads its hypothesis strategies on first use, and values() draws real leaves by default."""

import sys

import pytest
from hypothesis import find, given, settings

import engine.testing


@pytest.mark.parametrize("name", ["DOMAINS", "Expression", "expressions", "floats_in", "mlps",
                                  "random_expressions", "values"])
def test_each_strategy_is_the_one_in_engine_testing_strategies(name: str) -> None:
    from engine.testing import strategies

    assert getattr(engine.testing, name) is getattr(strategies, name)


def test_an_unknown_name_is_an_attribute_error_word_for_word() -> None:
    with pytest.raises(AttributeError) as info:
        engine.testing.frobnicate  # noqa: B018
    assert str(info.value) == "module 'engine.testing' has no attribute 'frobnicate'"


def test_without_hypothesis_a_strategy_says_how_to_get_it(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # `import hypothesis` now raises ImportError
    monkeypatch.delitem(sys.modules, "engine.testing.strategies")
    monkeypatch.delattr(engine.testing, "strategies")
    with pytest.raises(ImportError) as info:
        engine.testing.floats_in  # noqa: B018
    assert info.type is ImportError and info.value.__cause__ is None
    assert str(info.value) == ("engine.testing.floats_in needs hypothesis: pip install 'chainrule[testing]' "
                               "(import of hypothesis halted; None in sys.modules)")


def test_values_are_leaves_between_minus_5_and_5_by_default() -> None:
    from engine import Value

    values = engine.testing.values

    @settings(max_examples=50, database=None)
    @given(values())
    def check(v) -> None:
        assert type(v) is Value and v._prev == () and -5.0 <= v.data <= 5.0

    check()
    quick = settings(max_examples=500, database=None)
    assert find(values(), lambda v: v.data > 4.0, settings=quick).data > 4.0
    assert find(values(), lambda v: v.data < -4.0, settings=quick).data < -4.0
    assert 0.0 < find(values("log"), lambda v: True, settings=quick).data
