"""Tracing a function once into a tape: its graph as a flat list of instructions over numbered slots.

A tape keeps no Values for the operations, only compact arrays, so it is far
smaller than the graph it came from. Leaves become inputs (the traced function's
arguments), parameters (Values that already existed, such as a model's weights,
read afresh at every replay) or constants (numbers written into the function).
"""

from __future__ import annotations

from array import array
from typing import Any, Callable, Dict, Iterator, List, Sequence, Tuple

from .. import ops
from ..checks import as_float, instead_of
from ..graph import topological_order
from ..modes import TraceError, switched
from ..reverse import needs_rule
from ..arguments import flatten, sizes_of
from ..value import Value, _ids


def tracing(start: int, first_constant: int) -> Any:
    """Inside this block, branching on a Value or reading the number of one that is not a constant made here (an
    input, a result, a parameter) is an error (see Value.__lt__ and Value.data): the tape would freeze that
    number. The trace's inputs are numbered from ``start`` on; Values numbered ``first_constant`` or later that
    have no parents are its own constants."""
    return switched("tracing", (first_constant, start))


class Tape:
    """Instructions over slots; slot numbers follow the traced graph's topological order.

    ``ops[k]`` (an index into ``op_list``) applied to ``args[starts[k]:starts[k+1]]``
    with parameter ``params.get(k)`` gives slot ``outs[k]``.
    """

    def __init__(self, order: List[Value], inputs: List[Value], outputs: List[Value], first_new: int) -> None:
        slot = {v: i for i, v in enumerate(order)}
        input_set = set(inputs)
        self.size = len(order)
        self.input_slots = array("i", [slot[v] for v in inputs])
        self.parameters: List[Value] = []  # leaves that existed before the trace: read at every call
        self.param_slots = array("i")
        self.constants: List[Tuple[int, float]] = []  # leaves made during the trace from numbers
        self.op_list: List[ops.Op] = []
        op_index = {}
        # 4-byte slot numbers: a tape costs about 16 bytes an instruction, a Value graph about 200 a node
        self.ops, self.outs, self.args, self.starts = array("i"), array("i"), array("i"), array("i", [0])
        self.params: Dict[int, Any] = {}  # instruction -> parameter, for the few ops that have one
        ops_, outs, args, starts, slot_of = self.ops, self.outs, self.args, self.starts, slot.__getitem__
        for i, v in enumerate(order):  # a node's slot is its place in the order
            if not v._prev:
                if v in input_set:
                    continue
                if v._id < first_new:
                    self.parameters.append(v)
                    self.param_slots.append(i)
                else:
                    self.constants.append((i, v.data))
                continue
            fn = v._fn
            if fn is None:
                raise needs_rule(v, "compile")
            if fn.recomputes:  # its function is not on the tape: only a call inside f would be traced through
                raise TraceError(f"compile: f reads {v._describe()}, a result of engine.checkpoint made before the "
                                 f"trace; call checkpoint inside f (the trace then goes through its function), "
                                 f"or pass the Value in as an argument")
            if fn not in op_index:
                op_index[fn] = len(self.op_list)
                self.op_list.append(fn)
            ops_.append(op_index[fn])
            outs.append(i)
            args.extend(map(slot_of, v._prev))
            starts.append(len(args))
            if v._param is not None:
                self.params[len(ops_) - 1] = v._param
        self.output_slots = array("i", [slot[v] for v in outputs])
        self._needs: Dict[bool, bytes] = {}  # needs_gradient's answers: every replay of either kind asks
        self._blank = [0.0] * self.size
        for s, c in self.constants:
            self._blank[s] = c

    def __len__(self) -> int:
        return len(self.ops)

    def blank(self) -> List[Any]:
        """A new list of slot values with the constants in place (zeros elsewhere), for a replay to fill."""
        return self._blank.copy()

    def needs_gradient(self, input_grads: bool = True) -> bytes:
        """1 for each slot whose gradient a replay must compute: those that depend on a parameter, or
        on an input when ``input_grads``. Replays skip the rest, as PyTorch skips what needs no grad:
        a training target's own ops, say, whose derivative need not even exist (``t ** 0.5`` at 0).

        >>> from engine import Value, compile
        >>> w = Value(2.0)
        >>> tape = compile(lambda x, t: (x * w - t) ** 2 * t ** 0.5, 1.0, 4.0).tape
        >>> [(op.name, out, tape.needs_gradient(False)[out]) for op, _, _, out in tape.instructions()]
        [('mul', 3, 1), ('sub', 4, 1), ('pow', 5, 1), ('pow', 6, 0), ('mul', 7, 1)]
        """
        if input_grads in self._needs:  # the tape never changes, and generated code, the interpreter and
            return self._needs[input_grads]  # lifting each ask (0.15 s at a million instructions)
        needs = bytearray(self.size)
        for s in self.param_slots:
            needs[s] = 1
        if input_grads:
            for s in self.input_slots:
                needs[s] = 1
        args, starts, s = self.args, self.starts, 0
        for k, out in enumerate(self.outs):  # by index: slicing each instruction's arguments took 3x as long
            end = starts[k + 1]
            while s < end:
                if needs[args[s]]:
                    needs[out] = 1
                    break
                s += 1
            s = end
        self._needs[input_grads] = bytes(needs)
        return self._needs[input_grads]

    def differences(self, other: "Tape", constants: bool = True) -> str:
        """What ``other`` (a trace of the same function at other inputs) does differently, or "" when it is this
        tape: other instructions, other parameters, or other constants (a number read while tracing).

        >>> from engine import compile
        >>> k = {"c": 2.0}
        >>> first = compile(lambda x: x * k["c"], 1.0).tape
        >>> k["c"] = 3.0
        >>> first.differences(compile(lambda x: x * k["c"], 1.0).tape)
        'the constant in slot 1 is 3.0 now, 2.0 when compiled'
        """
        same = (self.ops == other.ops and self.args == other.args and self.starts == other.starts
                and self.outs == other.outs and self.op_list == other.op_list and self.params == other.params)
        if not same:  # compared whole in C above; walked only to name the first difference
            for k, ((op, args, param, out), (op2, args2, param2, out2)) in enumerate(zip(self.instructions(),
                                                                                      other.instructions())):
                if (op, list(args), param, out) != (op2, list(args2), param2, out2):
                    return (f"instruction {k} is {op2.name}{_slots(args2, param2)} now, "
                            f"{op.name}{_slots(args, param)} when compiled")
        if len(self) != len(other):
            return f"{len(other)} instructions now, {len(self)} when compiled"
        if [id(p) for p in self.parameters] != [id(p) for p in other.parameters]:
            return (f"it reads {len(other.parameters)} parameters now, {len(self.parameters)} when compiled, or "
                    f"other ones (a model that gained a layer, or a name bound to another model)")
        for (slot, c), (slot2, c2) in zip(self.constants, other.constants):
            if slot != slot2 or (constants and c != c2):
                return f"the constant in slot {slot2} is {c2!r} now, {c!r} when compiled"
        if list(self.output_slots) != list(other.output_slots) or list(self.param_slots) != list(other.param_slots):
            return "its outputs are other slots now"
        return ""

    def instructions(self) -> Iterator[Tuple[ops.Op, Sequence[int], Any, int]]:
        """(op, argument slots, parameter, output slot), in order."""
        for k in range(len(self.ops)):
            yield (self.op_list[self.ops[k]], self.args[self.starts[k]:self.starts[k + 1]], self.params.get(k),
                   self.outs[k])


