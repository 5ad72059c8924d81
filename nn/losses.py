"""Loss functions, numerically stable, for one sample or a batch (averaged over the batch).

A batch is a list of samples: predictions as a list of Values (or of lists of
Values for several outputs) and targets alike.
"""

from __future__ import annotations

import numbers
from typing import Any, List, Sequence, Union

import engine
from engine import Value
from engine.arithmetic import Arithmetic
from engine.checks import data_of

Scalar = Union[Value, float, int]


def _batched(pred: Any, target: Any, one: Any, name: str) -> Value:
    """``one(p, t)`` for a single sample, or its mean over a batch."""
    if isinstance(pred, (list, tuple)) and pred and isinstance(pred[0], (list, tuple)):
        if len(pred) != len(target):
            raise ValueError(f"{name}: {len(pred)} predictions but {len(target)} targets")
        return engine.mean([one(p, t) for p, t in zip(pred, target)])
    return one(pred, target)


def _pairs(pred: Any, target: Any, name: str) -> List[tuple]:
    preds = list(pred) if isinstance(pred, (list, tuple)) else [pred]
    targets = list(target) if isinstance(target, (list, tuple)) else [target]
    if len(preds) != len(targets):
        raise ValueError(f"{name}: {len(preds)} predictions but {len(targets)} targets")
    if not preds:
        raise ValueError(f"{name}: no predictions")
    return list(zip(preds, targets))


def mse(pred: Any, target: Any, half: bool = False) -> Value:
    """Mean squared error over all the pairs; ``half=True`` for 1/2 (p - t)^2, whose gradient is p - t.

    >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    pairs = _pairs(pred, target, "mse")
    if pairs and isinstance(pairs[0][0], (list, tuple)):  # a batch of several outputs each: every entry counts
        pairs = [pt for p, t in pairs for pt in _pairs(p, t, "mse")]
    diffs = [(p - t) ** 2 for p, t in pairs]
    loss = engine.mean(diffs)
    return loss * 0.5 if half else loss


def _probability(p: Any, name: str) -> None:
    data = data_of(p)
    if not 0.0 <= data <= 1.0:
        raise ValueError(f"{name}: predictions must be probabilities in [0, 1], got {data!r}; "
                         f"for raw scores use bce_with_logits")


def binary_cross_entropy(p: Any, y: Any) -> Value:
    """-(y log p + (1 - y) log(1 - p)), averaged; p a probability, y in [0, 1]. Prefer ``bce_with_logits``.

    >>> round(binary_cross_entropy(Value(0.8), 1).data, 6)
    0.223144
    """
    terms = []
    for pi, yi in _pairs(p, y, "binary_cross_entropy"):
        _probability(pi, "binary_cross_entropy")
        if not 0 <= yi <= 1:
            raise ValueError(f"binary_cross_entropy: targets must be in [0, 1], got {yi!r}")
        pi = _value(pi)
        if yi == 1:  # only the term that is used, so p = 1 with y = 1 is no log(0)
            terms.append(-pi.log())
        elif yi == 0:
            terms.append(-(1 - pi).log())
        else:
            terms.append(-(yi * pi.log() + (1 - yi) * (1 - pi).log()))
    return engine.mean(terms)


def bce_with_logits(z: Any, y: Any) -> Value:
    """Binary cross-entropy of sigmoid(z), computed stably as softplus(z) - y z; gradient sigmoid(z) - y.

    >>> round(bce_with_logits(Value(1000.0), 0).data, 6)
    1000.0
    """
    return engine.mean([_value(zi).softplus() - yi * zi for zi, yi in _pairs(z, y, "bce_with_logits")])


def _value(x: Scalar) -> Value:
    return x if isinstance(x, Arithmetic) else Value(x)  # Values, or dual numbers inside jvp


def softmax(logits: Sequence[Scalar]) -> List[Value]:
    """exp(z_i) / sum(exp(z)), computed as exp(z_i - logsumexp(z)): no overflow.

    >>> [round(p.data, 4) for p in softmax([Value(1000.0), Value(0.0)])]
    [1.0, 0.0]

    Its Jacobian is diag(s) - s s^T (Chapter 16: Backpropagation -- The Complete Derivation, exercise 16.4), which
    ``engine.jacobian`` finds from the ops alone:

    >>> s = [p.data for p in softmax([Value(1.0), Value(2.0)])]
    >>> J = engine.jacobian(softmax)([1.0, 2.0])
    >>> [[round(d.data, 6) for d in row] for row in J] == [[round((i == j) * s[i] - s[i] * s[j], 6)
    ...                                                     for j in range(2)] for i in range(2)]
    True
    """
    lse = engine.logsumexp(logits)
    return [(_value(z) - lse).exp() for z in logits]


def log_softmax(logits: Sequence[Scalar]) -> List[Value]:
    """z_i - logsumexp(z): the log of the softmax, stable for logits of any size.

    >>> [round(v.data, 4) for v in log_softmax([Value(0.0), Value(0.0)])]
    [-0.6931, -0.6931]
    """
    lse = engine.logsumexp(logits)
    return [_value(z) - lse for z in logits]


def _class_index(target: Any, n: int, name: str) -> int:
    # Any whole number but a bool: NumPy's integers (np.int64 from a label array) are labels too.
    if isinstance(target, bool) or not isinstance(target, numbers.Integral) or not 0 <= target < n:
        raise ValueError(f"{name}: a class label must be an int in [0, {n}), got {target!r}")
    return int(target)


def cross_entropy(logits: Any, target: Any) -> Value:
    """-log softmax(logits)[target], for an int label or a one-hot (or soft) target list; a batch is averaged.

    >>> round(cross_entropy([Value(2.0), Value(0.0)], 0).data, 6)
    0.126928
    """

    def one(z: Sequence[Scalar], t: Any) -> Value:
        logp = log_softmax(z)
        if isinstance(t, (list, tuple)):
            if len(t) != len(z):
                raise ValueError(f"cross_entropy: target has {len(t)} entries for {len(z)} logits")
            # Plain zeros are skipped; Value targets (as engine.compile traces them) are all kept.
            terms = [ti * lp for ti, lp in zip(t, logp) if isinstance(ti, Arithmetic) or ti != 0]
            return -engine.sum(terms or [Value(0.0)])  # a Value even when every entry is 0
        return -logp[_class_index(t, len(z), "cross_entropy")]

    return _batched(logits, target, one, "cross_entropy")


def hinge(score: Any, y: Any) -> Value:
    """max(0, 1 - y score), averaged, for labels y = +-1: micrograd's max-margin loss.

    >>> hinge([Value(0.5), Value(-2.0)], [1, -1]).data
    0.25
    """
    terms = []
    for s, yi in _pairs(score, y, "hinge"):
        if not isinstance(yi, Arithmetic) and (not isinstance(yi, numbers.Real) or isinstance(yi, bool) or yi not in (-1, 1)):
            raise ValueError(f"hinge: labels must be -1 or +1, got {yi!r}")
        terms.append((1 - yi * _value(s)).relu())
    return engine.mean(terms)
