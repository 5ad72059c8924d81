"""JAX-style function transforms: ``grad``, ``value_and_grad``, ``vjp``, ``jacobian``, ``hessian``.

Each returns a new function. Derivatives come back as Values with graphs of their
own, so the transforms compose to any order: ``grad(grad(f))(x)``. An argument may
be a number, a Value, or a list of them (differentiated element by element).
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from ..arguments import flatten, regroup, sizes_of
from ..checks import as_float, data_of, instead_of
from ..discrete import Index
from ..graph import topological_order
from ..reductions import dot
from ..reverse import carry, isolated_gradients
from ..value import Value, _ids
from .forward import Dual
from .jacobian_modes import JacobianPlan, forward_rows, plan

ArgNums = Union[int, Sequence[int]]


def _argnums(argnums: ArgNums, nargs: int, name: str) -> Tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or any(not isinstance(i, int) or not -nargs <= i < nargs for i in nums):
        raise ValueError(f"{name}: argnums {argnums!r} does not fit a call with {nargs} arguments")
    return tuple(i % nargs for i in nums)


def _differentiated_leaf(x: Any, name: str) -> Value:
    # A Value passed in stays itself, so an outer transform can differentiate through us.
    if isinstance(x, Value):
        return x
    try:  # any real number, NumPy's included, as a float; nan, inf and bools are errors as everywhere
        return Value(as_float(x, f"{name}: an argument"))
    except TypeError:
        raise TypeError(f"{name}: can only differentiate with respect to numbers or Values "
                        f"(or lists of them), got {type(x).__name__} {x!r}{instead_of(x)}") from None


def _prepare(args: tuple, nums: Tuple[int, ...], name: str) -> Tuple[list, List[Any]]:
    """The arguments with leaves in place of the differentiated ones, and those leaves by argument."""
    args = list(args)
    leaves: List[Any] = []
    for i in nums:
        if isinstance(args[i], (list, tuple)):
            args[i] = [_differentiated_leaf(x, name) for x in args[i]]
            leaves.append(list(args[i]))
        else:
            args[i] = _differentiated_leaf(args[i], name)
            leaves.append(args[i])
    return args, leaves


def as_scalar(out: Any, name: str) -> Value:
    if isinstance(out, Value):
        return out
    if isinstance(out, Index):
        raise TypeError(f"{name}: f returned {out!r} from argmax; {Index.no_gradient}")
    if isinstance(out, (int, float)) and not isinstance(out, bool):
        return Value(out)  # a constant function: every derivative is 0
    if isinstance(out, (list, tuple)):
        raise TypeError(f"{name}: f must return a scalar, but it returned a {type(out).__name__} of "
                        f"{len(out)} values; use jacobian(f) for functions with several outputs")
    raise TypeError(f"{name}: f must return a scalar Value, got {type(out).__name__} {out!r}")


def _gradients(out: Value, leaves: List[Any]) -> List[Any]:
    return regroup(_values(isolated_gradients(out, flatten(leaves))), sizes_of(leaves))


def _values(derivatives: Sequence[Any]) -> List[Value]:
    """Derivatives as Values: a number (one that does not depend on the inputs) as a constant."""
    return [g if isinstance(g, Value) else Value(g) for g in derivatives]


def value_and_grad(f: Callable[..., Any], argnums: ArgNums = 0, *, name: str = "value_and_grad"
                   ) -> Callable[..., Tuple[Value, Any]]:
    """A function returning ``(f(*args), df/d args[argnums])``, the gradient as differentiable Values.

    ``name`` is what error messages call the transform (``hessian`` passes its own).

    >>> v, g = value_and_grad(lambda x, y: x * y + y)(2.0, 5.0)
    >>> v.data, g.data
    (15.0, 5.0)
    """

    def wrapped(*args: Any) -> Tuple[Value, Any]:
        nums = _argnums(argnums, len(args), name)
        if any(isinstance(x, Dual) for a in args for x in (a if isinstance(a, (list, tuple)) else [a])):
            out, grads = _forward_over_reverse(f, args, nums, name)
        else:
            call_args, leaves = _prepare(args, nums, name)
            out = f(*call_args)
            grads = _dual_gradients(out, leaves, name) if isinstance(out, Dual) else \
                _gradients(as_scalar(out, name), leaves)
        return out, (grads[0] if isinstance(argnums, int) else tuple(grads))

    return wrapped


def _dual_gradients(out: Dual, leaves: List[Any], name: str) -> List[Any]:
    """Gradients of a dual-number result (f used a jvp's input from outside): the gradient of the
    primal part and of the tangent part, paired as dual numbers."""
    parts = [_dual_gradients(p, leaves, name) if isinstance(p, Dual) else _gradients(as_scalar(p, name), leaves)
             for p in (out.primal, out.tangent)]
    return [[Dual(a, b, out.tag) for a, b in zip(p, t)] if isinstance(p, list) else Dual(p, t, out.tag)
            for p, t in zip(*parts)]


def _forward_over_reverse(f: Callable[..., Any], args: tuple, nums: Tuple[int, ...], name: str
                          ) -> Tuple[Any, List[Any]]:
    """grad of f at dual-number arguments (``jvp(grad(f), ...)``): the gradient and its directional
    derivative (a Hessian-vector product).

    f runs once on float Values, recording its graph; then every node is recomputed
    from its parents on the richer numbers it stands for (dual numbers, which may hold
    dual numbers or Values themselves), and the reverse pass applies each op's rule to
    those: the same rules as ever, one forward sweep and one reverse pass.
    """
    rich: dict = {}

    def leaf(x: Any, differentiated: bool) -> Any:
        if isinstance(x, Dual):
            v = Value(x.data)
            rich[v] = x
        elif differentiated:
            v = _differentiated_leaf(x, name)
            rich[v] = v if v is x else v.data
        else:
            return x  # a plain argument, as f gets it from grad
        return v

    call_args = [[leaf(x, i in nums) for x in a] if isinstance(a, (list, tuple)) else leaf(a, i in nums)
                 for i, a in enumerate(args)]
    leaves = [call_args[i] for i in nums]
    start = next(_ids)
    out = as_scalar(f(*call_args), name)
    order = topological_order(out)
    for node in order:
        if node._id < start and node not in rich:
            rich[node] = node  # Values made before f ran (a model's weights) stand for themselves
    rich.update(carry([n for n in order if n not in rich], rich.__getitem__, "jvp of grad"))
    grads = regroup(isolated_gradients(out, flatten(leaves), number_of=rich.__getitem__), sizes_of(leaves))
    return rich[out], grads


def vjp(f: Callable[..., Any], *primals: Any) -> Tuple[Any, Callable[[Any], tuple]]:
    """``(f(*primals), pullback)``, as JAX's ``jax.vjp``: ``pullback(v)`` is v^T J, the cotangent ``v`` (shaped
    like f's output) pulled back through f, one entry per primal (a list for a list primal).

    Backpropagation: The Engine of Deep Learning (§7.4.1, Backward Function Notation, lines 818-832) calls
    ``pullback`` the
    backward function B[f, z](v): it is linear in v, and B[f o g, z](v) = B[g, z](B[f, g(z)](v)).
    f runs once; each call of ``pullback`` is one reverse pass over its graph.

    >>> y, back = vjp(lambda x, y: [x * y, x + y], 2.0, 5.0)
    >>> y, back([1.0, 0.0]), back([0.0, 1.0])
    ([10.0, 7.0], (5.0, 2.0), (1.0, 1.0))
    """
    call_args, leaves = _prepare(primals, tuple(range(len(primals))), "vjp")
    out = f(*call_args)
    many = isinstance(out, (list, tuple))
    outs = [as_scalar(o, f"vjp (output {i})") for i, o in enumerate(out)] if many else [as_scalar(out, "vjp")]

    def pullback(cotangent: Any) -> tuple:
        shaped = isinstance(cotangent, (list, tuple))
        if shaped != many or shaped and len(cotangent) != len(outs):
            raise ValueError(f"vjp: the cotangent must be shaped like f's output, "
                             f"{f'a list of {len(outs)}' if many else 'one number'}; got {cotangent!r}")
        cotangents = [as_float(c, "vjp: a cotangent") for c in (cotangent if shaped else [cotangent])]
        pulled = isolated_gradients(dot(outs, cotangents), flatten(leaves), create_graph=False)
        return tuple(regroup([data_of(g) for g in pulled], sizes_of(leaves)))

    return ([o.data for o in outs] if many else outs[0].data), pullback


def grad(f: Callable[..., Any], argnums: ArgNums = 0, *, name: str = "grad") -> Callable[..., Any]:
    """A function returning df/dx as a Value (a tuple for several ``argnums``); compose for higher orders.

    >>> d2 = grad(grad(lambda x: x ** 3))
    >>> d2(2.0).data
    12.0
    """
    vg = value_and_grad(f, argnums, name=name)
    return lambda *args: vg(*args)[1]


MODES = ("rev", "fwd", "auto")


def jacobian(f: Callable[..., Any], argnums: ArgNums = 0, *, mode: str = "rev") -> Callable[..., Any]:
    """A function returning the Jacobian of f: one row per output, one column per input.

    For ``f`` from a list of n numbers to a list of m, the result is an m x n list
    of Values; a scalar input gives one Value per output, a scalar output its gradient.
    ``mode`` is ``"rev"`` (one reverse pass per output), ``"fwd"`` (one forward sweep per
    input) or ``"auto"``: whichever does less work on f's trace, as :func:`jacobian_plan` counts.

    >>> J = jacobian(lambda v: [v[0] * v[1], v[0] + 3 * v[1]])([2.0, 5.0])
    >>> [[d.data for d in row] for row in J]
    [[5.0, 2.0], [1.0, 3.0]]
    >>> [d.data for d in jacobian(lambda x: [x, x * x, x ** 3], mode="auto")(2.0)]
    [1.0, 4.0, 12.0]
    """
    if mode not in MODES:
        raise ValueError(f"jacobian: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r}")
    return _jacobian(f, argnums, mode, "jacobian")


def _jacobian(f: Callable[..., Any], argnums: ArgNums, mode: str, name: str) -> Callable[..., Any]:
    """``jacobian``, its errors naming the transform the user called (``hessian`` for the Jacobian of a gradient)."""

    def wrapped(*args: Any) -> Any:
        outs, leaves, many = _traced(f, args, argnums, name)
        inputs = flatten(leaves)
        chosen = plan(outs, inputs).mode if mode == "auto" else mode
        rows = forward_rows(outs, inputs) if chosen == "fwd" else [isolated_gradients(y, inputs) for y in outs]
        shaped = [regroup(_values(row), sizes_of(leaves)) for row in rows]
        shaped = [row[0] if isinstance(argnums, int) else tuple(row) for row in shaped]
        return shaped if many else shaped[0]

    return wrapped


def jacrev(f: Callable[..., Any], argnums: ArgNums = 0) -> Callable[..., Any]:
    """The Jacobian of f by reverse mode, one pass per output: ``jacobian(f, argnums, mode="rev")``, as JAX names it.

    >>> [[d.data for d in row] for row in jacrev(lambda v: [v[0] * v[1]])([2.0, 5.0])]
    [[5.0, 2.0]]
    """
    return jacobian(f, argnums, mode="rev")


def jacobian_plan(f: Callable[..., Any], *args: Any, argnums: ArgNums = 0) -> JacobianPlan:
    """Which mode ``jacobian(f, mode="auto")`` takes at ``args``, and why: each mode's work counted on f's trace.

    >>> p = jacobian_plan(lambda v: sum(v).tanh().exp().tanh(), [0.1 * k for k in range(8)])
    >>> p.mode, p.inputs, p.outputs
    ('rev', 8, 1)
    >>> jacobian_plan(lambda x: [x * k for k in range(8)], 2.0).mode
    'fwd'
    """
    outs, leaves, _ = _traced(f, args, argnums, "jacobian_plan")
    return plan(outs, flatten(leaves))


def _traced(f: Callable[..., Any], args: tuple, argnums: ArgNums, name: str) -> Tuple[List[Value], List[Any], bool]:
    """f called on leaves in place of the differentiated arguments: its outputs as Values, the leaves by argument,
    and whether f returned a list."""
    call_args, leaves = _prepare(args, _argnums(argnums, len(args), name), name)
    out = f(*call_args)
    many = isinstance(out, (list, tuple))
    outs = [as_scalar(y, f"{name} (output {i})") for i, y in enumerate(out)] if many else [as_scalar(out, name)]
    return outs, leaves, many


def hessian(f: Callable[..., Any], argnums: int = 0) -> Callable[..., Any]:
    """A function returning the matrix of second derivatives of a scalar f (the Jacobian of its gradient).

    >>> H = hessian(lambda v: v[0] ** 2 * v[1])([3.0, 2.0])
    >>> [[d.data for d in row] for row in H]
    [[4.0, 6.0], [6.0, 0.0]]
    """
    if not isinstance(argnums, int):
        raise TypeError(f"hessian: argnums must be one int, got {argnums!r}; pass the inputs as one list")
    return _jacobian(grad(f, argnums, name="hessian"), argnums, "rev", "hessian")
