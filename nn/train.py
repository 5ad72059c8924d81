"""``fit``: the training loop, full-batch, mini-batch or one sample at a time."""

from __future__ import annotations

import random
import warnings
from time import perf_counter
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from engine import Value, no_grad
from engine.labels import predict_label

from .batchnorm import BatchNorm
from .dropout import Dropout
from .module import Module
from .optim import Optimizer

History = Dict[str, List[float]]


def accuracy(outputs: Sequence[Any], targets: Sequence[Any]) -> Optional[float]:
    """The fraction of correct class predictions, or None for real-valued targets (regression).

    Labels may be ints (class indices; for one output, 1 or +1 is positive and 0 or -1 negative).
    """
    if not _class_labels(targets):
        return None
    hits = sum(predict_label(o) == (t if isinstance(o, (list, tuple)) else int(t > 0)) for o, t in zip(outputs, targets))
    return hits / len(targets)


def _class_labels(targets: Sequence[Any]) -> bool:
    """Whether targets are class labels (ints), so that an accuracy means something."""
    return bool(targets) and all(isinstance(t, int) and not isinstance(t, bool) for t in targets)


def _evaluate(model: Module, X: Sequence, y: Sequence, loss: Callable, step: Optional[Callable] = None
              ) -> Tuple[float, Optional[float]]:
    if step is not None:
        return step.evaluate(X, y)
    with no_grad(), evaluating(model):
        outputs = outputs_for(model, X)
        return loss(outputs, list(y)).data, accuracy(outputs, list(y))


def outputs_for(model: Any, X: Sequence) -> List[Any]:
    """The model's outputs for a batch: ``forward_batch`` where the model has it (a batch norm needs the
    whole batch at once), one call per sample otherwise."""
    forward_batch = getattr(model, "forward_batch", None)
    return forward_batch(list(X)) if forward_batch is not None else [model(x) for x in X]


def _modules(model: Any) -> List[Any]:
    """The model and every module inside it; none for a model that is not a Module (a plain function of x)."""
    return model.modules() if hasattr(model, "modules") else []


@contextmanager
def evaluating(model: Any) -> Iterator[None]:
    """Evaluation mode (dropout off, batch norm by its running averages) inside the block; afterwards
    every module is back in the mode it was in."""
    modules = _modules(model)
    modes = [m.training for m in modules]
    try:
        for m in modules:
            m.training = False
        yield
    finally:
        for m, mode in zip(modules, modes):
            m.training = mode


def _as_lists(data: Any) -> Any:
    """A NumPy array (or PyTorch tensor) of samples or targets as nested lists of Python numbers, which every
    path of ``fit`` takes (NumPy integer labels become ints, so class labels stay class labels); anything
    else as it is.

    >>> import numpy as np
    >>> _as_lists(np.array([[0.5, 1.0]])), _as_lists(np.array([1, 0]))
    ([[0.5, 1.0]], [1, 0])
    """
    return data.tolist() if hasattr(data, "tolist") and hasattr(data, "shape") else data


def fit(model: Module, X: Sequence, y: Sequence, loss: Callable[[List[Any], List[Any]], Value],
        optimizer: Optimizer, epochs: int, batch_size: Optional[int] = None,
        val: Optional[Tuple[Sequence, Sequence]] = None, progress: bool = True, shuffle: bool = True,
        seed: int = 0, schedule: Any = None, compiled: Union[bool, str] = False) -> History:
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
    ``nn.losses`` are.

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
    step = _Replayed(model, X, y, loss, compiled, optimizer, val) if compiled else None
    rng = random.Random(seed)
    order = list(range(len(X)))
    history: History = {"loss": [], "accuracy": []}
    if val is not None:
        history.update(val_loss=[], val_accuracy=[])
    history["seconds"] = []
    bar = progress_bar(range(epochs), desc="fit", unit="epoch", disable=not progress)
    weights, warned = _weights(model), False
    try:
        for _ in bar:
            began = perf_counter()
            if shuffle and size < len(X):
                rng.shuffle(order)
            total, hits, seen, alive = 0.0, 0.0, 0, False
            for start in range(0, len(X), size):
                # in order, a batch is a range, which the compiled path reads as a slice of its arrays (no copy)
                batch = order[start:start + size] if shuffle and size < len(X) \
                    else range(start, min(start + size, len(X)))
                if step is None:
                    targets = [y[i] for i in batch]
                    optimizer.zero_grad()
                    outputs = outputs_for(model, [X[i] for i in batch])
                    value = loss(outputs, targets)
                    value.backward()
                    value = value.data
                    alive = alive or any(p.grad != 0.0 for p in weights)
                    optimizer.step()
                    acc = accuracy(outputs, targets)
                else:
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
                val_loss, val_acc = _evaluate(model, val[0], val[1], loss, step)
                history["val_loss"].append(val_loss)
                history["val_accuracy"].append(val_acc if val_acc is not None else float("nan"))
                shown["val_loss"] = f"{val_loss:.4f}"
            if schedule is not None:
                schedule.step()
            history["seconds"].append(perf_counter() - began)
            bar.set_postfix(shown, refresh=False)  # tqdm redraws at its own pace
    finally:
        if step is not None:
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


