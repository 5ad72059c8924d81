"""Side-by-side timing: contenders alternate round by round and the median counts (the machines are shared)."""

from __future__ import annotations

import gc
import statistics
import time
from typing import Callable, Dict, List, Optional, Tuple

Row = Tuple[str, Optional[float], str]  # name, milliseconds (None: did not run), note


def alternate(contenders: Dict[str, Callable[[], object]], rounds: int,
              slow: Optional[Dict[str, int]] = None) -> Dict[str, float]:
    """Median milliseconds per call; a contender in ``slow`` runs only that many rounds."""
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    for r in range(rounds):
        for name, call in contenders.items():
            if slow and r >= slow.get(name, rounds):
                continue
            gc.collect()  # untimed: nobody pays for the garbage of the one before
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) * 1e3 for name, t in times.items()}


def without_setup(train: Callable[[int], object], rounds: int = 3, many: int = 3) -> Tuple[float, float]:
    """(milliseconds per epoch, seconds of set-up) of ``train(epochs)``, which traces and converts its data
    once per call: an epoch is a run of ``many`` epochs less a run of 1, over ``many - 1`` (the median over
    ``rounds``)."""
    epochs, setups = [], []
    for _ in range(rounds):
        gc.collect()
        start = time.perf_counter()
        train(1)
        one = time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        train(many)
        epoch = (time.perf_counter() - start - one) / (many - 1)
        epochs.append(epoch)
        setups.append(one - epoch)
    return statistics.median(epochs) * 1e3, statistics.median(setups)


def table(title: str, rows: List[Row], reference: str = "micrograd 0.1.0") -> List[str]:
    """Lines of a Markdown table: milliseconds and the ratio to the reference."""
    ref = next((ms for name, ms, _ in rows if name == reference and ms), None)
    lines = [f"### {title}", "", f"| contender | ms | vs {reference} | note |", "| --- | ---: | ---: | --- |"]
    for name, ms, note in rows:
        shown = f"{ms:.2f}" if ms is not None else "-"
        ratio = f"{ref / ms:.1f}x" if ref and ms else "-"
        lines.append(f"| {name} | {shown} | {ratio} | {note} |")
    return lines + [""]
