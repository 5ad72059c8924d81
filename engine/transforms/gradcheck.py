"""Gradient checking: analytic derivatives against central differences, to any order."""

from __future__ import annotations

import sys
from typing import Any, Callable, List, NamedTuple, Optional, Sequence, Tuple

from ..arithmetic import Arithmetic
from ..checks import as_float
from ..reverse import isolated_gradients
from ..value import Value
from . import differences
from .functional import as_scalar, grad

TINY = sys.float_info.min


class Row(NamedTuple):
    """One derivative compared: which, the engine's value, the numeric one, their relative error."""

    input: str
    analytic: float
    numeric: float
    rel_error: float
    ok: bool


class GradcheckTable(List[Row]):
    """The rows of a gradient check; ``str()`` gives the table."""

    def __str__(self) -> str:
        lines = [f"{'input':<14}{'analytic':>16}{'numeric':>16}{'rel. error':>12}", "-" * 58]
        for r in self:
            mark = "" if r.ok else "  <-- mismatch"
            lines.append(f"{r.input:<14}{r.analytic:>16.8g}{r.numeric:>16.8g}{r.rel_error:>12.2e}{mark}")
        return "\n".join(lines)


class GradcheckError(AssertionError):
    """An analytic derivative disagrees with central differences; the message is the table."""

    def __init__(self, table: GradcheckTable) -> None:
        super().__init__(f"gradcheck failed:\n{table}")
        self.table = table


def value_at(f: Callable[..., Any], xs: Sequence[Any]) -> Any:
    """f's value at the floats ``xs``, given to it as Values (f is written for them: ``x.sin()``). A complex-step
    number among them is passed as it is, and f's complex result comes back."""
    out = f(*[x if isinstance(x, Arithmetic) else Value(x) for x in xs])
    if isinstance(out, Value):
        return out.data
    if isinstance(out, Arithmetic):
        return out  # the complex step's number, read by its scheme
    return as_float(out, "f's result")


def first_gradient(f: Callable[..., Any], xs: Sequence[float]) -> List[float]:
    """df/dx_j at ``xs`` by the plain float pass, which also runs hand-written ``_backward`` closures."""
    leaves = [Value(x) for x in xs]
    return isolated_gradients(as_scalar(f(*leaves), "gradcheck"), leaves, create_graph=False)


def relative_error(a: float, b: float) -> float:
    """|a - b| / (|a| + |b|), HIPS autograd's measure: symmetric, and 0 when both are 0."""
    return abs(a - b) / max(abs(a) + abs(b), TINY)


def step(eps: Optional[float], x: float) -> Optional[float]:
    """The finite-difference step for ``x``: ``eps`` scaled by max(1, |x|), or None for the scheme's own."""
    return None if eps is None else eps * max(1.0, abs(x))


def gradcheck(f: Callable[..., Any], inputs: Sequence[float], eps: Optional[float] = None, atol: float = 1e-5,
              rtol: float = 1e-3, order: int = 1, scheme: str = "central") -> GradcheckTable:
    """Compare every derivative of ``f`` at ``inputs`` (of the given order) with finite differences.

    A derivative passes when ``|analytic - numeric| <= atol + rtol * |numeric|``, as in
    PyTorch. Returns the table; raises :class:`GradcheckError` with it on a mismatch.
    ``order=2`` checks gradients of gradients (the Hessian), and so on. ``scheme`` is
    one of ``engine.testing.SCHEMES`` (forward, backward, central, five_point,
    richardson, complex_step: order 1 only); ``eps`` is the step before scaling by max(1, |x|), by default the
    scheme's own (eps^(1/3) = 6e-6 for central differences).

    >>> table = gradcheck(lambda x, y: (x * y).sin(), [0.5, 2.0])
    >>> [row.input for row in table], all(row.ok for row in table)
    (['d/dx0', 'd/dx1'], True)
    """
    xs = [as_float(x, "gradcheck input") for x in inputs]
    if not xs:
        raise ValueError("gradcheck needs at least one input, got none")
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"gradcheck: order must be a whole number >= 1, got {order!r}")
    differences.scheme(scheme)  # a ValueError naming the schemes, before any work
    if scheme == "complex_step" and order > 1:
        raise ValueError("gradcheck: the complex step differentiates f itself, not its derivatives (grad takes no "
                         "complex numbers); check order 2 and above with a difference scheme such as 'central'")
    if eps is not None and not eps > 0:
        raise ValueError(f"gradcheck: eps must be positive, got {eps!r}")
    # The functions whose gradients are checked: f itself, or its derivatives of order - 1.
    targets: List[Tuple[str, Callable[..., Any]]] = [("", f)]
    for _ in range(order - 1):
        targets = [(f"{name}dx{j}", grad(g, argnums=j)) for name, g in targets for j in range(len(xs))]
    table = GradcheckTable()
    for name, g in targets:
        analytic = first_gradient(g, xs) if order == 1 else [d.data for d in grad(g, argnums=tuple(range(len(xs))))(*xs)]
        for j, a in enumerate(analytic):
            n = differences.partial_derivative(lambda *p, g=g: value_at(g, p), xs, j, scheme, step(eps, xs[j]))
            label = f"d{order if order > 1 else ''}/{name}dx{j}"
            table.append(Row(label, a, n, relative_error(a, n), abs(a - n) <= atol + rtol * abs(n)))
    if not all(row.ok for row in table):
        raise GradcheckError(table)
    return table
