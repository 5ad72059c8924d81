"""``engine.profile()``: where the time and the memory of backprop go, per op kind, forward and backward apart.

Inside the block, every op a Value applies is timed and its node counted (with the bytes it holds: the Value, its
tuple of parents, its float), every node's step of a backward pass is timed, and a compiled program's replays
(call, loop, batch) are timed whole, next to the size of their tape. Ops that ``engine.checkpoint`` runs again
during a backward pass are the ``recompute`` phase: what checkpointing pays in time for the memory it saves.

Profiling costs nothing while it is off: entering the block swaps timing wrappers in for the few functions it
watches (``Value._apply``, the backward step, and what the compiler registers with :func:`instrument`), and
leaving puts the originals back. Only the thread that entered is recorded.
"""

from __future__ import annotations

import sys
import threading
import time
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from . import reverse
from .modes import state
from .value import Value

PHASES = ("forward", "backward", "recompute", "compiled")


@dataclass
class Row:
    """One op kind in one phase: how many times it ran, for how long, and the graph nodes it made (for a compiled
    replay, the instructions of its tape) with the bytes they hold."""

    phase: str
    kind: str
    count: int = 0
    seconds: float = 0.0
    nodes: int = 0
    bytes: int = 0


@dataclass(repr=False)
class Profile:
    """What one ``with engine.profile() as prof:`` block recorded: ``prof.rows`` (one :class:`Row` per phase and
    op kind), ``prof.peak_nodes`` (the most graph nodes made in the block alive at once) and ``prof.held_nodes``
    (those still alive at its end). ``print(prof)`` shows the table; a notebook shows it as HTML.
    """

    rows: List[Row] = field(default_factory=list)
    peak_nodes: int = 0
    held_nodes: int = 0
    seconds: float = 0.0

    def total(self, phase: Optional[str] = None) -> Row:
        """All rows (or one phase's) added up.

        >>> prof = Profile([Row("forward", "mul", 2, 0.5, 2, 100), Row("backward", "mul", 2, 0.25)])
        >>> prof.total("forward").seconds, prof.total().count
        (0.5, 4)
        """
        chosen = [r for r in self.rows if phase is None or r.phase == phase]
        return Row(phase or "all", "total", sum(r.count for r in chosen), sum(r.seconds for r in chosen),
                   sum(r.nodes for r in chosen), sum(r.bytes for r in chosen))

    def table(self) -> List[Tuple[str, str, int, float, float, int, float]]:
        """The rows as printed, phase by phase with a total after each: (phase, op, count, milliseconds,
        microseconds per op, nodes, KiB)."""
        lines = []
        for phase in PHASES:
            rows = sorted((r for r in self.rows if r.phase == phase), key=lambda r: -r.seconds)
            for r in rows + ([self.total(phase)] if len(rows) > 1 else []):
                lines.append((phase, r.kind, r.count, r.seconds * 1e3, r.seconds * 1e6 / max(r.count, 1), r.nodes,
                              r.bytes / 1024))
        return lines

    def __str__(self) -> str:
        head = f"{'phase':<10}{'op':<14}{'count':>9}{'ms':>10}{'µs/op':>9}{'nodes':>10}{'KiB':>10}"
        body = [f"{p:<10}{k:<14}{c:>9,}{ms:>10.3f}{us:>9.2f}{n:>10,}{kib:>10.1f}" for p, k, c, ms, us, n, kib
                in self.table()]
        foot = (f"in all {self.seconds * 1e3:.3f} ms in the block, {self.total().seconds * 1e3:.3f} ms in ops; "
                f"graph nodes alive at most {self.peak_nodes:,}, at the end {self.held_nodes:,}")
        return "\n".join([head, "-" * len(head), *body, foot])

    __repr__ = __str__  # at a prompt, ``prof`` shows the table too (its fields are ``prof.rows`` and the rest)

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><td>{p}</td><td>{k}</td><td>{c:,}</td><td>{ms:.3f}</td><td>{us:.2f}</td>"
                        f"<td>{n:,}</td><td>{kib:.1f}</td></tr>" for p, k, c, ms, us, n, kib in self.table())
        return ("<table><thead><tr><th>phase</th><th>op</th><th>count</th><th>ms</th><th>µs/op</th><th>nodes</th>"
                f"<th>KiB</th></tr></thead><tbody>{cells}</tbody></table><p>in all {self.seconds * 1e3:.3f} ms; graph "
                f"nodes alive at most {self.peak_nodes:,}, at the end {self.held_nodes:,}</p>")


_watched: List[Tuple[Any, str, str]] = []  # (owner, attribute, kind) of the compiler's entry points
_active: List[Optional["_Recorder"]] = [None]


def instrument(owner: Any, attribute: str, kind: str) -> None:
    """Have ``profile()`` time ``owner.attribute`` (a method) as one row of the ``compiled`` phase, named ``kind``;
    the compiler registers its replays so. The object it is called on gives its size as ``profiled_size()``:
    (instructions, bytes), shown in the nodes and KiB columns."""
    _watched.append((owner, attribute, kind))


