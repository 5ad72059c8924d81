"""Every operation of the engine: its value and its local derivatives, each written once.

An op's ``local`` rule returns d out / d input for each input. It is generic: the
eager backward pass calls it with floats, and later modes call the very same
rule with other number-like objects (Values for gradients of gradients, dual
numbers for forward mode, symbols for explanations and compiled tapes). So a rule
uses only arithmetic and the ops below, never ``math`` directly.

A rule's arguments are the op's inputs, then its parameter if it has one, then
``out`` (the op's own result), which many derivatives reuse (exp, tanh, sigmoid).
"""

from __future__ import annotations

import math
import operator
from typing import Any, Callable, Optional, Sequence

from .checks import as_float, data_of


class Op:
    """One operation: a name, a checked float value function and a local derivative rule.

    Calling an op applies it generically: plain numbers give a float, and any
    number-like argument (a Value, say) makes the result of that type.

    >>> TANH(0.0)
    0.0
    """

    __slots__ = ("name", "symbol", "value", "local", "arity", "domain", "param_name")
    recomputes = False  # True only for engine.checkpoint's op, whose nodes the reverse pass runs again

    def __init__(
        self,
        name: str,
        value: Callable[..., float],
        local: Callable[..., Any],
        *,
        arity: Optional[int] = 1,
        symbol: str = "",
        domain: str = "",
        param_name: str = "",
    ) -> None:
        self.name = name  # a word, used in error messages: "div", "log"
        self.symbol = symbol or name  # what a drawing shows: "/", "log"
        self.value = value  # floats in, float out; may raise or return complex
        self.local = local  # generic rule, see the module docstring
        self.arity = arity  # None: any number of inputs, passed as one tuple
        self.domain = domain  # where the op is defined, for the ValueError
        self.param_name = param_name  # what the parameter is called in messages

    def __call__(self, *args: Any, param: Any = None) -> Any:
        """Apply the op: the one entry every kind of number, and every mode, goes through."""
        kind = args[0].__class__ if args else None
        if len(args) < 3 and (len(args) == 1 or args[1].__class__ is kind) and getattr(kind, "_rank", 0):
            return kind._apply(self, args, param, False)  # the commonest case, one or two Values: no set made
        kinds = set(map(type, args))  # one or two kinds, however many arguments
        if len(kinds) == 1:
            (kind,) = kinds
            if getattr(kind, "_rank", 0):
                return kind._apply(self, args, param, False)  # the common case: all Values, say
        kind = None
        for cls in kinds:
            if cls is float or cls is int:
                continue
            rank = getattr(cls, "_rank", None)
            if rank is None:
                for a in args:
                    if type(a) is cls:
                        as_float(a, f"{self.name} operand")  # a number of another type, or a TypeError
            elif kind is None or rank > kind._rank:
                kind = cls
        if kind is None:
            return self.evaluate([as_float(a) for a in args], param)
        return kind._apply(self, args, param, len(kinds) > 1)

    def evaluate(self, datas: Sequence[float], param: Any = None) -> float:
        """The value for float inputs, or an error that names the op and its inputs: the
        check every value the engine computes passes (no silent nan, inf or complex).

        >>> DIV.evaluate([1.0, 4.0])
        0.25
        """
        try:
            if self.arity is None:
                out = self.value(datas)
            elif param is None:
                out = self.value(*datas)
            else:
                out = self.value(*datas, param)
        except TypeError:
            if self.arity is not None and len(datas) != self.arity:  # checked here, off the hot path
                raise TypeError(f"{self.name} takes {self.arity} input{'s' * (self.arity > 1)}, "
                                f"got {len(datas)}") from None
            raise
        except ZeroDivisionError:
            raise ZeroDivisionError(f"{self.name}: division by zero with {self.operands(datas, param)}") from None
        except OverflowError:
            raise OverflowError(f"{self.name}: result too large for a float with "
                                f"{self.operands(datas, param)}") from None
        except ValueError as e:
            raise ValueError(f"{self.name}: {self.domain or e}; got {self.operands(datas, param)}") from None
        if out.__class__ is not float:
            if isinstance(out, complex):  # float ** float gives complex for a negative base
                raise ValueError(f"{self.name}: {self.domain}; got {self.operands(datas, param)}")
            out = float(out)
        if out - out != 0.0:  # nan or inf: finite inputs overflowed, or data was set to nan by hand
            if out != out:
                raise ValueError(f"{self.name}: result is nan with {self.operands(datas, param)}")
            raise OverflowError(f"{self.name}: result too large for a float with {self.operands(datas, param)}")
        return out

    def operands(self, inputs: Sequence[Any], param: Any = None) -> str:
        """The inputs as an error message shows them: ``x=-1.0`` or ``a=1.0, b=0.0``.

        >>> DIV.operands([1.0, 0.0])
        'a=1.0, b=0.0'
        """
        if self.arity is None:
            return f"{len(inputs)} inputs"
        names = ("x",) if len(inputs) == 1 else ("a", "b")
        text = ", ".join(f"{n}={_shown(d)}" for n, d in zip(names, inputs))
        return text if param is None else f"{text}, {self.param_name or 'param'}={param!r}"

    def local_derivatives(self, inputs: Any, out: Any, param: Any = None) -> Any:
        """The rule's partials for these inputs, whatever kind of number they are.

        >>> MUL.local_derivatives((2.0, 3.0), 6.0)
        (3.0, 2.0)
        """
        try:
            if self.arity is None:
                return self.local(inputs, out)
            if param is None:
                return self.local(*inputs, out)
            return self.local(*inputs, param, out)
        except (ArithmeticError, ValueError) as e:  # e.g. sqrt'(0) = 1/0
            where = self.operands(inputs, param)
            raise type(e)(f"{self.name}: the local derivative is undefined at {where} ({e})") from e

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


