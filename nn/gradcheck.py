"""Gradient checking a whole model, layer by layer, as Backpropagation: The Engine of Deep Learning does it.

The chapter (§7.4.4, Gradient Checking, lines 1181-1203) compares each layer's
backprop gradient with central differences by ||g_backprop - g_numeric|| / ||g_backprop + g_numeric||.
``gradcheck_model`` does that for any module: one backward pass, then two loss evaluations per
parameter, each parameter put back exactly as it was (and any running averages too).
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable, List, NamedTuple, Sequence, Tuple

from engine import GradcheckError, Value

from .module import Module


class LayerCheck(NamedTuple):
    """One layer compared: its name, its parameter count, both gradients' norms and their relative error."""

    layer: str
    parameters: int
    backprop_norm: float
    numeric_norm: float
    rel_error: float
    ok: bool


class ModelCheck(List[LayerCheck]):
    """The rows of ``gradcheck_model``; ``str()`` gives the table."""

    def __str__(self) -> str:
        lines = [f"{'layer':<16}{'parameters':>11}{'|backprop|':>14}{'|numeric|':>14}{'relative error':>16}",
                 "-" * 71]
        for r in self:
            mark = "" if r.ok else "  <-- mismatch"
            lines.append(f"{r.layer:<16}{r.parameters:>11}{r.backprop_norm:>14.6g}{r.numeric_norm:>14.6g}"
                         f"{r.rel_error:>16.2e}{mark}")
        return "\n".join(lines)


def layers_of(model: Module) -> List[Tuple[str, List[Value]]]:
    """The model's layers that have parameters, each named by its scope (``layer0``, ``1``): its children,
    or the model itself if none of them has parameters."""
    layers = [(getattr(m, "scope", "") or str(i), m.parameters()) for i, m in enumerate(model.children())]
    return [(name, ps) for name, ps in layers if ps] or [("model", model.parameters())]


def gradcheck_model(model: Module, loss: Callable[[], Value], eps: float = 1e-6, tolerance: float = 1e-6
                    ) -> ModelCheck:
    """Check ``model``'s backprop gradients against central differences, layer by layer.

    ``loss()`` computes the loss from the model (on data of your choosing). A layer passes when
    ||g_backprop - g_numeric|| / ||g_backprop + g_numeric|| <= ``tolerance`` (the measure of
    Backpropagation: The Engine of Deep Learning, §7.4.4, line 1200). Returns the table; raises
    ``engine.GradcheckError`` with it when a layer fails. Each
    evaluation starts from the same state of ``random``, so dropout draws the same masks each time (a
    generator of a layer's own, ``Dropout(seed=...)``, cannot be put back: call ``model.eval()`` first),
    and ``random`` is left as it was.

    >>> import random; random.seed(0)
    >>> from nn import MLP, losses
    >>> model = MLP(2, [3, 1], activation="tanh")
    >>> table = gradcheck_model(model, lambda: losses.mse([model([0.5, -1.0])], [1.0]))
    >>> [(row.layer, row.parameters, row.ok) for row in table]
    [('layer0', 9, True), ('layer1', 4, True)]
    """
    if not callable(loss):
        raise TypeError(f"gradcheck_model: loss must be a function of no arguments returning the loss, got {loss!r}")
    if not eps > 0 or not tolerance > 0:
        raise ValueError(f"gradcheck_model: eps and tolerance must be positive, got eps={eps!r}, tolerance={tolerance!r}")
    buffers = [(v, v.data) for _, v in model.named_buffers()]
    params = model.parameters()
    saved = [p.grad for p in params]
    stream = random.getstate()  # every evaluation draws the same numbers (dropout's masks), and the caller's too
    try:
        for p in params:
            p.grad = 0.0
        out = loss()
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck_model: loss() must return a Value, got {type(out).__name__} {out!r}")
        out.backward()
        table = ModelCheck(_check(name, ps, _with_same_random(loss, stream), eps, tolerance) for name, ps in layers_of(model))
    finally:
        random.setstate(stream)
        for p, g in zip(params, saved):
            p._grad = g  # put back as it was, a Value from backward(create_graph=True) too
        for v, data in buffers:  # a batch norm's averages moved with every evaluation
            v.data = data
    if not all(row.ok for row in table):
        raise GradcheckError(table)
    return table


def _with_same_random(loss: Callable[[], Value], stream: Any) -> Callable[[], Value]:
    """``loss`` with ``random`` put back to ``stream`` first, so every evaluation draws what the backprop one drew."""
    def again() -> Value:
        random.setstate(stream)
        return loss()

    return again


def _check(name: str, params: Sequence[Value], loss: Callable[[], Value], eps: float, tolerance: float) -> LayerCheck:
    backprop = [p.grad for p in params]
    numeric = []
    for p in params:
        x = p.data
        try:
            p.data = x + eps
            plus = loss().data
            p.data = x - eps
            minus = loss().data
        finally:
            p.data = x
        numeric.append((plus - minus) / (2 * eps))
    diff = _norm(b - n for b, n in zip(backprop, numeric))
    total = _norm(b + n for b, n in zip(backprop, numeric))
    error = diff / total if total > 0 else 0.0
    return LayerCheck(name, len(params), _norm(backprop), _norm(numeric), error, error <= tolerance)


def _norm(xs: Any) -> float:
    return math.sqrt(math.fsum(x * x for x in xs))
