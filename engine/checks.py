"""What a number may be: the engine's input rule (a finite real), and reading the number inside a Value.

What an op may return is checked by ``Op.evaluate`` (engine.ops), which every
value the engine computes passes through.
"""

from __future__ import annotations

import numbers
from typing import Any


def as_float(x: Any, what: str = "Value data") -> float:
    """The float for a plain real number; TypeError or ValueError otherwise.

    >>> as_float(3)
    3.0
    """
    if x.__class__ is float:
        value = x
    elif x.__class__ is int and -2 ** 1023 < x < 2 ** 1023:
        value = float(x)
    elif isinstance(x, numbers.Real):  # int, bool, Fraction, numpy scalars
        try:
            value = float(x)
        except OverflowError:  # an int or Fraction beyond float's range
            digits = len(str(abs(int(x))))
            raise OverflowError(f"{what} is too large for a float: {type(x).__name__} with {digits} digits "
                                f"(floats reach about 1.8e308)") from None
    else:
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {x!r}")
    if value != value:
        raise ValueError(f"{what} must not be nan, got {x!r}")
    if value - value != 0.0:
        raise ValueError(f"{what} must be finite, got {x!r}")
    return value


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
