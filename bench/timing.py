"""Side-by-side timing: contenders alternate round by round and the median counts (the machines are shared)."""

from __future__ import annotations

import gc
import statistics
import time
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

Row = Tuple[str, Optional[float], str]  # name, milliseconds (None: did not run), note


def alternate(contenders: Dict[str, Callable[[], object]], rounds: int,
              slow: Optional[Dict[str, int]] = None) -> Dict[str, float]:
    """Median milliseconds per call, the contenders taking turns round by round; a contender in ``slow``
    runs only that many rounds. A fast call is repeated within a round (to at least ``SPAN`` seconds, so
    that the clock's and the loop's own cost do not count), and an :class:`Epochs` contender times itself."""
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    repeats = {name: 1 if isinstance(call, Epochs) or name in (slow or {}) else _repeats(call)
               for name, call in contenders.items()}
    for r in range(rounds):
        for name, call in contenders.items():
            if slow and r >= slow.get(name, rounds):
                continue
            gc.collect()  # untimed: nobody pays for the garbage of the one before
            if isinstance(call, Epochs):
                times[name].extend(call())
                continue
            start = time.perf_counter()
            for _ in range(repeats[name]):
                call()
            times[name].append((time.perf_counter() - start) / repeats[name])
    return {name: statistics.median(t) * 1e3 for name, t in times.items()}


SPAN = 0.02  # seconds: the shortest timed stretch


def _repeats(call: Callable[[], object]) -> int:
    """How many calls make a timed stretch of at least ``SPAN`` (one untimed call as a warm-up, one timed)."""
    call()
    start = time.perf_counter()
    call()
    return max(1, min(10_000, int(SPAN / max(time.perf_counter() - start, 1e-9)) + 1))


class Epochs:
    """A contender that times itself: ``train(epochs)`` runs ``fit`` and returns its history, whose ``seconds``
    are the epochs' own times. What a fit does before its first epoch (tracing, lifting, converting the data)
    is left out of them, and kept in ``setup`` (seconds, one entry a run)."""

    def __init__(self, train: Callable[[int], Dict[str, List[float]]], epochs: int) -> None:
        self.train, self.epochs, self.setup = train, epochs, []

    def __call__(self) -> List[float]:
        start = time.perf_counter()
        seconds = self.train(self.epochs)["seconds"]
        self.setup.append(time.perf_counter() - start - sum(seconds))
        return seconds

    def setup_seconds(self) -> float:
        return statistics.median(self.setup)


def table(title: str, rows: List[Row], reference: str = "micrograd 0.1.0") -> List[str]:
    """Lines of a Markdown table: milliseconds and the ratio to the reference."""
    ref = next((ms for name, ms, _ in rows if name == reference and ms), None)
    lines = [f"### {title}", "", f"| contender | ms | vs {reference} | note |", "| --- | ---: | ---: | --- |"]
    for name, ms, note in rows:
        shown = f"{ms:.2f}" if ms is not None else "-"
        ratio = f"{ref / ms:.1f}x" if ref and ms else "-"
        lines.append(f"| {name} | {shown} | {ratio} | {note} |")
    return lines + [""]


@contextmanager
def one_thread(torch: Any) -> Iterator[None]:
    """One thread on both sides inside the block: PyTorch's by ``set_num_threads``, NumPy's BLAS by threadpoolctl
    (scikit-learn's, in the bench extra); PyTorch's count is put back afterwards."""
    from threadpoolctl import threadpool_limits

    threads = None if torch is None else torch.get_num_threads()  # PyTorch is optional
    if torch is not None:
        torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1):
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(threads)


def torch_epoch(net: Any, inputs: Any, labels: Any, optimizer: Any, batch: int, torch: Any) -> Callable[[], float]:
    """An epoch of a PyTorch model over ``inputs`` in order, in batches, with cross-entropy and ``optimizer``;
    each call returns the epoch's mean loss, as ``fit`` reports it."""

    def epoch() -> float:
        total = 0.0
        for s in range(0, len(labels), batch):
            loss = torch.nn.functional.cross_entropy(net(inputs[s:s + batch]), labels[s:s + batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(labels[s:s + batch])
        return total / len(labels)

    return epoch
