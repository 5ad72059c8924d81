"""One epoch of the CNN demo's network: conv 3x3 (16) -> ReLU -> max-pool 2 -> conv 3x3 (32) -> ReLU -> max-pool 2
-> linear (800 -> 10) -> softmax cross-entropy, SGD with learning rate 0.01, batches of 64 in a fixed order, on 2,048
random 28x28 images (the time does not depend on the pixels, so no download is needed); float64, one thread.

Three contenders, the same weights and batches: chainrule, trained from its scalar code (``demos/cnn.py``'s
``DigitCNN``) by ``fit(compiled='numpy')``; the same network in PyTorch; and a tight NumPy implementation with
im2col (``sliding_window_view``), a matrix product per layer and no per-sample Python. The first epoch's mean
loss is checked equal between the three before timing. Also the peak memory of an epoch, each contender in a
fresh process (the growth of its resident set during the epoch): ``python -m bench.cnn_epoch memory NAME``.
"""

from __future__ import annotations

import gc
import random
import resource
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List, Tuple

from . import timing
from .timing import Epochs, alternate

IMAGES, BATCH, LR, SEED, ROUNDS = 2048, 64, 0.01, 0, 3


def data():
    import numpy as np

    rng = np.random.default_rng(SEED)
    return rng.random((IMAGES, 784)), rng.integers(0, 10, IMAGES)


def model():
    from demos.cnn import DigitCNN

    random.seed(SEED)
    return DigitCNN()


# ---- the NumPy reference: im2col and matrix products --------------------------------------------------------

def numpy_weights(net: Any) -> Dict[str, Any]:
    import numpy as np

    state = {name: np.array([v.data for v in values]).reshape(shape) for name, shape, values in net.torch_state()}
    return {"W1": state["conv1.weight"].reshape(16, 9), "b1": state["conv1.bias"],
            "W2": state["conv2.weight"].reshape(32, 16 * 9), "b2": state["conv2.bias"],
            "W3": state["fc.weight"], "b3": state["fc.bias"]}


def _im2col(x: Any) -> Any:
    """(n, c, h, w) -> (n, c * 9, (h - 2) * (w - 2)): every 3x3 window's entries, channel by channel."""
    from numpy.lib.stride_tricks import sliding_window_view

    n, c, h, w = x.shape
    windows = sliding_window_view(x, (3, 3), axis=(2, 3))  # (n, c, h-2, w-2, 3, 3)
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, c * 9, (h - 2) * (w - 2))


def _col2im(cols: Any, shape: Tuple[int, ...]) -> Any:
    """The adjoint of _im2col: each window entry's gradient added back to its pixel (9 shifted slices)."""
    import numpy as np

    n, c, h, w = shape
    cols = cols.reshape(n, c, 3, 3, h - 2, w - 2)
    out = np.zeros(shape)
    for a in range(3):
        for b in range(3):
            out[:, :, a:a + h - 2, b:b + w - 2] += cols[:, :, a, b]
    return out


