"""Differential fuzzing: random programs over every op, against PyTorch float64 and against themselves.

Each program (from ``engine.testing.random_expressions``: every op, both power forms,
numbers written in, the fused nodes, a custom op, shared subexpressions, inputs exactly at
relu/abs kinks) is checked for its value and every leaf gradient against PyTorch, forward mode
against reverse, the compiled Python replay and the NumPy batch replay against the
eager engine at the traced inputs and at others (where kinks may fall the other way), the
interpreter over the tape against the generated code bit for bit (on floats and on arrays), the replays that train (the
first input a parameter, no other input's gradient) against the eager engine,
and every 30th program's Hessian against torch.autograd.functional.hessian.
"""

import math
from typing import List

import numpy as np
import pytest

import engine
from engine import Value, hessian, jvp
from engine.compiler.program import eager_call
from engine.testing import Expression, random_expressions, torch_reference
from engine.testing.oracles import TorchNumber
from engine.testing.oracles import TORCH_MISSING

CHUNKS = 10
torch = pytest.importorskip("torch", reason=TORCH_MISSING)


@engine.op(derivative=lambda x, out: ((1 + x.abs()) ** -2,))
def softsign(x: float) -> float:
    """A custom op, written as a user would: the fuzzed programs use it like the built-in ones."""
    return x / (1 + abs(x))


def close(a: float, b: float, scale: float, rel: float) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b), scale)


def magnitude(e: Expression, xs) -> float:  # the largest intermediate value: rounding scales with it
    return max(abs(r.data) for r in e.run([Value(x) for x in xs]))


def other_inputs(e: Expression) -> List[float]:
    return [-x if i % 2 else x * 0.5 for i, x in enumerate(e.inputs)]  # kinks may now fall the other way


def eager_or_none(e: Expression, xs):
    try:
        return eager_call(e, xs, [])
    except (ArithmeticError, ValueError):
        return None  # outside the program's domain here


def numeric_hessian(e: Expression, xs: List[float]) -> List[List[float]]:
    """Central differences of the engine's gradient, row by row."""
    def gradient(at):
        leaves = [Value(x) for x in at]
        e(*leaves).backward()
        return [v.grad for v in leaves]

    rows = []
    for j in range(len(xs)):
        h = 1e-6 * max(1.0, abs(xs[j]))
        up, down = list(xs), list(xs)
        up[j] += h
        down[j] -= h
        rows.append([(a - b) / (2 * h) for a, b in zip(gradient(up), gradient(down))])
    return [list(col) for col in zip(*rows)]