class _Recorder:
    def __init__(self, prof: Profile) -> None:
        self.prof = prof
        self.thread = threading.get_ident()
        self.rows: Dict[Tuple[str, str], Row] = {}
        self.inside: Optional[Row] = None  # the backward step or compiled call being timed: nested ops are its
        self.alive = 0
        self.sizes: Dict[int, int] = {}  # bytes of a node, by number of parents
        self.watching: set = set()  # a weak reference to each node made, which says when the node goes
        self.last_node: Callable[[], Any] = lambda: None  # the last node counted, weakly

    def row(self, phase: str, kind: str) -> Row:
        key = (phase, kind)
        if key not in self.rows:
            self.rows[key] = Row(phase, kind)
        return self.rows[key]

    def made(self, row: Row, out: Any) -> None:
        """Count a node ``out`` an op made into ``row``, and watch it to know how many are alive."""
        prev = out._prev
        if not prev:
            return  # no_grad: a constant leaf, not part of a graph
        size = self.sizes.get(len(prev))
        if size is None:
            size = self.sizes[len(prev)] = sys.getsizeof(out) + sys.getsizeof(prev) + sys.getsizeof(out._data)
        last = self.last_node()
        if last is not None and last._prev is prev:  # a checkpoint's results share one tuple of inputs: counted once
            size -= sys.getsizeof(prev)
        self.last_node = weakref.ref(out)  # weakly: the profile keeps no node alive
        row.nodes += 1
        row.bytes += size
        self.alive += 1
        if self.alive > self.prof.peak_nodes:
            self.prof.peak_nodes = self.alive
        self.watching.add(weakref.ref(out, self.freed))

    def made_by(self, kind: str, out: Any) -> None:
        """A node made outside ``Value._apply`` (a checkpoint's result): counted as one op of ``kind``, untimed."""
        if self.inside is None and threading.get_ident() == self.thread:
            row = self.row("recompute" if state.recomputing else "forward", kind)
            row.count += 1
            self.made(row, out)

    def freed(self, ref: Any) -> None:
        self.watching.discard(ref)
        self.alive -= 1


@contextmanager
def profile() -> Iterator[Profile]:
    """Record the ops run inside the block, per op kind, forward and backward apart.

    >>> from engine import Value
    >>> with profile() as prof:
    ...     x = Value(2.0); y = (x * x).tanh(); y.backward()
    >>> [(r.phase, r.kind, r.count) for r in prof.rows]
    [('forward', 'mul', 1), ('forward', 'tanh', 1), ('backward', 'tanh', 1), ('backward', 'mul', 1)]
    """
    if _active[0] is not None:
        raise RuntimeError("engine.profile(): a profile is already being recorded; profiles do not nest")
    prof = Profile()
    rec = _Recorder(prof)
    saved = [(Value, "_apply", Value.__dict__["_apply"]), (reverse, "contributions", reverse.contributions),
             (reverse, "_run_by_hand", reverse._run_by_hand)]
    saved += [(owner, name, owner.__dict__[name]) for owner, name, _ in _watched]
    apply, contributions, by_hand = Value._apply.__func__, reverse.contributions, reverse._run_by_hand
    clock = time.perf_counter

    def timed_apply(cls: Any, op: Any, args: tuple, param: Any = None, mixed: bool = True) -> Any:
        if rec.inside is not None or threading.get_ident() != rec.thread:
            out = apply(cls, op, args, param, mixed)
            if rec.inside is not None and rec.inside.phase == "backward" and threading.get_ident() == rec.thread:
                rec.made(rec.inside, out)  # a node of the gradient's own graph (create_graph)
            return out
        start = clock()
        out = apply(cls, op, args, param, mixed)
        row = rec.row("recompute" if state.recomputing else "forward", op.name)
        row.seconds += clock() - start
        row.count += 1
        rec.made(row, out)
        return out

    def timed_step(step: Callable[..., Any]) -> Callable[..., Any]:
        def timed(node: Any, *rest: Any) -> Any:
            if rec.inside is not None or threading.get_ident() != rec.thread:
                return step(node, *rest)
            row = rec.row("backward", node._fn.name if node._fn is not None else f"{node._op or '?'} (by hand)")
            rec.inside = row
            start = clock()
            try:
                return step(node, *rest)
            finally:
                row.seconds += clock() - start
                row.count += 1
                rec.inside = None
        return timed

    def timed_call(kind: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def timed(program: Any, *args: Any, **kwargs: Any) -> Any:
            if rec.inside is not None or threading.get_ident() != rec.thread:
                return method(program, *args, **kwargs)
            row = rec.row("compiled", kind)
            rec.inside = row
            start = clock()
            try:
                return method(program, *args, **kwargs)
            finally:
                row.seconds += clock() - start
                row.count += 1
                row.nodes, row.bytes = max((row.nodes, row.bytes), program.profiled_size())
                rec.inside = None
        return timed

    _active[0] = rec
    Value._apply = classmethod(timed_apply)
    reverse.contributions = timed_step(contributions)
    reverse._run_by_hand = timed_step(by_hand)
    for owner, name, kind in _watched:
        setattr(owner, name, timed_call(kind, owner.__dict__[name]))
    began = clock()
    try:
        yield prof
    finally:
        prof.seconds = clock() - began
        for owner, name, original in saved:
            setattr(owner, name, original)
        _active[0] = None
        prof.rows = list(rec.rows.values())
        prof.held_nodes = rec.alive
        rec.watching.clear()  # no callbacks after the block
