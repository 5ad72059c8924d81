"""Defining a new op: a value function and its derivative rule, and it works in every mode."""

from __future__ import annotations

import inspect
from typing import Any, Callable

from .ops import Op


def op(derivative: Callable[..., Any], *, name: str = "", symbol: str = "", domain: str = ""
       ) -> Callable[[Callable[..., float]], Op]:
    """Decorator: turn a float function into an engine op with the given local derivative.

    ``derivative`` receives the inputs, then ``out`` (the op's result), and returns
    one partial derivative per input. Write it with arithmetic, Value methods and
    other ops only, never ``math`` directly, and the op works everywhere: backward,
    ``backward(create_graph=True)`` and ``grad`` to any order, ``jvp``, ``gradcheck``
    and ``explain``. For a value function taking ``*xs``, the derivative gets
    ``(xs, out)`` and returns a list with one partial per input.

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
            return Op(name or value.__name__, lambda xs: value(*xs), derivative, arity=None,
                      symbol=symbol, domain=domain)
        arity = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
        return Op(name or value.__name__, value, derivative, arity=arity, symbol=symbol, domain=domain)

    return make
