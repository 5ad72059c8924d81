"""Peak memory of one epoch of the MNIST network (784-128-10, Adam, batches of 128, 8,192 images), each contender in
a fresh process, beside what chainrule keeps between epochs (the traced tape and the lifted program's frames).

A process's peak resident memory is reset (Linux: ``/proc/self/clear_refs``) once the data, the model and one
warm-up step are in place, so the figure is what the epoch itself adds on top of that: every temporary, whichever
library allocated it (tracemalloc would miss PyTorch's). Machines here are shared: memory, unlike time, does not
depend on the neighbours.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

IMAGES, BATCH, LR, SEED, HIDDEN = 8192, 128, 1e-3, 0, 128
CONTENDERS = ("NumPy matrices", "PyTorch, vectorized", "chainrule lifted (NumPy)", "chainrule nn.to_torch")
MiB = 1 << 20


def _status(field: str) -> int:
    """A field of /proc/self/status, in bytes (VmRSS: resident now; VmHWM: the peak since the last reset)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _epoch(name: str) -> Tuple[Callable[[], None], Dict[str, float]]:
    """An epoch of contender ``name`` (data, model and a first step made), and what it keeps, in MiB."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    Xa = rng.random((IMAGES, 784))
    labels = rng.integers(0, 10, IMAGES)
    Ta = np.eye(10)[labels]
    random.seed(SEED)
    from nn import MLP

    model = MLP(784, [HIDDEN, 10], init="he")
    kept: Dict[str, float] = {}
    if name == "NumPy matrices":
        from .reference import NumpyAdam, numpy_model, numpy_step, weights_of

        params = numpy_model(weights_of(model))
        adam = NumpyAdam([a for layer in params for a in layer], LR)
        return lambda: [numpy_step(params, Xa[i:i + BATCH], Ta[i:i + BATCH], "ce", LR, adam=adam)
                        for i in range(0, IMAGES, BATCH)], kept
    if name == "chainrule lifted (NumPy)":
        from engine.compiler import batch as batches
        from nn import Adam, losses
        from nn.compiled_step import CompiledStep

        step = CompiledStep(model, Xa.tolist(), labels.tolist(), losses.cross_entropy, "numpy",
                            Adam(model.parameters(), LR))
        kept["the traced tape (the program's arrays)"] = step.program.profiled_size()[1] / MiB

        def epoch() -> None:
            for i in range(0, IMAGES, BATCH):
                step.train(range(i, i + BATCH), watch=False)
            frame = batches.made_for(step.program, batches.NUMPY, input_grads=False).frames.free[BATCH][0]
            kept["the lifted program's frame for 128 samples (V, G, P, GP)"] = sum(
                a.nbytes for a in (frame.V, frame.G, frame.P, frame.GP)) / MiB

        return epoch, kept
    import torch

    torch.set_num_threads(1)
    X, y = torch.tensor(Xa), torch.tensor(labels)
    if name == "PyTorch, vectorized":
        from .reference import torch_model, torch_step, weights_of

        params = torch_model(weights_of(model), torch)
        adam = torch.optim.Adam([a for layer in params for a in layer], lr=LR)
        T = torch.tensor(Ta)
        return lambda: [torch_step(params, X[i:i + BATCH], T[i:i + BATCH], "ce", LR, torch, adam=adam)
                        for i in range(0, IMAGES, BATCH)], kept
    import nn
    from nn import losses

    module = nn.to_torch(model, losses.cross_entropy, device="cpu")
    adam = torch.optim.Adam(module.parameters(), lr=LR)

    def epoch() -> None:
        for i in range(0, IMAGES, BATCH):
            adam.zero_grad()
            module(X[i:i + BATCH], y[i:i + BATCH])[0].mean().backward()
            adam.step()

    return epoch, kept


def one(name: str) -> None:
    """In a fresh process: the peak the first epoch adds above what was resident before it (data, model, the
    libraries; for chainrule the traced tape), as JSON on stdout. Its own set-up is in it: the lifted program's
    frames, PyTorch's and NumPy's first allocations; a second epoch adds nothing above the first."""
    import gc

    epoch, kept = _epoch(name)
    gc.collect()
    resting = _status("VmRSS")
    Path("/proc/self/clear_refs").write_text("5", encoding="ascii")  # the peak (VmHWM) starts again from now
    epoch()
    print(json.dumps({"peak": (_status("VmHWM") - resting) / MiB, "resting": resting / MiB, "kept": kept}))


def run() -> List[str]:
    lines = [f"### memory: one epoch of the MNIST network, {IMAGES:,} images, batches of {BATCH}, Adam", "",
             "| contender | the first epoch's peak above resting, MiB | resting (data, model, libraries), MiB |",
             "| --- | ---: | ---: |"]
    if not Path("/proc/self/clear_refs").exists():
        return lines + ["", "(not measured: peak resident memory is read from Linux's /proc)", ""]
    kept: Dict[str, float] = {}
    for name in CONTENDERS:
        result = _measure(name)
        if result is None:
            lines.append(f"| {name} | - | - |")
            continue
        lines.append(f"| {name} | {result['peak']:.1f} | {result['resting']:.0f} |")
        kept.update(result["kept"])
    lines += ["", "| what chainrule keeps between epochs | MiB |", "| --- | ---: |"]
    lines += [f"| {what} | {mib:.2f} |" for what, mib in kept.items()]
    return lines + [""]


def _measure(name: str) -> Optional[dict]:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", f"from bench.memory import one; one({name!r})"], cwd=root,
                          capture_output=True, text=True, env={**__import__("os").environ, "OPENBLAS_NUM_THREADS": "1"})
    if done.returncode != 0:
        if "No module named 'torch'" in done.stderr:
            return None
        raise RuntimeError(f"bench.memory {name}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    print("\n".join(run()))


if __name__ == "__main__":
    main()