def check(e: Expression, with_hessian: bool) -> List[str]:
    problems = []
    xs = list(e.inputs)
    leaves = [Value(x) for x in xs]
    out = e(*leaves)
    try:
        out.backward()
    except (ArithmeticError, ValueError):
        return []  # a derivative that overflows or is undefined here: the engine says so, torch gives inf/nan
    grads = [v.grad for v in leaves]
    scale = magnitude(e, xs)
    gscale = max([1.0] + [abs(g) for g in grads])
    value, want = torch_reference(e, xs)
    if not close(out.data, value, scale, 1e-9):
        problems.append(f"value {out.data!r} vs torch {value!r}")
    if not all(close(g, w, gscale * scale, 1e-8) for g, w in zip(grads, want)):
        problems.append(f"grads {grads} vs torch {want}")
    direction = [math.sin(i + 1.0) for i in range(len(xs))]
    _, tangent = jvp(e, xs, direction)
    if not close(tangent, sum(g * d for g, d in zip(grads, direction)), gscale * scale, 1e-8):
        problems.append(f"jvp {tangent} vs grads·v")
    program = engine.compile(e, *xs)
    walked = engine.compile(e, *xs)
    walked.interpreted = True
    for at in (xs, other_inputs(e)):
        eager = eager_or_none(e, at)
        if eager is None:
            continue
        replay = program(*at)
        if not (close(replay.value, eager.value, 0.0, 1e-12)
                and all(close(a, b, 0.0, 1e-12) for a, b in zip(replay.grads, eager.grads))):
            problems.append(f"compiled {replay} vs eager {eager} at {at}")
        if walked(*at) != replay:  # the same rules in the same order: the same bits
            problems.append(f"interpreted {walked(*at)} vs compiled {replay} at {at}")
        try:
            batch = program.batch(*[np.array([x, x]) for x in at])
        except FloatingPointError as e:
            problems.append(f"batch at {at}: {e}")
            continue
        columns = [np.array([x, x]) for x in at]
        by_code, by_steps = program.batch(*columns, lifted=False), walked.batch(*columns, lifted=False)
        if (by_code.values.tolist(), [g.tolist() for g in by_code.grads]) != \
                (by_steps.values.tolist(), [g.tolist() for g in by_steps.grads]):  # same rules, same order
            problems.append(f"interpreted batch {by_steps} vs generated {by_code} at {at}")
        bscale = magnitude(e, at)
        if not (close(float(batch.values[1]), eager.value, bscale, 1e-9)
                and all(close(float(a[0]), b, bscale * max([1.0] + [abs(g) for g in eager.grads]), 1e-8)
                        for a, b in zip(batch.grads, eager.grads))):
            problems.append(f"batch {batch.values}, {batch.grads} vs eager {eager} at {at}")
    problems += check_training(e, xs)
    if with_hessian:
        H = [[h.data for h in row] for row in hessian(lambda v: e(*v))(xs)]
        TorchNumber.torch = torch
        f = lambda t: e(*[TorchNumber(t[i]) for i in range(len(xs))]).tensor  # noqa: E731
        T = torch.autograd.functional.hessian(f, torch.tensor(xs, dtype=torch.float64)).tolist()
        hscale = max([1.0] + [abs(h) for row in T for h in row])
        agree = lambda A, rel: all(close(a, b, hscale * scale, rel)  # noqa: E731
                                   for ra, rb in zip(H, A) for a, b in zip(ra, rb))
        # Where PyTorch's second derivative is off (its pow backward masks an exponent of exactly 0, which
        # drops a term), differences of the engine's gradient, itself checked against PyTorch, decide.
        if not agree(T, 1e-7) and not agree(numeric_hessian(e, xs), 1e-4):
            problems.append(f"hessian {H} vs torch {T}")
    return problems


def check_training(e: Expression, xs: List[float]) -> List[str]:
    """The first input made a parameter and the others' gradients left out, as training does: only what
    leads back to the parameter is differentiated. Its gradient from the float replays (generated and
    interpreted, the same bits), the NumPy batch and the eager engine's pruned pass against the full eager one."""
    if len(xs) < 2:
        return []
    problems = []
    w = Value(xs[0])
    f = lambda *rest: e(w, *rest)  # noqa: E731
    lean, walked = engine.compile(f, *xs[1:]), engine.compile(f, *xs[1:])
    walked.interpreted = True
    for at in (xs, other_inputs(e)):
        eager = eager_or_none(e, at)
        if eager is None or not lean.parameters:
            continue
        w.data = at[0]
        want, rest = eager.grads[0], [[x] for x in at[1:]]
        r = lean.loop(*rest, input_grads=False)
        if r.grads != () or not close(r.param_grads[0], want, 0.0, 1e-12):
            problems.append(f"training replay {r.param_grads} vs eager {want} at {at}")
        if walked.loop(*rest, input_grads=False) != r:
            problems.append(f"interpreted training replay {walked.loop(*rest, input_grads=False)} vs {r} at {at}")
        pruned = eager_call(f, at[1:], [w], input_grads=False).param_grads[0]
        if not close(pruned, want, 0.0, 1e-12):
            problems.append(f"eager pass for the parameter alone {pruned} vs {want} at {at}")
        batch = lean.batch(*[np.array([x, x]) for x in at[1:]], input_grads=False)
        if not close(float(batch.param_grads[0]) / 2, want, magnitude(e, at) * max(1.0, abs(want)), 1e-8):
            problems.append(f"training batch {batch.param_grads} vs eager {want} at {at}")
    return problems


def held_function(e: Expression, weights: List[Value]):
    """``e`` as a model would be compiled: the traced inputs its arguments, each held input a weight (a Value
    made before the trace: a parameter) or a number written into f (a constant), and every register that reads
    held inputs alone returned as an extra output (one number per batch, however many samples)."""
    numbers = e.inputs[e.traced:]

    def f(*xs):
        held, ws = [], iter(weights)
        for role, c in zip(e.held, numbers):
            held.append(next(ws) if role == "parameter" else Value(c))
        regs = e.run(list(xs) + held)
        return regs[-1], [regs[i] for i in e.held_only]
    return f


