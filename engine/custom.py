"""Defining a new op: a value function and its derivative rule, and it works in every mode."""

from __future__ import annotations

import inspect
import numbers
from typing import Any, Callable

from .arithmetic import Arithmetic
from .ops import Op
from .symbolic import Sym, input_names


def op(derivative: Callable[..., Any], *, name: str = "", symbol: str = "", domain: str = ""
       ) -> Callable[[Callable[..., float]], Op]:
    """Decorator: turn a float function into an engine op with the given local derivative.

    ``derivative`` receives the inputs, then ``out`` (the op's result), and returns
    one partial derivative per input. For a value function taking ``*xs``, it gets
    ``(xs, out)`` and returns a list with one partial per input.

    Write the rule with arithmetic, Value methods (``x.cos()``, ``out.tanh()``, which
    work on plain floats here too) and other ops, and for a data-dependent choice
    ``engine.ops.if_positive`` or ``sign``; the op then works in every mode: backward, ``backward(create_graph=True)`` and
    ``grad`` to any order, ``jvp`` and ``jvp`` of ``grad``, ``gradcheck``, ``explain``,
    ``compile`` and the printed ``_backward``. The rule is tried at once on symbols,
    so a rule that cannot work in every mode (``math.cos(x)``, ``if x > 0``, the wrong
    number of partials, ``x.data``) is refused here, with a message saying why.

    >>> from engine import Value
    >>> @op(derivative=lambda x, out: (1 - out * out,))
    ... def my_tanh(x):
    ...     import math
    ...     return math.tanh(x)
    >>> x = Value(0.5); y = my_tanh(x); y.backward(); round(x.grad, 6)
    0.786448
    """
    if not callable(derivative):
        raise TypeError(f"op: derivative must be a function of the inputs and out, got {derivative!r}")

    def make(value: Callable[..., float]) -> Op:
        params = inspect.signature(value).parameters.values()
        if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
            # The engine hands n-ary ops their inputs as one tuple.
            made = Op(name or value.__name__, lambda xs: value(*xs), derivative, arity=None,
                      symbol=symbol, domain=domain)
        else:
            # Inputs are the positional parameters without defaults; ones with defaults keep them.
            arity = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
                        for p in params)
            made = Op(name or value.__name__, value, derivative, arity=arity, symbol=symbol, domain=domain)
        _try_on_symbols(made)
        if not _works_on_floats(made):
            made.local = _with_methods(made.local, made.arity)
        return made

    return make


class _Float(Arithmetic):
    """A float with the engine's methods (``x.cos()``), so that a rule written with Value methods
    also runs on the plain floats of eager backward and of jvp."""

    __slots__ = ("data",)
    _rank = 0.5

    def __init__(self, data: float) -> None:
        self.data = data

    def __float__(self) -> float:  # a plain number in disguise: Values may take it as a constant
        return self.data

    @classmethod
    def _apply(cls, op: Op, args: tuple, param: Any = None, mixed: bool = True) -> "_Float":
        return cls(op(*[a.data if isinstance(a, _Float) else a for a in args], param=param))


numbers.Real.register(_Float)


def _lift(x: Any) -> Any:
    return _Float(x) if x.__class__ is float else x  # the engine's numbers are floats; others have the methods


def _plain(x: Any) -> Any:
    """``x`` back to a float if the rule returned one of ours (dual numbers and Values never hold one)."""
    return x.data if isinstance(x, _Float) else x


def _with_methods(rule: Callable[..., Any], arity: Any) -> Callable[..., Any]:
    def on_any_number(*args: Any) -> Any:
        if arity is None:
            args = (tuple(map(_lift, args[0])), _lift(args[1]))
        else:
            args = tuple(map(_lift, args))
        return [_plain(d) for d in rule(*args)]

    return on_any_number


def _works_on_floats(made: Op) -> bool:
    """Whether the rule runs on plain floats (a rule with ``x.cos()`` does not), tried at 0.5."""
    xs = (0.5,) * (made.arity if made.arity is not None else 3)
    try:
        out = made(*xs)
        made.local(xs, out) if made.arity is None else made.local(*xs, out)
    except Exception:  # noqa: BLE001 (a float has no .cos(); or 0.5 is outside the domain: lift, to be safe)
        return False
    return True


def _try_on_symbols(made: Op) -> None:
    """Apply the rule to symbols once: what fails there would fail in some mode later."""
    n = made.arity if made.arity is not None else 3
    syms = [Sym(name) for name in input_names(made, n)]
    try:
        partials = made.local(syms, made(*syms)) if made.arity is None else made.local(*syms, made(*syms))
        count = len(partials)
    except Exception as e:  # noqa: BLE001 (whatever the rule does wrong, say so now)
        raise TypeError(f"op {made.name!r}: the derivative rule does not work on every kind of number (tried on "
                        f"symbols, it raised {type(e).__name__}: {e}). "
                        f"Write it with arithmetic, Value methods such as x.cos() and out.tanh(), other ops, "
                        f"and engine.ops.if_positive or sign for choices; never math.* or an if on the "
                        f"input") from None
    if count != n:
        raise TypeError(f"op {made.name!r}: the derivative rule must return one partial per input "
                        f"({n}), got {count}")
