"""Where the time of backprop goes: ``engine.profile()`` on one training step of a deep MLP, three ways.

Backpropagation Calculus for Deep Learning asks for performance profiling (its experiments, line 382) and memory
profiling (line 388). The same step (a batch of samples through an MLP of 4 inputs and 24 layers of 8 tanh units,
a squared-error loss, backward) runs as an eager graph, as an eager graph with ``checkpoint_every=4`` (the
activations inside each block of four layers dropped after the forward pass and recomputed in the backward one),
and as a compiled replay of the per-sample loss over the whole batch. Each profile prints its table (op kinds,
forward and backward apart); then a summary says what backward costs next to forward, what checkpointing pays
in time and saves in graph nodes held, and what the replay leaves of either. The picture goes to
``out/profiling.png``.
"""

from __future__ import annotations

import random
from typing import Any, Dict, List, Optional, Tuple

import engine
from nn import MLP
from viz import plot_profile

from .common import common_args

INPUTS, WIDTH, DEPTH, EVERY = 4, 8, 24, 4


def model(checkpoint_every: Optional[int] = None) -> MLP:
    random.seed(0)
    return MLP(INPUTS, [WIDTH] * DEPTH + [1], activation="tanh", checkpoint_every=checkpoint_every)


def batch(samples: int) -> Tuple[List[List[float]], List[float]]:
    rng = random.Random(1)
    X = [[rng.uniform(-1, 1) for _ in range(INPUTS)] for _ in range(samples)]
    return X, [sum(x) / INPUTS for x in X]


def eager_step(m: MLP, X: List[List[float]], y: List[float]) -> float:
    m.zero_grad()
    loss = engine.mean([(m(x) - t) ** 2 for x, t in zip(X, y)])
    loss.backward()
    return loss.data


def profiles(samples: int) -> Tuple[Dict[str, engine.Profile], Dict[str, List[float]]]:
    """Each way's profile of one step, and the gradients it left (to check they agree)."""
    import numpy as np

    X, y = batch(samples)
    found, grads = {}, {}
    for name, m in (("eager", model()), (f"checkpoint every {EVERY}", model(EVERY))):
        eager_step(m, X[:1], y[:1])  # warm up: first calls make caches
        with engine.profile() as prof:
            eager_step(m, X, y)
        found[name], grads[name] = prof, [p.grad for p in m.parameters()]
    m = model()
    program = engine.compile(lambda x, t: (m(x) - t) ** 2, X[0], y[0])
    Xa, ya = np.array(X), np.array(y)
    program.batch(Xa[:2], ya[:2])  # warm up: the first batch lifts the tape to array operations
    with engine.profile() as prof:
        r = program.batch(Xa, ya)
    found["compiled replay (NumPy)"], grads["compiled replay (NumPy)"] = prof, [g / samples for g in r.param_grads]
    return found, grads


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("profiling", __doc__)
    parser.add_argument("--samples", type=int, default=32, help="samples in the batch (default 32)")
    args = parser.parse_args(argv)
    found, grads = profiles(args.samples)
    reference = grads["eager"]
    for name, g in grads.items():
        worst = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(g, reference))
        assert worst < 1e-9, f"{name}'s gradients differ from the eager step's by {worst:g}"
    print(f"One step of an MLP {INPUTS}-{WIDTH}x{DEPTH}-1 (tanh) on {args.samples} samples; the gradients agree "
          f"to 1e-9 in all three.\n")
    for name, prof in found.items():
        print(f"{name}:\n{prof}\n")
    summary(found)
    path = plot_profile(found, args.out / "profiling.png", title="one training step: where the time goes")
    print(f"plot: {path}")
    return 0


def summary(found: Dict[str, Any]) -> None:
    eager, kept = found["eager"], found[f"checkpoint every {EVERY}"]
    replay = found["compiled replay (NumPy)"]
    f, b = eager.total("forward").seconds, eager.total("backward").seconds
    print(f"eager: backward {b * 1e3:.1f} ms against forward {f * 1e3:.1f} ms ({b / f:.2f}x): each node's rule, "
          f"where forward computed its value once; the most expensive kinds: "
          + ", ".join(f"{r.kind} {r.seconds * 1e3:.1f} ms" for r in sorted(
              (r for r in eager.rows if r.phase == "backward"), key=lambda r: -r.seconds)[:3]))
    again = kept.total("recompute").seconds
    print(f"checkpointing: {again * 1e3:.1f} ms of recomputation ({kept.total('recompute').count:,} ops run again) "
          f"bought a peak of {kept.peak_nodes:,} graph nodes alive instead of {eager.peak_nodes:,} "
          f"({kept.peak_nodes / eager.peak_nodes:.0%}); the step took {kept.total().seconds / eager.total().seconds:.2f}x "
          f"the eager step's op time")
    print(f"compiled replay: {replay.total().seconds * 1e3:.1f} ms for the whole batch "
          f"({eager.total().seconds / replay.total().seconds:.0f}x less than the eager ops), a tape of "
          f"{replay.total('compiled').nodes:,} instructions for one sample and no graph nodes at all")
