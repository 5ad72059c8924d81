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

from .. import reductions
from ..checks import as_float
from ..ops import STOP, Op
from ..symbolic import Sym
from ..value import Value
from .assertions import input_names

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
MAX_MISSES = 10_000  # unusable programs in a row before random_expressions gives up


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
# An op with a plain number written into the program: x + c, c ** x, x ** c, ...
CONSTANT: Dict[str, Callable[[Any, float], Any]] = {
    "add_c": lambda x, c: x + c, "mul_c": lambda x, c: x * c, "rsub_c": lambda x, c: c - x,
    "rdiv_c": lambda x, c: c / x, "rpow_c": lambda x, c: abs(c) ** x, "pow_c": lambda x, c: x ** round(c),
    "leaky_relu_c": lambda x, c: x.leaky_relu(abs(c) / 3),  # a slope from 0 to 1
}
# The fused nodes, over two to four registers.
FUSED: Dict[str, Callable[..., Any]] = {
    "sum": lambda *xs: reductions.sum(xs), "mean": lambda *xs: reductions.mean(xs),
    "logsumexp": lambda *xs: reductions.logsumexp(xs),
    "dot": lambda *xs: reductions.dot(xs[: len(xs) // 2], xs[len(xs) // 2: 2 * (len(xs) // 2)],
                                      bias=xs[-1] if len(xs) % 2 else None),
}
KINKED = {"relu", "leaky_relu", "leaky_relu_c", "abs"}
# With ``held`` inputs, programs also stop gradients: a detached value (engine.Value.detach, torch's detach).
DETACH: Dict[str, Callable[[Any], Any]] = {"detach": lambda x: STOP(x)}
ROLES = ("parameter", "constant")  # what a held input stands for when compiled: a model's weight, a number in f
TABLE: Dict[str, Callable[..., Any]] = {**UNARY, **BINARY, **CONSTANT, **FUSED}

Step = Tuple[str, Tuple[int, ...], float]  # (op, argument registers, the constant of a CONSTANT op)


@dataclass(frozen=True, repr=False)
class Expression:
    """A random straight-line program over a few inputs: call it like a function of numbers.

    Each step applies an op to earlier registers, so subexpressions are shared (the
    graph is a DAG, not a tree). ``inputs`` is the point it was drawn for, and its
    repr is the formula, so a failing example prints readably.
    """

    inputs: Tuple[float, ...]
    steps: Tuple[Step, ...]
    extra: Tuple[Tuple[str, Callable[..., Any]], ...] = ()  # (name, function) of custom unary ops
    # Roles of the last inputs, "parameter" or "constant": a compiled check binds them as a model's weights
    # (Values made before the trace) or as numbers written into f, and traces only the inputs before them.
    held: Tuple[str, ...] = ()

    @property
    def traced(self) -> int:
        """How many inputs come first, to be traced (the rest are held)."""
        return len(self.inputs) - len(self.held)

    @property
    def held_only(self) -> Tuple[int, ...]:
        """The registers that read held inputs alone (directly or through other steps), never a traced one:
        per batch they are one number, not one per sample."""
        held = set(range(self.traced, len(self.inputs)))
        for k, (_, args, _) in enumerate(self.steps):
            if all(a in held for a in args):
                held.add(len(self.inputs) + k)
        return tuple(sorted(held))

    def __call__(self, *xs: Any) -> Any:
        return self.run(xs)[-1]

    def run(self, xs: Sequence[Any], table: Optional[Dict[str, Callable]] = None) -> List[Any]:
        """Every register's value, computing each step with ``table`` (op name -> function; by default
        Value-style methods and the engine's fused ops, which serve every kind of number)."""
        table = {**TABLE, **DETACH, **dict(self.extra)} if table is None else table
        regs = list(xs)
        for name, args, c in self.steps:
            f = table[name]
            regs.append(f(regs[args[0]], c) if name in CONSTANT else f(*[regs[i] for i in args]))
        return regs

    @property
    def formula(self) -> str:
        return str(self(*[Sym(n) for n in input_names(len(self.inputs))]))

    def __repr__(self) -> str:
        names = input_names(len(self.inputs))[self.traced:]
        roles = "".join(f", {n} a {role}" for n, role in zip(names, self.held))
        return f"Expression({self.formula} at {list(self.inputs)}{roles})"


def well_conditioned(steps: Sequence[Step], regs: Sequence[Any], kinks: bool = False) -> bool:
    """Whether a run stays where the derivative is smooth and moderate: away from tiny divisors and
    bases, without huge values, and off kinks (exactly on one too, with ``kinks``: there every op
    takes PyTorch's one-sided convention). There every correct method agrees closely."""
    n_inputs = len(regs) - len(steps)
    for k, (name, args, c) in enumerate(steps):
        x = regs[args[0]].data
        if name in KINKED and abs(x) < 1e-6 and not (kinks and x == 0.0):
            return False
        if name == "div" and abs(regs[args[1]].data) < 1e-2:
            return False
        if name == "rdiv_c" and abs(x) < 1e-2:
            return False
        if name in ("log", "sqrt") and x < 1e-3:
            return False
        if name == "pow" and x < 1e-2:
            return False
        if name == "pow_c" and round(c) < 0 and abs(x) < 1e-2:
            return False
        if name == "rpow_c" and abs(c) < 1e-2:
            return False
        if abs(regs[n_inputs + k].data) > 1e6:
            return False
    return True


class _Picks:
    """The choices a program is made of, from hypothesis (shrinkable) or from a seeded Random (bulk)."""

    def __init__(self, draw: Optional[Callable] = None, rng: Optional[random.Random] = None) -> None:
        self.draw, self.rng = draw, rng

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi)) if self.draw else self.rng.randint(lo, hi)

    def choice(self, options: Sequence[Any]) -> Any:
        return self.draw(st.sampled_from(list(options))) if self.draw else self.rng.choice(list(options))

    def real(self, lo: float, hi: float) -> float:
        return self.draw(st.floats(lo, hi)) if self.draw else self.rng.uniform(lo, hi)  # lo, hi finite: _domain


