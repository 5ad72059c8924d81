"""One epoch of the seed's MNIST network: MLP 784-128-10 (ReLU), softmax cross-entropy, SGD with
learning rate 0.01, batches of 128 in a fixed order, on 8,192 random 28x28 images (the time does not
depend on the pixels, so no download is needed). chainrule trains it from scalar code, through
``fit(compiled='numpy')``: the lifted replay, with the parameters in one flat array."""

from __future__ import annotations

import random
import time
from typing import Callable, Dict, List

from .reference import numpy_model, numpy_step, torch_model, torch_step, weights_of
from .timing import Epochs, Row, alternate, table

IMAGES, BATCH, LR, SEED, HIDDEN = 8192, 128, 0.01, 0, 128


def run(rounds: int = 3) -> List[str]:
    import numpy as np
    from nn import MLP, SGD, fit, losses

    rng = np.random.default_rng(SEED)
    Xa = rng.random((IMAGES, 784))
    labels = rng.integers(0, 10, IMAGES)
    Ta = np.eye(10)[labels]
    X, y = Xa.tolist(), labels.tolist()

    def model():
        random.seed(SEED)
        return MLP(784, [HIDDEN, 10], init="he")

    m = model()
    opt = SGD(m.parameters(), lr=LR)

    def train(epochs: int):  # each fit traces the sample loss, lifts the tape and converts the data once
        return fit(m, X, y, losses.cross_entropy, opt, epochs=epochs, batch_size=BATCH, shuffle=False,
                   progress=False, compiled="numpy")

    first_epoch = train(1)

    epochs: Dict[str, Callable[[], object]] = {}
    params = numpy_model(weights_of(model()))
    batches = [(Xa[i:i + BATCH], Ta[i:i + BATCH]) for i in range(0, IMAGES, BATCH)]
    firsts = {"chainrule lifted (NumPy)": first_epoch["loss"][0],
              "NumPy matrices": _mean_loss(numpy_model(weights_of(model())), batches, np, "numpy")}
    epochs["NumPy matrices"] = lambda: [numpy_step(params, xb, tb, "ce", LR) for xb, tb in batches]
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        tparams = torch_model(weights_of(model()), torch)
        tensors = [(torch.tensor(xb), torch.tensor(tb)) for xb, tb in batches]
        firsts["PyTorch, vectorized"] = _mean_loss(torch_model(weights_of(model()), torch), tensors, torch, "torch")
        epochs["PyTorch, vectorized"] = lambda: [torch_step(tparams, xb, tb, "ce", LR, torch) for xb, tb in tensors]
        epochs["chainrule lifted (PyTorch back-end)"], firsts["chainrule lifted (PyTorch back-end)"] = \
            _torch_backend_epoch(model(), Xa, Ta, tensors, torch)
    spread = max(firsts.values()) - min(firsts.values())
    assert spread < 1e-9, f"the contenders disagree on the first epoch's mean loss: {firsts}"
    lifted = epochs["chainrule lifted (NumPy)"] = Epochs(train, 4)  # a fit traces and lifts once: 4 epochs a fit
    # float32: chainrule computes each batch in float32 (weights kept in float64); NumPy all in float32
    m32 = model()
    opt32 = SGD(m32.parameters(), lr=LR)

    def train32(epochs: int):
        return fit(m32, X, y, losses.cross_entropy, opt32, epochs=epochs, batch_size=BATCH, shuffle=False,
                   progress=False, compiled="numpy", dtype="float32")

    first32 = train32(1)["loss"][0]
    assert abs(first32 - firsts["NumPy matrices"]) < 1e-4, (first32, firsts["NumPy matrices"])
    params32 = [(W.astype(np.float32), b.astype(np.float32)) for W, b in numpy_model(weights_of(model()))]
    batches32 = [(xb.astype(np.float32), tb.astype(np.float32)) for xb, tb in batches]
    epochs["NumPy matrices, float32"] = lambda: [numpy_step(params32, xb, tb, "ce", LR) for xb, tb in batches32]
    lifted32 = epochs["chainrule lifted (NumPy), float32"] = Epochs(train32, 4)
    ms = alternate(epochs, rounds)
    ms = {"chainrule lifted (NumPy)": ms.pop("chainrule lifted (NumPy)"), **ms}
    ms["chainrule per-node (NumPy), one batch scaled"] = _per_node_epoch_ms(model(), Xa, Ta, len(batches))
    ref = ms["NumPy matrices"]
    notes = {"chainrule lifted (NumPy)": f"{ms['chainrule lifted (NumPy)'] / ref:.2f}x NumPy (target <= 2x); "
                                         f"the median epoch of 4-epoch fits, its own time; a fit's tracing and lifting "
                                         f"add {lifted.setup_seconds():.1f} s once",
             "chainrule per-node (NumPy), one batch scaled": "one NumPy call per node, as before lifting",
             "chainrule lifted (NumPy), float32": (
                 f"{ms['chainrule lifted (NumPy), float32'] / ms['chainrule lifted (NumPy)']:.2f}x the float64 epoch, "
                 f"{ms['chainrule lifted (NumPy), float32'] / ms['NumPy matrices, float32']:.2f}x NumPy float32; "
                 f"fit(dtype='float32'), weights kept in float64; set-up {lifted32.setup_seconds():.1f} s once"),
             "NumPy matrices, float32": f"{ms['NumPy matrices, float32'] / ref:.2f}x NumPy float64"}
    if "PyTorch, vectorized" in ms:
        notes["PyTorch, vectorized"] = f"{ms['PyTorch, vectorized'] / ref:.2f}x NumPy"
        notes["chainrule lifted (PyTorch back-end)"] = (
            f"{ms['chainrule lifted (PyTorch back-end)'] / ms['PyTorch, vectorized']:.2f}x PyTorch vectorized "
            f"(target <= 2x); Program.batch(backend='torch') on CPU tensors and an SGD step on the flat parameter tensor")
    rows: List[Row] = [(name, t, notes.get(name, "")) for name, t in ms.items()]
    return table(f"MNIST-network epoch: {IMAGES:,} images, MLP 784-{HIDDEN}-10, batches of {BATCH} (median of {rounds})",
                 rows, reference="NumPy matrices")