def _slots(args: Sequence[int], param: Any) -> str:
    inner = ", ".join(f"slot {a}" for a in args)
    return f"({inner}{'' if param is None else f', {param!r}'})"


def _traced_leaf(x: Any) -> Value:
    try:  # any real number, NumPy's included, as a float; nan, inf and bools are errors as everywhere
        return Value(as_float(x, "compile: an argument"))
    except TypeError:
        raise TypeError(f"compile traces functions of numbers (or lists of numbers), got {type(x).__name__} "
                        f"{x!r}{instead_of(x)}") from None


def fresh_leaves(args: Sequence[Any]) -> List[Any]:
    """A new leaf for each number, a list of new leaves for each list of numbers."""
    return [[_traced_leaf(x) for x in a] if isinstance(a, (list, tuple)) else _traced_leaf(a) for a in args]


def trace(f: Callable[..., Any], args: Sequence[Any]) -> Tuple[Tape, Any, List[Any]]:
    """Run ``f`` once on fresh leaves for ``args``; returns the tape, the shape of the arguments and of the result.

    ``f`` returns a scalar Value (the one differentiated) or a tuple ``(scalar, aux)``
    where aux is a Value or a list of Values returned alongside.
    """
    start = next(_ids)  # every Value made from here on is part of the trace
    call_args = fresh_leaves(args)
    shapes, inputs = sizes_of(call_args), flatten(call_args)
    with tracing(start, next(_ids)):
        result = f(*call_args)
    main, aux = (result if isinstance(result, tuple) else (result, None))
    if isinstance(main, (int, float)) and not isinstance(main, bool):
        main = Value(main)
    if not isinstance(main, Value):
        raise TypeError(f"compile: f must return a scalar Value (or a tuple of one and extra outputs), "
                        f"got {type(main).__name__}")
    aux_values = [] if aux is None else list(aux) if isinstance(aux, (list, tuple)) else [aux]
    if not all(isinstance(a, Value) for a in aux_values):
        raise TypeError("compile: extra outputs must be Values or a list of Values")
    outputs = [main] + aux_values
    order = _order(outputs)
    used = set(order)
    tape = Tape([v for v in inputs if v not in used] + order, inputs, outputs, start)  # unused inputs: grad 0
    return tape, shapes, ("list" if isinstance(aux, (list, tuple)) else "value" if aux is not None else None)


def _order(outputs: List[Value]) -> List[Value]:
    """Every Value the outputs depend on, each once, in creation order."""
    if len(outputs) == 1:
        return topological_order(outputs[0])
    seen, nodes = set(), []
    for out in outputs:
        for v in topological_order(out):
            if v not in seen:
                seen.add(v)
                nodes.append(v)
    nodes.sort(key=lambda v: v._id)
    return nodes