def _program(pick: _Picks, names: List[str], max_depth: int, inputs: int, lo: float, hi: float,
             kinks: bool, held: bool) -> Tuple[Tuple[float, ...], Tuple[Step, ...], Tuple[str, ...]]:
    """Inputs, steps and the held inputs' roles. With ``held``, the last one or more inputs (never all) are held,
    and a third of the steps (the last one a sixth of the time) read only registers that read only held
    inputs: kinks, fused nodes and outputs of a batch's one number, where compiled replays differ most."""
    xs = tuple(0.0 if kinks and pick.integer(0, 4) == 0 else pick.real(lo, hi) for _ in range(pick.integer(1, inputs)))
    roles: Tuple[str, ...] = ()
    if held and len(xs) > 1:
        roles = tuple(pick.choice(ROLES) for _ in range(pick.integer(1, len(xs) - 1)))
        names = names + list(DETACH)
    pool = list(range(len(xs) - len(roles), len(xs)))  # registers reading held inputs alone
    steps: List[Step] = []
    depth = pick.integer(1, max_depth)
    for k in range(depth):
        registers = len(xs) + k
        name = pick.choice(names)
        alone = bool(pool) and pick.integer(0, 5 if k == depth - 1 else 2) == 0
        reg = (lambda: pick.choice(pool)) if alone else (lambda: pick.integer(0, registers - 1))
        if name in BINARY:
            args: Tuple[int, ...] = (reg(), reg())
        elif name in FUSED:
            args = tuple(reg() for _ in range(pick.integer(2, 4)))
        else:
            args = (reg(),)
        if roles and all(a in pool for a in args):
            pool.append(registers)
        steps.append((name, args, pick.real(-3.0, 3.0) if name in CONSTANT else 0.0))
    return xs, tuple(steps), roles


def _names(ops: Optional[Sequence[str]], extra: Dict[str, Callable]) -> List[str]:
    known = {**TABLE, **extra}
    names = list(ops) if ops is not None else list(known)
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ValueError(f"expressions: unknown ops {unknown}; choose from {', '.join(known)}")
    return names


def _domain(domain: Union[str, Tuple[float, float]]) -> Tuple[float, float]:
    """(lo, hi) of a domain named in DOMAINS or given as two finite numbers lo < hi (an infinite bound made
    every input inf or nan, and the seeded generator looked for a usable program forever)."""
    if isinstance(domain, str):
        if domain not in DOMAINS:
            raise ValueError(f"expressions: domain must be one of {', '.join(DOMAINS)} or a pair (lo, hi), "
                             f"got {domain!r}")
        return DOMAINS[domain][:2]
    if not isinstance(domain, Sequence) or len(domain) != 2:
        raise TypeError(f"expressions: domain must be a name or a pair (lo, hi), got {type(domain).__name__} "
                        f"{domain!r}")
    lo, hi = as_float(domain[0], "expressions: domain's lo"), as_float(domain[1], "expressions: domain's hi")
    if not lo < hi:
        raise ValueError(f"expressions: domain's lo must be below its hi, got {domain!r}")
    return lo, hi


def _usable(expression: Expression, kinks: bool) -> bool:
    try:
        regs = expression.run([Value(x) for x in expression.inputs])
    except (ArithmeticError, ValueError):
        return False
    return well_conditioned(expression.steps, regs, kinks)


