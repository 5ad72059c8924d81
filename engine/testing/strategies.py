"""Hypothesis strategies for tests of derivatives: inputs in an op's domain, Values, random
expressions and small models. Needs hypothesis (``pip install 'chainrule[testing]'``).

>>> from hypothesis import given
>>> @given(expressions(max_depth=4))
... def test_my_property(e):
...     assert e.formula                      # e(*values) computes it; e.inputs is where
>>> test_my_property()
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from hypothesis import assume, strategies as st

from ..ops import Op
from ..symbolic import Sym
from ..value import Value

# Where each op is smooth and moderate: (lo, hi, kink). Inputs within 1e-3 of a kink are left out,
# since one-sided derivatives there differ (relu, abs) and finite differences straddle them.
DOMAINS: Dict[str, Tuple[float, float, Optional[float]]] = {
    "real": (-5.0, 5.0, None), "positive": (1e-3, 1e3, None), "nonzero": (-5.0, 5.0, 0.0),
    "exp": (-30.0, 30.0, None), "log": (1e-3, 1e3, None), "sqrt": (1e-3, 1e3, None),
    "sin": (-10.0, 10.0, None), "cos": (-10.0, 10.0, None), "tanh": (-15.0, 15.0, None),
    "sigmoid": (-30.0, 30.0, None), "softplus": (-30.0, 30.0, None),
    "relu": (-5.0, 5.0, 0.0), "leaky_relu": (-5.0, 5.0, 0.0), "abs": (-5.0, 5.0, 0.0),
    "neg": (-5.0, 5.0, None), "add": (-5.0, 5.0, None), "sub": (-5.0, 5.0, None), "mul": (-5.0, 5.0, None),
    "div": (-5.0, 5.0, 0.0),  # the divisor
    "pow": (0.05, 5.0, None),  # a base raised to any real power
}
KINK_MARGIN = 1e-3


def floats_in(domain: Union[str, Op, Tuple[float, float]] = "real") -> st.SearchStrategy[float]:
    """Finite floats where ``domain`` is smooth: an op's name or op (``"log"``: x > 0, ``"relu"``:
    away from 0), one of ``real``, ``positive``, ``nonzero``, or a ``(lo, hi)`` pair.

    >>> from hypothesis import given
    >>> @given(floats_in("log"))
    ... def test_log_domain(x):
    ...     assert x > 0
    >>> test_log_domain()
    """
    if isinstance(domain, Op):
        domain = domain.name
    if isinstance(domain, tuple):
        lo, hi, kink = float(domain[0]), float(domain[1]), None
    elif domain in DOMAINS:
        lo, hi, kink = DOMAINS[domain]
    else:
        raise ValueError(f"floats_in: unknown domain {domain!r}; use an op name ({', '.join(DOMAINS)}) "
                         f"or a (lo, hi) pair")
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    return floats if kink is None else floats.filter(lambda x: abs(x - kink) > KINK_MARGIN)


def values(domain: Union[str, Op, Tuple[float, float]] = "real") -> st.SearchStrategy[Value]:
    """Leaf Values with data drawn by :func:`floats_in`."""
    return floats_in(domain).map(Value)


# -- random expressions -----------------------------------------------------------------------------

UNARY: Dict[str, Callable[[Any], Any]] = {
    "exp": lambda x: x.exp(), "log": lambda x: x.log(), "sqrt": lambda x: x.sqrt(), "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(), "tanh": lambda x: x.tanh(), "sigmoid": lambda x: x.sigmoid(),
    "softplus": lambda x: x.softplus(), "relu": lambda x: x.relu(), "leaky_relu": lambda x: x.leaky_relu(0.1),
    "abs": lambda x: x.abs(), "neg": lambda x: -x, "square": lambda x: x ** 2, "cube": lambda x: x ** 3,
}
BINARY: Dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
}
KINKED = {"relu", "leaky_relu", "abs"}

Step = Tuple[str, int, int]  # (op, first register, second register; -1 if unary)


@dataclass(frozen=True, repr=False)
class Expression:
    """A random straight-line program over a few inputs: call it like a function of numbers.

    Each step applies an op to earlier registers, so subexpressions are shared (the
    graph is a DAG, not a tree). ``inputs`` is the point it was drawn for, and its
    repr is the formula, so a failing example prints readably.
    """

    inputs: Tuple[float, ...]
    steps: Tuple[Step, ...]

    def __call__(self, *xs: Any) -> Any:
        return self.run(xs)[-1]

    def run(self, xs: Sequence[Any], table: Optional[Dict[str, Callable]] = None) -> List[Any]:
        """Every register's value, computing each step with ``table`` (op name -> function; by default
        Value-style methods, which serve Values, dual numbers and symbols alike)."""
        table = table or {**UNARY, **BINARY}
        regs = list(xs)
        for name, i, j in self.steps:
            regs.append(table[name](regs[i]) if j < 0 else table[name](regs[i], regs[j]))
        return regs

    @property
    def formula(self) -> str:
        names = ["x"] if len(self.inputs) == 1 else [f"x{i}" for i in range(len(self.inputs))]
        return str(self(*[Sym(n) for n in names]))

    def __repr__(self) -> str:
        return f"Expression({self.formula} at {list(self.inputs)})"


def well_conditioned(steps: Sequence[Step], regs: Sequence[Any]) -> bool:
    """Whether a run stays where the derivative is smooth and moderate: off kinks, away from tiny
    divisors and bases, without huge values. There every correct method agrees closely."""
    n_inputs = len(regs) - len(steps)
    for k, (name, i, j) in enumerate(steps):
        x = regs[i].data
        if name in KINKED and abs(x) < 1e-6:
            return False
        if name == "div" and abs(regs[j].data) < 1e-2:
            return False
        if name in ("log", "sqrt") and x < 1e-3:
            return False
        if name == "pow" and x < 1e-2:
            return False
        if abs(regs[n_inputs + k].data) > 1e6:
            return False
    return True


@st.composite
def expressions(draw: Callable, ops: Optional[Sequence[str]] = None, max_depth: int = 8, inputs: int = 3,
                domain: Union[str, Tuple[float, float]] = (-2.0, 2.0)) -> Expression:
    """Random well-conditioned expressions of 1 to ``inputs`` inputs and 1 to ``max_depth`` steps,
    drawn from ``ops`` (names in ``UNARY`` and ``BINARY``; all of them by default).

    Draws where some step leaves its domain, or the derivative is not smooth, are rejected.
    """
    names = list(ops) if ops is not None else list(UNARY) + list(BINARY)
    unknown = [n for n in names if n not in UNARY and n not in BINARY]
    if unknown or not names:
        raise ValueError(f"expressions: unknown ops {unknown}; choose from {', '.join(list(UNARY) + list(BINARY))}")
    unary, binary = [n for n in names if n in UNARY], [n for n in names if n in BINARY]
    xs = tuple(draw(st.lists(floats_in(domain), min_size=1, max_size=inputs)))
    steps: List[Step] = []
    for k in range(draw(st.integers(1, max_depth))):
        registers = len(xs) + k
        i = draw(st.integers(0, registers - 1))
        if unary and (not binary or draw(st.booleans())):
            steps.append((draw(st.sampled_from(unary)), i, -1))
        else:
            steps.append((draw(st.sampled_from(binary)), i, draw(st.integers(0, registers - 1))))
    expression = Expression(xs, tuple(steps))
    try:
        regs = expression.run([Value(x) for x in xs])
    except (ArithmeticError, ValueError):
        regs = None
    assume(regs is not None and well_conditioned(steps, regs))
    return expression


@st.composite
def mlps(draw: Callable, nin: Union[int, Tuple[int, int]] = (1, 4), layers: Tuple[int, int] = (1, 3),
         width: Tuple[int, int] = (1, 5), activations: Sequence[str] = ("relu", "tanh", "sigmoid")) -> Any:
    """Small ``nn.MLP`` models with seeded weights (the caller's random state is left alone)."""
    from nn import MLP  # the testing toolkit sits above nn; the engine itself never imports it

    n_in = nin if isinstance(nin, int) else draw(st.integers(*nin))
    sizes = draw(st.lists(st.integers(*width), min_size=layers[0], max_size=layers[1]))
    activation = draw(st.sampled_from(list(activations)))
    seed = draw(st.integers(0, 2 ** 31 - 1))
    state = random.getstate()
    try:
        random.seed(seed)
        return MLP(n_in, sizes, activation=activation)
    finally:
        random.setstate(state)
