"""One epoch of the seed's MNIST network: MLP 784-128-10 (ReLU), softmax cross-entropy, Adam with learning rate
1e-3, batches of 128 in a fixed order, on 8,192 random 28x28 images (the time does not depend on the pixels, so no
download is needed). chainrule trains it from scalar code, through ``fit(compiled='numpy')``: the lifted replay,
with the parameters in one flat array. Every contender runs on one thread."""

from __future__ import annotations

import random
import time
from typing import Callable, Dict, List

from .reference import NumpyAdam, numpy_model, numpy_step, torch_model, torch_step, weights_of
from .timing import Epochs, Row, alternate, one_thread, table

IMAGES, BATCH, LR, SEED, HIDDEN = 8192, 128, 1e-3, 0, 128


def run(rounds: int = 5) -> List[str]:
    try:
        import torch
    except ImportError:
        torch = None
    with one_thread(torch):
        return _run(rounds, torch)


def _run(rounds: int, torch) -> List[str]:
    import numpy as np
    from nn import MLP, Adam, fit, losses

    rng = np.random.default_rng(SEED)
    Xa = rng.random((IMAGES, 784))
    labels = rng.integers(0, 10, IMAGES)
    Ta = np.eye(10)[labels]
    X, y = Xa.tolist(), labels.tolist()

    def model():
        random.seed(SEED)
        return MLP(784, [HIDDEN, 10], init="he")

    def trainer(dtype: str):
        m = model()
        opt = Adam(m.parameters(), lr=LR)
        return lambda epochs: fit(m, X, y, losses.cross_entropy, opt, epochs=epochs, batch_size=BATCH, shuffle=False,
                                  progress=False, compiled="numpy", dtype=dtype)

    train, train32 = trainer("float64"), trainer("float32")
    firsts = {"chainrule lifted (NumPy)": train(1)["loss"][0]}
    first32 = train32(1)["loss"][0]
    batches = [(Xa[i:i + BATCH], Ta[i:i + BATCH]) for i in range(0, IMAGES, BATCH)]
    epochs: Dict[str, Callable[[], object]] = {}

    def numpy_epoch(dtype):
        params = [(W.astype(dtype), b.astype(dtype)) for W, b in numpy_model(weights_of(model()))]
        adam = NumpyAdam([a for layer in params for a in layer], LR)
        data = [(xb.astype(dtype), tb.astype(dtype)) for xb, tb in batches]
        return lambda: sum(numpy_step(params, xb, tb, "ce", LR, adam=adam) * len(xb) for xb, tb in data) / IMAGES

    first_numpy = numpy_epoch(np.float64)
    firsts["NumPy matrices"] = first_numpy()
    epochs["NumPy matrices"] = numpy_epoch(np.float64)
    epochs["NumPy matrices, float32"] = numpy_epoch(np.float32)
    assert abs(first32 - firsts["NumPy matrices"]) < 1e-4, (first32, firsts["NumPy matrices"])
    if torch is not None:
        tensors = [(torch.tensor(xb), torch.tensor(tb)) for xb, tb in batches]

        def torch_epoch():
            params = torch_model(weights_of(model()), torch)
            adam = torch.optim.Adam([a for layer in params for a in layer], lr=LR)
            return lambda: sum(torch_step(params, xb, tb, "ce", LR, torch, adam=adam) * len(xb)
                               for xb, tb in tensors) / IMAGES

        firsts["PyTorch, vectorized"] = torch_epoch()()
        epochs["PyTorch, vectorized"] = torch_epoch()
        firsts["chainrule lifted (PyTorch back-end)"] = _torch_backend_epoch(model(), Xa, Ta, tensors, torch)()
        epochs["chainrule lifted (PyTorch back-end)"] = _torch_backend_epoch(model(), Xa, Ta, tensors, torch)
        firsts["chainrule nn.to_torch"] = _to_torch_epoch(model(), tensors, labels, torch)()
        epochs["chainrule nn.to_torch"] = _to_torch_epoch(model(), tensors, labels, torch)
    spread = max(firsts.values()) - min(firsts.values())
    assert spread < 1e-9, f"the contenders disagree on the first epoch's mean loss: {firsts}"
    lifted = epochs["chainrule lifted (NumPy)"] = Epochs(train, 4)  # a fit traces and lifts once: 4 epochs a fit
    lifted32 = epochs["chainrule lifted (NumPy), float32"] = Epochs(train32, 4)
    ms = alternate(epochs, rounds)
    ms = {"chainrule lifted (NumPy)": ms.pop("chainrule lifted (NumPy)"), **ms}
    ms["chainrule per-node (NumPy), one batch scaled"] = _per_node_epoch_ms(model(), Xa, Ta, len(batches))
    ref, ref32 = ms["NumPy matrices"], ms["NumPy matrices, float32"]
    f32 = ms["chainrule lifted (NumPy), float32"]
    notes = {"chainrule lifted (NumPy)": f"{ms['chainrule lifted (NumPy)'] / ref:.2f}x NumPy (target <= 1.1x); "
                                         f"the median epoch of 4-epoch fits, its own time; a fit's tracing and lifting "
                                         f"add {lifted.setup_seconds():.1f} s once",
             "chainrule per-node (NumPy), one batch scaled": "one NumPy call per node, as before lifting",
             "chainrule lifted (NumPy), float32": (
                 f"{f32 / ref:.2f}x NumPy float64 (target <= 0.8x), {f32 / ref32:.2f}x NumPy float32 (target <= 1.1x); "
                 f"fit(dtype='float32'), weights and Adam kept in float64; set-up {lifted32.setup_seconds():.1f} s once"),
             "NumPy matrices": "in-place Adam per layer (PyTorch's arithmetic)",
             "NumPy matrices, float32": f"{ref32 / ref:.2f}x NumPy float64"}
    if "PyTorch, vectorized" in ms:
        tref = ms["PyTorch, vectorized"]
        notes["PyTorch, vectorized"] = f"{tref / ref:.2f}x NumPy; torch.optim.Adam"
        notes["chainrule lifted (PyTorch back-end)"] = (
            f"{ms['chainrule lifted (PyTorch back-end)'] / tref:.2f}x PyTorch vectorized; Program.batch(backend='torch') "
            f"on CPU tensors, torch.optim.Adam on the flat parameter tensor")
        notes["chainrule nn.to_torch"] = (f"{ms['chainrule nn.to_torch'] / tref:.2f}x PyTorch vectorized; the model as a "
                                          f"torch.nn.Module (lifted forward, the ops' rules as its backward), "
                                          f"torch.optim.Adam")
    rows: List[Row] = [(name, t, notes.get(name, "")) for name, t in ms.items()]
    return table(f"MNIST-network epoch: {IMAGES:,} images, MLP 784-{HIDDEN}-10, Adam, batches of {BATCH}, one thread "
                 f"(median of {rounds})", rows, reference="NumPy matrices")


