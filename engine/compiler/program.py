"""Trace once, replay fast: ``compile`` and the :class:`Program` it returns.

``compile(f, *example_args)`` traces ``f`` into a tape (``compiler.tape``), then
generates Python from it (``compiler.codegen``), or for a large tape walks it with the
interpreter (``compiler.interpreter``); a call replays on floats and creates no Value
at all, and ``batch`` runs it on arrays over a whole batch (``compiler.batch``, which
owns that path). ``Program.runs`` says which path each kind of call takes, and
``Program.code`` shows the code that runs.

What is captured is the graph of the example call. Choices made inside ops (relu,
abs, leaky_relu) are made afresh on every call; Python ``if``s on a Value's data are
not, which is why comparing Values or reading their ``.data`` while tracing raises
:class:`TraceError`, why the first call at other inputs traces once more and compares
(``Program.check_once``), and why ``verify`` checks a call against the eager engine.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..checks import as_float
from ..modes import TraceError
from ..profiler import instrument
from ..reverse import isolated_gradients
from ..arguments import flatten, regroup, sizes_of
from ..value import Value
from . import batch as batches, interpreter
from .batch import BatchResult
from .codegen import Source, build, generate, python_namespace
from .tape import Tape, fresh_leaves, trace

GENERATED_UP_TO = 50_000  # tape size (instructions + their inputs) up to which replays run generated code


def generated(tape: Tape) -> bool:
    """Whether float replays of ``tape`` run generated straight-line code (small tapes: fastest once compiled)
    rather than the interpreter (large ones: CPython compiles 10 to 20 µs a line, the interpreter's set-up
    is a few µs an instruction, and its replays are as fast)."""
    return len(tape) + len(tape.args) <= GENERATED_UP_TO


class Result(NamedTuple):
    """One replay: the value, the gradient for each argument (shaped like it), each parameter's
    gradient (in ``Program.parameters`` order) and the extra outputs, if f returned any."""

    value: float
    grads: tuple
    param_grads: list
    aux: Any


class Program:
    """A traced function, replayed without Values. Call it like ``f``: ``program(*args) -> Result``.

    >>> from engine import Value
    >>> w = Value(3.0)
    >>> program = compile(lambda x: (x * w).tanh(), 0.1)
    >>> r = program(0.2)
    >>> round(r.value, 6), round(r.grads[0], 6), round(r.param_grads[0], 6)
    (0.53705, 2.134733, 0.142316)
    """

    def __init__(self, f: Callable[..., Any], example_args: Sequence[Any], check: bool = True) -> None:
        self.f = f
        self.tape, self.shapes, self.aux_kind = trace(f, example_args)
        # The first call at other inputs traces f there too, once, and compares (see check_once).
        self.check = check
        self._example = self._flat_inputs(example_args)
        self.parameters: List[Value] = self.tape.parameters
        self._sources: Dict[bool, Source] = {}  # generated code, with the inputs' gradients (True) or without
        # Float replays walk the tape with the interpreter rather than run generated code; set before the
        # first call to choose (the default picks generated code for small tapes, see ``generated``).
        self.interpreted = not generated(self.tape)
        self._python: Dict[bool, Tuple[List[Callable], List[Callable]]] = {}  # the float replays, likewise

    @property
    def source(self) -> Source:
        """The generated Python, made on first use."""
        return self.source_for(True)

    def source_for(self, input_grads: bool) -> Source:
        """The generated Python, with the inputs' gradients or (training) the parameters' alone."""
        if input_grads not in self._sources:
            self._sources[input_grads] = generate(self.tape, input_grads)
        return self._sources[input_grads]

    def _flat_inputs(self, args: Sequence[Any]) -> List[float]:
        if len(args) != len(self.shapes):
            raise TypeError(f"the compiled function takes {len(self.shapes)} arguments, got {len(args)}")
        flat = []
        for i, (a, shape) in enumerate(zip(args, self.shapes)):
            if shape is None:
                flat.append(as_float(a, f"argument {i}"))
            elif not isinstance(a, (list, tuple)) or len(a) != shape:
                raise ValueError(f"argument {i} must be a list of {shape} numbers, as when compiled; got {a!r}")
            else:
                flat.extend(as_float(x, f"argument {i}") for x in a)
        return flat

    def _shape_grads(self, flat: Sequence[Any], join: Callable[[Sequence[Any]], Any] = list) -> tuple:
        """Per-input gradients grouped like the arguments; ``join`` makes a list argument's group."""
        return tuple(regroup(flat, self.shapes, join))

    def _aux(self, v: Sequence[Any]) -> Any:
        if self.aux_kind is None:
            return None
        values = [v[s] for s in self.tape.output_slots[1:]]
        return values[0] if self.aux_kind == "value" else values

    def _with_parameters(self, input_grads: bool = True) -> List[float]:
        """The slot template with constants and the parameters' current data filled in (and the float
        replay made, if this is its first use)."""
        if input_grads not in self._python:
            if self.interpreted:
                forward, backward = interpreter.steps(self.tape, input_grads)
                self._python[input_grads] = [forward], [backward]
            else:
                source = self.source_for(input_grads)
                self._python[input_grads] = build(source, python_namespace(source), "python")
        base = self.tape.blank()
        for slot, p in zip(self.tape.param_slots, self.parameters):
            base[slot] = p._data
        return base

    def _replay(self, base: List[float], args: Sequence[Any], input_grads: bool = True
                ) -> Optional[Tuple[List[float], List[float]]]:
        """Values and gradients (``v``, ``g``) of every slot for one sample, or None if anything went wrong (the
        caller then runs the eager engine, which gives its result or its clear error); ``input_grads=False``
        computes the parameters' gradients alone (``base`` from the same setting)."""
        tape = self.tape
        v = base.copy()
        for slot, x in zip(tape.input_slots, self._flat_inputs(args)):
            v[slot] = x
        g = [0.0] * tape.size
        g[tape.output_slots[0]] = 1.0
        forward, backward = self._python[input_grads]
        try:
            for fn in forward:
                fn(v, g)
            for fn in backward:
                fn(v, g)
        except (ArithmeticError, ValueError, TypeError):
            return None
        total = sum(v) + sum(g)  # nan, inf or a complex number anywhere shows up here
        if total.__class__ is not float or total - total != 0.0:
            return None
        return v, g

    def _result(self, v: List[float], g: List[float], input_grads: bool = True) -> Result:
        """A replay's slots read out (input gradients ``()`` without ``input_grads``)."""
        tape = self.tape
        grads = self._shape_grads([g[s] for s in tape.input_slots]) if input_grads else ()
        return Result(v[tape.output_slots[0]], grads, [g[s] for s in tape.param_slots], self._aux(v))

    def __call__(self, *args: Any) -> Result:
        if self.check:
            self.check_once(args)
        return self.replay(args)

    def replay(self, args: Sequence[Any], input_grads: bool = True) -> Result:
        """One sample on floats, as a call does but without compile's check (``args`` as a sequence);
        ``input_grads=False`` computes the parameters' gradients alone (``grads`` is then ``()``).

        >>> w = Value(2.0)
        >>> compile(lambda x: x * w, 1.0).replay([3.0], input_grads=False)
        Result(value=6.0, grads=(), param_grads=[3.0], aux=None)
        """
        replayed = self._replay(self._with_parameters(input_grads), args, input_grads)
        if replayed is None:
            return self._eager(args, input_grads)
        return self._result(*replayed, input_grads)

    def check_once(self, args: Sequence[Any]) -> None:
        """Trace ``f`` again at ``args`` and raise TraceError if it is not this program there: other
        instructions (Python control flow on something the trace could not see), other parameters (a
        model that gained a layer, or a name bound to another model) or other constants (a number read
        from outside while tracing). Every replay runs this once by default, at its first inputs that are
        not the example's; ``compile(f, ..., check=False)`` skips it.

        >>> from engine import compile
        >>> layers = [lambda x: x * 2.0]
        >>> program = compile(lambda x: layers[-1](x), 1.0)
        >>> layers.append(lambda x: x.exp())       # the model changes after compiling
        >>> program(2.0)
        Traceback (most recent call last):
        ...
        engine.modes.TraceError: compile: f at (2.0,) is not the traced program: instruction 0 is exp(slot 0) now, \
mul(slot 0, slot 1) when compiled. Compile f again (or call it eagerly); compile(..., check=False) turns this check off
        """
        flat = self._flat_inputs(args)
        if flat == self._example:
            return  # the example itself: no second point yet
        try:
            again, _, _ = trace(self.f, args)
        except (ArithmeticError, ValueError):
            return  # f fails eagerly here: the replay re-runs it eagerly and raises that error
        self.check = False
        reason = self.tape.differences(again)
        if reason:
            raise TraceError(f"compile: f at {tuple(args)!r} is not the traced program: {reason}. Compile f again "
                             f"(or call it eagerly); compile(..., check=False) turns this check off")

    def loop(self, *args: Any, input_grads: bool = True) -> "BatchResult":
        """Replay sample by sample in Python, like ``batch`` but with lists: each argument a sequence
        over the samples. Parameters are read once; their gradients are summed over the samples.
        ``input_grads=False`` computes the parameters' gradients alone (``grads`` is then ``()``), as
        training needs: a target's derivative then need not exist (``t ** 0.5`` at ``t = 0``).

        >>> w = Value(2.0)
        >>> r = compile(lambda x: x * x * w, 1.0).loop([1.0, 2.0, 3.0])
        >>> r.values, r.grads[0], r.param_grads
        ([2.0, 8.0, 18.0], [4.0, 8.0, 12.0], [14.0])
        """
        base = self._with_parameters(input_grads)
        slots = self.tape.param_slots
        values, grads, aux, summed = [], [], [], [0.0] * len(slots)
        for row in zip(*args):
            if self.check:
                self.check_once(row)
            replayed = self._replay(base, row, input_grads)
            if replayed is None:  # the eager engine runs it: its result, or its clear error
                r = self._eager(row, input_grads)
                summed = list(map(operator.add, summed, r.param_grads))
            else:
                r = self._result(*replayed)
                summed = list(map(operator.add, summed, map(replayed[1].__getitem__, slots)))
            values.append(r.value)
            grads.append(r.grads)
            aux.append(r.aux)
        by_input = tuple(list(g) for g in zip(*grads)) or tuple([] for _ in self.shapes)
        return BatchResult(values, by_input if input_grads else (), summed, aux if self.aux_kind else None)

    def backward(self, *args: Any) -> Result:
        """Replay, then add each parameter's gradient into its ``.grad``, as ``backward()`` would."""
        result = self(*args)
        for p, grad in zip(self.parameters, result.param_grads):
            p._grad += grad  # the replay's floats, added as backward() adds them
        return result

    def _eager(self, args: Sequence[Any], input_grads: bool) -> Result:
        """The same call on the eager engine: it raises the clear error behind a nan, inf or domain error."""
        return eager_call(self.f, args, self.parameters, input_grads)

    def verify(self, *args: Any, rel: float = 1e-9) -> Result:
        """Replay and check against the eager engine: same graph, same value, same gradients.

        Raises TraceError when ``f`` would trace differently for these inputs (a Python
        branch on a value), or when the results differ.
        """
        again, _, _ = trace(self.f, args)
        reason = self.tape.differences(again, constants=False)  # a constant that differs shows in the values
        if reason:
            raise TraceError(f"compile: f traces to a different graph for these inputs ({reason}), so the compiled "
                             f"program does not stand for it; Python control flow in f depends on values")
        got, want = self(*args), eager_call(self.f, args, self.parameters)
        pairs = [(got.value, want.value)] + list(zip(flatten(got.grads), flatten(want.grads)))
        pairs += list(zip(got.param_grads, want.param_grads))
        for a, b in pairs:
            if abs(a - b) > rel * max(abs(a), abs(b), 1e-300):
                raise TraceError(f"compile: the compiled program gives {a!r} where the eager engine gives {b!r}")
        return got

    def batch(self, *args: Any, lifted: Optional[bool] = None, parameters: Any = None, backend: str = "numpy",
              device: Any = None, input_grads: bool = True, check_finite: bool = True,
              dtype: Any = "float64", cotangent: Any = None) -> BatchResult:
        """Replay over a whole batch at once: each argument an array over the samples, shape (n,), or
        (n, k) for a list argument of k numbers.

        Lifted (``compiler.lifting``), structurally identical nodes run as one array operation, a layer
        as one matrix product; ``lifted=False`` makes one NumPy call per node. By default (``None``) a tape
        of up to ``compiler.batch.LIFTED_UP_TO`` instructions is lifted and a larger one (a deep chain,
        whose groups would be of one node each) replayed per node by the interpreter, so that no first
        call compiles code a node at a time. ``backend="torch"`` runs
        the lifted program on PyTorch float64 tensors on ``device`` (a GPU by default where there is
        one). ``parameters``, an array in ``parameters`` order, stands in for the parameters' data (as
        training on flat arrays does), and the parameter gradients then come back as an array too;
        ``input_grads=False`` skips the inputs' gradients (``grads`` is then ``()``), as training needs
        only the parameters'. An argument or cotangent holding nan or inf is an error; ``check_finite=False`` (as in
        SciPy) skips that pass over the data, for callers that checked theirs once, as ``fit`` does.
        ``dtype`` ("float32" or "float16"; float64 by default) computes the lifted program in that precision, every
        value and adjoint stored in it, by the same rules; a value or gradient past its range is an OverflowError
        (a float64 batch instead replays such samples alone, to give the eager engine's answer). ``cotangent`` (a
        number, or an array over the samples) weighs each sample's gradients: they are then those of
        ``sum(cotangent * values)``, as PyTorch's ``backward(gradient)``; ``1/n`` gives the mean's, as training does.

        >>> import numpy as np
        >>> w = Value(2.0)
        >>> r = compile(lambda x: x * x * w, 1.0).batch(np.array([1.0, 2.0, 3.0]))
        >>> r.values.tolist(), r.grads[0].tolist(), r.param_grads
        ([2.0, 8.0, 18.0], [4.0, 8.0, 12.0], [14.0])
        """
        if self.check:
            for row in self._first_and_last(args):
                if self.check:
                    self.check_once(row)
        return batches.run(self, args, lifted, parameters, backend, device, input_grads, check_finite, dtype,
                           cotangent)

    def to_torch(self, device: Any = None, dtype: Any = "float64") -> Any:
        """This program as a ``torch.nn.Module`` (PyTorch is optional): its forward pass is the lifted array
        program on ``device`` (a GPU by default where there is one) in ``dtype``, its backward the ops' own
        rules, and its parameters one ``torch.nn.Parameter``, ``weights``, in ``parameters`` order, made from
        the Values' numbers. ``module(*args)`` takes arrays over the samples, as ``batch`` does, and returns the
        per-sample values (and the extra outputs, without gradient); train it with any ``torch.optim`` optimizer,
        save it with ``torch.save(module.state_dict())``, and put the numbers back into the Values with
        ``module.write_back()``. ``nn.to_torch`` does this for a model, under PyTorch's names.

        >>> import torch                                                        # doctest: +SKIP
        >>> w = Value(2.0)                                                      # doctest: +SKIP
        >>> module = compile(lambda x: (x * w - 1.0) ** 2, 1.0).to_torch()      # doctest: +SKIP
        >>> module(torch.tensor([1.0, 2.0])).mean().backward()                  # doctest: +SKIP
        >>> module.weights.grad.tolist()                                        # doctest: +SKIP
        [7.0]
        """
        from .torch_module import to_torch

        return to_torch(self, device=device, dtype=dtype)

    def profiled_size(self) -> Tuple[int, int]:
        """The tape's instructions, and the bytes of its arrays and of the slots a replay fills (8 a slot): the
        size ``engine.profile()`` gives this program's replays."""
        tape = self.tape
        arrays = (tape.ops, tape.outs, tape.args, tape.starts, tape.input_slots, tape.param_slots)
        return len(tape.ops), sum(a.itemsize * len(a) for a in arrays) + 8 * tape.size

    def runs(self, backend: str = "numpy", lifted: Optional[bool] = None) -> str:
        """Which path each kind of call takes, in words: what a reader needs to find the code that runs.

        >>> w = Value(2.0)
        >>> print(compile(lambda x: (x * w).tanh(), 1.0).runs())
        call, loop, backward, verify: the generated Python (2 instructions), shown by code("python")
        batch: the lifted array program on NumPy: 2 array operations for 2 instructions (0 matrix products), shown by code("lifted")
        """
        floats = ("the interpreter's walk over the tape, one compiled step per kind of instruction"
                  if self.interpreted else 'the generated Python')
        shown = "" if self.interpreted else ', shown by code("python")'
        route = batches.route(self, backend, lifted)
        lifted_shown = ', shown by code("lifted")' if route.startswith("the lifted") else ""
        return (f"call, loop, backward, verify: {floats} ({len(self.tape)} instructions){shown}\n"
                f"batch: {route}{lifted_shown}")

    def code(self, kind: str = "python", input_grads: bool = True) -> str:
        """The code that runs, as text: ``"python"``, the generated forward and backward functions of a float
        call (a batch per node runs the same lines with NumPy's functions); ``"lifted"``, the lifted array
        program of a batch (``V`` holds the values, a row per slot and a column per sample, ``G`` their
        gradients, ``P`` and ``GP`` the parameters' and theirs). ``input_grads=False``: as training runs it.

        >>> w = Value(2.0)
        >>> print(compile(lambda x: x * x * w, 1.0).code())
        def forward_0(v, g):
            v[2] = v[1]*v[1]
            v[3] = v[2]*v[0]
        def backward_0(v, g):
            g[2] += g[3] * (v[0])
            g[0] += g[3] * (v[2])
            g[1] += g[2] * (v[1])
            g[1] += g[2] * (v[1])
        """
        if kind == "python":
            source = self.source_for(input_grads)
            parts = [(f"forward_{i}", body) for i, body in enumerate(source.forward)]
            parts += [(f"backward_{i}", body) for i, body in enumerate(source.backward)]
        elif kind == "lifted":
            made = batches.lifted_program(self, input_grads)
            parts = [("forward", made.forward), ("backward", made.backward)]
        else:
            raise ValueError(f"code: kind must be 'python' or 'lifted', got {kind!r}")
        args = "v, g" if kind == "python" else ""
        return "\n".join(f"def {name}({args}):\n    " + body.replace("\n", "\n    ") for name, body in parts)

    def _first_and_last(self, args: Sequence[Any]) -> List[list]:
        """A batch's first and last samples as ``f``'s arguments, for ``check_once``; none if the arrays are not
        what ``batch`` takes (it then says what is wrong)."""
        try:
            rows = [[a[i].tolist() if hasattr(a[i], "tolist") else a[i] for a in args] for i in (0, -1)]
        except (TypeError, IndexError, KeyError, ValueError, AttributeError):
            return []

        def fits(x: Any, shape: Optional[int]) -> bool:
            return isinstance(x, (int, float)) if shape is None else isinstance(x, list) and len(x) == shape

        if len(args) != len(self.shapes) or not all(fits(x, shape) for row in rows for x, shape in zip(row, self.shapes)):
            return []
        return rows

    def __repr__(self) -> str:
        return (f"<compiled {getattr(self.f, '__name__', 'function')}: {len(self.tape)} instructions, "
                f"{len(self.tape.input_slots)} inputs, {len(self.parameters)} parameters>")


