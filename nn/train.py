"""``fit``: the training loop, full-batch, mini-batch or one sample at a time.

Each batch is one ``step.train`` (``nn.step.EagerStep``, or ``nn.compiled_step.CompiledStep`` with
``compiled=``); the loop around it shuffles, times, validates, schedules and reports.
"""

from __future__ import annotations

import random
import warnings
from time import perf_counter
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from engine import Value
from engine.compiler.arrays import precision
from engine.labels import predict_label  # noqa: F401 (where the demos and tests have found it)

from .batchnorm import BatchNorm
from .compiled_step import CompiledStep
from .module import Module
from .optim import Optimizer
from .step import EagerStep, accuracy, evaluating, modules_of, outputs_for, weights_of  # noqa: F401 (accuracy: nn's)

History = Dict[str, List[float]]


def _as_lists(data: Any) -> Any:
    """A NumPy array (or PyTorch tensor) of samples or targets as nested lists of Python numbers, which every
    path of ``fit`` takes (NumPy integer labels become ints, so class labels stay class labels); anything
    else as it is.

    >>> import numpy as np
    >>> _as_lists(np.array([[0.5, 1.0]])), _as_lists(np.array([1, 0]))
    ([[0.5, 1.0]], [1, 0])
    """
    return data.tolist() if hasattr(data, "tolist") and hasattr(data, "shape") else data