def _shown(x: Any) -> str:
    data = data_of(x)  # a Value or a dual number shows its float
    return repr(float(data)) if isinstance(data, (int, float)) else str(x)


# Piecewise-constant helpers for the rules of kinked ops. Their own derivative is
# zero, so they return plain numbers for Values too; other number-like kinds
# (symbols, arrays) provide a method of the same name.


def if_positive(x: Any, then: Any, otherwise: Any) -> Any:
    """``then`` where x > 0, else ``otherwise``: relu'(0) = 0, as in PyTorch."""
    data = data_of(x)
    if isinstance(data, (int, float)):
        return then if data > 0 else otherwise
    return x.if_positive(then, otherwise)


def sign(x: Any) -> Any:
    """-1, 0 or 1: abs'(0) = 0, as in PyTorch."""
    data = data_of(x)
    if isinstance(data, (int, float)):
        return float((data > 0) - (data < 0))
    return x.sign()


def power(x: Any, k: float) -> Any:
    """x ** k with no node for the trivial exponents: x ** 0 is the constant 1 (so every
    derivative of it is 0, even at x = 0) and x ** 1 is x. Keeps rules exact at any order.

    >>> power(0.0, 0.0), power(3.0, 1.0), power(3.0, 2.0)
    (1.0, 3.0, 9.0)
    """
    if k == 0:
        return 1.0
    if k == 1:
        return x
    return x ** k


def times_log(out: Any, a: Any) -> Any:
    """``out * log(a)``, the exponent's derivative of a ** b: 0 where out is 0 (a = 0, b > 0), its
    limit, as in PyTorch, rather than 0 times log(0)."""
    data = data_of(out)
    if isinstance(data, (int, float)):
        return 0.0 if data == 0 else out * LOG(a)
    return out.times_log(a)  # symbols and arrays: the choice is made per sample, in the generated code


def _sigmoid(x: float) -> float:
    # Only ever exp of a non-positive number, so it cannot overflow.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _logsumexp(xs: tuple) -> float:
    # log(sum(e^x)) = m + log(sum(e^(x - m))) with m = max: no overflow for any finite x.
    m = max(xs)
    return m + math.log(math.fsum([math.exp(x - m) for x in xs]))


def _dot(xs: tuple) -> float:
    # xs = (w0, x0, w1, x1, ..., [bias]); math.sumprod would be faster but is 3.12+.
    total = sum(map(operator.mul, xs[0:-1:2], xs[1::2]))
    return total + xs[-1] if len(xs) % 2 else total


def _dot_local(xs: Any, out: Any) -> list:
    # d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1.
    d = list(xs)
    pairs = len(xs) - len(xs) % 2
    d[0:pairs:2] = xs[1:pairs:2]
    d[1:pairs:2] = xs[0:pairs:2]
    if len(xs) % 2:
        d[-1] = 1.0
    return d


# name                value                         local derivatives
ADD = Op("add",       lambda a, b: a + b,           lambda a, b, out: (1.0, 1.0),
         arity=2, symbol="+")
SUB = Op("sub",       lambda a, b: a - b,           lambda a, b, out: (1.0, -1.0),
         arity=2, symbol="-")
