"""chainrule's engine: scalar reverse-mode automatic differentiation.

>>> from engine import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.005364
"""

from . import ops
from .graph import topological_order
from .reductions import dot, mean, sum
from .value import Value

__all__ = ["Value", "dot", "mean", "ops", "topological_order"]
