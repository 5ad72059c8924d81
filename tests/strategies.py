"""Hypothesis strategies and the oracles they are checked against, shared by every test package.

Each op has a domain to draw inputs from and a derivative written by hand here,
in a different form from the engine's rule where one exists (tanh' = 1/cosh^2,
not 1 - tanh^2), so the two are independent.

Random programs are straight-line code over a few inputs: each step applies an op
to earlier registers, so values are reused (fan-out) and the graph is a DAG. The
same program runs on the engine, on sympy and on torch through ``run_program``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Sequence, Tuple

from hypothesis import strategies as st

from engine import Value


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Finite float64 inputs in [lo, hi]."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


@dataclass(frozen=True)
class UnarySpec:
    name: str
    apply: Callable[[Value], Value]
    domain: st.SearchStrategy[float]
    derivative: Callable[[float], float]  # by hand, independent of the engine's rule


def _away_from_zero(lo: float, hi: float) -> st.SearchStrategy[float]:
    # Kinked ops are compared off their kink; the kink itself has its own test.
    return reals(lo, hi).filter(lambda x: abs(x) > 1e-3)


UNARY = [
    UnarySpec("exp", Value.exp, reals(-30, 30), math.exp),
    UnarySpec("log", Value.log, reals(1e-3, 1e3), lambda x: 1 / x),
    UnarySpec("sqrt", Value.sqrt, reals(1e-3, 1e3), lambda x: 0.5 * x ** -0.5),
    UnarySpec("sin", Value.sin, reals(-10, 10), math.cos),
    UnarySpec("cos", Value.cos, reals(-10, 10), lambda x: -math.sin(x)),
    UnarySpec("tanh", Value.tanh, reals(-15, 15), lambda x: 1 / math.cosh(x) ** 2),
    UnarySpec("sigmoid", Value.sigmoid, reals(-30, 30), lambda x: 1 / (2 + 2 * math.cosh(x))),
    UnarySpec("softplus", Value.softplus, reals(-30, 30), lambda x: 0.5 * (1 + math.tanh(x / 2))),
    UnarySpec("relu", Value.relu, _away_from_zero(-5, 5), lambda x: 1.0 if x > 0 else 0.0),
    UnarySpec("leaky_relu", Value.leaky_relu, _away_from_zero(-5, 5), lambda x: 1.0 if x > 0 else 0.01),
    UnarySpec("abs", Value.abs, _away_from_zero(-5, 5), lambda x: math.copysign(1.0, x)),
    UnarySpec("neg", Value.__neg__, reals(-5, 5), lambda x: -1.0),
    UnarySpec("square", lambda v: v ** 2, reals(-5, 5), lambda x: 2 * x),
    UnarySpec("cube", lambda v: v ** 3, reals(-5, 5), lambda x: 3 * x * x),
    UnarySpec("inverse", lambda v: v ** -1, _away_from_zero(-5, 5), lambda x: -1 / (x * x)),
    UnarySpec("root", lambda v: v ** 0.5, reals(1e-3, 1e3), lambda x: 0.5 / math.sqrt(x)),
    UnarySpec("rpow", lambda v: 2 ** v, reals(-10, 10), lambda x: math.log(2) * 2 ** x),
    UnarySpec("rsub", lambda v: 3 - v, reals(-5, 5), lambda x: -1.0),
    UnarySpec("rdiv", lambda v: 3 / v, _away_from_zero(-5, 5), lambda x: -3 / (x * x)),
]


@dataclass(frozen=True)
class BinarySpec:
    name: str
    apply: Callable[[Value, Value], Value]
    a: st.SearchStrategy[float]
    b: st.SearchStrategy[float]
    derivative: Callable[[float, float], Tuple[float, float]]


BINARY = [
    BinarySpec("add", lambda a, b: a + b, reals(-5, 5), reals(-5, 5), lambda a, b: (1.0, 1.0)),
    BinarySpec("sub", lambda a, b: a - b, reals(-5, 5), reals(-5, 5), lambda a, b: (1.0, -1.0)),
    BinarySpec("mul", lambda a, b: a * b, reals(-5, 5), reals(-5, 5), lambda a, b: (b, a)),
    BinarySpec("div", lambda a, b: a / b, reals(-5, 5), _away_from_zero(-5, 5), lambda a, b: (1 / b, -a / (b * b))),
    BinarySpec("pow", lambda a, b: a ** b, reals(0.05, 5), reals(-3, 3),
               lambda a, b: (b * a ** (b - 1), a ** b * math.log(a))),
]


def central_difference(f: Callable[[float], float], x: float, eps: float = 1e-6) -> float:
    """(f(x + eps) - f(x - eps)) / 2 eps, eps scaled to x: error about eps^2."""
    h = eps * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2 * h)


def close(actual: float, expected: float, rel: float, floor: float = 1.0) -> bool:
    """|actual - expected| <= rel * max(|expected|, floor): relative, with a floor near zero."""
    return abs(actual - expected) <= rel * max(abs(expected), floor)


# -- random programs -------------------------------------------------------------

PROGRAM_UNARY = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "softplus",
                 "relu", "leaky_relu", "abs", "neg", "square", "cube"]
PROGRAM_BINARY = ["add", "sub", "mul", "div", "pow"]
KINKED = {"relu", "leaky_relu", "abs"}

Step = Tuple[str, int, int]  # (op, first register, second register; -1 if unary)


@st.composite
def programs(draw: Callable, max_inputs: int = 3, max_steps: int = 8) -> Tuple[List[float], List[Step]]:
    """Inputs and a straight-line program over them; the last register is the output."""
    inputs = draw(st.lists(reals(-2, 2), min_size=1, max_size=max_inputs))
    steps: List[Step] = []
    for k in range(draw(st.integers(1, max_steps))):
        registers = len(inputs) + k
        i = draw(st.integers(0, registers - 1))
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(PROGRAM_UNARY)), i, -1))
        else:
            steps.append((draw(st.sampled_from(PROGRAM_BINARY)), i, draw(st.integers(0, registers - 1))))
    return inputs, steps


def run_program(steps: Sequence[Step], inputs: Sequence[Any], ops: Dict[str, Callable]) -> List[Any]:
    """Every register's value, computing each step with ``ops``; the output is the last."""
    regs = list(inputs)
    for name, i, j in steps:
        regs.append(ops[name](regs[i]) if j < 0 else ops[name](regs[i], regs[j]))
    return regs


ENGINE_OPS: Dict[str, Callable] = {
    "exp": Value.exp, "log": Value.log, "sqrt": Value.sqrt, "sin": Value.sin, "cos": Value.cos,
    "tanh": Value.tanh, "sigmoid": Value.sigmoid, "softplus": Value.softplus, "relu": Value.relu,
    "leaky_relu": lambda x: x.leaky_relu(0.1), "abs": Value.abs, "neg": lambda x: -x,
    "square": lambda x: x ** 2, "cube": lambda x: x ** 3,
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
}


def well_conditioned(steps: Sequence[Step], regs: Sequence[Value]) -> bool:
    """Whether a program's engine run stays where its derivative is smooth and moderate.

    Off kinks, away from tiny divisors and bases, without huge values: there the
    engine, sympy and torch must agree closely.
    """
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
