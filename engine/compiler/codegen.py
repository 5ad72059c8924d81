"""Code generation: a tape becomes straight-line Python, its derivatives from the ops' own rules.

For each op the forward line is the op applied to symbols, and the backward lines
are the op's local derivative rule applied to symbols (engine.symbolic), so no
derivative is written a second time. Slots are ``v[i]`` (values) and ``g[i]``
(adjoints). A tiny tape and the code it becomes:

>>> from engine import Value, compile
>>> w = Value(3.0)                       # a parameter: slot 0; the input x: slot 1
>>> program = compile(lambda x: (x * w).tanh(), 0.5)
>>> [(op.name, list(args), out) for op, args, _, out in program.tape.instructions()]
[('mul', [1, 0], 2), ('tanh', [2], 3)]
>>> print(program.source.forward[0])
v[2] = v[1]*v[0]
v[3] = tanh_0(v[2])
>>> print(program.source.backward[0])
g[2] += g[3] * (1.0 - v[3]**2)
g[1] += g[2] * (v[0])
g[0] += g[2] * (v[1])

The same source runs on floats (``python_namespace``) and, with NumPy's functions
bound to the same names, on arrays (``compiler.numpy_backend``).
"""

from __future__ import annotations

import builtins
import math
from typing import Any, Callable, Dict, List, NamedTuple, Tuple

from .. import ops
from ..symbolic import Code, Sym
from .tape import Tape

CHUNK = 2000  # lines per generated function: Python compiles many small functions faster than one huge one


def _python_helpers() -> Dict[str, Callable]:
    return {
        "if_positive": lambda x, then, otherwise: then if x > 0 else otherwise,
        "sign": lambda x: float((x > 0) - (x < 0)),
        "times_log": lambda out, a: 0.0 if out == 0 else out * math.log(a),
    }


def _python_function(op: ops.Op) -> Callable:
    if op.arity is None:
        value = op.value
        return lambda *xs: value(xs)
    return op.value


class Source(NamedTuple):
    forward: List[str]  # the bodies of the forward functions, in order
    backward: List[str]  # the bodies of the backward functions for floats, in the order to run them
    backward_arrays: List[str]  # the same without the float-only shortcuts, for array back-ends
    functions: Dict[str, Any]  # identifier -> op (or a helper: "if_positive", "sign", "times_log")


def generate(tape: Tape, input_grads: bool = True) -> Source:
    """Python statements for the forward pass (into list ``v``) and the backward pass (into ``g``).

    Each distinct (op, parameter, number of inputs) is turned into code once, by applying the
    op and its derivative rule to symbols named ``{a0}``, ``{a1}``, ...; every instruction then
    fills in its slots. The backward pass computes only the gradients someone reads
    (``Tape.needs_gradient``): the parameters', and the inputs' when ``input_grads``.
    """
    dialect = Code()
    needs = tape.needs_gradient(input_grads)
    templates: Dict[tuple, Tuple[str, List[str]]] = {}
    forward, backward = [], []
    for op, args, param, out in tape.instructions():
        key = (op, param_key(param), len(args))
        if key not in templates:
            templates[key] = template(op, param, len(args), dialect)
        line, partials = templates[key]
        slots = {f"a{i}": a for i, a in enumerate(args)}
        forward.append(line.format(out=out, **slots))
        if needs[out]:
            backward.append((out, [partial.format(out=out, **slots) for a, partial in zip(args, partials)
                                   if partial and needs[a]]))
    backward.reverse()
    python = [[f"if g[{out}]:"] + ["    " + line for line in lines] if len(lines) > 2 else lines
              for out, lines in backward]  # floats can skip a node that receives nothing (a dead relu)
    arrays = [lines for _, lines in backward]
    return Source(_chunks([[line] for line in forward]), _chunks(python), _chunks(arrays), dialect.functions)


def param_key(param: Any) -> Any:
    """An op's parameter as part of a dictionary key: itself, or its identity if it cannot be hashed
    (the tape keeps the parameter, so the identity stays its own)."""
    try:
        hash(param)
        return param
    except TypeError:
        return id(param)


def template(op: ops.Op, param: Any, n: int, dialect: Code, adjoint: str = "g[{out}]") -> Tuple[str, List[str]]:
    """The forward line and one backward line per input (empty where the derivative is 0), with
    ``{out}``, ``{a0}``, ... to fill in; ``adjoint`` is how a line reads the output's adjoint."""
    syms = [Sym(f"v[{{a{i}}}]", dialect=dialect) for i in range(n)]
    forward = f"v[{{out}}] = {op(*syms, param=param)}"
    backward = []
    for i, text in enumerate(partial_texts(op, param, syms, Sym("v[{out}]", dialect=dialect))):
        if not text:
            backward.append("")
        elif text == "1.0":
            backward.append(f"g[{{a{i}}}] += {adjoint}")
        elif text == "-1.0":
            backward.append(f"g[{{a{i}}}] -= {adjoint}")
        else:
            backward.append(f"g[{{a{i}}}] += {adjoint} * ({text})")
    return forward, backward


def partial_texts(op: ops.Op, param: Any, syms: List[Sym], out: Sym) -> List[str]:
    """Each local derivative of ``op`` as code ('' where it is 0): its one rule applied to symbols."""
    try:
        partials = op.local_derivatives(syms, out, param)
    except (ArithmeticError, ValueError):
        raise ValueError(f"compile: {op.name} has no derivative with {op.param_name}={param!r} (for example log of "
                         f"a negative base), so it cannot be compiled; run f eagerly") from None
    texts = [d.text if isinstance(d, Sym) else out.dialect.num(d) for d in partials]
    return ["" if text in ("0.0", "-0.0") else text for text in texts]


def _chunks(groups: List[List[str]]) -> List[str]:
    """Function bodies of about CHUNK lines each, never splitting a group."""
    bodies, current = [], []
    for group in groups:
        current.extend(group)
        if len(current) >= CHUNK:
            bodies.append("\n".join(current))
            current = []
    if current or not bodies:
        bodies.append("\n".join(current) or "pass")
    return bodies


def build(source: Source, namespace: Dict[str, Any], tag: str, arrays: bool = False
          ) -> Tuple[List[Callable], List[Callable]]:
    """Compile the generated bodies into functions ``f(v, g)`` with ``namespace`` as their globals."""
    functions = []
    for kind, bodies in (("forward", source.forward), ("backward", source.backward_arrays if arrays else source.backward)):
        functions.append([define(f"{kind}_{i}", "v, g", body, namespace, f"<chainrule {tag} {kind} {i}>")
                          for i, body in enumerate(bodies)])
    return functions[0], functions[1]


def define(name: str, params: str, body: str, namespace: Dict[str, Any], filename: str) -> Callable:
    """``def name(params): body`` compiled with ``namespace`` as its globals; tracebacks show ``filename``."""
    text = f"def {name}({params}):\n    " + body.replace("\n", "\n    ") + "\n"
    scope: Dict[str, Any] = {}
    exec(builtins.compile(text, filename, "exec"), namespace, scope)
    return scope[name]


def python_namespace(source: Source) -> Dict[str, Any]:
    """The globals the generated code runs with on floats: each op's checked float function."""
    return python_namespace_for(source.functions)


def python_namespace_for(functions: Dict[str, Any]) -> Dict[str, Any]:
    """The float functions for the identifiers a :class:`~engine.symbolic.Code` dialect handed out."""
    helpers = _python_helpers()
    return {name: helpers[key] if isinstance(key, str) else _python_function(key) for name, key in functions.items()}