def _weights(model: Module) -> List[Value]:
    """The parameters other than biases: if none of them gets a gradient, nothing the input does matters."""
    named = model.named_parameters()
    return [p for name, p in named if not name.endswith(".b")] if named else model.parameters()


class _Score:
    """A model output as replayed numbers, with the ``.data`` that ``accuracy`` reads."""

    __slots__ = ("data",)

    def __init__(self, data: float) -> None:
        self.data = data


def _check_batch_statistics(model: Any, n: int, size: int) -> None:
    """A batch norm in training mode needs batches of 2 samples or more: say so before training, not at the
    last batch of the first epoch."""
    if not any(isinstance(m, BatchNorm) and m.training for m in _modules(model)):
        return
    last = n % size or size
    if min(size, last) < 2:
        where = f"batch_size={size}" if size < 2 else f"the last batch of each epoch ({n} samples in batches of {size})"
        raise ValueError(f"fit: {where} holds a single sample, and BatchNorm in training mode takes its statistics "
                         f"over the batch, so it needs at least 2; choose a batch_size that leaves none alone")


def _not_replayable(m: Module) -> str:
    """Why a trace of one sample cannot stand for ``m`` in training mode ('' if it can)."""
    if not m.training:
        return ""
    if isinstance(m, BatchNorm):
        return "takes its statistics over the whole batch"
    if isinstance(m, Dropout) and m.p > 0.0:
        return "draws a new mask at every step"
    return ""


