"""Symbols: a number-like kind that writes formulas, so each derivative rule can print itself.

Applying a rule to symbols instead of floats gives its formula from the one rule
the engine computes with: ``TANH``'s rule ``1 - out*out`` prints as
``1 - tanh(u)^2``.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from . import ops
from .arithmetic import Arithmetic

_INFIX = {ops.ADD: (" + ", 1), ops.SUB: (" - ", 1), ops.MUL: ("·", 2), ops.DIV: ("/", 2)}
_ATOM, _POWER, _UNARY = 4, 3, 2.5


def _num(x: float) -> str:
    return f"{x:g}"


class Sym(Arithmetic):
    """A formula and its precedence (how tightly it binds), built by applying ops.

    >>> u = Sym("u")
    >>> str(1 - u.tanh() * u.tanh()), str(3.0 * u ** 2), str(-(u / 2))
    ('1 - tanh(u)^2', '3·u^2', '-(u/2)')
    """

    __slots__ = ("text", "prec")
    _rank = 3

    def __init__(self, text: str, prec: float = _ATOM) -> None:
        self.text = text
        self.prec = prec

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _wrap(self, below: float) -> str:
        return f"({self.text})" if self.prec < below else self.text

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None) -> "Sym":
        if op in _INFIX:
            return _infix(op, *args)
        if op is ops.NEG:
            return Sym(f"-{_sym(args[0])._wrap(_UNARY)}", _UNARY)
        if op is ops.POW:
            return Sym(f"{_sym(args[0])._wrap(_POWER + 0.5)}^{_num(param)}", _POWER)
        if op is ops.VPOW:
            return Sym(f"{_sym(args[0])._wrap(_POWER + 0.5)}^{_sym(args[1])._wrap(_ATOM)}", _POWER)
        if op is ops.SUM:
            return Sym(" + ".join(_sym(a).text for a in args), 1)
        if op is ops.DOT:  # w0·x0 + w1·x1 + ... (+ bias)
            terms = [f"{_sym(w)._wrap(2)}·{_sym(x)._wrap(2)}" for w, x in zip(args[0:-1:2], args[1::2])]
            return Sym(" + ".join(terms + ([_sym(args[-1]).text] if len(args) % 2 else [])), 1)
        inner = ", ".join(_sym(a).text for a in args)
        if param is not None:
            inner += f", {_num(param)}"
        return Sym(f"{op.name}({inner})")

    def if_positive(self, then: Any, otherwise: Any) -> "Sym":
        return Sym(f"({_sym(then)} if {self} > 0 else {_sym(otherwise)})")

    def sign(self) -> "Sym":
        return Sym(f"sign({self})")


def _sym(x: Any) -> Sym:
    if isinstance(x, Sym):
        return x
    return Sym(_num(x), _ATOM if x >= 0 else _UNARY)


def _infix(op: ops.Op, a: Any, b: Any) -> Any:
    # Tidy the formulas the rules produce: 1·x is x, x·x is x^2, 0 + x is x.
    is_num = lambda v, n: not isinstance(v, Sym) and v == n  # noqa: E731
    if op is ops.MUL:
        if is_num(a, 1):
            return b
        if is_num(b, 1):
            return a
        if is_num(a, -1):
            return -b
        if isinstance(a, Sym) and isinstance(b, Sym) and a.text == b.text:
            return Sym(f"{a._wrap(_POWER + 0.5)}^2", _POWER)
    if op is ops.ADD and is_num(a, 0):
        return b
    if op in (ops.ADD, ops.SUB) and is_num(b, 0):
        return a
    if op is ops.DIV and is_num(b, 1):
        return a
    symbol, prec = _INFIX[op]
    left, right = _sym(a), _sym(b)
    right_text = right._wrap(prec + (0.5 if op in (ops.SUB, ops.DIV) else 0))
    return Sym(f"{left._wrap(prec)}{symbol}{right_text}", prec)


def input_names(op: ops.Op, n: int) -> List[str]:
    """What a formula calls an op's inputs: u for one, a and b for two, v0, v1, ... for many."""
    if op.arity == 1:
        return ["u"]
    if op.arity == 2:
        return ["a", "b"]
    return [f"v{i}" for i in range(n)]


def formulas(op: ops.Op, n_inputs: int, param: Any = None, names: Optional[Sequence[str]] = None) -> Sequence[str]:
    """Each local derivative of ``op`` as a formula, from its one rule; inputs named by ``names``
    (u, or a and b, or v0, v1, ... by default).

    >>> formulas(ops.TANH, 1)
    ['d tanh(u)/du = 1 - tanh(u)^2']
    >>> formulas(ops.MUL, 2)
    ['d (a·b)/da = b', 'd (a·b)/db = a']
    """
    names = list(names) if names is not None else input_names(op, n_inputs)
    syms = [Sym(name) for name in names]
    out = op(*syms, param=param)
    partials = op.local_derivatives(syms, out, param)
    shown = out._wrap(_ATOM)
    return [f"d {shown}/d{name} = {_sym(d)}" for name, d in zip(names, partials)]