def batch_order(n: int, batch_size: int, epochs: int, seed: int = 0, shuffle: bool = True
                ) -> Iterator[List[Sequence[int]]]:
    """The batches ``fit`` trains on, epoch by epoch: ``random.Random(seed)`` shuffles one list of 0..n-1 again at
    every epoch (when ``shuffle`` and the batch is smaller than the data) and the batches are its consecutive
    slices; otherwise they are ranges, in order (which the compiled path reads as slices, without a copy). The
    same order replays ``fit``'s training elsewhere, in PyTorch say.

    >>> [[list(b) for b in epoch] for epoch in batch_order(5, 2, 2, seed=0)]
    [[[2, 1], [0, 4], [3]], [[2, 0], [1, 4], [3]]]
    """
    rng, order = random.Random(seed), list(range(n))
    for _ in range(epochs):
        if shuffle and batch_size < n:
            rng.shuffle(order)
            yield [order[start:start + batch_size] for start in range(0, n, batch_size)]
        else:
            yield [range(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def fit(model: Module, X: Sequence, y: Sequence, loss: Callable[[List[Any], List[Any]], Value],
        optimizer: Optimizer, epochs: int, batch_size: Optional[int] = None,
        val: Optional[Tuple[Sequence, Sequence]] = None, progress: bool = True, shuffle: bool = True,
        seed: int = 0, schedule: Any = None, compiled: Union[bool, str] = False, dtype: Any = "float64") -> History:
    """Train ``model`` and return the per-epoch history: ``loss``, ``accuracy`` (and ``val_*``), and the
    ``seconds`` each epoch took (its validation included; the compiled paths' one-time tracing not).

    ``loss(outputs, targets)`` gets a batch and returns a Value, as the losses in
    ``nn.losses`` do. ``batch_size=None`` is full-batch gradient descent, 1 is
    stochastic gradient descent, anything between is mini-batch. ``schedule.step()``
    is called once per epoch. The progress bar (``tqdm.auto``: a widget in Jupyter, one
    updating line in a terminal) shows the running loss and accuracy; ``progress=False``
    turns it off. A :class:`DeadNetworkWarning` is given once when no weight gets a
    gradient for a whole epoch (dead ReLU units, say).

    ``compiled=True`` traces one sample's loss once with ``engine.compile`` and replays
    it for every batch: with NumPy over the whole batch at once (``'numpy'``, the
    default when NumPy is installed; layers run as matrix products and the parameters
    stay in one flat array until ``fit`` returns) or sample by sample in generated
    Python (``'python'``). The loss must be a mean over samples, as those in
    ``nn.losses`` are. ``dtype="float32"`` (or ``"float16"``) with ``compiled='numpy'``
    computes each batch's forward and backward pass in that precision, while the
    optimizer keeps the weights in float64 (as mixed-precision training keeps a master
    copy); a batch that overflows the dtype is an OverflowError.

    >>> import random; random.seed(0)
    >>> from nn import MLP, SGD, losses
    >>> model = MLP(1, [1])
    >>> h = fit(model, [[1.0], [2.0]], [2.0, 4.0], losses.mse, SGD(model.parameters(), lr=0.1), 50, progress=False)
    >>> h["loss"][-1] < 0.01
    True
    """
    X, y = _as_lists(X), _as_lists(y)  # NumPy arrays in: the numbers they hold, as Python's (see _as_lists)
    if val is not None:
        val = (_as_lists(val[0]), _as_lists(val[1]))
    if len(X) != len(y) or not X:
        raise ValueError(f"fit needs as many targets as inputs (and some), got {len(X)} inputs and {len(y)} targets")
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive whole number, got {epochs!r}")
    size = len(X) if batch_size is None else batch_size
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"batch_size must be a positive whole number or None, got {batch_size!r}")

    _check_batch_statistics(model, len(X), size)
    if precision(dtype) != "float64" and compiled not in (True, "numpy"):
        raise ValueError(f"fit: dtype={dtype!r} needs compiled='numpy' (the eager engine and the Python replay "
                         f"compute in float64 only), got compiled={compiled!r}")
    step = CompiledStep(model, X, y, loss, compiled, optimizer, val, precision(dtype)) if compiled else \
        EagerStep(model, X, y, loss, optimizer)
    epochs_of_batches = batch_order(len(X), size, epochs, seed, shuffle)
    history: History = {"loss": [], "accuracy": []}
    if val is not None:
        history.update(val_loss=[], val_accuracy=[])
    history["seconds"] = []
    bar = progress_bar(range(epochs), desc="fit", unit="epoch", disable=not progress)
    weights, warned = weights_of(model), False
    try:
        for _ in bar:
            began = perf_counter()
            total, hits, seen, alive = 0.0, 0.0, 0, False
            for batch in next(epochs_of_batches):
                value, acc, moved = step.train(batch, watch=not alive)
                alive = alive or moved
                total += value * len(batch)
                hits += (acc or 0.0) * len(batch)
                seen += len(batch)
            if not alive and weights and total != 0.0 and not warned:  # a loss of exactly 0 has nothing to learn
                warned = True
                warnings.warn(DEAD_NETWORK, DeadNetworkWarning, stacklevel=2)
            history["loss"].append(total / seen)
            history["accuracy"].append(hits / seen if acc is not None else float("nan"))
            shown = {"loss": f"{total / seen:.4f}"}
            if acc is not None:
                shown["acc"] = f"{hits / seen:.1%}"
            if val is not None:
                val_loss, val_acc = step.evaluate(*val)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_acc if val_acc is not None else float("nan"))
                shown["val_loss"] = f"{val_loss:.4f}"
            if schedule is not None:
                schedule.step()
            history["seconds"].append(perf_counter() - began)
            if progress:  # (a hidden bar still formats its text: a tenth of a small network's step)
                bar.set_postfix(shown, refresh=False)  # tqdm redraws at its own pace
    finally:
        step.write_back()  # also when interrupted: the model keeps what training reached
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


def _check_batch_statistics(model: Any, n: int, size: int) -> None:
    """A batch norm in training mode needs batches of 2 samples or more: say so before training, not at the
    last batch of the first epoch."""
    if not any(isinstance(m, BatchNorm) and m.training for m in modules_of(model)):
        return
    last = n % size or size
    if min(size, last) < 2:
        where = f"batch_size={size}" if size < 2 else f"the last batch of each epoch ({n} samples in batches of {size})"
        raise ValueError(f"fit: {where} holds a single sample, and BatchNorm in training mode takes its statistics "
                         f"over the batch, so it needs at least 2; choose a batch_size that leaves none alone")


