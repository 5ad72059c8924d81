"""Memory-efficient backprop: keep a function's results, recompute its inside during backward.

Backpropagation Calculus for Deep Learning (§7, Algorithm 7.1, lines 223-229) stores
activations only at checkpoints in the forward pass and recomputes the rest in the backward pass.
``checkpoint(f, *args)`` runs ``f`` and keeps only its results, as nodes whose parents are the
Values ``f`` read from outside (its arguments and any weights it uses); its inner graph is dropped.
When the backward pass reaches those results it runs ``f`` again, recording this time, and goes on
through the recomputed nodes, adding into the same ``.grad`` fields in the same order as if nothing
had been dropped: the gradients are identical to the last bit.

No derivative is written here. The results are nodes of one op, ``CHECKPOINT``, whose value and
partials come from replaying f's recorded nodes on other kinds of numbers through their own ops,
so ``jvp``, ``explain`` and a printed ``_backward`` see a checkpoint as one node with many inputs.
"""

from __future__ import annotations

import numbers
import random
from collections import deque
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..arithmetic import Arithmetic
from ..modes import state, switched
from ..ops import Op
from ..reverse import NumberOf, carry, expect_recomputing, fresh_grads, on_values, reverse_pass
from ..profiler import _active as profiling
from ..value import Value, _ids, _init, _new


class RecomputeError(RuntimeError):
    """f gave something else when run again in backward than it did the first time."""


class Segment:
    """One call of ``checkpoint``: what it needs to run ``f`` again, and what the first run gave."""

    __slots__ = ("f", "args", "inputs", "places", "datas", "size", "random_state", "fingerprint")

    def __init__(self, f: Callable[..., Any], args: tuple, inputs: Tuple[Value, ...], places: List[Optional[int]],
                 datas: List[float], size: int, random_state: Any, fingerprint: int) -> None:
        self.f = f
        self.args = args
        self.inputs = inputs  # the outside Values f read, in creation order: every result's parents
        self.places = places  # for each item f returned, the number of its result (None: returned as it was)
        self.datas = datas  # each result's float, which running f again must give again
        self.size = size  # how many nodes f recorded
        self.random_state = random_state  # random's state before f ran, kept only if f drew from it
        self.fingerprint = fingerprint  # every inner node's op and number, hashed: a rerun must compute the same

    @property
    def name(self) -> str:
        return getattr(self.f, "__name__", "f")

    def rerun(self) -> Tuple[List[Value], List[Value]]:
        """Run f again, recording: its nodes (parents first) and its results, checked against the first run."""
        with switched("recording", True), switched("recomputing", True), _same_random(self.random_state):
            start = next(_ids)
            items = _items(self.f(*self.args))[0]
        nodes, inputs = _inside(items, start)
        results = [None] * len(self.datas)
        for item, k in zip(items, self.places):
            if k is not None:
                results[k] = item
        if len(nodes) != self.size or len(inputs) != len(self.inputs):
            raise self._differs(f"it recorded {len(nodes)} nodes reading {len(inputs)} outside Values, where the "
                                f"first run recorded {self.size} reading {len(self.inputs)}")
        if any(a is not b for a, b in zip(inputs, self.inputs)):
            raise self._differs("it read other outside Values than the first run did; a lambda made in a loop "
                                "sees the loop variable's last value, so pass such Values as arguments: "
                                "checkpoint(f, x, weights)")
        for k, (r, data) in enumerate(zip(results, self.datas)):
            if not isinstance(r, Value) or r.data != data:
                raise self._differs(f"result {k} was {data!r} and is now {getattr(r, 'data', r)!r}")
        if _fingerprint(nodes) != self.fingerprint:
            raise self._differs("its results agree, but numbers inside it differ")
        return nodes, results

    def _differs(self, what: str) -> RecomputeError:
        return RecomputeError(
            f"checkpoint: {self.name} gave something else when run again for the backward pass ({what}), so its "
            f"gradient would be wrong. f must compute the same thing each time: pass random numbers in as "
            f"arguments or draw them from the random module (whose state checkpoint replays), and do not "
            f"change what f reads between the forward and the backward pass (a module's train or eval mode, say)")

    def on_numbers(self, xs: Sequence[Any]) -> Tuple[List[Value], List[Value], Dict[Any, Any]]:
        """Run f again and carry its nodes over to ``xs``, numbers of any kind standing for the inputs:
        its nodes, its results, and each node's counterpart."""
        nodes, results = self.rerun()
        carried = dict(zip(self.inputs, xs))
        carried.update(carry(nodes, carried.__getitem__, "a checkpoint's replay"))
        return nodes, results, carried