def _torch_backend_epoch(m, Xa, Ta, tensors, torch):
    """An epoch through the lifted program on the PyTorch back-end (traced once, here, untimed), the parameters
    in one flat tensor that torch.optim.Adam steps; returns the epoch's mean loss."""
    import engine
    from nn import losses

    program = engine.compile(lambda x, t: losses.cross_entropy([m(x)], [t]), Xa[0].tolist(), Ta[0].tolist())
    P = torch.tensor([p.data for p in program.parameters], dtype=torch.float64, requires_grad=True)
    program.batch(*tensors[0], backend="torch", device="cpu", parameters=P.detach(), input_grads=False)  # lifts it
    adam = torch.optim.Adam([P], lr=LR)

    def epoch():
        total = 0.0
        for xb, tb in tensors:
            r = program.batch(xb, tb, backend="torch", device="cpu", parameters=P.detach(), input_grads=False,
                              cotangent=1.0 / len(xb))
            P.grad = r.param_grads  # the mean loss's gradient: the cotangent weighs each sample 1/n
            adam.step()
            total += float(r.values.sum())
        return total / len(Xa)

    return epoch


def _to_torch_epoch(m, tensors, labels, torch):
    """An epoch of ``nn.to_torch(model, loss)`` trained by torch.optim.Adam; returns the epoch's mean loss."""
    import nn
    from nn import losses

    module = nn.to_torch(m, losses.cross_entropy, device="cpu")
    adam = torch.optim.Adam(module.parameters(), lr=LR)
    targets = [torch.tensor(labels[i:i + BATCH]) for i in range(0, IMAGES, BATCH)]

    def epoch():
        total = 0.0
        for (xb, _), tb in zip(tensors, targets):
            adam.zero_grad()
            per_sample, _ = module(xb, tb)
            loss = per_sample.mean()
            loss.backward()
            adam.step()
            total += loss.item() * len(xb)
        return total / IMAGES

    return epoch


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
