"""The engine's input rules, in one place: what a number may be, and what an op may return.

Every value the engine computes passes through :func:`evaluate`, so a bad input
raises a clear error naming the op and the operands instead of giving a silent
nan, inf or complex number.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from .ops import Op


def as_float(x: Any, what: str = "Value data") -> float:
    """The float for a plain real number; TypeError or ValueError otherwise.

    >>> as_float(3)
    3.0
    """
    if x.__class__ is float:
        value = x
    elif x.__class__ is int:
        value = float(x)
    elif isinstance(x, numbers.Real):  # int, bool, Fraction, numpy scalars
        value = float(x)
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
    """
    return getattr(x, "data", x)


def _shown(x: Any) -> str:
    data = data_of(x)  # a Value or a dual number shows its float
    return repr(float(data)) if isinstance(data, (int, float)) else str(x)


def operands(op: "Op", datas: Sequence[float], param: Any = None) -> str:
    """The inputs as an error message shows them: ``x=-1.0`` or ``a=1.0, b=0.0``."""
    if op.arity is None:
        return f"{len(datas)} inputs"
    names = ("x",) if len(datas) == 1 else ("a", "b")
    text = ", ".join(f"{n}={_shown(d)}" for n, d in zip(names, datas))
    return text if param is None else f"{text}, {op.param_name}={param!r}"


def evaluate(op: "Op", datas: Sequence[float], param: Any = None) -> float:
    """The op's value for float inputs, or an error that names the op and its inputs.

    >>> from engine.ops import DIV
    >>> evaluate(DIV, [1.0, 4.0])
    0.25
    """
    try:
        if op.arity is None:
            out = op.value(datas)
        elif param is None:
            out = op.value(*datas)
        else:
            out = op.value(*datas, param)
    except TypeError:
        if op.arity is not None and len(datas) != op.arity:  # checked here, off the hot path
            raise TypeError(f"{op.name} takes {op.arity} input{'s' * (op.arity > 1)}, got {len(datas)}") from None
        raise
    except ZeroDivisionError:
        raise ZeroDivisionError(f"{op.name}: division by zero with {operands(op, datas, param)}") from None
    except OverflowError:
        raise OverflowError(f"{op.name}: result too large for a float with {operands(op, datas, param)}") from None
    except ValueError as e:
        raise ValueError(f"{op.name}: {op.domain or e}; got {operands(op, datas, param)}") from None
    if out.__class__ is not float:
        if isinstance(out, complex):  # float ** float gives complex for a negative base
            raise ValueError(f"{op.name}: {op.domain}; got {operands(op, datas, param)}")
        out = float(out)
    if out - out != 0.0:  # nan or inf: finite inputs overflowed, or data was set to nan by hand
        if out != out:
            raise ValueError(f"{op.name}: result is nan with {operands(op, datas, param)}")
        raise OverflowError(f"{op.name}: result too large for a float with {operands(op, datas, param)}")
    return out

