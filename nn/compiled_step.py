"""fit's compiled step: one sample's loss traced once (``engine.compile``) and replayed for each batch.

It has the interface of ``nn.step.EagerStep`` (``train``, ``evaluate``, ``write_back``), so that ``fit`` reads
the same either way. With NumPy the parameters live in one flat array for the whole run: each batch is one
lifted replay (``Program.batch``) and one ``optimizer.step_arrays``, with no Value touched.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple, Union

from engine import Value, no_grad

from .batchnorm import BatchNorm
from .dropout import Dropout
from .module import Module
from .optim import Optimizer
from .step import accuracy, class_labels, modules_of, weights_of

# Samples per replay when evaluating, so that memory stays that of a batch whatever the data set: up to 1,024, and
# fewer for a large tape (a replay holds a value and a gradient per node and sample: 4 million each at most).
EVALUATE_AT_ONCE, EVALUATE_ENTRIES = 1024, 4_000_000


class _Score:
    """A model output as replayed numbers, with the ``.data`` that ``accuracy`` reads."""

    __slots__ = ("data",)

    def __init__(self, data: float) -> None:
        self.data = data


def not_replayable(m: Module) -> str:
    """Why a trace of one sample cannot stand for ``m`` in training mode ('' if it can)."""
    if not m.training:
        return ""
    if isinstance(m, BatchNorm):
        return "takes its statistics over the whole batch"
    if isinstance(m, Dropout) and m.p > 0.0:
        return "draws a new mask at every step"
    return ""


class CompiledStep:
    """One sample's loss traced once and replayed for each batch.

    With NumPy the parameters live in one flat array for the whole run: each batch is one
    lifted replay and one ``optimizer.step_arrays``, with no Value touched, and the numbers
    are written back into the Values (data and the last gradients) when ``fit`` returns or is
    interrupted. Sample by sample in generated Python, the Values are updated as usual.
    """

    def __init__(self, model: Module, X: Sequence, y: Sequence, loss: Callable, backend: Union[bool, str],
                 optimizer: Optimizer, val: Optional[Tuple[Sequence, Sequence]] = None, dtype: str = "float64") -> None:
        import engine

        if backend is True:
            try:
                import numpy  # noqa: F401
                backend = "numpy"
            except ImportError:
                backend = "python"
        if backend not in ("numpy", "python"):
            raise ValueError(f"compiled must be True, False, 'numpy' or 'python'; got {backend!r}")
        if dtype != "float64" and backend != "numpy":
            raise ValueError(f"fit: dtype={dtype!r} needs compiled='numpy', and NumPy is not installed")
        self.dtype = dtype
        for m in modules_of(model):
            why = not_replayable(m)
            if why:
                raise ValueError(f"fit(compiled={backend!r}) traces one sample's loss and replays it, but {m!r} in "
                                 f"training mode {why}; train with compiled=False (or call model.eval() first, to "
                                 f"train with it fixed)")
        with no_grad():
            first = model(X[0])
        self.n_out = len(first) if isinstance(first, (list, tuple)) else 1
        self.program = engine.compile(lambda x, t: with_output(loss, model(x), t), X[0], self.encode(y[0]))
        self.program.check_once((X[-1], self.encode(y[-1])))  # compile's one check, made now: no epoch's time holds it
        self.optimizer, self.flat = optimizer, backend == "numpy"
        self.X, self.y, self._arrays = X, y, {}  # (id(X), id(y)) -> arrays (see ``arrays``)
        self.weights = weights_of(model)
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
                bad = _first_not_finite(a)
                if bad is not None:
                    raise ValueError(f"fit: {name} holds nan or inf (sample {bad}: {a[bad].tolist()})")
            if self.dtype != "float64":  # converted once, not at every batch; a number past the dtype's range refused
                with np.errstate(over="ignore"):
                    low = xs.astype(self.dtype), ts.astype(self.dtype)
                for name, a, wide in zip(names, low, (xs, ts)):
                    bad = _first_not_finite(a)
                    if bad is not None:
                        raise ValueError(f"fit: {name} holds a number past {self.dtype}'s range (sample {bad}: "
                                         f"{wide[bad].tolist()}); scale the data, or train in a wider dtype")
                xs, ts = low
            labels = None
            if class_labels(y):
                labels = np.asarray(y) if self.n_out > 1 else (np.asarray(y) > 0).astype(int)
            self._arrays[key] = (X, y, xs, ts, labels)  # X and y kept: their ids stay theirs
        return self._arrays[key][2:]

    def run_batch(self, X: Sequence, y: Sequence, batch: Sequence[int]) -> Tuple[Any, float, Optional[float]]:
        """(the replay's result, its mean loss, its accuracy) for the samples ``batch`` of (X, y)."""
        if self.flat:
            xs, ts, labels = self.arrays(X, y)
            pick = slice(batch.start, batch.stop) if isinstance(batch, range) else batch
            if not self.same:
                self.P[self.mine] = self.W[self.where]
            # the loss is the batch's mean: each sample's gradient weighs 1/n, given as the replay's cotangent
            r = self.program.batch(xs[pick], ts[pick], parameters=self.W if self.same else self.P,
                                   input_grads=False, check_finite=False, dtype=self.dtype,
                                   cotangent=1.0 / len(batch))
            acc = None if labels is None else _accuracy(r.aux, labels[pick], self.n_out)
            return r, float(r.values.sum(dtype=float)) / len(batch), acc  # in float64 whatever the dtype
        labels = [y[i] for i in batch]
        r = self.program.loop([X[i] for i in batch], [self.encode(t) for t in labels], input_grads=False)
        outputs = [[_Score(a) for a in row] if self.n_out > 1 else _Score(row) for row in r.aux]
        return r, sum(r.values) / len(batch), accuracy(outputs, labels)

    def evaluate(self, X: Sequence, y: Sequence) -> Tuple[float, Optional[float]]:
        """(mean loss, accuracy) on a data set, with the parameters as they are now; in pieces (see
        ``EVALUATE_AT_ONCE``), since a replay holds every node's value for every sample it runs."""
        total, correct, n = 0.0, 0.0, len(X)
        at_once = max(1, min(EVALUATE_AT_ONCE, EVALUATE_ENTRIES // max(1, len(self.program.tape))))
        for start in range(0, n, at_once):
            piece = range(start, min(n, start + at_once))
            _, value, acc = self.run_batch(X, y, piece)
            total += value * len(piece)
            correct = None if acc is None else correct + acc * len(piece)
        return total / n, None if correct is None else correct / n

    def train(self, batch: Sequence[int], watch: bool = True) -> Tuple[float, Optional[float], bool]:
        """One optimizer step on the samples ``batch``: (mean loss, accuracy, whether a weight got a
        gradient, looked at only when ``watch``)."""
        r, value, acc = self.run_batch(self.X, self.y, batch)
        if not self.flat:
            self.optimizer.zero_grad()
            for p, g in zip(self.program.parameters, r.param_grads):
                p.grad += g / len(batch)
            alive = watch and any(p.grad != 0.0 for p in self.weights)
            self.optimizer.step()
            return value, acc, alive
        if self.same:  # the replay's gradients are the mean loss's already (its cotangent was 1/n)
            self.G = r.param_grads
        else:
            self.G[:] = 0.0
            self.G[self.where] = r.param_grads[self.mine]
            self.frozen_grads += r.param_grads[self.frozen]
        alive = watch and bool(self.G[self.watched].any())
        self.W = self.optimizer.step_arrays(self.W, self.G, checked=True)  # the replay found them finite
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


def _first_not_finite(a: Any) -> Optional[int]:
    """The first sample (row) of ``a`` holding nan or inf, or None."""
    import numpy as np

    bad = np.flatnonzero(~np.isfinite(a.reshape(len(a), -1)).all(axis=1))
    return int(bad[0]) if len(bad) else None


def _accuracy(outputs: Any, labels: Any, n_out: int) -> float:
    """``accuracy`` for a replay's outputs as an array (a row of scores per sample, or one score), against
    the class labels as an array (0 or 1 for a single score)."""
    import numpy as np

    predicted = outputs.argmax(axis=1) if n_out > 1 else outputs > 0
    return np.count_nonzero(predicted == labels) / len(labels)  # (mean() costs ten times more on a small batch)


def with_output(loss: Callable, out: Any, t: Any) -> Tuple[Value, Any]:
    """One sample's loss, with the model's output as the extra output (what a compiled step traces)."""
    return loss([out], [t]), out