@st.composite
def expressions(draw: Callable, ops: Optional[Sequence[str]] = None, max_depth: int = 8, inputs: int = 3,
                domain: Union[str, Tuple[float, float]] = (-2.0, 2.0), kinks: bool = False,
                extra: Optional[Dict[str, Callable]] = None, held: bool = False) -> Expression:
    """Random well-conditioned expressions of 1 to ``inputs`` inputs and 1 to ``max_depth`` steps.

    ``ops`` are names from ``UNARY``, ``BINARY``, ``CONSTANT`` (numbers written into the
    program) and ``FUSED`` (sum, mean, dot, logsumexp), all of them by default, and
    ``extra`` custom unary ops by name. With ``kinks``, inputs are sometimes exactly 0, so
    relu, abs and leaky_relu meet their kinks. With ``held``, the last inputs (one or more, never
    all) are held (``Expression.held``: each a "parameter" or a "constant" when compiled), steps
    often read them alone, and ``detach`` joins the ops. Draws where some step leaves its domain,
    or the derivative is not smooth, are rejected.
    """
    extra = dict(extra or {})
    names = _names(ops, extra)
    lo, hi = _domain(domain)
    xs, steps, roles = _program(_Picks(draw=draw), names, max_depth, inputs, lo, hi, kinks, held)
    expression = Expression(xs, steps, tuple(extra.items()), roles)
    assume(_usable(expression, kinks))
    return expression


def random_expressions(count: int, seed: int = 0, ops: Optional[Sequence[str]] = None, max_depth: int = 8,
                       inputs: int = 3, domain: Union[str, Tuple[float, float]] = (-2.0, 2.0), kinks: bool = False,
                       extra: Optional[Dict[str, Callable]] = None, held: bool = False) -> List[Expression]:
    """``count`` usable expressions from a seeded generator, for bulk fuzzing: the same programs as
    :func:`expressions` draws, without hypothesis's per-example overhead (and without shrinking).

    >>> len(random_expressions(5, seed=1))
    5
    """
    extra = dict(extra or {})
    names = _names(ops, extra)
    lo, hi = _domain(domain)
    rng = random.Random(seed)
    found: List[Expression] = []
    misses = 0
    while len(found) < count:
        xs, steps, roles = _program(_Picks(rng=rng), names, max_depth, inputs, lo, hi, kinks, held)
        expression = Expression(xs, steps, tuple(extra.items()), roles)
        if _usable(expression, kinks):
            found.append(expression)
            misses = 0
        elif (misses := misses + 1) == MAX_MISSES:  # as hypothesis's health check stops a filter that rejects all
            raise ValueError(f"random_expressions: no usable expression in {MAX_MISSES} tries in a row, with ops "
                             f"{', '.join(names)} on the domain {lo:g} to {hi:g}: choose a domain where they stay "
                             f"finite and smooth, or other ops")
    return found


@st.composite
def mlps(draw: Callable, make: Callable[..., Any], nin: Union[int, Tuple[int, int]] = (1, 4),
         layers: Tuple[int, int] = (1, 3), width: Tuple[int, int] = (1, 5),
         activations: Sequence[str] = ("relu", "tanh", "sigmoid")) -> Any:
    """Small models with seeded weights (the caller's random state is left alone), made by
    ``make(nin, sizes, activation=...)``: ``mlps(nn.MLP)``. The model class is passed in, since the
    engine sits below ``nn`` and never imports it.

    ... from nn import MLP
    ... @given(mlps(MLP, layers=(1, 3)))
    ... def test_my_property(model): ...
    """
    n_in = nin if isinstance(nin, int) else draw(st.integers(*nin))
    sizes = draw(st.lists(st.integers(*width), min_size=layers[0], max_size=layers[1]))
    activation = draw(st.sampled_from(list(activations)))
    seed = draw(st.integers(0, 2 ** 31 - 1))
    state = random.getstate()
    try:
        random.seed(seed)
        return make(n_in, sizes, activation=activation)
    finally:
        random.setstate(state)


@st.composite
def convolutions(draw: Callable, dims: int = 2, channels: Tuple[int, int] = (1, 3),
                 kernel: Tuple[int, int] = (1, 3), size: Tuple[int, int] = (1, 7)) -> dict:
    """Settings of a small convolution or pooling: ``in_channels``, ``out_channels``, ``kernel_size``, ``stride``,
    ``padding``, ``dilation`` (tuples of ``dims``) and the input's spatial ``shape``, drawn so that the output
    has at least one position (and padding at most half the kernel, as PyTorch's pools require), with a
    ``seed`` for the weights and inputs.

    ... @given(convolutions(dims=1))
    ... def test_my_conv(s): ...
    """
    def each(lo: int, hi: int) -> Tuple[int, ...]:
        return tuple(draw(st.integers(lo, hi)) for _ in range(dims))

    k, stride, dilation = each(*kernel), each(1, 3), each(1, 2)
    padding = tuple(draw(st.integers(0, ki // 2)) for ki in k)
    shape = tuple(draw(st.integers(max(size[0], d * (ki - 1) + 1 - 2 * p), max(size[1], d * (ki - 1) + 1 - 2 * p)))
                  for ki, d, p in zip(k, dilation, padding))
    return {"in_channels": draw(st.integers(*channels)), "out_channels": draw(st.integers(*channels)),
            "kernel_size": k, "stride": stride, "padding": padding, "dilation": dilation, "shape": shape,
            "seed": draw(st.integers(0, 2 ** 31 - 1))}