MUL = Op("mul",       lambda a, b: a * b,           lambda a, b, out: (b, a),
         arity=2, symbol="*")
DIV = Op("div",       lambda a, b: a / b,           lambda a, b, out: (1.0 / b, -out / b),
         arity=2, symbol="/")
NEG = Op("neg",       lambda x: -x,                 lambda x, out: (-1.0,),
         symbol="-")
# x ** k for a plain number k (the parameter); no gradient flows to k.
POW = Op("pow",       lambda x, k: x ** k,          lambda x, k, out: (k * power(x, k - 1) if k else 0.0,),
         symbol="**", domain="a negative base needs an integer exponent", param_name="k")
# c ** x for a plain number c (the parameter): d/dx = c^x log c, and 0 for c = 0 (as in PyTorch).
RPOW = Op("pow",      lambda x, c: c ** x,          lambda x, c, out: (out * LOG(c) if c else 0.0,),
          symbol="**", domain="a negative base needs an integer exponent", param_name="base")
# a ** b with both Values: d/db = a^b log a, which needs a > 0 (or a = 0, where it is 0).
VPOW = Op("pow",      lambda a, b: a ** b,          lambda a, b, out: (b * a ** (b - 1), times_log(out, a)),
          arity=2, symbol="**", domain="a negative base needs an integer exponent")
EXP = Op("exp",       math.exp,                     lambda x, out: (out,))
LOG = Op("log",       math.log,                     lambda x, out: (1.0 / x,),
         domain="log is defined only for x > 0")
SQRT = Op("sqrt",     math.sqrt,                    lambda x, out: (0.5 / out,),
          domain="sqrt is defined only for x >= 0")
SIN = Op("sin",       math.sin,                     lambda x, out: (COS(x),))
COS = Op("cos",       math.cos,                     lambda x, out: (-SIN(x),))
TANH = Op("tanh",     math.tanh,                    lambda x, out: (1.0 - out * out,))
SIGMOID = Op("sigmoid", _sigmoid,                   lambda x, out: (out * (1.0 - out),))
SOFTPLUS = Op("softplus", _softplus,                lambda x, out: (SIGMOID(x),))
RELU = Op("relu",     lambda x: x if x > 0.0 else 0.0,
                                                    lambda x, out: (if_positive(x, 1.0, 0.0),),
          symbol="ReLU")  # micrograd's name for it
LEAKY_RELU = Op("leaky_relu", lambda x, s: x if x > 0.0 else s * x,
                                                    lambda x, s, out: (if_positive(x, 1.0, s),),
                param_name="slope")
ABS = Op("abs",       abs,                          lambda x, out: (sign(x),))
# The identity with no gradient: what detach() and no_grad() record while engine.compile traces,
# so that a replay recomputes the value instead of freezing it.
STOP = Op("stop_gradient", lambda x: x,            lambda x, out: (0.0,),
          symbol="detach")
# Fused n-ary nodes: one node instead of a chain, so big sums stay cheap.
SUM = Op("sum",       math.fsum,                    lambda xs, out: (1.0,) * len(xs),
         arity=None, symbol="Σ")
DOT = Op("dot",       _dot,                         _dot_local,
         arity=None, symbol="Σw·x")
# d/dx_i log(sum(e^x)) = e^(x_i - out): the softmax.
LOGSUMEXP = Op("logsumexp", _logsumexp,             lambda xs, out: [EXP(x - out) for x in xs],
               arity=None)
# Piecewise-constant ops. Their derivative is 0 wherever it exists, and is taken as 0 at the jumps too (as
# PyTorch does): no gradient passes through them, so a loss of round(x) cannot teach x. straight_through (below)
# is the usual way around that.
ROUND = Op("round",   lambda x: float(round(x)),    lambda x, out: (0.0,))  # halves to even, as Python and NumPy
FLOOR = Op("floor",   lambda x: float(math.floor(x)), lambda x, out: (0.0,))
SIGN = Op("sign",     lambda x: float((x > 0.0) - (x < 0.0)), lambda x, out: (0.0,))
STEP = Op("step",     lambda x: 1.0 if x > 0.0 else 0.0, lambda x, out: (0.0,))  # Heaviside, 0 at 0
# The straight-through estimator: the value of y (x quantised, say), the derivative of x, as if y were x.
STRAIGHT = Op("straight_through", lambda x, y: y,  lambda x, y, out: (1.0, 0.0),
              arity=2, symbol="ST")
