"""Random expressions differentiated by the engine, by sympy (exactly) and by PyTorch (float64)."""

from typing import Dict, List, Tuple

import pytest
from hypothesis import given, reject

from engine import Value
from engine.testing import Expression, close, expressions, torch_reference
from engine.testing.oracles import TORCH_MISSING


def engine_gradient(e: Expression) -> Tuple[float, List[float]]:
    """Output and gradient by the engine at the expression's inputs."""
    xs = [Value(x) for x in e.inputs]
    out = e(*xs)
    try:
        out.backward()
    except (ArithmeticError, ValueError):  # a derivative that overflows although the value does not
        reject()
    return out.data, [x.grad for x in xs]


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
        # the constant c as the exact rational of its float, so sympy sees the same number
        "add_c": lambda x, c: x + sp.Rational(c), "mul_c": lambda x, c: x * sp.Rational(c),
        "rsub_c": lambda x, c: sp.Rational(c) - x, "rdiv_c": lambda x, c: sp.Rational(c) / x,
        "rpow_c": lambda x, c: sp.Rational(abs(c)) ** x, "pow_c": lambda x, c: x ** round(c),
        "leaky_relu_c": lambda x, c: piecewise(sp.Rational(abs(c) / 3))(x),
        "sum": lambda *xs: sp.Add(*xs), "mean": lambda *xs: sp.Add(*xs) / len(xs),
        "logsumexp": lambda *xs: sp.log(sp.Add(*[sp.exp(x) for x in xs])),
        "dot": lambda *xs: sp.Add(*[a * b for a, b in zip(xs[: len(xs) // 2], xs[len(xs) // 2:])])
        + (xs[-1] if len(xs) % 2 else 0),
    }


@given(expressions(max_depth=6))
def test_random_expressions_match_sympy(e) -> None:
    import sympy as sp

    value, grads = engine_gradient(e)
    symbols = sp.symbols(f"x0:{len(e.inputs)}", real=True)
    expr = e.run(list(symbols), sympy_ops())[-1]
    at = {s: sp.Float(x, 40) for s, x in zip(symbols, e.inputs)}  # the inputs exactly, then 40 digits
    assert close(value, float(sp.N(expr.subs(at), 30)), rel=1e-9)
    for s, grad in zip(symbols, grads):
        exact = float(sp.N(sp.diff(expr, s).subs(at), 30))
        assert close(grad, exact, rel=1e-9), (s, grad, exact)


@given(expressions())
def test_random_expressions_match_torch(e) -> None:
    value, grads = engine_gradient(e)
    want_value, want_grads = torch_reference(e, e.inputs)  # the same code, run by PyTorch
    assert close(value, want_value, rel=1e-12)
    for grad, want in zip(grads, want_grads):
        assert close(grad, want, rel=1e-10), (grad, want)


def test_micrograd_sanity_expressions_match_torch() -> None:
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
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