def check_held(e: Expression) -> List[str]:
    """A program with held inputs, compiled: the float replay, the Python loop, the NumPy batch (lifted and
    per node) and the PyTorch batch against the eager engine, at the traced point and at another (the weights
    moved too), in value, input and parameter gradients and the held-only extra outputs."""
    problems = []
    weights = [Value(x) for role, x in zip(e.held, e.inputs[e.traced:]) if role == "parameter"]
    f = held_function(e, weights)
    traced = list(e.inputs[:e.traced])
    program = engine.compile(f, *traced)
    moved = [x * 0.5 for x in e.inputs[e.traced:]]
    for at, held_at in ((traced, e.inputs[e.traced:]), (other_inputs(e)[:e.traced], moved)):
        held_now = [x if role == "parameter" else c for role, x, c in zip(e.held, held_at, e.inputs[e.traced:])]
        for w, x in zip(weights, [x for role, x in zip(e.held, held_now) if role == "parameter"]):
            w.data = x
        try:
            want = eager_call(f, at, weights)
        except (ArithmeticError, ValueError):
            continue  # outside the program's domain here
        scale = magnitude(e, list(at) + held_now)
        expected = [want.value, *want.grads, *want.param_grads, *want.aux]
        columns = [np.array([x, x]) for x in at]
        runs = {"call": lambda: program(*at),
                "loop": lambda: program.loop(*[[x, x] for x in at]),
                "batch": lambda: program.batch(*columns),
                "batch per node": lambda: program.batch(*columns, lifted=False),
                "torch batch": lambda: program.batch(*[torch.tensor(c) for c in columns], backend="torch",
                                                     device="cpu")}
        for name, run in runs.items():
            try:
                r = run()
            except Exception as error:  # noqa: BLE001 (a crash is what this looks for)
                problems.append(f"{name} at {at}: {type(error).__name__}: {error}")
                continue
            if name == "call":
                got = [r.value, *r.grads, *r.param_grads, *r.aux]
            else:  # two equal samples: values, input gradients and extra outputs per sample, parameters' summed
                first = lambda xs: [float(x[0]) for x in xs]  # noqa: E731
                aux = r.aux.cpu().numpy() if hasattr(r.aux, "cpu") else np.asarray(r.aux)  # samples x outputs
                got = [float(r.values[0]), *first(r.grads), *[float(p) / 2 for p in r.param_grads],
                       *(aux[0].tolist() if len(e.held_only) else [])]
            if len(got) != len(expected) or not all(close(a, b, scale, 1e-9) for a, b in zip(got, expected)):
                problems.append(f"{name} {got} vs eager {expected} at {at}")
    return problems


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_random_programs_agree_with_pytorch_and_with_every_replay(chunk: int, request, record_property) -> None:
    count = max(1, request.config.getoption("--fuzz-programs") // CHUNKS)
    torch_reference(lambda x: x, [0.0])  # binds the torch functions
    TorchNumber.functions[softsign] = torch.nn.functional.softsign  # the custom op's counterpart
    # Half the programs hold some inputs: compiled, those are a model's weights or numbers written into f.
    programs = random_expressions(count - count // 2, seed=1000 + chunk, kinks=True, max_depth=10,
                                  extra={"softsign": softsign})
    programs += random_expressions(count // 2, seed=2000 + chunk, kinks=True, max_depth=10, extra={"softsign": softsign},
                                   held=True)
    failures, hessians, held = [], 0, 0
    for k, e in enumerate(programs):
        with_hessian = k % 30 == 0
        hessians += with_hessian
        problems = check(e, with_hessian)
        if e.held:
            held += 1
            problems += check_held(e)
        if problems:
            failures.append(f"{e!r}: {'; '.join(problems)}")
    record_property("fuzz_programs", len(programs))
    record_property("fuzz_held", held)
    record_property("fuzz_hessians", hessians)
    record_property("fuzz_mismatches", len(failures))
    assert not failures, f"{len(failures)} of {len(programs)} programs disagree:\n" + "\n".join(failures[:10])
