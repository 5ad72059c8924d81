"""One full-batch training step of micrograd's moons demo: chainrule against micrograd 0.1.0.

Both networks start from the same weights (same seed, same draw order) and run the
same loss function on the same data, so the step computes the same numbers; the
contenders alternate, and the median of several rounds is reported, since the
machines are shared and noisy.
"""

from __future__ import annotations

import builtins
import gc
import random
import statistics
import time
from typing import Callable, Dict

from demos.moons import SEED, data, sgd_step, svm_loss

TARGET = 5.0  # issue 2: at least 5x micrograd


def contenders() -> Dict[str, Callable[[], float]]:
    import engine
    from nn import MLP

    X, y = data()
    made = {}

    def stepper(model, add_up) -> Callable[[], float]:
        state = {"k": 0}

        def step() -> float:
            loss, _ = svm_loss(model, X, y, add_up=add_up)
            sgd_step(model, loss, state["k"] % 100)
            state["k"] += 1
            return loss.data

        return step

    try:
        from micrograd.nn import MLP as MicrogradMLP
    except ImportError:
        print("micrograd is not installed: `make bench` installs it (pip install micrograd==0.1.0)")
    else:
        random.seed(SEED)
        made["micrograd 0.1.0"] = stepper(MicrogradMLP(2, [16, 16, 1]), builtins.sum)
    random.seed(SEED)
    made["chainrule eager (engine.sum)"] = stepper(MLP(2, [16, 16, 1]), engine.sum)
    random.seed(SEED)
    made["chainrule eager (builtin sum)"] = stepper(MLP(2, [16, 16, 1]), builtins.sum)
    return made


def main(rounds: int = 7) -> Dict[str, float]:
    steps = contenders()
    first_losses = {name: step() for name, step in steps.items()}
    losses = list(first_losses.values())
    assert max(losses) - min(losses) < 1e-9, f"contenders disagree on the loss: {first_losses}"
    times: Dict[str, list] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            gc.collect()  # untimed: nobody pays for the garbage of the one before
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) * 1e3 for name, t in times.items()}
    reference = medians.get("micrograd 0.1.0")
    print(f"moons training step (MLP 2-16-16-1, 100 samples, loss {losses[0]:.4f}), median of {rounds}:")
    for name, ms in medians.items():
        ratio = f"{reference / ms:6.1f}x micrograd" if reference else ""
        print(f"  {name:32} {ms:9.2f} ms  {ratio}")
    if reference:
        best = reference / medians["chainrule eager (engine.sum)"]
        print(f"  target: at least {TARGET:g}x micrograd -> {'met' if best >= TARGET else 'MISSED'} ({best:.1f}x)")
    return medians


if __name__ == "__main__":
    main()
