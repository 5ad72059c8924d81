"""The complex-step derivative: f'(x) = Im f(x + ih) / h, with no subtraction, so no cancellation.

For f analytic near x, f(x + ih) = f(x) + ih f'(x) - h^2 f''(x)/2 + ..., so the imaginary part over h is f'(x)
to O(h^2), and nothing is subtracted: h can be 1e-20 and the derivative is right to the last digits, where a
central difference stops near 1e-10 (Squire and Trapp, 1998). It needs f on complex numbers: :class:`Complex` runs
each engine op on them by its analytic extension (kinks by the real part, as complex-step codes do), so a function
written for Values (``x.sin() * x``) runs unchanged. It is the ``complex_step`` scheme of ``engine.testing``.
"""

from __future__ import annotations

import cmath
from typing import Any, Callable, Dict

from .. import ops
from ..arithmetic import Arithmetic
from ..checks import data_of


def _logsumexp(zs: Any) -> complex:
    m = max(z.real for z in zs)
    return m + cmath.log(sum(cmath.exp(z - m) for z in zs))


def _dot(zs: Any) -> complex:
    total = sum(a * b for a, b in zip(zs[0:-1:2], zs[1::2]))
    return total + zs[-1] if len(zs) % 2 else total


def _by_real(f: Callable[[float], float]) -> Callable[[complex], complex]:
    return lambda z: complex(f(z.real), 0.0)  # piecewise constant: a constant near x


# Each op on complex numbers: its analytic extension; a kink chooses its branch by the real part.
ON_COMPLEX: Dict[ops.Op, Callable[..., complex]] = {
    ops.ADD: lambda a, b: a + b, ops.SUB: lambda a, b: a - b, ops.MUL: lambda a, b: a * b,
    ops.DIV: lambda a, b: a / b, ops.NEG: lambda z: -z, ops.POW: lambda z, k: z ** k,
    ops.RPOW: lambda z, c: c ** z if c else 0j, ops.VPOW: lambda a, b: a ** b,
    ops.EXP: cmath.exp, ops.LOG: cmath.log, ops.SQRT: cmath.sqrt, ops.SIN: cmath.sin, ops.COS: cmath.cos,
    ops.TANH: cmath.tanh, ops.SIGMOID: lambda z: 1 / (1 + cmath.exp(-z)),
    ops.SOFTPLUS: lambda z: cmath.log(1 + cmath.exp(z)) if z.real < 30 else z + cmath.log(1 + cmath.exp(-z)),
    ops.RELU: lambda z: z if z.real > 0 else 0j, ops.LEAKY_RELU: lambda z, s: z if z.real > 0 else s * z,
    ops.ABS: lambda z: z if z.real > 0 else -z if z.real < 0 else 0j, ops.STOP: lambda z: complex(z.real, 0.0),
    ops.SUM: lambda zs: sum(zs), ops.DOT: _dot, ops.LOGSUMEXP: _logsumexp,
    ops.ROUND: _by_real(lambda x: float(round(x))), ops.FLOOR: _by_real(lambda x: float(int(x // 1))),
    ops.SIGN: _by_real(lambda x: float((x > 0) - (x < 0))), ops.STEP: _by_real(lambda x: float(x > 0)),
}


class Complex(Arithmetic):
    """A complex number that takes the engine's ops (for the complex step only).

    >>> (Complex(2 + 1e-20j) ** 3).value.imag / 1e-20      # d/dx x^3 at 2
    12.0
    """

    __slots__ = ("value",)
    _rank = 2.5

    def __init__(self, value: complex) -> None:
        self.value = complex(value)

    @property
    def data(self) -> float:
        return self.value.real

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None, mixed: bool = True) -> "Complex":
        rule = ON_COMPLEX.get(op)
        if rule is None:
            why = ("its gradient is not the derivative of its value" if op is ops.STRAIGHT else
                   "it has no complex extension here")
            raise TypeError(f"complex step: the op {op.name} cannot be evaluated on complex numbers ({why}); use a "
                            f"finite-difference scheme such as 'central'")
        zs = [a.value if isinstance(a, Complex) else complex(data_of(a)) for a in args]
        if op.arity is None:
            return cls(rule(zs))
        return cls(rule(*zs) if param is None else rule(*zs, param))

    def if_positive(self, then: Any, otherwise: Any) -> Any:
        return then if self.value.real > 0 else otherwise

    def __repr__(self) -> str:
        return f"Complex({self.value!r})"


def complex_step(f: Callable[[Any], Any], x: float, h: float = 1e-20) -> float:
    """f'(x) as Im f(x + ih) / h, f given a :class:`Complex` (f written with the engine's ops takes it).

    >>> from engine import Value
    >>> complex_step(lambda t: (t * t).sin().exp(), 1.5) == complex_step(lambda t: (t * t).sin().exp(), 1.5, 1e-100)
    True
    """
    out = f(Complex(complex(x, h)))
    return out.value.imag / h if isinstance(out, Complex) else 0.0  # a result that does not depend on x
