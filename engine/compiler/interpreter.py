"""An interpreter over the tape: each kind of instruction compiled once, the tape walked in a loop.

Generated straight-line code (``codegen``) is the fastest replay of a small tape, but
CPython compiles 10 to 20 µs a line, so a 1,000,000-node tape spent most of a minute
before its first call, and its code took more memory than the graph it came from.
Here each distinct (op, parameter, number of inputs) becomes one small function, made
from the same templates as the generated code (the op's rule applied to symbols), and
a replay calls it once per instruction with that instruction's slots:

>>> from engine import Value, compile
>>> w = Value(3.0)
>>> program = compile(lambda x: (x * w).tanh(), 0.5)
>>> forward, backward = steps(program.tape)
>>> print(forward.source[0])
a0, a1, o = s
v[o] = v[a0]*v[a1]
>>> print(backward.source[0])
a0, a1, o = s
go = g[o]
if go:
    g[a0] += go * (v[a1])
    g[a1] += go * (v[a0])

A variadic op with many inputs (a 784-input neuron's dot, a sum of a million terms)
runs its float rule over the inputs instead of spelling out one line per input.
"""

from __future__ import annotations

from itertools import compress
from typing import Any, Callable, Dict, List, Tuple

from .. import ops
from ..symbolic import Code
from .codegen import define, param_key, python_namespace_for, template
from .tape import Tape

SPELLED = 16  # a variadic op with more inputs than this runs its rule in a loop: one template per count would not pay


class Walk:
    """One direction of a replay: ``walk(v, g)`` runs ``calls[k]`` on ``slots[k]`` for each instruction;
    ``calls`` holds the step ``functions`` (one per kind of instruction), whose ``source`` it keeps."""

    def __init__(self, functions: List[Callable], kinds: List[int], slots: List[tuple], source: List[str],
                 backwards: bool) -> None:
        self.functions, self.slots, self.source, self.backwards = functions, slots, source, backwards
        self.calls = [functions[k] for k in kinds]

    def __call__(self, v: List[float], g: List[float]) -> None:
        if self.backwards:
            for step, s in zip(reversed(self.calls), reversed(self.slots)):
                step(v, g, s)
        else:
            for step, s in zip(self.calls, self.slots):
                step(v, s)


def steps(tape: Tape, input_grads: bool = True, backend: Any = None) -> Tuple[Walk, Walk]:
    """The forward and backward walks over ``tape``, each called as ``walk(v, g)``. The backward walk
    computes only the gradients someone reads (``Tape.needs_gradient``). With an array ``backend``
    (``compiler.arrays``) the steps run on arrays over a batch: every op through the backend's
    functions, every kind spelled out, and no step skips a zero adjoint (an array has no truth value)."""
    dialect = Code()
    on_arrays = backend is not None
    needs = tape.needs_gradient(input_grads)
    kinds: Dict[tuple, int] = {}
    per_instruction, slots = [], []  # each instruction's kind and slots
    forward, backward = [], []  # each kind's two steps, as source (or a looped step)
    ints = list(range(tape.size))  # one int object per slot, shared by every tuple that names it
    op_list, params, args, starts, outs = tape.op_list, tape.params, tape.args, tape.starts, tape.outs
    arg_needs = bytes(map(needs.__getitem__, args))  # whether each argument wants a gradient, in one pass
    kept = bytes(map(needs.__getitem__, outs))  # whether each instruction is walked back
    for k, code in enumerate(tape.ops):  # a million times for a million nodes: each line here counts
        op, param, first, last = op_list[code], params.get(k), starts[k], starts[k + 1]
        named = tuple(map(ints.__getitem__, args[first:last]))
        spelled = on_arrays or op.arity is not None or last - first <= SPELLED
        # a spelled kind is also which of its inputs get a gradient (a looped one sends to all: its rule is finite)
        wanted = arg_needs[first:last] if spelled else None
        key = (op, wanted) if param is None else (op, param_key(param), wanted)
        kind = kinds.get(key)
        if kind is None:
            kind = kinds[key] = len(kinds)
            there, back = (_sources(op, param, wanted, dialect, guarded=not on_arrays) if spelled
                           else (_looped(op, "forward"), _looped(op, "backward")))
            forward.append(there)
            backward.append(back)
        per_instruction.append(kind)
        slots.append(named + (ints[outs[k]],) if spelled else (named, ints[outs[k]]))
    namespace = backend.bind(dialect.functions) if on_arrays else python_namespace_for(dialect.functions)
    walks = []
    for sources, params_text, backwards in ((forward, "v, s", False), (backward, "v, g, s", True)):
        functions = [src if callable(src) else define("step", params_text, src, namespace, "<chainrule step>")
                     for src in sources]
        shown = [src if isinstance(src, str) else f"# {src.__doc__}" for src in sources]
        if backwards and not all(kept):  # an output that needs no gradient is not walked back
            per_instruction, slots = list(compress(per_instruction, kept)), list(compress(slots, kept))
        walks.append(Walk(functions, per_instruction, slots, shown, backwards))
    return walks[0], walks[1]


def _unpack(n: int) -> str:
    return ", ".join([f"a{i}" for i in range(n)] + ["o"]) + " = s"


def _names(n: int) -> Dict[str, str]:
    return {f"a{i}": f"a{i}" for i in range(n)}


def _sources(op: ops.Op, param: Any, wanted: bytes, dialect: Code, guarded: bool) -> Tuple[str, str]:
    """The bodies of an instruction kind's forward step and backward step, from one template; the
    backward step sends to the inputs ``wanted`` marks, and when ``guarded`` (floats) only if its adjoint
    is not 0."""
    n = len(wanted)
    line, partials = template(op, param, n, dialect, adjoint="go")
    names = _names(n)
    forward = _unpack(n) + "\n" + line.format(out="o", **names)
    lines = [partial.format(out="o", **names) for partial, w in zip(partials, wanted) if partial and w]
    if not lines:
        return forward, "pass"  # nothing flows back (stop_gradient)
    if not guarded:
        return forward, _unpack(n) + "\ngo = g[o]\n" + "\n".join(lines)
    # a zero adjoint sends nothing, as eagerly
    return forward, _unpack(n) + "\ngo = g[o]\nif go:\n    " + "\n    ".join(lines)


def _looped(op: ops.Op, direction: str) -> Callable:
    """A variadic op's step over any number of inputs: its float value and float rule, in a loop
    (a variadic op takes no parameter)."""
    value, rule = op.value, op.local_derivatives

    if direction == "forward":
        def step(v: List[float], s: tuple) -> None:
            names, o = s
            v[o] = value(tuple(map(v.__getitem__, names)))
    else:
        def step(v: List[float], g: List[float], s: tuple) -> None:
            names, o = s
            go = g[o]
            if go:
                for a, d in zip(names, rule(tuple(map(v.__getitem__, names)), v[o])):
                    g[a] += go * d
    step.__doc__ = f"{op.name} of any number of inputs, {direction}: its rule in a loop"
    return step
