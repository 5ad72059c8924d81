"""Forward mode: dual numbers carry a tangent alongside each value.

A ``Dual`` applies every op through the op's one local derivative rule: the
output tangent is the sum of each local derivative times the input's tangent.
Primals may be floats or Values, so forward mode composes with reverse mode.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, List, Sequence, Tuple

from .. import ops
from ..arithmetic import Arithmetic
from ..checks import as_float, data_of
from ..discrete import Index


class Dual(Arithmetic):
    """A number ``primal + tangent·ε`` with ε² = 0.

    ``tag`` says which ``jvp`` the ε belongs to: nested ``jvp`` calls each have their
    own, so an inner derivative never picks up an outer one's tangent (the
    "perturbation confusion" of naive dual numbers). A primal may itself be a Dual of
    an outer ``jvp``, or a Value.

    >>> y = Dual(3.0, 1.0) ** 2
    >>> y.primal, y.tangent
    (9.0, 6.0)
    """

    __slots__ = ("primal", "tangent", "tag")
    _rank = 2

    def __init__(self, primal: Any, tangent: Any = 0.0, tag: int = 0) -> None:
        _set(self, "primal", primal)
        _set(self, "tangent", tangent)
        _set(self, "tag", tag)

    @property
    def data(self) -> Any:
        """The primal's float, as error messages show it."""
        return data_of(self.primal)

    @classmethod
    def _apply(cls, op: ops.Op, args: tuple, param: Any = None, mixed: bool = True) -> "Dual":
        # The newest jvp's ε is handled here; Duals of older ones are numbers like any other to it.
        tag = max(a.tag for a in args if isinstance(a, Dual))
        own = [isinstance(a, Dual) and a.tag == tag for a in args]
        primals = [a.primal if mine else a for a, mine in zip(args, own)]
        out = op(*primals, param=param)
        partials = op.local_derivatives(primals, out, param)
        terms = [d * a.tangent for a, d, mine in zip(args, partials, own) if mine and not _zero(a.tangent)]
        return Dual(out, sum(terms[1:], terms[0]) if terms else 0.0, tag)

    def detach(self) -> "Dual":
        """The same number with no tangent (and a detached primal): derivatives stop here.

        >>> jvp(lambda x: x * x.detach(), (3.0,), (1.0,))
        (9.0, 3.0)
        """
        primal = self.primal
        return Dual(primal.detach() if hasattr(primal, "detach") else primal, 0.0, self.tag)

    def __getattr__(self, name: str) -> Any:
        # Only reached for names a Dual lacks, such as a Value's grad or backward.
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(_not_a_value(name))

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in Dual.__slots__:  # y.label = "y" in code written for Values
            raise AttributeError(_not_a_value(name))
        _set(self, name, value)

    def if_positive(self, then: Any, otherwise: Any) -> Any:
        return then if self.data > 0 else otherwise

    def sign(self) -> float:
        return float((self.data > 0) - (self.data < 0))

    def __repr__(self) -> str:
        return f"Dual({self.primal!r}, {self.tangent!r})"


_set = object.__setattr__


def _not_a_value(name: str) -> str:
    return (f"'{name}' is a Value's, not a dual number's: inside jvp (forward mode) f gets dual numbers, "
            f"which carry a tangent instead of a grad and record no graph. Use x.primal and x.tangent, "
            f"or run f on Values for reverse mode")


def _zero(x: Any) -> bool:
    return x.__class__ is float and x == 0.0


def _split(out: Any, tag: int) -> Tuple[Any, Any]:
    if isinstance(out, Dual) and out.tag == tag:
        return out.primal, out.tangent
    if isinstance(out, (list, tuple)):
        raise TypeError("jvp: f must return a number or a flat list of numbers, got a nested list")
    if isinstance(out, Index):
        raise TypeError(f"jvp: f returned {out!r} from argmax; {Index.no_gradient}")
    return out, 0.0  # f's result does not depend on this jvp's inputs: a constant to it


_tags = itertools.count(1)


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Tuple[Any, Any]:
    """``(f(*primals), J·tangents)``: the value and the directional derivative, in one forward pass.

    For an f returning a list, both parts are lists.

    >>> jvp(lambda x, y: x * x + y ** 3, (2.0, 3.0), (1.0, 0.0))
    (31.0, 4.0)
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp needs one tangent per primal, got {len(primals)} primals and {len(tangents)} tangents")
    # A number as a tangent follows the engine's rule for numbers: nan, inf or complex is an error naming it,
    # never a nan derivative (a Value or dual number as a tangent is a higher-order use, checked by its ops).
    tangents = [t if isinstance(t, Arithmetic) else as_float(t, f"jvp: tangent {i}") for i, t in enumerate(tangents)]
    primals = [p if isinstance(p, Arithmetic) else as_float(p, f"jvp: primal {i}") for i, p in enumerate(primals)]
    tag = next(_tags)
    out = f(*[Dual(p, t, tag) for p, t in zip(primals, tangents)])
    if isinstance(out, (list, tuple)):
        pairs = [_split(o, tag) for o in out]
        return [p for p, _ in pairs], [t for _, t in pairs]
    return _split(out, tag)


def jacfwd(f: Callable[[List[Any]], Any]) -> Callable[[Sequence[Any]], Any]:
    """The Jacobian of ``f`` (a list of numbers to a list, or to a scalar) by forward mode: one pass per input.

    >>> jacfwd(lambda v: [v[0] * v[1], v[0] + 3 * v[1]])([2.0, 5.0])
    [[5.0, 2.0], [1.0, 3.0]]
    """

    def wrapped(xs: Sequence[Any]) -> Any:
        xs = list(xs)
        columns = []
        for j in range(len(xs)):
            basis = [1.0 if i == j else 0.0 for i in range(len(xs))]
            columns.append(jvp(lambda *v: f(list(v)), xs, basis)[1])
        if not isinstance(columns[0], list):
            return columns  # a scalar f: its gradient
        return [[column[i] for column in columns] for i in range(len(columns[0]))]

    return wrapped
