"""Symbols: a number-like kind that writes formulas, so each derivative rule can print itself.

Applying a rule to symbols instead of floats gives its formula from the one rule
the engine computes with: ``TANH``'s rule ``1 - out*out`` prints as
``1 - tanh(u)^2``.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from . import ops
from .arithmetic import Arithmetic

_INFIX = {ops.ADD: (" + ", 1), ops.SUB: (" - ", 1), ops.MUL: ("*", 2), ops.DIV: ("/", 2)}
_ATOM, _POWER, _UNARY = 4, 3, 2.5


class Dialect:
    """How symbols are written: for people (``3·u^2``), or as code for a backend (``3.0 * v[1] ** 2``)."""

    mul, pow = "·", "^"

    def num(self, x: float) -> str:
        return f"{x:g}"

    def function(self, op: ops.Op) -> str:
        return op.name

    def if_positive(self, x: str, then: str, otherwise: str) -> str:
        return f"({then} if {x} > 0 else {otherwise})"


class Code(Dialect):
    """Python source: exact numbers, and each function op named by an identifier the backend binds.

    ``functions`` maps each identifier used to its op (or to a helper: "if_positive", "sign", "times_log").
    """

    mul, pow = "*", "**"

    def __init__(self) -> None:
        self.functions: dict = {}

    def num(self, x: float) -> str:
        return repr(float(x))

    def _name(self, key: Any, base: str) -> str:
        for name, known in self.functions.items():
            if known == key:  # an op is equal only to itself
                return name
        name = f"{''.join(c if c.isalnum() else '_' for c in base)}_{len(self.functions)}"
        self.functions[name] = key
        return name

    def function(self, op: ops.Op) -> str:
        return self._name(op, op.name)

    def reduction(self, op: ops.Op) -> str:
        """A many-input op applied over the first axis of one block of its inputs (bound to ``("over", op)``)."""
        return self._name(("over", op), f"{op.name}_over")

    def if_positive(self, x: str, then: str, otherwise: str) -> str:
        return f"{self._name('if_positive', 'if_positive')}({x}, {then}, {otherwise})"


DISPLAY = Dialect()


class Sym(Arithmetic):
    """A formula and its precedence (how tightly it binds), built by applying ops.

    >>> u = Sym("u")
    >>> str(1 - u.tanh() * u.tanh()), str(3.0 * u ** 2), str(-(u / 2))
    ('1 - tanh(u)^2', '3·u^2', '-(u/2)')
    """

    __slots__ = ("text", "prec", "dialect")
    _rank = 3

    def __init__(self, text: str, prec: float = _ATOM, dialect: Dialect = DISPLAY) -> None:
        self.text = text
        self.prec = prec
        self.dialect = dialect

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _wrap(self, below: float) -> str:
        return f"({self.text})" if self.prec < below else self.text

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None, mixed: bool = True) -> "Sym":
        d = next(a.dialect for a in args if isinstance(a, Sym))
        syms = [_sym(a, d) for a in args]
        if op in _INFIX:
            return _infix(op, args[0], args[1], d)
        if op is ops.NEG:
            return Sym(f"-{syms[0]._wrap(_UNARY)}", _UNARY, d)
        if op is ops.POW:
            return Sym(f"{syms[0]._wrap(_POWER + 0.5)}{d.pow}{d.num(param)}", _POWER, d)
        if op is ops.RPOW:
            return Sym(f"{_sym(param, d)._wrap(_POWER + 0.5)}{d.pow}{syms[0]._wrap(_POWER)}", _POWER, d)
        if op is ops.VPOW:
            return Sym(f"{syms[0]._wrap(_POWER + 0.5)}{d.pow}{syms[1]._wrap(_ATOM)}", _POWER, d)
        if op is ops.SUM and not isinstance(d, Code):
            return Sym(" + ".join(s._wrap(1.5) for s in syms), 1, d)
        if op is ops.DOT:  # w0·x0 + w1·x1 + ... (+ bias)
            terms = [f"{w._wrap(2)}{d.mul}{x._wrap(2)}" for w, x in zip(syms[0:-1:2], syms[1::2])]
            return Sym(" + ".join(terms + ([syms[-1]._wrap(1.5)] if len(syms) % 2 else [])), 1, d)
        inner = ", ".join(s.text for s in syms)
        if param is not None:
            inner += f", {d.num(param)}"
        return Sym(f"{d.function(op)}({inner})", _ATOM, d)

    def _compared(self, use: str) -> float:
        raise TypeError(f"a derivative rule uses a symbol in {use}, so it cannot be printed or compiled; "
                        f"write data-dependent choices with engine.ops.if_positive or sign")

    def if_positive(self, then: Any, otherwise: Any) -> "Sym":
        d = self.dialect
        return Sym(d.if_positive(self.text, _sym(then, d).text, _sym(otherwise, d).text), _ATOM, d)

    def times_log(self, a: Any) -> "Sym":
        d = self.dialect
        if isinstance(d, Code):
            return Sym(f"{d._name('times_log', 'times_log')}({self}, {_sym(a, d)})", _ATOM, d)
        return Sym(f"{self._wrap(2)}{d.mul}log({_sym(a, d)})", 2, d)

    def sign(self) -> "Sym":
        d = self.dialect
        name = d._name("sign", "sign") if isinstance(d, Code) else "sign"
        return Sym(f"{name}({self})", _ATOM, d)


def _sym(x: Any, dialect: Dialect = DISPLAY) -> Sym:
    if isinstance(x, Sym):
        return x
    return Sym(dialect.num(x), _ATOM if x >= 0 else _UNARY, dialect)


def _infix(op: ops.Op, a: Any, b: Any, d: Dialect) -> Any:
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
            return Sym(f"{a._wrap(_POWER + 0.5)}{d.pow}2", _POWER, d)
    if op is ops.ADD and is_num(a, 0):
        return b
    if op in (ops.ADD, ops.SUB) and is_num(b, 0):
        return a
    if op is ops.DIV and is_num(b, 1):
        return a
    symbol, prec = _INFIX[op]
    if op is ops.MUL:
        symbol = d.mul
    left, right = _sym(a, d), _sym(b, d)
    right_text = right._wrap(prec + (0.5 if op in (ops.SUB, ops.DIV) else 0))
    return Sym(f"{left._wrap(prec)}{symbol}{right_text}", prec, d)


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
    shown, names, written = _derivatives(op, n_inputs, param, names)
    return [f"d {shown}/d{name} = {rule}" for name, rule in zip(names, written)]


def rules(op: ops.Op, n_inputs: int, param: Any = None, names: Optional[Sequence[str]] = None) -> Sequence[str]:
    """Each local derivative of ``op`` as ``formulas`` writes it after the ``=``, read from the same rule.

    >>> rules(ops.TANH, 1, names=["k = 2"])
    ['1 - tanh(k = 2)^2']
    """
    return _derivatives(op, n_inputs, param, names)[2]


def _derivatives(op: ops.Op, n_inputs: int, param: Any, names: Optional[Sequence[str]]
                 ) -> Tuple[str, List[str], List[str]]:
    """The op written with its inputs' names, the names, and each local derivative written out."""
    names = list(names) if names is not None else input_names(op, n_inputs)
    syms = [Sym(name) for name in names]
    out = op(*syms, param=param)
    return out._wrap(_ATOM), names, [str(_sym(d)) for d in op.local_derivatives(syms, out, param)]
