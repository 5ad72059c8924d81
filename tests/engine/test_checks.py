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


def test_what_to_write_instead_for_each_kind_of_not_quite_number() -> None:
    from decimal import Decimal

    import numpy as np

    from engine.checks import instead_of

    assert instead_of(True) == "; write 1.0 if you mean the number"
    assert instead_of(np.bool_(False)) == "; write 0.0 if you mean the number"
    assert instead_of(np.array(True)) == "; write 1.0 if you mean the number"  # a 0-d array of bools
    assert instead_of(np.zeros((2, 3))) == (" (an array of shape (2, 3)): a Value holds one number; pass one entry, or "
                                            "put the Values in the array (array + v gives an array of Values, one per "
                                            "entry)")
    assert instead_of(Decimal("1.5")) == "; write float(Decimal('1.5')) for its number"
    assert instead_of("1.5") == instead_of(np.float64(1.0)) == instead_of(np.zeros(())) == ""
    with pytest.raises(TypeError, match=r"^Value data must be a real number, got bool True; write Value\(1\.0\)"):
        Value(True)  # the constructor words it for itself


def test_zero_dimensional_means_one_number_of_a_numeric_kind() -> None:
    import numpy as np

    from engine.checks import zero_dimensional

    assert all(zero_dimensional(x) for x in (np.array(0.5), np.array(3), np.array(3, dtype=np.uint8), np.float32(1)))
    assert not any(zero_dimensional(x) for x in (np.array(True), np.array([1.0]), np.array("a"), 1.0, np.array(1j)))


def test_a_grad_too_large_for_a_float_is_named_as_the_grad() -> None:
    v = Value(1.0)
    with pytest.raises(OverflowError) as e:
        v.grad = 10 ** 400  # a grad may be inf, but an int past float's range is a slip, named as such
    assert str(e.value) == "Value.grad is too large for a float: int with 401 digits (floats reach about 1.8e308)"


def test_a_shape_without_a_dtype_is_not_a_number() -> None:
    from engine.checks import zero_dimensional

    class Shaped:  # shape () like a 0-d array, but nothing says what it holds
        shape = ()

    class Typed:
        shape = ()

        class dtype:  # noqa: N801 (NumPy's attribute name)
            pass  # no kind

    assert not zero_dimensional(Shaped()) and not zero_dimensional(Typed())
    with pytest.raises(TypeError, match="Value data must be a real number, got Shaped"):
        Value(Shaped())
