"""What a model's outputs say: the class they predict (shared by ``nn``'s accuracy and ``viz``'s decision plots)."""

from __future__ import annotations

from typing import Any


def predict_label(out: Any) -> int:
    """The predicted class: the argmax of several outputs, or 1 if a single score is > 0 (else 0).

    >>> from engine import Value
    >>> predict_label([Value(0.1), Value(0.7)]), predict_label(Value(-0.5))
    (1, 0)
    """
    if isinstance(out, (list, tuple)):
        scores = [o.data for o in out]
        return scores.index(max(scores))
    return 1 if out.data > 0 else 0