def _torch_backend_epoch(m, Xa, Ta, tensors, torch):
    """An epoch through the lifted program on the PyTorch back-end (traced once, here, untimed), the parameters
    in one flat tensor; and the first epoch's mean loss, to check against the others."""
    import engine
    from nn import losses

    program = engine.compile(lambda x, t: losses.cross_entropy([m(x)], [t]), Xa[0].tolist(), Ta[0].tolist())
    start = torch.tensor([p.data for p in program.parameters], dtype=torch.float64)
    program.batch(*tensors[0], backend="torch", device="cpu", parameters=start, input_grads=False)  # lifts it once
    P = start.clone()

    def epoch(P=P):
        total = 0.0
        for xb, tb in tensors:
            r = program.batch(xb, tb, backend="torch", device="cpu", parameters=P, input_grads=False)
            P -= LR / len(xb) * r.param_grads  # the mean loss's gradient, as SGD on the other contenders
            total += float(r.values.sum())
        return total / IMAGES

    first = epoch(start.clone())
    return epoch, first


def _mean_loss(params, batches, lib, kind: str) -> float:
    """The first epoch's mean training loss by the reference itself, as fit reports it (batch-size weighted)."""
    total, n = 0.0, 0
    for xb, tb in batches:
        if kind == "numpy":
            total += numpy_step(params, xb, tb, "ce", LR) * len(xb)
        else:
            total += torch_step(params, xb, tb, "ce", LR, lib) * len(xb)
        n += len(xb)
    return total / n


def _per_node_epoch_ms(m, Xa, Ta, batches: int) -> float:
    import engine
    from nn import losses

    program = engine.compile(lambda x, t: losses.cross_entropy([m(x)], [t]), Xa[0].tolist(), Ta[0].tolist())
    program.batch(Xa[:2], Ta[:2], lifted=False)  # builds the per-node code once, untimed
    start = time.perf_counter()
    program.batch(Xa[:BATCH], Ta[:BATCH], lifted=False)
    return (time.perf_counter() - start) * 1e3 * batches


def main() -> None:
    print("\n".join(run()))


if __name__ == "__main__":
    main()
