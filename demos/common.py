"""What every demo's command line shares."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, TypeVar

from engine import Value

T = TypeVar("T")

# How a demo is run, for usage lines and pointers: ``python -m demos`` in a checkout; the installed ``chainrule``
# command sets "chainrule demo" (the package installs as chainrule_demos, so `python -m demos` is not there).
RUN = "python -m demos"


def command(name: str) -> str:
    """The command that runs demo ``name``, as this session was started: ``python -m demos moons``."""
    return f"{RUN} {name}"


def common_args(prog: str, doc: Optional[str], quick: Optional[str] = None) -> argparse.ArgumentParser:
    """An argument parser with the options every demo has: --out and --no-progress; and --quick, saying what it
    makes smaller, for a demo that takes more than a few seconds."""
    parser = argparse.ArgumentParser(prog=command(prog), description=(doc or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the pictures (default out/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    if quick is not None:
        parser.add_argument("--quick", action="store_true", help=f"a run of seconds, not minutes: {quick}")
    return parser


def progress(iterable: Iterable[T], label: str, enabled: bool = True, total: Optional[int] = None) -> Iterable[T]:
    """``iterable`` behind a progress bar on standard error, labelled ``label`` (tqdm's, as ``nn.fit`` shows), so a
    long demo is never silent; the bar is cleared when done, leaving the demo's own lines. ``enabled=False``
    (the demos' --no-progress) shows nothing."""
    from nn.train import progress_bar

    return progress_bar(iterable, desc=label, total=total, disable=not enabled, leave=False)


def epoch_time(history: Dict[str, List[float]], total: float) -> str:
    """How long an epoch took (the median of fit's ``seconds``), and what the fit spent once before its first
    epoch (tracing and lifting, when compiled), from the fit's ``total`` seconds.

    >>> epoch_time({"seconds": [0.5, 0.25, 0.25]}, 2.0)
    'time per epoch: 0.25 s (and 1.00 s once, before the first, to trace the loss and lift it)'
    >>> epoch_time({"seconds": [0.5, 0.25, 0.25]}, 1.0)
    'time per epoch: 0.25 s'
    """
    setup = total - sum(history["seconds"])
    median = statistics.median(history["seconds"])
    once = f" (and {setup:.2f} s once, before the first, to trace the loss and lift it)" if setup >= 0.01 else ""
    return f"time per epoch: {median:.2f} s{once}"


class TwoLayer:
    """A two-layer network's weights as labelled Values, for the worked examples: ``w1`` (one row of
    input weights per hidden unit), ``b1``, ``w2`` (one per hidden unit) and ``b2``."""

    def __init__(self, W1: Sequence[Sequence[float]], B1: Sequence[float], W2: Sequence[float], B2: float) -> None:
        self.w1 = [[Value(w, label=f"w1[{j}][{k}]") for k, w in enumerate(row)] for j, row in enumerate(W1)]
        self.b1 = [Value(b, label=f"b1[{j}]") for j, b in enumerate(B1)]
        self.w2 = [Value(w, label=f"w2[{j}]") for j, w in enumerate(W2)]
        self.b2 = Value(B2, label="b2")

    def parameters(self) -> List[Value]:
        return [w for row in self.w1 for w in row] + self.b1 + self.w2 + [self.b2]


def best_time(fn: Callable[[], object], repeats: int = 3) -> float:
    """The shortest of ``repeats`` timings of ``fn()``, in seconds: a demo's figure, not a benchmark."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def outputs_of(model: Callable[[Any], Any], example: Sequence[float], piece: Optional[int] = None,
               check: bool = True) -> Callable[[Any], Any]:
    """A function from an array of inputs (a row each) to the model's outputs (a row each), by the model's compiled
    program: traced once at ``example``, then one lifted replay a call, in pieces of ``piece`` rows when given (a
    replay holds every node's value for every row it runs). ``check=False`` skips compile's one check (for a model
    known to trace alike at every input, such as one whose pooling compares values)."""
    import numpy as np

    import engine
    from nn.module import as_list

    program = engine.compile(lambda x: (lambda out: (engine.sum(out), out))(as_list(model(x))), list(example),
                             check=check)

    def run(rows: Any) -> Any:
        A = np.asarray(rows, dtype=float)
        step = piece or len(A)
        return np.concatenate([np.asarray(program.batch(A[s:s + step], input_grads=False).aux).reshape(
            len(A[s:s + step]), -1) for s in range(0, len(A), step)])

    return run
