"""``fit``: the training loop, full-batch, mini-batch or one sample at a time."""

from __future__ import annotations

import random
import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from engine import Value, no_grad

from .module import Module
from .optim import Optimizer

History = Dict[str, List[float]]


def predict_label(out: Any) -> int:
    """The predicted class: the argmax of several outputs, or 1 if a single score is > 0 (else 0)."""
    if isinstance(out, (list, tuple)):
        scores = [o.data for o in out]
        return scores.index(max(scores))
    return 1 if out.data > 0 else 0


def accuracy(outputs: Sequence[Any], targets: Sequence[Any]) -> Optional[float]:
    """The fraction of correct class predictions, or None for real-valued targets (regression).

    Labels may be ints (class indices; for one output, 1 or +1 is positive and 0 or -1 negative).
    """
    if not targets or not all(isinstance(t, int) and not isinstance(t, bool) for t in targets):
        return None
    hits = sum(predict_label(o) == (t if isinstance(o, (list, tuple)) else int(t > 0)) for o, t in zip(outputs, targets))
    return hits / len(targets)


def _evaluate(model: Module, X: Sequence, y: Sequence, loss: Callable, step: Optional[Callable] = None
              ) -> Tuple[float, Optional[float]]:
    if step is not None:
        value, outputs = step(list(X), list(y), train=False)
        return value, accuracy(outputs, list(y))
    with no_grad():
        outputs = [model(x) for x in X]
        return loss(outputs, list(y)).data, accuracy(outputs, list(y))


def fit(model: Module, X: Sequence, y: Sequence, loss: Callable[[List[Any], List[Any]], Value],
        optimizer: Optimizer, epochs: int, batch_size: Optional[int] = None,
        val: Optional[Tuple[Sequence, Sequence]] = None, progress: bool = True, shuffle: bool = True,
        seed: int = 0, schedule: Any = None, compiled: Union[bool, str] = False) -> History:
    """Train ``model`` and return the per-epoch history: ``loss``, ``accuracy`` (and ``val_*``).

    ``loss(outputs, targets)`` gets a batch and returns a Value, as the losses in
    ``nn.losses`` do. ``batch_size=None`` is full-batch gradient descent, 1 is
    stochastic gradient descent, anything between is mini-batch. ``schedule.step()``
    is called once per epoch. The progress bar (``tqdm.auto``: a widget in Jupyter, one
    updating line in a terminal) shows the running loss and accuracy; ``progress=False``
    turns it off. A :class:`DeadNetworkWarning` is given once when no weight gets a
    gradient for a whole epoch (dead ReLU units, say).

    ``compiled=True`` traces one sample's loss once with ``engine.compile`` and replays
    it for every batch: with NumPy over the whole batch at once (``'numpy'``, the
    default when NumPy is installed) or sample by sample in generated Python
    (``'python'``). The loss must be a mean over samples, as those in ``nn.losses`` are.

    >>> import random; random.seed(0)
    >>> from nn import MLP, SGD, losses
    >>> model = MLP(1, [1])
    >>> h = fit(model, [[1.0], [2.0]], [2.0, 4.0], losses.mse, SGD(model.parameters(), lr=0.1), 50, progress=False)
    >>> h["loss"][-1] < 0.01
    True
    """
    if len(X) != len(y) or not X:
        raise ValueError(f"fit needs as many targets as inputs (and some), got {len(X)} inputs and {len(y)} targets")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive whole number, got {epochs!r}")
    size = len(X) if batch_size is None else batch_size
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"batch_size must be a positive whole number or None, got {batch_size!r}")

    step = _compiled_step(model, X, y, loss, compiled) if compiled else None
    rng = random.Random(seed)
    order = list(range(len(X)))
    history: History = {"loss": [], "accuracy": []}
    if val is not None:
        history.update(val_loss=[], val_accuracy=[])
    bar = progress_bar(range(epochs), desc="fit", unit="epoch", disable=not progress)
    weights, warned = _weights(model), False
    for _ in bar:
        if shuffle and size < len(X):
            rng.shuffle(order)
        total, hits, seen, alive = 0.0, 0.0, 0, False
        for start in range(0, len(X), size):
            batch = order[start:start + size]
            targets = [y[i] for i in batch]
            optimizer.zero_grad()
            if step is None:
                outputs = [model(X[i]) for i in batch]
                value = loss(outputs, targets)
                value.backward()
                value = value.data
            else:
                value, outputs = step([X[i] for i in batch], targets)
            alive = alive or any(p.grad != 0.0 for p in weights)
            optimizer.step()
            total += value * len(batch)
            acc = accuracy(outputs, targets)
            hits += (acc or 0.0) * len(batch)
            seen += len(batch)
        if not alive and weights and not warned:
            warned = True
            warnings.warn(DEAD_NETWORK, DeadNetworkWarning, stacklevel=2)
        history["loss"].append(total / seen)
        history["accuracy"].append(hits / seen if acc is not None else float("nan"))
        shown = {"loss": f"{total / seen:.4f}"}
        if acc is not None:
            shown["acc"] = f"{hits / seen:.1%}"
        if val is not None:
            val_loss, val_acc = _evaluate(model, val[0], val[1], loss, step)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_acc if val_acc is not None else float("nan"))
            shown["val_loss"] = f"{val_loss:.4f}"
        if schedule is not None:
            schedule.step()
        bar.set_postfix(shown, refresh=False)  # tqdm redraws at its own pace
    return history