def _pool(x: Any) -> Tuple[Any, Any]:
    """2x2 max pooling (stride 2, the odd last row and column dropped), and the mask of each window's first
    maximum (PyTorch's rule for ties)."""
    import numpy as np

    n, c, h, w = x.shape
    blocks = x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2).transpose(0, 1, 2, 4, 3, 5)
    flat = blocks.reshape(n, c, h // 2, w // 2, 4)
    first = flat.argmax(axis=-1)
    mask = np.zeros_like(flat)
    np.put_along_axis(mask, first[..., None], 1.0, axis=-1)
    return np.take_along_axis(flat, first[..., None], axis=-1)[..., 0], mask


def _unpool(g: Any, mask: Any, shape: Tuple[int, ...]) -> Any:
    import numpy as np

    n, c, h, w = shape
    blocks = (mask * g[..., None]).reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
    out = np.zeros(shape)
    out[:, :, :h // 2 * 2, :w // 2 * 2] = blocks.reshape(n, c, h // 2 * 2, w // 2 * 2)
    return out


def numpy_step(p: Dict[str, Any], x: Any, labels: Any) -> float:
    """One SGD step on a batch of images (n, 784); returns the batch's mean loss."""
    import numpy as np

    n = len(x)
    x0 = x.reshape(n, 1, 28, 28)
    c1 = _im2col(x0)                                              # (n, 9, 676)
    z1 = np.matmul(p["W1"], c1) + p["b1"][:, None]                # (n, 16, 676)
    a1 = np.maximum(z1, 0.0).reshape(n, 16, 26, 26)
    h1, m1 = _pool(a1)                                            # (n, 16, 13, 13)
    c2 = _im2col(h1)                                              # (n, 144, 121)
    z2 = np.matmul(p["W2"], c2) + p["b2"][:, None]                # (n, 32, 121)
    a2 = np.maximum(z2, 0.0).reshape(n, 32, 11, 11)
    h2, m2 = _pool(a2)                                            # (n, 32, 5, 5)
    f = h2.reshape(n, 800)
    logits = f @ p["W3"].T + p["b3"]
    top = logits.max(axis=1, keepdims=True)
    e = np.exp(logits - top)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(s[:, 0]) + top[:, 0] - logits[np.arange(n), labels]))
    g = e / s
    g[np.arange(n), labels] -= 1.0
    g /= n                                                        # d mean loss / d logits
    gW3, gb3 = g.T @ f, g.sum(axis=0)
    gh2 = (g @ p["W3"]).reshape(n, 32, 5, 5)
    gz2 = (_unpool(gh2, m2, a2.shape) * (a2 > 0)).reshape(n, 32, 121)
    gW2, gb2 = np.einsum("nok,nik->oi", gz2, c2), gz2.sum(axis=(0, 2))
    gh1 = _col2im(np.matmul(p["W2"].T, gz2), h1.shape)
    gz1 = (_unpool(gh1, m1, a1.shape) * (a1 > 0)).reshape(n, 16, 676)
    gW1, gb1 = np.einsum("nok,nik->oi", gz1, c1), gz1.sum(axis=(0, 2))
    for name, grad in (("W1", gW1), ("b1", gb1), ("W2", gW2), ("b2", gb2), ("W3", gW3), ("b3", gb3)):
        p[name] -= LR * grad
    return loss


# ---- PyTorch -------------------------------------------------------------------------------------------------

def torch_epoch(net: Any, images: Any, labels: Any, torch: Any) -> Callable[[], float]:
    return timing.torch_epoch(net, images, labels, torch.optim.SGD(net.parameters(), lr=LR), BATCH, torch)


def ours_train(net: Any, X: List[List[float]], y: List[int]) -> Callable[[int], Dict[str, List[float]]]:
    from nn import SGD, fit, losses

    opt = SGD(net.parameters(), lr=LR)
    return lambda epochs: fit(net, X, y, losses.cross_entropy, opt, epochs=epochs, batch_size=BATCH, shuffle=False,
                              progress=False, compiled="numpy")


