"""Test your own derivatives: assertions, finite differences, hypothesis strategies and oracles.

>>> import math
>>> from engine.testing import assert_derivative
>>> assert_derivative(lambda x: (x ** 2).sin().exp(),                      # f, written with Values
...                   lambda x: math.exp(math.sin(x * x)) * math.cos(x * x) * 2 * x,   # f' by hand
...                   at=[0.3, 1.5])

The assertions and finite differences need only the standard library. The
strategies (``floats_in``, ``values``, ``expressions``, ``mlps``, ``convolutions``) need hypothesis:
``pip install 'chainrule[testing]'``. ``torch_reference`` uses PyTorch when it is installed.
"""

from typing import Any

from ..transforms.differences import SCHEMES, Scheme, default_step, derivative, directional, partial_derivative, \
    step_error
from .assertions import DerivativeError, DerivativeRow, assert_derivative, check_grads, close, formula_of
from .oracles import torch_reference

_STRATEGIES = ("DOMAINS", "Expression", "convolutions", "expressions", "floats_in", "mlps", "random_expressions",
               "values")


def __getattr__(name: str) -> Any:
    # The strategies load hypothesis, an optional extra: only when asked for.
    if name in _STRATEGIES:
        try:
            from . import strategies
        except ImportError as e:
            raise ImportError(f"engine.testing.{name} needs hypothesis: pip install 'chainrule[testing]' ({e})") from None
        return getattr(strategies, name)
    raise AttributeError(f"module 'engine.testing' has no attribute {name!r}")


__all__ = [
    "DOMAINS", "DerivativeError", "DerivativeRow", "Expression", "SCHEMES", "Scheme", "assert_derivative", "check_grads", "close",
    "convolutions",
    "default_step", "derivative", "directional", "expressions", "floats_in", "formula_of", "mlps",
    "partial_derivative", "random_expressions", "step_error", "torch_reference", "values",
]
