"""``Program.to_torch()``: a compiled program as a ``torch.nn.Module``, for PyTorch's optimizers, its saving and
loading, and its distributed training.

The module's forward pass is the lifted array program (``compiler.lifting``) on the PyTorch back-end, and its
backward pass is the lifted backward: the ops' own rules, as everywhere else, joined to PyTorch's autograd by one
``torch.autograd.Function``. Its forward runs the forward body on a frame and keeps the frame; its backward writes
PyTorch's incoming gradient as the main output's adjoint (the seed) and runs the backward body on that frame. A
batch holding nan or inf anywhere is run again by ``Program.batch``'s own path, which replays the samples at fault
alone, to give the eager engine's answer or its clear error (in float32 or float16 such a batch is an
OverflowError, as ``Program.batch`` gives). The parameters are ``torch.nn.Parameter``s, made from
the Values' numbers; ``write_back()`` puts their numbers back into the Values. PyTorch is optional: without it,
``to_torch`` says what to install (the example runs in tests/engine/compiler/test_torch_module.py):

>>> import torch, engine                                          # doctest: +SKIP
>>> w = engine.Value(2.0, label="w")                              # doctest: +SKIP
>>> module = engine.compile(lambda x: (x * w - 1.0) ** 2, 1.0).to_torch()   # doctest: +SKIP
>>> module(torch.tensor([1.0, 2.0])).mean().backward()            # doctest: +SKIP
>>> module.weights.grad.tolist()  # d/dw of mean((x w - 1)^2) at x = 1, 2     # doctest: +SKIP
[7.0]
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..arguments import regroup
from .arrays import precision
from .batch import arguments, backward, forward, made_for, results, run_lifted, torch_backend
from .torch_backend import need_torch

# A tensor's entries as named Values: (name, shape, Values in row-major order), as ``nn.Module.torch_state`` gives.
Named = Sequence[Tuple[str, Tuple[int, ...], Sequence[Any]]]


def to_torch(program: Any, named: Optional[Named] = None, device: Any = None, dtype: Any = "float64",
             cotangent: bool = False, prepare: Optional[Callable[..., tuple]] = None,
             buffers: Sequence[str] = ()) -> Any:
    """The module of ``program`` (see the module docstring; ``Program.to_torch`` documents the arguments).
    ``named`` groups the parameters into tensors under PyTorch's names (``nn.to_torch`` passes a model's
    ``torch_state()``); without it they are one flat tensor, ``weights``. ``cotangent``: the program's last
    argument is the extra outputs' adjoint, and its main output their dot product (``nn.to_torch`` without a
    loss); the module then returns the extra outputs, differentiable. ``prepare(*args)`` turns the module's
    arguments into the program's (class labels into one-hot rows, say). ``buffers`` names the entries of
    ``named`` that are state, not parameters (a batch norm's running averages): PyTorch buffers, never trained."""
    need_torch("to_torch()")
    backend = torch_backend(device, precision(dtype))
    if made_for(program, backend, input_grads=True) is None:
        raise ValueError("to_torch: an output of this program is a parameter itself, which the lifted program has "
                         "no row for; return it times 1.0")
    return _classes()[0](program, named, backend, cotangent, prepare, frozenset(buffers))


@functools.lru_cache(maxsize=None)
def _classes() -> Tuple[type, type]:
    """The module and autograd classes, made once PyTorch is imported (it is optional)."""
    import torch

    class Compiled(torch.nn.Module):
        """A compiled chainrule program as a PyTorch module (see ``engine.compiler.torch_module``)."""

        def __init__(self, program: Any, named: Optional[Named], backend: Any, cotangent: bool,
                     prepare: Optional[Callable[..., tuple]], buffers: frozenset = frozenset()) -> None:
            super().__init__()
            self.program, self.backend, self.cotangent, self.prepare = program, backend, cotangent, prepare
            make = dict(dtype=backend.dtype, device=backend.device)
            if named is None:
                named = [("weights", (len(program.parameters),), program.parameters)]
            self._order: List[Tuple[str, List[Any]]] = []
            for name, shape, entries in named:
                *path, leaf = name.split(".")
                owner = self
                for part in path:  # "0.weight": a child "0" holding "weight", as in torch.nn.Sequential
                    if part not in owner._modules:
                        owner.add_module(part, torch.nn.Module())
                    owner = owner._modules[part]
                data = torch.tensor([v.data for v in entries], **make).reshape(shape)
                if name in buffers:
                    owner.register_buffer(leaf, data)
                else:
                    owner.register_parameter(leaf, torch.nn.Parameter(data))
                self._order.append((name, list(entries)))
            # where each of the program's parameters sits in the named tensors laid end to end (``order``), and
            # which of the program's parameters each entry there is (``inverse``; the last, a zero, for an entry
            # the program does not read); a parameter of the program that ``named`` leaves out stays fixed, in a
            # buffer after them
            flat = [v for _, entries in self._order for v in entries]
            position: Dict[int, int] = {}
            for k, v in enumerate(flat):
                position.setdefault(id(v), k)
            # a Value named twice (a layer used twice) is read, and written back, from its first place only
            self._first = [position[id(v)] == k for k, v in enumerate(flat)]
            fixed = [p for p in program.parameters if id(p) not in position]
            for k, p in enumerate(fixed):
                position[id(p)] = len(flat) + k
            order = [position[id(p)] for p in program.parameters]
            inverse = [len(order)] * len(flat)
            for j, k in enumerate(order):
                if k < len(flat):
                    inverse[k] = j
            self.register_buffer("fixed", torch.tensor([p.data for p in fixed], **make), persistent=False)
            for name, numbers in (("order", order), ("inverse", inverse)):
                self.register_buffer(name, torch.tensor(numbers, dtype=torch.long, device=backend.device),
                                     persistent=False)

        def tensors(self) -> List[Any]:
            """The parameter (and buffer) tensors, in the order they are laid end to end; looked up as attributes,
            so that ``torch.func.functional_call`` can stand others in for them."""
            found = []
            for name, _ in self._order:
                *path, leaf = name.split(".")
                found.append(getattr(self.get_submodule(".".join(path)) if path else self, leaf))
            return found

        def flat(self, tensors: Sequence[Any]) -> Any:
            """The program's parameters as one tensor, in ``Program.parameters`` order."""
            return torch.cat([t.reshape(-1) for t in tensors] + [self.fixed])[self.order]

        def forward(self, *args: Any) -> Any:
            """Per-sample main outputs (with the extra outputs, which carry no gradient, if there are any), or
            with ``cotangent`` the extra outputs, differentiable."""
            if self.prepare is not None:
                args = self.prepare(*args)
            if self.cotangent:
                n, width = len(args[0]), self.program.shapes[-1]
                zero = torch.zeros((n, width or 1), dtype=self.backend.dtype, device=self.backend.device)
                args = (*args, zero if width else zero[:, 0])
            # under torch.no_grad() nobody will call backward: the frame then goes back at once
            return Replay.apply(self, torch.is_grad_enabled(), *self.tensors(), *args)

        def write_back(self) -> None:
            """The parameters' numbers into the Values (``p.data``), for chainrule to go on from there."""
            first = iter(self._first)
            for (_, entries), tensor in zip(self._order, self.tensors()):
                numbers = tensor.detach().to("cpu", torch.float64).reshape(-1).tolist()
                for v, x in zip(entries, numbers):
                    if next(first):
                        v.data = x  # through the setter: a graph that read the old number refuses its backward

        def extra_repr(self) -> str:
            return (f"{len(self.program.tape)} instructions, {len(self.program.parameters)} parameters, on "
                    f"{self.backend.name}")

    class Replay(torch.autograd.Function):
        """The lifted forward body, and on a backward call the lifted backward body on the same frame."""

        @staticmethod
        def forward(ctx: Any, module: Any, recording: bool, *given: Any) -> Any:
            program, backend = module.program, module.backend
            tensors, args = given[:len(module._order)], given[len(module._order):]
            P = module.flat(tensors)
            input_grads = recording and any(ctx.needs_input_grad[2 + len(tensors):])
            made = made_for(program, backend, input_grads)  # without the inputs' gradients when none is wanted
            _, n, blocks = arguments(program, args, backend)
            ctx.module, ctx.P, ctx.args, ctx.frame, ctx.n, ctx.made = module, P, args, None, n, made
            # the frame reads the caller's tensors again in backward: PyTorch's own check then refuses one
            # changed in place meanwhile, as it does for its layers
            ctx.save_for_backward(*[a for a in args if isinstance(a, torch.Tensor)])
            ctx.shapes = [t.shape for t in tensors]
            frame = made.frames.take(n)
            forward(made, frame, P, blocks, backend)
            with backend.quiet():
                finite = backend.finite(frame.V[made.inputs:])
            if finite:
                values, extra = frame.V[made.out].clone(), frame.V[made.extra]  # a gather: a copy
                if recording and any(ctx.needs_input_grad):
                    ctx.frame = frame  # the backward body runs on it
                else:
                    made.frames.give(n, frame)
            else:  # a sample at fault: Program.batch's own path replays it alone (its answer, or its error)
                made.frames.give(n, frame)
                done = _retried(program, args, backend, P, 1.0, input_grads)
                values = done.values
                extra = None if done.aux is None else (done.aux[None] if done.aux.ndim == 1 else done.aux.T)
            if module.cotangent:  # the extra outputs, over the samples: (n, k), or (n,) for one Value
                return extra.T.contiguous() if program.shapes[-1] else extra[0].clone()
            if program.aux_kind is None:
                return values
            aux = extra[0] if program.aux_kind == "value" else extra.T.contiguous()
            ctx.mark_non_differentiable(aux)
            return values, aux

        @staticmethod
        @torch.autograd.function.once_differentiable
        def backward(ctx: Any, seed: Any, *_: Any) -> Any:
            module, args, made = ctx.module, ctx.args, ctx.made
            ctx.saved_tensors  # noqa: B018  (raises if an argument was changed in place since forward)
            program, backend = module.program, module.backend
            input_grads = any(ctx.needs_input_grad[2 + len(ctx.shapes):])
            frame, ctx.frame = ctx.frame, None
            if module.cotangent:  # the outputs' adjoint is the last argument, which the backward body reads
                width = program.shapes[-1]
                args = (*args[:-1], seed)
                if frame is not None:
                    frame.argument(len(program.shapes) - 1, made.inputs - (width or 1), seed.T if width else seed[None])
                seed = 1.0
            done = None
            if frame is not None:
                with backend.quiet():
                    backward(made, frame, seed)
                    finite = backend.finite(frame.G, frame.GP)
                done = results(made, frame, backend, input_grads, finite)
                made.frames.give(ctx.n, frame)
                if done.finite:  # its input gradients, one row per input slot, grouped as Program.batch groups them
                    done = done._replace(grads=regroup(done.grads, program.shapes, backend.stack) if input_grads else ())
            if done is None or not done.finite:  # on Program.batch's path: a gradient at fault, or a 2nd backward
                done = _retried(program, args, backend, ctx.P, seed, input_grads)
            # each named tensor's gradient: the program's, gathered back to the tensors' layout (0 where unread)
            spread = torch.cat([done.param_grads, done.param_grads.new_zeros(1)])[module.inverse]
            wanted = ctx.needs_input_grad[2:2 + len(ctx.shapes)]  # a buffer (a running average) wants none
            grads = [g.reshape(shape) if want else None
                     for g, shape, want in zip(spread.split([s.numel() for s in ctx.shapes]), ctx.shapes, wanted)]
            needed = ctx.needs_input_grad[2 + len(grads):]
            return (None, None, *grads, *[done.grads[i] if need else None for i, need in enumerate(needed)])

    return Compiled, Replay


def _retried(program: Any, args: Sequence[Any], backend: Any, P: Any, seed: Any, input_grads: bool) -> Any:
    """A pass on ``Program.batch``'s own path, which replays each sample at fault alone (the eager engine's
    answer, or its clear error); its input gradients grouped as the arguments are."""
    done = run_lifted(program, args, backend, P, input_grads=input_grads, seed=seed)
    if done is None:
        raise FloatingPointError("to_torch: a parameter's gradient, summed over the batch, is not finite (every "
                                 "sample's own is): the sum overflowed; scale the loss down, or use smaller batches")
    return done
