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

# The core: Values, ops and their rules, the reverse pass, modes.
from . import ops
from .custom import op
from .discrete import argmax, one_hot, straight_through
from .graph import topological_order
from .modes import TraceError, detect_anomaly, enable_grad, no_grad
from .profiler import Profile, profile
from .reductions import dot, logsumexp, mean, sum  # noqa: F401 (engine.sum, not in __all__: it would shadow the builtin)
from .reverse import BackwardStep
from .value import Value, as_value

# Transforms and explanations, then the compiler, each built on the core.
from .transforms.checkpoint import RecomputeError, checkpoint
from .transforms.explain import explain, table
from .transforms.forward import Dual, jacfwd, jvp
from .transforms.functional import grad, hessian, jacobian, jacobian_plan, jacrev, value_and_grad, vjp
from .transforms.jacobian_modes import JacobianPlan
from .transforms.gradcheck import GradcheckError, gradcheck
from .transforms.taylor import Series, taylor
from .transforms.second_order import GaussNewton, gauss_newton, gauss_newton_step, hvp, implicit_grad, newton_step
from .compiler.program import Program, compile

__all__ = [
    "BackwardStep", "RecomputeError", "GaussNewton", "Program", "TraceError", "compile", "Dual", "GradcheckError", "Value",
    "as_value",
    "checkpoint", "detect_anomaly", "dot", "enable_grad", "explain", "gauss_newton", "gauss_newton_step", "grad",
    "gradcheck", "hessian", "hvp", "implicit_grad", "jacfwd", "jacobian", "JacobianPlan", "jacobian_plan", "jacrev", "jvp", "logsumexp", "mean", "newton_step", "no_grad", "op", "ops", "Profile", "profile",
    "Series", "argmax", "one_hot", "straight_through", "table", "taylor", "topological_order", "value_and_grad", "vjp",
]
