"""engine.checks.as_float at the edge of float's range: big ints become the nearest float, or the engine's own
OverflowError when that float would be infinite."""

import sys

import pytest

from engine import Value

TOP = sys.float_info.max  # (2 - 2**-52) * 2**1023


def test_ints_up_to_the_largest_float_read_as_the_nearest_float() -> None:
    assert Value(2 ** 1023).data == 2.0 ** 1023
    assert Value(-2 ** 1023).data == -2.0 ** 1023
    assert Value(2 ** 1024 - 2 ** 970 - 1).data == TOP  # rounds down to the largest float
    assert Value(-(2 ** 1024 - 2 ** 970 - 1)).data == -TOP


@pytest.mark.parametrize("big", [2 ** 1024 - 2 ** 970, 2 ** 1024 - 1, -(2 ** 1024 - 1)],
                         ids=["rounds up to 2**1024", "2**1024 - 1", "minus 2**1024 - 1"])
def test_an_int_that_rounds_past_the_largest_float_gets_the_engines_message(big) -> None:
    with pytest.raises(OverflowError) as e:
        Value(big)
    assert str(e.value) == ("Value data is too large for a float: int with 309 digits "
                            "(floats reach about 1.8e308)")
