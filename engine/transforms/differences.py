"""Finite differences: the numerical derivative that every analytic one is checked against.

Six schemes, each with its default step: for the five differences, the step that balances
truncation error (which shrinks with h) against round-off (which grows like eps/h), eps
being float64's 2.2e-16; the complex step, which has no round-off to balance, any tiny h:

=============  ==============================================  ============  =============
scheme         formula                                         error         default h
=============  ==============================================  ============  =============
forward        (f(x+h) - f(x)) / h                             O(h)          sqrt(eps)
backward       (f(x) - f(x-h)) / h                             O(h)          sqrt(eps)
central        (f(x+h) - f(x-h)) / 2h                          O(h^2)        eps^(1/3)
five_point     (f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)) / 12h   O(h^4)        eps^(1/5)
richardson     (4 D(h/2) - D(h)) / 3, D central                O(h^4)        eps^(1/5)
complex_step   Im f(x + ih) / h                                O(h^2)        1e-20
=============  ==============================================  ============  =============

The complex step subtracts nothing, so round-off does not grow as h shrinks: it needs f on complex numbers,
which a function written with the engine's ops has (``engine.transforms.complex_step``).

Backpropagation Calculus for Deep Learning (§8, Gradient Checking, line 243) advises h ≈ sqrt(eps) for the
central formula; that is the best step for a one-sided difference, while the central
one does best near eps^(1/3), as :func:`step_error` shows. Steps are scaled by
``max(1, |x|)`` so that x + h differs from x in the same digit whatever x's size.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

EPS = sys.float_info.epsilon

Formula = Callable[[Callable[[float], float], float, float], float]


def _forward(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x + h) - f(x)) / h


def _backward(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x) - f(x - h)) / h


def _central(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


def _five_point(f: Callable[[float], float], x: float, h: float) -> float:
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


def _complex_step(f: Callable[[Any], Any], x: float, h: float) -> float:
    from .complex_step import complex_step

    try:
        return complex_step(f, x, h)
    except TypeError as e:
        raise TypeError(f"the complex step evaluates f on complex numbers, which f refused ({e}); write f with the "
                        f"engine's functions (x.sin(), not math.sin(x)), or use another scheme") from e


def _richardson(f: Callable[[float], float], x: float, h: float) -> float:
    # The central error is c h^2 + O(h^4): combining steps h and h/2 cancels the h^2 term.
    return (4 * _central(f, x, h / 2) - _central(f, x, h)) / 3


class Scheme(NamedTuple):
    """A finite-difference formula, its order of accuracy and its default step (before scaling)."""

    name: str
    formula: Formula
    order: int
    step: float


SCHEMES: Dict[str, Scheme] = {s.name: s for s in [
    Scheme("forward", _forward, 1, EPS ** 0.5),
    Scheme("backward", _backward, 1, EPS ** 0.5),
    Scheme("central", _central, 2, EPS ** (1 / 3)),
    Scheme("five_point", _five_point, 4, EPS ** 0.2),
    Scheme("richardson", _richardson, 4, EPS ** 0.2),
    Scheme("complex_step", _complex_step, 2, 1e-20),  # nothing subtracted: any tiny h (engine.transforms.complex_step)
]}


def scheme(name: str) -> Scheme:
    """The scheme called ``name``, or a ValueError listing them."""
    if name not in SCHEMES:
        raise ValueError(f"unknown finite-difference scheme {name!r}; choose one of {', '.join(SCHEMES)}")
    return SCHEMES[name]


def default_step(name: str, x: float) -> float:
    """The step the scheme uses at ``x``: its default h, scaled by max(1, |x|)."""
    return scheme(name).step * max(1.0, abs(x))


def derivative(f: Callable[[float], float], x: float, scheme_name: str = "central", h: Optional[float] = None
               ) -> float:
    """f'(x) by finite differences, for a function of floats.

    >>> import math
    >>> round(derivative(math.sin, 0.0), 9), round(derivative(math.sin, 0.0, "five_point"), 12)
    (1.0, 1.0)
    """
    chosen = scheme(scheme_name)
    if h is None:
        h = default_step(scheme_name, x)
    if not h > 0:
        raise ValueError(f"finite differences need a step h > 0, got {h!r}")
    return chosen.formula(f, x, h)


def partial_derivative(f: Callable[..., float], xs: Sequence[float], j: int, scheme_name: str = "central",
            h: Optional[float] = None) -> float:
    """d f / d x_j at ``xs`` by finite differences, the other inputs held fixed.

    >>> round(partial_derivative(lambda a, b: a * b * b, [2.0, 3.0], 1), 6)
    12.0
    """
    xs = list(xs)

    def along(t: float) -> float:
        moved = xs.copy()
        moved[j] = t
        return f(*moved)

    return derivative(along, xs[j], scheme_name, h)


def directional(f: Callable[..., Sequence[float]], xs: Sequence[float], v: Sequence[float],
                scheme_name: str = "central", h: Optional[float] = None) -> List[float]:
    """The derivative of each output of ``f`` (a list of floats) along direction ``v``: J v numerically."""
    scale = max([1.0] + [abs(x) for x in xs])
    step = h if h is not None else scheme(scheme_name).step * scale
    seen: Dict[float, Sequence[float]] = {}

    def along(t: float) -> Sequence[float]:  # each point once, for all the outputs
        if t not in seen:
            seen[t] = f(*[x + t * d for x, d in zip(xs, v)])
        return seen[t]

    return [derivative(lambda t, i=i: along(t)[i], 0.0, scheme_name, step) for i in range(len(along(0.0)))]


def step_error(f: Callable[[float], float], x: float, exact: float, scheme_name: str = "central",
               steps: Optional[Sequence[float]] = None) -> List[Tuple[float, float]]:
    """``(h, |numeric - exact|)`` for steps from 1e-1 down to 1e-15: the error-versus-h curve.

    On log-log axes it is a V: truncation error falls as h shrinks (slope = the
    scheme's order) until round-off, about eps/h, takes over.

    >>> import math
    >>> curve = step_error(math.exp, 0.0, 1.0)
    >>> best = min(curve, key=lambda p: p[1])[0]
    >>> 1e-7 <= best <= 1e-3   # near eps^(1/3) = 6e-6 for the central scheme
    True
    """
    hs = list(steps) if steps is not None else [10.0 ** (-k / 4) for k in range(4, 61)]
    return [(h, abs(derivative(f, x, scheme_name, h) - exact)) for h in hs]
