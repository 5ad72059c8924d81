"""Random programs differentiated by the engine, by sympy (exactly) and by PyTorch (float64)."""

from typing import Dict, List, Sequence, Tuple

import pytest
from hypothesis import given, reject

from engine import Value
from tests.strategies import ENGINE_OPS, Step, close, programs, run_program, well_conditioned


def engine_gradient(inputs: Sequence[float], steps: Sequence[Step]) -> Tuple[float, List[float]]:
    """Output and gradient by the engine; programs outside their domain are rejected."""
    xs = [Value(x) for x in inputs]
    try:
        regs = run_program(steps, xs, ENGINE_OPS)
        if not well_conditioned(steps, regs):
            reject()
        regs[-1].backward()
    except (ArithmeticError, ValueError):
        reject()
    return regs[-1].data, [x.grad for x in xs]


def sympy_ops() -> Dict:
    import sympy as sp

    def piecewise(slope):
        return lambda x: sp.Piecewise((x, x > 0), (slope * x, True))

    return {
        "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "sin": sp.sin, "cos": sp.cos, "tanh": sp.tanh,
        "sigmoid": lambda x: 1 / (1 + sp.exp(-x)), "softplus": lambda x: sp.log(1 + sp.exp(x)),
        "relu": piecewise(0), "leaky_relu": piecewise(sp.Rational(1, 10)), "abs": sp.Abs,
        "neg": lambda x: -x, "square": lambda x: x ** 2, "cube": lambda x: x ** 3,
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
    }


@given(programs(max_steps=6))
def test_random_programs_match_sympy(program) -> None:
    import sympy as sp

    inputs, steps = program
    value, grads = engine_gradient(inputs, steps)
    symbols = sp.symbols(f"x0:{len(inputs)}", real=True)
    expr = run_program(steps, list(symbols), sympy_ops())[-1]
    at = {s: sp.Float(x, 40) for s, x in zip(symbols, inputs)}  # the inputs exactly, then 40 digits
    assert close(value, float(sp.N(expr.subs(at), 30)), rel=1e-9)
    for s, grad in zip(symbols, grads):
        exact = float(sp.N(sp.diff(expr, s).subs(at), 30))
        assert close(grad, exact, rel=1e-9), (s, grad, exact)


def torch_ops() -> Dict:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    return {
        "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "sin": torch.sin, "cos": torch.cos,
        "tanh": torch.tanh, "sigmoid": torch.sigmoid, "softplus": lambda x: torch.logaddexp(x, torch.zeros_like(x)),
        "relu": torch.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.1), "abs": torch.abs,
        "neg": lambda x: -x, "square": lambda x: x ** 2, "cube": lambda x: x ** 3,
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b, "pow": lambda a, b: a ** b,
    }


@given(programs())
def test_random_programs_match_torch(program) -> None:
    ops = torch_ops()
    import torch

    inputs, steps = program
    value, grads = engine_gradient(inputs, steps)
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = run_program(steps, xs, ops)[-1]
    out.backward()
    assert close(value, out.item(), rel=1e-12)
    for x, grad in zip(xs, grads):
        want = x.grad.item() if x.grad is not None else 0.0
        assert close(grad, want, rel=1e-10), (grad, want)


def test_micrograd_sanity_expressions_match_torch() -> None:
    torch = pytest.importorskip("torch")
    from tests.engine.test_backward import micrograd_longer_expression

    def first(x):
        z = 2 * x + 2 + x
        q = z.relu() + z * x
        h = (z * z).relu()
        return h + q + q * x

    for build in (first,):
        x, xt = Value(-4.0), torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
        y, yt = build(x), build(xt)
        y.backward()
        yt.backward()
        assert (y.data, x.grad) == (yt.item(), xt.grad.item()) == (-20.0, 46.0)
    a, b = Value(-4.0), Value(2.0)
    at, bt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (-4.0, 2.0))
    g, gt = micrograd_longer_expression(a, b), micrograd_longer_expression(at, bt)
    g.backward()
    gt.backward()
    assert close(g.data, gt.item(), rel=1e-12)
    assert close(a.grad, at.grad.item(), rel=1e-12) and close(b.grad, bt.grad.item(), rel=1e-12)