def run(rounds: int = ROUNDS) -> List[str]:
    try:
        import torch
    except ImportError:
        return ["### CNN epoch", "", "skipped: one reference is PyTorch, which is not installed", ""]
    with timing.one_thread(torch):
        ms, setup, firsts = _timed(torch, rounds)
    memory = {name: _peak_mb(name) for name in ("chainrule", "PyTorch", "NumPy")}
    ours, ref, npy = ms["chainrule lifted (NumPy)"], ms["PyTorch"], ms["NumPy im2col"]
    lines = [f"### CNN epoch: {IMAGES:,} images 28x28, conv 16 / conv 32 / linear, SGD, batches of {BATCH} "
             f"(median of {rounds}; one thread)", "",
             "| contender | ms per epoch | vs PyTorch | vs NumPy im2col | peak memory of a first epoch, MB |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for name, key in (("chainrule lifted (NumPy)", "chainrule"), ("PyTorch", "PyTorch"), ("NumPy im2col", "NumPy")):
        lines.append(f"| {name} | {ms[name]:.0f} | {ms[name] / ref:.2f}x | {ms[name] / npy:.2f}x | {memory[key]:.0f} |")
    lines += ["", f"chainrule: {ours / ref:.2f}x PyTorch and {ours / npy:.2f}x NumPy im2col per epoch (targets <= 3x "
                  f"each); tracing and lifting {setup:.1f} s once a fit (target < 5 s); peak memory "
                  f"{memory['chainrule'] / memory['PyTorch']:.1f}x PyTorch's (target <= 2x). The first epoch's mean "
                  f"loss agrees {_agreement(firsts)}.", ""]
    return lines


def _agreement(firsts: Dict[str, float]) -> str:
    spread = max(firsts.values()) - min(firsts.values())
    return "to the last bit" if spread == 0 else f"to {spread:.0e}"


def _timed(torch: Any, rounds: int) -> Tuple[Dict[str, float], float, Dict[str, float]]:
    Xa, labels = data()
    X, y = Xa.tolist(), labels.tolist()
    images, targets = torch.tensor(Xa).reshape(-1, 1, 28, 28), torch.tensor(labels)
    reference = numpy_weights(model())
    firsts = {"chainrule": ours_train(model(), X, y)(1)["loss"][0],
              "PyTorch": torch_epoch(model().twin(), images, targets, torch)(),
              "NumPy": sum(numpy_step(reference, Xa[s:s + BATCH], labels[s:s + BATCH]) * len(labels[s:s + BATCH])
                           for s in range(0, IMAGES, BATCH)) / IMAGES}
    spread = max(firsts.values()) - min(firsts.values())
    assert spread < 1e-9, f"the contenders disagree on the first epoch's mean loss: {firsts}"
    ours = Epochs(ours_train(model(), X, y), 2)
    p = numpy_weights(model())
    contenders = {"chainrule lifted (NumPy)": ours, "PyTorch": torch_epoch(model().twin(), images, targets, torch),
                  "NumPy im2col": lambda: [numpy_step(p, Xa[s:s + BATCH], labels[s:s + BATCH])
                                           for s in range(0, IMAGES, BATCH)]}
    return alternate(contenders, rounds), ours.setup_seconds(), firsts


def _peak_mb(name: str) -> float:
    """The growth of a fresh process's peak resident set during one epoch of ``name``, in MB."""
    done = subprocess.run([sys.executable, "-m", "bench.cnn_epoch", "memory", name], capture_output=True, text=True,
                          timeout=600, env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                                            "PATH": "/usr/bin:/bin"})
    if done.returncode != 0:
        raise RuntimeError(f"measuring {name}'s memory failed: {done.stderr[-500:]}")
    return float(done.stdout.split()[-1])


def _memory(name: str) -> float:
    """Run in a fresh process: the data and the model made, then one epoch (for chainrule its fit's tracing and
    lifting included); the growth of the peak resident set over it, in MB."""
    Xa, labels = data()
    net = model()
    if name == "chainrule":
        X, y = Xa.tolist(), labels.tolist()
        train = ours_train(net, X, y)
        epoch: Callable[[], Any] = lambda: train(1)  # noqa: E731
    elif name == "PyTorch":
        import torch

        torch.set_num_threads(1)
        images, targets = torch.tensor(Xa).reshape(-1, 1, 28, 28), torch.tensor(labels)
        epoch = torch_epoch(net.twin(), images, targets, torch)
    else:
        p = numpy_weights(net)
        epoch = lambda: [numpy_step(p, Xa[s:s + BATCH], labels[s:s + BATCH]) for s in range(0, IMAGES, BATCH)]  # noqa: E731
    return _peak_growth(epoch)


def _resident() -> int:
    """This process's resident set now, in bytes (Linux's /proc; the high-water mark of getrusage cannot say what
    one stretch of a process used)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def _peak_growth(work: Callable[[], Any]) -> float:
    """The largest resident set seen while ``work`` runs (sampled every millisecond), less the one before, in MB."""
    import threading

    gc.collect()
    before, peak, done = _resident(), [0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _resident())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        work()
    finally:
        done.set()
        sampler.join()
    return max(0, max(peak[0], _resident()) - before) / 2 ** 20


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory"]:
        print(f"{_memory(sys.argv[2]):.1f}")
