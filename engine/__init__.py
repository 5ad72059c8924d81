"""chainrule's engine: scalar automatic differentiation, reverse and forward mode.

>>> from engine import Value, grad
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.005364
>>> grad(grad(lambda t: t ** 3))(2.0).data
12.0
"""

from . import ops
from .compiled import Program, compile
from .custom import op
from .explain import explain, table
from .forward import Dual, jacfwd, jvp
from .functional import grad, hessian, jacobian, value_and_grad
from .gradcheck import GradcheckError, gradcheck
from .graph import topological_order
from .modes import detect_anomaly, enable_grad, no_grad
from .reductions import dot, logsumexp, mean, sum  # noqa: F401 (engine.sum, not in __all__: it would shadow the builtin)
from .reverse import BackwardStep
from .tape import TraceError
from .value import Value

__all__ = [
    "BackwardStep", "Program", "TraceError", "compile", "Dual", "GradcheckError", "Value", "detect_anomaly", "dot", "enable_grad", "explain",
    "grad", "gradcheck", "hessian", "jacfwd", "jacobian", "jvp", "logsumexp", "mean", "no_grad", "op", "ops",
    "table", "topological_order", "value_and_grad",
]