class _Replayed:
    """fit's compiled path: one sample's loss traced once (``engine.compile``) and replayed for each batch.

    With NumPy the parameters live in one flat array for the whole run: each batch is one
    lifted replay and one ``optimizer.step_arrays``, with no Value touched, and the numbers
    are written back into the Values (data and the last gradients) when ``fit`` returns or is
    interrupted. Sample by sample in generated Python, the Values are updated as usual.
    """

    def __init__(self, model: Module, X: Sequence, y: Sequence, loss: Callable, backend: Union[bool, str],
                 optimizer: Optimizer, val: Optional[Tuple[Sequence, Sequence]] = None) -> None:
        import engine

        if backend is True:
            try:
                import numpy  # noqa: F401
                backend = "numpy"
            except ImportError:
                backend = "python"
        if backend not in ("numpy", "python"):
            raise ValueError(f"compiled must be True, False, 'numpy' or 'python'; got {backend!r}")
        for m in _modules(model):
            why = _not_replayable(m)
            if why:
                raise ValueError(f"fit(compiled={backend!r}) traces one sample's loss and replays it, but {m!r} in "
                                 f"training mode {why}; train with compiled=False (or call model.eval() first, to "
                                 f"train with it fixed)")
        with no_grad():
            first = model(X[0])
        self.n_out = len(first) if isinstance(first, (list, tuple)) else 1
        self.program = engine.compile(lambda x, t: _with_output(loss, model(x), t), X[0], self.encode(y[0]))
        self.program.check_once((X[-1], self.encode(y[-1])))  # compile's one check, made now: no epoch's time holds it
        self.optimizer, self.flat = optimizer, backend == "numpy"
        self.X, self.y, self._arrays = X, y, {}  # (id(X), id(y)) -> arrays (see ``arrays``)
        self.weights = _weights(model)
        if self.flat:
            import numpy as np

            position = {id(p): i for i, p in enumerate(optimizer.params)}
            used = self.program.parameters
            self.mine = np.array([j for j, p in enumerate(used) if id(p) in position], dtype=np.intp)
            self.frozen = np.array([j for j, p in enumerate(used) if id(p) not in position], dtype=np.intp)
            self.frozen_grads = np.zeros(len(self.frozen))  # added up, as backward() adds into .grad
            self.where = np.array([position[id(used[j])] for j in self.mine], dtype=np.intp)
            self.watched = np.array([position[id(p)] for p in self.weights if id(p) in position], dtype=np.intp)
            self.P = np.array([p.data for p in used], dtype=float)
            self.W = np.array([p.data for p in optimizer.params], dtype=float)
            self.G = np.zeros_like(self.W)
            # The usual case: the loss uses exactly the optimizer's parameters, in its order. Then W serves
            # as the program's parameters and its gradient as the optimizer's, with nothing copied.
            self.same = len(used) == len(optimizer.params) and all(p is q for p, q in zip(used, optimizer.params))
            self.arrays(X, y)  # a nan in the data is an error before training starts, not at its batch
            if val is not None:
                self.arrays(*val, names=("val[0]", "val[1]"))

    def encode(self, t: Any) -> Any:
        """Class labels become one-hot rows, so that every sample traces alike."""
        if self.n_out > 1 and isinstance(t, int) and not isinstance(t, bool):
            return [1.0 if k == t else 0.0 for k in range(self.n_out)]
        return t

    def arrays(self, X: Sequence, y: Sequence, names: Tuple[str, str] = ("X", "y")) -> Tuple[Any, Any, Any]:
        """Inputs, encoded targets and class labels (None for real-valued targets) as NumPy arrays over the
        samples, made and checked for nan and inf once per data set (the training set and ``val``), so
        that no batch checks its part again."""
        import numpy as np

        key = (id(X), id(y))
        if key not in self._arrays:
            xs, ts = np.asarray(X, dtype=float), np.asarray([self.encode(t) for t in y], dtype=float)
            for name, a in zip(names, (xs, ts)):
                bad = np.flatnonzero(~np.isfinite(a.reshape(len(a), -1)).all(axis=1))
                if len(bad):
                    raise ValueError(f"fit: {name} holds nan or inf (sample {bad[0]}: {a[bad[0]].tolist()})")
            labels = None
            if _class_labels(y):
                labels = np.asarray(y) if self.n_out > 1 else (np.asarray(y) > 0).astype(int)
            self._arrays[key] = (X, y, xs, ts, labels)  # X and y kept: their ids stay theirs
        return self._arrays[key][2:]

    def replay(self, X: Sequence, y: Sequence, batch: Sequence[int]) -> Tuple[Any, float, Optional[float]]:
        """(the replay's result, its mean loss, its accuracy) for the samples ``batch`` of (X, y)."""
        if self.flat:
            xs, ts, labels = self.arrays(X, y)
            pick = slice(batch.start, batch.stop) if isinstance(batch, range) else batch
            if not self.same:
                self.P[self.mine] = self.W[self.where]
            r = self.program.batch(xs[pick], ts[pick], parameters=self.W if self.same else self.P,
                                   input_grads=False, check_finite=False)
            acc = None if labels is None else _accuracy(r.aux, labels[pick], self.n_out)
            return r, float(r.values.sum()) / len(batch), acc
        labels = [y[i] for i in batch]
        r = self.program.loop([X[i] for i in batch], [self.encode(t) for t in labels], input_grads=False)
        outputs = [[_Score(a) for a in row] if self.n_out > 1 else _Score(row) for row in r.aux]
        return r, sum(r.values) / len(batch), accuracy(outputs, labels)

    def evaluate(self, X: Sequence, y: Sequence) -> Tuple[float, Optional[float]]:
        """(mean loss, accuracy) on a data set, with the parameters as they are now."""
        _, value, acc = self.replay(X, y, range(len(X)))
        return value, acc

    def train(self, batch: Sequence[int], watch: bool = True) -> Tuple[float, Optional[float], bool]:
        """One optimizer step on the samples ``batch``: (mean loss, accuracy, whether a weight got a
        gradient, looked at only when ``watch``)."""
        r, value, acc = self.replay(self.X, self.y, batch)
        if not self.flat:
            self.optimizer.zero_grad()
            for p, g in zip(self.program.parameters, r.param_grads):
                p.grad += g / len(batch)
            alive = watch and any(p.grad != 0.0 for p in self.weights)
            self.optimizer.step()
            return value, acc, alive
        mean = 1.0 / len(batch)  # the loss is the batch's mean: its gradient is the sum's times 1/n
        if self.same:
            self.G = r.param_grads
            self.G *= mean  # in place: the replay's array is this step's own
        else:
            self.G[:] = 0.0
            self.G[self.where] = r.param_grads[self.mine] * mean
            self.frozen_grads += r.param_grads[self.frozen] * mean
        alive = watch and bool(self.G[self.watched].any())
        self.W = self.optimizer.step_arrays(self.W, self.G)
        return value, acc, alive

    def write_back(self) -> None:
        """The flat arrays' numbers into the Values: the weights and the last batch's gradients, and what
        parameters left out of the optimizer gathered in their gradients, as the eager path leaves them."""
        if self.flat:
            for p, w, g in zip(self.optimizer.params, self.W.tolist(), self.G.tolist()):
                p.data, p.grad = w, g
            for j, g in zip(self.frozen.tolist(), self.frozen_grads.tolist()):
                self.program.parameters[j].grad += g
            self.frozen_grads[:] = 0.0


def _accuracy(outputs: Any, labels: Any, n_out: int) -> float:
    """``accuracy`` for a replay's outputs as an array (a row of scores per sample, or one score), against
    the class labels as an array (0 or 1 for a single score)."""
    predicted = outputs.argmax(axis=1) if n_out > 1 else outputs > 0
    return float((predicted == labels).mean())


def _with_output(loss: Callable, out: Any, t: Any) -> Tuple[Value, Any]:
    return loss([out], [t]), out
