"""Memory-efficient backprop: engine.checkpoint trades a second forward pass for memory.

Backpropagation Calculus for Deep Learning (§7, Algorithm 7.1, lines 223-229) keeps activations only at checkpoints and
recomputes the rest during the backward pass. Here a chain of n steps t <- t + 1e-4 sin(t)
(4 nodes a step) is differentiated three ways: keeping every node, a checkpoint every 100
steps, and sqrt(n) segments of sqrt(n) steps. The peak memory of forward plus backward
(tracemalloc) grows like n, like n/100, and like sqrt(n); the time grows like n for all,
the checkpointed ones paying one more forward pass. The gradients are identical to the
last bit. Then a deep narrow MLP does the same with ``MLP(..., checkpoint_every=...)``.
The picture goes to ``out/checkpointing.png``.
"""

from __future__ import annotations

import gc
import math
import random
import statistics
import struct
import time
import tracemalloc
from typing import Any, Callable, Dict, List, Optional, Tuple

from engine import Value, checkpoint
from nn import MLP
from viz import plot_memory_tradeoff

from .common import common_args, progress

SIZES = (4_000, 16_000, 64_000, 256_000)
QUICK_SIZES = (1_000, 4_000, 16_000)
PLAIN_UP_TO = 64_000  # keeping every node of 256,000 steps would hold about 280 MB
EVERY = 100
MLP_DEPTH, MLP_WIDTH = 256, 4


def chain(t: Any, steps: int) -> Any:
    """``steps`` steps of t <- t + 1e-4 sin(t): a gradient that neither vanishes nor explodes."""
    for _ in range(steps):
        t = t + t.sin() * 1e-4
    return t


def segments(strategy: str, n: int) -> Optional[int]:
    """Steps per checkpoint for a strategy: None keeps every node."""
    return {"every node kept": None, f"checkpoint every {EVERY}": EVERY, "sqrt(n) segments": math.isqrt(n)}[strategy]


STRATEGIES = ("every node kept", f"checkpoint every {EVERY}", "sqrt(n) segments")


def gradient(n: int, k: Optional[int]) -> Tuple[Value, Callable[[], None]]:
    """The input, and a function running the chain's forward and backward pass with segments of k steps."""
    x = Value(0.5)

    def run() -> None:
        x.grad = 0.0
        if k is None:
            y = chain(x, n)
        else:
            y = x
            for start in range(0, n, k):
                y = checkpoint(chain, y, min(k, n - start))
        y.backward()

    return x, run


def peak_bytes(run: Callable[[], None]) -> int:
    """The most memory ``run`` held at once, by tracemalloc (what existed before it is not counted)."""
    gc.collect()
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def seconds(run: Callable[[], None], repeats: int) -> float:
    """The median time of ``run`` over ``repeats`` runs, without tracemalloc's overhead."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(sizes: Tuple[int, ...] = SIZES, repeats: int = 3, shown: bool = False
            ) -> Tuple[Dict[str, List[Tuple[int, int, float]]], bool]:
    """{strategy: [(steps, peak bytes, seconds)]} over ``sizes``, and whether every strategy gave the plain
    pass's gradient to the last bit. ``shown``: a progress bar counting the chains' steps, naming each run."""
    runs: Dict[str, List[Tuple[int, int, float]]] = {s: [] for s in STRATEGIES}
    same = True
    todo = [(n, s) for n in sizes for s in STRATEGIES if not (segments(s, n) is None and n > PLAIN_UP_TO)]
    with progress(range(sum(n for n, _ in todo)), "chains", shown, total=sum(n for n, _ in todo)) as bar:
        for n in sizes:
            grads = []
            for strategy in STRATEGIES:
                k = segments(strategy, n)
                if k is None and n > PLAIN_UP_TO:
                    continue
                bar.set_description(f"{strategy}, n = {n:,}")
                x, run = gradient(n, k)
                runs[strategy].append((n, peak_bytes(run), seconds(run, repeats)))
                grads.append(struct.pack("<d", x.grad))
                bar.update(n)  # the time of a run grows with its steps: the bar moves by them
            same = same and len(set(grads)) == 1
    return runs, same


def mlp_rows(depth: int = MLP_DEPTH, width: int = MLP_WIDTH, repeats: int = 3,
             shown: bool = False) -> List[Tuple[str, int, float, bool]]:
    """For a deep narrow tanh MLP: (checkpoint_every, peak bytes, seconds, gradients identical to the plain pass);
    ``shown``: with a progress bar."""
    random.seed(0)
    model = MLP(width, [width] * depth + [1], activation="tanh", init="xavier")
    x = [0.5, -1.0, 0.25, 2.0][:width] + [0.0] * (width - 4)

    def run() -> None:
        model.zero_grad()
        (model(x) ** 2).backward()

    rows, plain = [], None
    for every in progress((None, 4, "sqrt"), "MLP, checkpoint_every = None, 4, sqrt", shown):
        model.checkpoint_every = every
        peak, secs = peak_bytes(run), seconds(run, repeats)
        grads = b"".join(struct.pack("<d", p.grad) for p in model.parameters())
        plain = grads if plain is None else plain
        rows.append((str(every), peak, secs, grads == plain))
    return rows


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("checkpointing", __doc__, quick=f"smaller chains {QUICK_SIZES} and MLP, one timing each")
    args = parser.parse_args(argv)
    sizes, repeats = (QUICK_SIZES, 1) if args.quick else (SIZES, 3)
    runs, same = measure(sizes, repeats, shown=not args.no_progress)
    print("a chain of n steps t <- t + 1e-4 sin(t), 4 nodes a step: forward and backward\n")
    print(f"{'strategy':<26}{'n':>9}{'peak memory':>14}{'time':>10}")
    for strategy, rows in runs.items():
        for n, peak, secs in rows:
            print(f"{strategy:<26}{n:>9,}{peak / 1e6:>11.2f} MB{secs:>9.3f}s")
    for strategy, rows in runs.items():
        (n0, p0, _), (n1, p1, _) = rows[-2], rows[-1]
        print(f"{strategy}: {n1 // n0}x the steps, {p1 / p0:.2f}x the memory")
    plain = {n: (p, s) for n, p, s in runs[STRATEGIES[0]]}
    for strategy in STRATEGIES[1:]:
        n, peak, secs = max((r for r in runs[strategy] if r[0] in plain), key=lambda r: r[0])
        print(f"{strategy} at n = {n:,}: {plain[n][0] / peak:.0f}x less memory, {secs / plain[n][1]:.2f}x the time")
    print(f"gradients identical to the last bit in every run: {'yes' if same else 'NO'}")
    depth = 64 if args.quick else MLP_DEPTH
    print(f"\nan MLP of {depth} tanh layers of width {MLP_WIDTH}: MLP(..., checkpoint_every=k)")
    print(f"{'checkpoint_every':<18}{'peak memory':>14}{'time':>10}  gradients")
    for every, peak, secs, identical in mlp_rows(depth, repeats=repeats, shown=not args.no_progress):
        print(f"{every:<18}{peak / 1e6:>11.2f} MB{secs:>9.3f}s  {'identical' if identical else 'DIFFERENT'}")
    print("(each segment's results keep a reference to every weight it read, 8 bytes apiece, so a network's "
          "floor grows with its parameters)")
    path = plot_memory_tradeoff(runs, args.out / "checkpointing.png", xlabel="steps n of the chain (4 nodes each)")
    print(f"\nplot: {path}")
    return 0 if same else 1
