"""What a number may be: the engine's input rule (a finite real), and reading the number inside a Value.

What an op may return is checked by ``Op.evaluate`` (engine.ops), which every
value the engine computes passes through.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Optional


def as_float(x: Any, what: str = "Value data") -> float:
    """The float for a plain real number; TypeError or ValueError otherwise.

    >>> as_float(3)
    3.0
    """
    if x.__class__ is float:
        value = x
    elif x.__class__ is int and -2 ** 1023 < x < 2 ** 1023:
        value = float(x)
    elif isinstance(x, numbers.Real) and not _truth(x):  # int, Fraction, NumPy scalars, float subclasses
        try:
            value = float(x)
        except OverflowError:  # an int or Fraction beyond float's range
            digits = len(str(abs(int(x))))
            raise OverflowError(f"{what} is too large for a float: {type(x).__name__} with {digits} digits "
                                f"(floats reach about 1.8e308)") from None
    elif zero_dimensional(x):
        value = float(x)
    else:
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {x!r}{instead_of(x)}")
    if value != value:
        raise ValueError(f"{what} must not be nan, got {x!r}")
    if value - value != 0.0:
        raise ValueError(f"{what} must be finite, got {x!r}")
    return value


def real_number(x: Any) -> Optional[float]:
    """The float a setting (a learning rate, a probability) means, for the caller to check its range: NumPy
    scalars and 0-d arrays, Fractions and float subclasses are numbers; None for what is not one (a bool, a
    Decimal, text, an array); nan and inf come back as themselves, for the range check to refuse.

    >>> import numpy as np; real_number(np.float32(0.5)), real_number(True), real_number(10 ** 400)
    (0.5, None, inf)
    """
    try:
        return as_float(x)
    except TypeError:
        return None
    except ValueError:
        return float(x)  # nan or inf
    except OverflowError:
        return math.inf


def whole_number(x: Any) -> Optional[int]:
    """The int a count means (NumPy's integers included), or None for anything else (a bool, a float, text).

    >>> import numpy as np; whole_number(np.int64(3)), whole_number(3.0), whole_number(True)
    (3, None, None)
    """
    return None if _truth(x) or not isinstance(x, numbers.Integral) else int(x)


def zero_dimensional(x: Any) -> bool:
    """A 0-d NumPy array of integers or floats: one number (``np.array(0.5)``, what ``a.sum()`` can give)."""
    return getattr(x, "shape", None) == () and getattr(getattr(x, "dtype", None), "kind", None) in ("i", "u", "f")


def _truth(x: Any) -> bool:
    """A bool (Python's or NumPy's): an int to Python, but as a number surely a slip (``Value(True)`` refuses too)."""
    return x.__class__ is bool or x.__class__.__name__ == "bool" or x.__class__.__name__ == "bool_"


def instead_of(x: Any) -> str:
    """What to write instead, for the kinds of not-quite-numbers users hold."""
    if _truth(x) or getattr(getattr(x, "dtype", None), "kind", "") == "b":
        return f"; write {float(bool(x))!r} if you mean the number"
    shape = getattr(x, "shape", None)
    if isinstance(shape, tuple) and shape:
        return (f" (an array of shape {shape}): a Value holds one number; pass one entry, or put the Values in the "
                f"array (array + v gives an array of Values, one per entry)")
    if x.__class__.__name__ == "Decimal":
        return f"; write float({x!r}) for its number"
    return ""


def data_of(x: Any) -> Any:
    """The plain number inside ``x``: a Value's or a dual number's data, a number itself.

    >>> from engine import Value
    >>> data_of(Value(2.0)), data_of(3.0)
    (2.0, 3.0)
    >>> import numpy as np; bool(data_of(np.float64(0.5)) == 0.5)   # its .data is a memoryview of its bytes
    True
    """
    if x.__class__ is float:
        return x
    inner = getattr(x, "data", x)
    return x if inner.__class__ is memoryview else inner  # a NumPy scalar's .data is its bytes, not a number


def shown(x: Any, digits: int = 6) -> str:
    """A number (or a Value's) as chainrule prints it, in drawings, text views and explanations alike:
    ``digits`` significant digits, and a zero as 0 (a product of 0 and a negative number is -0.0 in floating
    point, which a reader would take for a sign that matters).

    >>> shown(-0.0), shown(2 / 3), shown(-2e-05, 4)
    ('0', '0.666667', '-2e-05')
    """
    return f"{data_of(x) + 0.0:.{digits}g}"  # -0.0 + 0.0 is 0.0
