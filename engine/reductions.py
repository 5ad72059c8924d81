"""Fused n-ary nodes: a sum or a weighted sum of many Values as one node, not a chain.

Each is its op applied like any other (``ops.SUM(*values)``), so every kind of
number sees them: Values record one node, dual numbers carry a tangent, symbols print.
"""

from __future__ import annotations

from typing import Iterable, Optional, Sequence, Union

from . import ops
from .value import Number, Value

Scalar = Union[Value, Number]


def sum(values: Iterable[Scalar]) -> Value:  # noqa: A001 (engine.sum, as numpy.sum)
    """The sum of many Values (or numbers) as a single node.

    >>> sum([Value(1.0), 2.0, Value(3.0)]).data
    6.0
    """
    parents = tuple(values)
    if not parents:
        raise ValueError("engine.sum needs at least one value, got none")
    return ops.SUM(*parents)


def mean(values: Iterable[Scalar]) -> Value:
    """The mean of many Values, one sum node and one division.

    >>> mean([Value(1.0), Value(3.0)]).data
    2.0
    """
    parents = tuple(values)
    if not parents:
        raise ValueError("engine.mean needs at least one value, got none")
    return sum(parents) / len(parents)


def dot(a: Sequence[Scalar], b: Sequence[Scalar], bias: Optional[Scalar] = None) -> Value:
    """a[0]*b[0] + a[1]*b[1] + ... (+ bias) as a single node, as in a neuron.

    >>> dot([Value(2.0), 3.0], [4.0, 5.0], bias=1.0).data
    24.0
    """
    if len(a) != len(b):
        raise ValueError(f"engine.dot needs sequences of equal length, got {len(a)} and {len(b)}")
    parents: list = [None] * (2 * len(a))
    parents[0::2] = a
    parents[1::2] = b
    if bias is not None:
        parents.append(bias)
    if not parents:
        raise ValueError("engine.dot needs at least one pair or a bias, got none")
    return ops.DOT(*parents)


def logsumexp(values: Iterable[Scalar]) -> Value:
    """log(sum(exp(v))) as one node, stable for any finite inputs; its gradient is the softmax.

    >>> round(logsumexp([Value(1000.0), Value(1000.0)]).data, 6)
    1000.693147
    """
    parents = tuple(values)
    if not parents:
        raise ValueError("engine.logsumexp needs at least one value, got none")
    return ops.LOGSUMEXP(*parents)
