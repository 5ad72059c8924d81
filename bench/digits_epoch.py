"""One epoch on the 8x8 digits: MLP 64-32-10 (ReLU), mean squared error to one-hot targets,
SGD with learning rate 0.1, batches of 32 in a fixed order. micrograd has no exp or log, hence
this loss, which every contender can compute."""

from __future__ import annotations

import random
import time
from typing import Callable, Dict, List, Optional

from .reference import numpy_model, numpy_step, python_step, torch_model, torch_step, weights_of
from .timing import Epochs, Row, alternate, one_thread, table

BATCH, LR, SEED = 32, 0.1, 0
MICROGRAD_BATCHES = 3  # micrograd takes about a second a batch: time a few and scale up
ROUNDS = 7


def onehot(t: int) -> List[float]:
    return [1.0 if k == t else 0.0 for k in range(10)]


def run() -> List[str]:
    try:
        import torch
    except ImportError:
        torch = None
    with one_thread(torch):  # every contender on one core: NumPy's BLAS and PyTorch alike
        return _run()


def _run() -> List[str]:
    try:
        from nn.data import digits, train_test_split
        X, y = digits()
    except ImportError:
        return ["### digits epoch", "", "skipped: scikit-learn is not installed (pip install 'chainrule[data]')", ""]
    from nn import MLP, SGD, fit, losses

    X, _, y, _ = train_test_split(X, y, test_size=0.2, seed=SEED)
    T = [onehot(t) for t in y]
    batches = [(X[i:i + BATCH], T[i:i + BATCH]) for i in range(0, len(X), BATCH)]

    def model():
        random.seed(SEED)
        return MLP(64, [32, 10])

    def chainrule(compiled, epochs: int) -> Epochs:
        m = model()
        opt = SGD(m.parameters(), lr=LR)
        return Epochs(lambda n: fit(m, X, T, losses.mse, opt, epochs=n, batch_size=BATCH, shuffle=False,
                                    progress=False, compiled=compiled), epochs)

    first: Dict[str, float] = {}
    epochs: Dict[str, Callable[[], object]] = {  # an eager epoch takes seconds; a lifted one milliseconds
        "chainrule eager": chainrule(False, 1),
        "chainrule compiled (Python)": chainrule("python", 2),
        "chainrule batched (NumPy)": chainrule("numpy", 20),
    }
    layers = weights_of(model())
    first["hand-written pure Python"] = python_step(weights_of(model()), *batches[0], "mse", 0.0)
    epochs["hand-written pure Python"] = lambda: [python_step(layers, xb, tb, "mse", LR) for xb, tb in batches]
    import numpy as np

    params = numpy_model(weights_of(model()))
    arrays = [(np.array(xb), np.array(tb)) for xb, tb in batches]
    first["NumPy matrices"] = numpy_step(numpy_model(weights_of(model())), *arrays[0], "mse", 0.0)
    epochs["NumPy matrices"] = lambda: [numpy_step(params, xb, tb, "mse", LR) for xb, tb in arrays]
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        tparams = torch_model(weights_of(model()), torch)
        tensors = [(torch.tensor(xb, dtype=torch.float64), torch.tensor(tb, dtype=torch.float64)) for xb, tb in batches]
        first["PyTorch, vectorized"] = torch_step(torch_model(weights_of(model()), torch), *tensors[0], "mse", 0.0, torch)
        epochs["PyTorch, vectorized"] = lambda: [torch_step(tparams, xb, tb, "mse", LR, torch) for xb, tb in tensors]
    m = model()
    first["chainrule eager"] = losses.mse([m(x) for x in batches[0][0]], batches[0][1]).data
    spread = max(first.values()) - min(first.values())
    assert spread < 1e-9, f"the contenders disagree on the first batch's loss: {first}"

    ms: Dict[str, Optional[float]] = {}
    micro = micrograd_epoch_ms(batches)
    if micro is not None:
        ms["micrograd 0.1.0"] = micro
    notes = {"micrograd 0.1.0": f"{MICROGRAD_BATCHES} of {len(batches)} batches timed, scaled to the epoch"}
    ms.update(alternate(epochs, ROUNDS, slow={"chainrule eager": 2, "chainrule compiled (Python)": 3}))
    for name, call in epochs.items():
        if isinstance(call, Epochs) and name != "chainrule eager":
            notes[name] = f"the median epoch of {call.epochs}-epoch fits, its own time; a fit's tracing and code " \
                          f"generation add {call.setup_seconds():.2f} s once"
    ref = ms["NumPy matrices"]
    notes["chainrule batched (NumPy)"] += f"; {ms['chainrule batched (NumPy)'] / ref:.2f}x NumPy (target <= 1.2x)"
    rows: List[Row] = [(name, t, notes.get(name, "")) for name, t in ms.items()]
    return table(f"digits epoch: {len(X)} images, MLP 64-32-10, batches of {BATCH}", rows)


def micrograd_epoch_ms(batches) -> Optional[float]:
    try:
        from micrograd.nn import MLP
    except ImportError:
        return None
    random.seed(SEED)
    m = MLP(64, [32, 10])
    start = time.perf_counter()
    for xb, tb in batches[:MICROGRAD_BATCHES]:
        outs = [m(x) for x in xb]
        loss = sum((o - t) ** 2 for out, target in zip(outs, tb) for o, t in zip(out, target)) * (1.0 / (len(xb) * 10))
        m.zero_grad()
        loss.backward()
        for p in m.parameters():
            p.data -= LR * p.grad
    return (time.perf_counter() - start) / MICROGRAD_BATCHES * len(batches) * 1e3


def main() -> None:
    print("\n".join(run()))


if __name__ == "__main__":
    main()