def eager_call(f: Callable[..., Any], args: Sequence[Any], parameters: Sequence[Value],
               input_grads: bool = True) -> Result:
    """``f`` on fresh Values, differentiated by the eager engine, leaving every ``.grad`` as it was;
    without ``input_grads``, for the parameters alone (``grads`` is then ``()``)."""
    leaves = fresh_leaves(args)
    out = f(*leaves)
    main, aux = out if isinstance(out, tuple) else (out, None)
    main = main if isinstance(main, Value) else Value(main)
    flat = flatten(leaves) if input_grads else []
    grads = isolated_gradients(main, flat + list(parameters), create_graph=False)
    aux_out = None if aux is None else (aux.data if isinstance(aux, Value) else [a.data for a in aux])
    by_input = tuple(regroup(grads, sizes_of(leaves))) if input_grads else ()
    return Result(main.data, by_input, list(grads[len(flat):]), aux_out)


def compile(f: Callable[..., Any], *example_args: Any, check: bool = True) -> Program:  # noqa: A001
    """Trace ``f`` on the example arguments and return a :class:`Program` that replays it fast.

    ``f`` takes numbers (or lists of numbers) as Values and returns a scalar Value, or
    ``(scalar, extra)`` with extra Values to return alongside. Values ``f`` uses that
    existed before the trace (a model's weights) are parameters, read at every call.
    Reading a Value's ``.data`` inside ``f`` is a TraceError (the tape would freeze the
    number), and the first call at other inputs traces ``f`` there once more and
    checks it is the same program (``Program.check_once``; ``check=False`` skips it).
    """
    if not callable(f):
        raise TypeError(f"compile needs a function, got {type(f).__name__}")
    return Program(f, example_args, check)


# engine.profile() times each kind of replay whole (the generated code runs no op one at a time).
for _method in ("replay", "loop", "batch"):
    instrument(Program, _method, _method)