def progress_bar(iterable: Any, **options: Any) -> Any:
    """A tqdm bar from ``tqdm.auto``: a widget in Jupyter when ipywidgets is installed, one updating
    line otherwise (its warning that ipywidgets is missing is left out)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        from tqdm.auto import tqdm
    return tqdm(iterable, **options)


class DeadNetworkWarning(UserWarning):
    """Every weight gradient was exactly zero for a whole epoch: the network's output cannot change with its input."""


DEAD_NETWORK = (
    "fit: every weight gradient was exactly 0 for a whole epoch (only biases can still move), so the network "
    "is dead: its output no longer depends on its input. The likely cause is ReLU units that output 0 for "
    "every input, which pass back no gradient: try activation='tanh' (the lecture's network is tanh "
    "everywhere) or 'leaky_relu', init='he' or 'xavier', another random seed, or a smaller learning rate.")


def _weights(model: Module) -> List[Value]:
    """The parameters other than biases: if none of them gets a gradient, nothing the input does matters."""
    named = model.named_parameters()
    return [p for name, p in named if not name.endswith(".b")] if named else model.parameters()


class _Score:
    """A model output as replayed numbers, with the ``.data`` that ``accuracy`` reads."""

    __slots__ = ("data",)

    def __init__(self, data: float) -> None:
        self.data = data


def _compiled_step(model: Module, X: Sequence, y: Sequence, loss: Callable, backend: Union[bool, str]) -> Callable:
    """A function (inputs, targets) -> (mean loss, outputs) that sets the parameters' grads, by replay."""
    import engine

    if backend is True:
        try:
            import numpy  # noqa: F401
            backend = "numpy"
        except ImportError:
            backend = "python"
    if backend not in ("numpy", "python"):
        raise ValueError(f"compiled must be True, False, 'numpy' or 'python'; got {backend!r}")
    with no_grad():
        first = model(X[0])
    n_out = len(first) if isinstance(first, (list, tuple)) else 1

    def encode(t: Any) -> Any:  # class labels become one-hot rows, so every sample traces alike
        if n_out > 1 and isinstance(t, int) and not isinstance(t, bool):
            return [1.0 if k == t else 0.0 for k in range(n_out)]
        return t

    def sample_loss(x: Any, t: Any) -> Tuple[Value, Any]:
        out = model(x)
        return loss([out], [t]), out

    program = engine.compile(sample_loss, X[0], encode(y[0]))

    def replay(xs: List[Any], ts: List[Any], train: bool = True) -> Tuple[float, List[Any]]:
        encoded = [encode(t) for t in ts]
        r = program.batch(xs, encoded) if backend == "numpy" else program.loop(xs, encoded)
        if train:
            for p, g in zip(program.parameters, r.param_grads):
                p.grad += g / len(xs)
        aux = r.aux.tolist() if backend == "numpy" else r.aux
        outputs = [[_Score(a) for a in row] if n_out > 1 else _Score(row) for row in aux]
        return sum(r.values) / len(xs), outputs

    return replay