class Result:
    """The parameter of a ``CHECKPOINT`` node: which segment, and which of its results."""

    __slots__ = ("segment", "k")

    def __init__(self, segment: Segment, k: int) -> None:
        self.segment = segment
        self.k = k

    def __format__(self, spec: str) -> str:
        return f"{self.k} of {self.segment.name}"

    __repr__ = __str__ = lambda self: self.__format__("")  # noqa: E731


class Recompute(Op):
    """The op of a checkpoint's results. Its value and partials replay the segment; the reverse pass
    instead calls :meth:`expand`, which runs on through the recomputed nodes themselves."""

    __slots__ = ()
    recomputes = True

    def evaluate(self, datas: Sequence[float], param: Any = None) -> float:
        nodes, results, carried = param.segment.on_numbers(datas)
        return carried[results[param.k]]

    def local_derivatives(self, inputs: Any, out: Any, param: Any = None) -> Any:
        """d result / d each input, by a reverse pass over the recomputed nodes carried over to ``inputs``."""
        segment = param.segment
        nodes, results, carried = segment.on_numbers(inputs)
        with fresh_grads(list(segment.inputs) + nodes):
            results[param.k]._grad = 1.0
            deque(reverse_pass(nodes, carried.__getitem__), maxlen=0)
            return [p._grad for p in segment.inputs]

    def operands(self, inputs: Sequence[Any], param: Any = None) -> str:
        return f"{len(inputs)} inputs"

    def continue_backward(self, node: Value, order: Sequence[Value], number_of: NumberOf, kept: dict
                          ) -> Optional[List[Tuple[List[Value], NumberOf]]]:
        """The reverse pass reached ``node``, one of a segment's results: the first result reached runs the
        segment again, with every result's adjoint on its recomputed twin, and the pass goes on through the
        recomputed nodes; the other results then have nothing to do (see ``reverse.expect_recomputing``)."""
        if not self.owned(node):
            return None  # a copy of a result made by an op: its partials replay the segment, as any node's
        if "segments" not in kept:
            kept["segments"] = _results_by_segment(order)
        results = kept["segments"].pop(node._param.segment, None)
        if results is None or all(r._grad.__class__ is float and r._grad == 0.0 for r in results.values()):
            return []
        return [self.expand(results, number_of)]

    @staticmethod
    def expand(results: Dict[int, Value], number_of: NumberOf) -> Tuple[List[Value], NumberOf]:
        """Run the segment again with each result's adjoint on its recomputed twin: the nodes for the
        reverse pass to go on through, and the ``number_of`` that reaches them."""
        segment = next(iter(results.values()))._param.segment
        nodes, twins = segment.rerun()
        for k, stand in results.items():
            twins[k]._grad = stand._grad
        if number_of is None or number_of is on_values:
            return nodes, number_of
        carried = carry(nodes, number_of, "a checkpoint's replay")  # dual numbers, say, for forward-over-reverse
        return nodes, lambda n: carried[n] if n in carried else number_of(n)

    @staticmethod
    def owned(node: Value) -> bool:
        """Whether ``node`` is one of the results ``checkpoint`` made (its parents are the segment's inputs)."""
        return node._prev is node._param.segment.inputs


CHECKPOINT = Recompute("checkpoint", lambda xs: 0.0, lambda xs, out: (), arity=None, param_name="result")


def _results_by_segment(order: Sequence[Value]) -> Dict[Any, Dict[int, Value]]:
    """The checkpoint results in ``order``, as {segment: {result number: node}}."""
    found: Dict[Any, Dict[int, Value]] = {}
    for node in order:
        fn = node._fn
        if fn is CHECKPOINT and fn.owned(node):
            found.setdefault(node._param.segment, {})[node._param.k] = node
    return found


