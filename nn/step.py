"""One training step of ``fit``, eager or compiled, behind one small interface, and what both read.

A step has three methods: ``train(batch, watch)`` takes one optimizer step on the samples ``batch`` and
returns (mean loss, accuracy or None, whether a weight got a gradient, looked at only when ``watch``);
``evaluate(X, y)`` gives (mean loss, accuracy) with the parameters as they are; ``write_back()`` leaves the
Values as the eager path would (the compiled path trains on arrays). ``EagerStep`` is here;
``nn.compiled_step.CompiledStep`` traces one sample's loss and replays it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional, Sequence, Tuple

from engine import Value, no_grad
from engine.labels import predict_label

from .module import Module
from .optim import Optimizer


def accuracy(outputs: Sequence[Any], targets: Sequence[Any]) -> Optional[float]:
    """The fraction of correct class predictions, or None for real-valued targets (regression).

    Labels may be ints (class indices; for one output, 1 or +1 is positive and 0 or -1 negative).
    """
    if not class_labels(targets):
        return None
    hits = sum(predict_label(o) == (t if isinstance(o, (list, tuple)) else int(t > 0)) for o, t in zip(outputs, targets))
    return hits / len(targets)


def class_labels(targets: Sequence[Any]) -> bool:
    """Whether targets are class labels (ints), so that an accuracy means something."""
    return bool(targets) and all(isinstance(t, int) and not isinstance(t, bool) for t in targets)


def outputs_for(model: Any, X: Sequence) -> List[Any]:
    """The model's outputs for a batch: ``forward_batch`` where the model has it (a batch norm needs the
    whole batch at once), one call per sample otherwise."""
    forward_batch = getattr(model, "forward_batch", None)
    return forward_batch(list(X)) if forward_batch is not None else [model(x) for x in X]


def modules_of(model: Any) -> List[Any]:
    """The model and every module inside it; none for a model that is not a Module (a plain function of x)."""
    return model.modules() if hasattr(model, "modules") else []


@contextmanager
def evaluating(model: Any) -> Iterator[None]:
    """Evaluation mode (dropout off, batch norm by its running averages) inside the block; afterwards
    every module is back in the mode it was in."""
    modules = modules_of(model)
    modes = [m.training for m in modules]
    try:
        for m in modules:
            m.training = False
        yield
    finally:
        for m, mode in zip(modules, modes):
            m.training = mode


def weights_of(model: Module) -> List[Value]:
    """The parameters other than biases: if none of them gets a gradient, nothing the input does matters."""
    named = model.named_parameters()
    return [p for name, p in named if not name.endswith(".b")] if named else model.parameters()


class EagerStep:
    """fit's eager path: each batch through the model's Values, ``backward()`` and the optimizer's step."""

    def __init__(self, model: Module, X: Sequence, y: Sequence, loss: Callable, optimizer: Optimizer) -> None:
        self.model, self.X, self.y, self.loss, self.optimizer = model, X, y, loss, optimizer
        self.weights = weights_of(model)

    def train(self, batch: Sequence[int], watch: bool = True) -> Tuple[float, Optional[float], bool]:
        targets = [self.y[i] for i in batch]
        self.optimizer.zero_grad()
        outputs = outputs_for(self.model, [self.X[i] for i in batch])
        value = self.loss(outputs, targets)
        value.backward()
        alive = watch and any(p.grad != 0.0 for p in self.weights)
        self.optimizer.step()
        return value.data, accuracy(outputs, targets), alive

    def evaluate(self, X: Sequence, y: Sequence) -> Tuple[float, Optional[float]]:
        with no_grad(), evaluating(self.model):
            outputs = outputs_for(self.model, X)
            return self.loss(outputs, list(y)).data, accuracy(outputs, list(y))

    def write_back(self) -> None:
        """Nothing to do: the eager step trains the Values themselves."""