def checkpoint(f: Callable[..., Any], *args: Any, preserve_random: bool = True) -> Any:
    """``f(*args)``, keeping only its results: f's inner nodes are recomputed during backward.

    f returns a Value or a list or tuple of them. First derivatives are the same, to the last bit,
    as without the checkpoint, in ``backward()``, ``grad`` and nested checkpoints (second derivatives
    through ``create_graph`` agree to rounding: their sums run in another order); the memory held
    between the passes is f's results instead of its whole graph. f must compute the same thing when
    run again: random numbers drawn from the ``random`` module are replayed (``preserve_random=True``,
    as PyTorch does; the state is process-wide, so no other thread should draw from ``random`` during
    a checkpointed backward pass, and each segment that draws keeps a copy of it, about 24 KB), and
    anything else that differs, results or numbers inside, is a ``RecomputeError``. While f runs again,
    ``engine.modes.state.recomputing`` is true, so that side effects (a batch norm's running averages)
    happen once. Outside recording (``no_grad``, ``compile``'s trace) f simply runs.

    >>> from engine import Value
    >>> x = Value(0.5)
    >>> y = checkpoint(lambda t: (t * t).tanh() * 3, x)
    >>> y._op, [p is x for p in y._prev]
    ('checkpoint', [True])
    >>> y.backward(); round(x.grad, 6)
    2.820045
    """
    if not callable(f):
        raise TypeError(f"checkpoint: f must be a function, got {type(f).__name__} {f!r}")
    if not state.recording or state.tracing:
        return f(*args)
    before = random.getstate() if preserve_random else None
    start = next(_ids)
    out = f(*args)
    items, kind = _items(out)
    nodes, inputs = _inside(items, start)
    if not inputs:
        return out  # nothing read from outside: no gradient flows through f, so there is nothing to drop
    random_state = before if before is not None and random.getstate() != before else None
    expect_recomputing()
    places: List[Optional[int]] = []
    made: Dict[Value, Value] = {}
    segment = Segment(f, args, inputs, places, [], len(nodes), random_state, _fingerprint(nodes))
    for item in items:
        if not (isinstance(item, Value) and item._id > start and item._prev):
            places.append(None)  # an outside Value or a constant: returned as it was
            continue
        if item not in made:
            stand = _new(Value)
            _init(stand, item.data, inputs, CHECKPOINT, Result(segment, len(made)))
            stand.label = item.label
            made[item] = stand
            if profiling[0] is not None:  # made outside the ops' path: engine.profile() is told of it here
                profiling[0].made_by("checkpoint", stand)
            segment.datas.append(item.data)
        places.append(made[item]._param.k)
    results = [made.get(item, item) if k is not None else item for item, k in zip(items, places)]
    if kind is None:
        return results[0]
    return kind(*results) if hasattr(kind, "_fields") else kind(results)  # a namedtuple takes its fields apart


def _items(out: Any) -> Tuple[List[Any], Any]:
    """f's result as a list, and the container to put results back in (None: a single value)."""
    if isinstance(out, (list, tuple)):
        nested = next((item for item in out if isinstance(item, (list, tuple, dict))), None)
        if nested is not None:
            raise TypeError(f"checkpoint: f must return a Value, a number, or a flat list or tuple of them, got a "
                            f"{type(out).__name__} holding a {type(nested).__name__}; flatten it (and cut it up "
                            f"again after the checkpoint)")
        return list(out), type(out)
    if isinstance(out, (Arithmetic, numbers.Real)) and not isinstance(out, bool):  # dual numbers in jvp, say
        return [out], None
    raise TypeError(f"checkpoint: f must return a Value, a number, or a flat list or tuple of them, "
                    f"got {type(out).__name__} {out!r}")


def _fingerprint(nodes: Sequence[Value]) -> int:
    """A hash of every node's op, parameter and number: two runs of f that differ anywhere inside (a dropout
    mask drawn from a generator of its own, say) almost surely differ here, even when their results agree."""
    return hash(tuple((id(n._fn), n._param if isinstance(n._param, (int, float)) else None, n.data) for n in nodes))


def _inside(items: Sequence[Any], start: int) -> Tuple[List[Value], Tuple[Value, ...]]:
    """The nodes made after ``start`` that the items depend on (parents first), and the older Values
    they read."""
    # Values kept once each, in order (by identity: an item may be a number that is not hashable, a 0-d array)
    inside = list({id(v): v for v in items if isinstance(v, Value) and v._id > start}.values())
    seen, outside = set(inside), {}
    for node in inside:  # grows as it goes: a sweep without recursion
        for p in node._prev:
            if p._id < start:
                outside[p] = None
            elif p not in seen:
                seen.add(p)
                inside.append(p)
    inside.sort(key=lambda v: v._id)
    return inside, tuple(sorted(outside, key=lambda v: v._id))


class _same_random:
    """Inside the block, ``random`` starts where it was before f first ran; afterwards it is as it was."""

    def __init__(self, saved: Any) -> None:
        self.saved = saved

    def __enter__(self) -> None:
        if self.saved is not None:
            self.after = random.getstate()
            random.setstate(self.saved)

    def __exit__(self, *exc: Any) -> None:
        if self.saved is not None:
            random.setstate(self.after)
