"""``nn.to_torch``: a chainrule model (and its loss) as a ``torch.nn.Module``, to train with PyTorch's optimizers,
save with ``torch.save``, or spread over processes with ``DistributedDataParallel``.

One sample's forward pass is traced once (``engine.compile``) and lifted to array operations; the module runs
that program on PyTorch tensors, and its backward pass is the ops' own rules (``engine.compiler.torch_module``).
The parameters are named as PyTorch's counterpart names them (``Module.torch_state``), so an MLP's state dict
loads into ``torch.nn.Sequential(Linear, ReLU, ..., Linear)`` and back.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import engine
from engine import Value, no_grad

from .compiled_step import not_replayable, with_output
from .module import MLP, Layer, Module
from .step import modules_of


def to_torch(model: Module, loss: Optional[Callable[[list, list], Value]] = None, example: Optional[Sequence] = None,
             device: Any = None, dtype: Any = "float64") -> Any:
    """``model`` as a ``torch.nn.Module`` whose parameters start at the model's numbers (PyTorch is optional).

    Without ``loss``, ``module(x)`` maps a batch ``x`` of shape (n, inputs) to the outputs, (n, outputs) (or (n,)
    for a model of one output), differentiable in the parameters and in ``x``. With ``loss`` (one of
    ``nn.losses``), ``module(x, t)`` returns each sample's loss, shape (n,), and the outputs, without gradient;
    class labels ``t`` (whole numbers) are taken as one-hot rows, as ``fit`` takes them. Take the mean for the
    batch's loss, as ``fit`` does. ``module.write_back()`` puts the trained numbers back into the model.
    ``example`` is one sample's input, for tracing; an ``MLP`` or a ``Layer`` knows its own size.

    >>> import random, torch; random.seed(0)                           # doctest: +SKIP
    >>> from nn import MLP, losses                                     # doctest: +SKIP
    >>> module = to_torch(MLP(2, [4, 3]), losses.cross_entropy)        # doctest: +SKIP
    >>> sorted(module.state_dict())                                    # doctest: +SKIP
    ['0.bias', '0.weight', '2.bias', '2.weight']
    >>> per_sample, scores = module(torch.zeros(5, 2), torch.tensor([0, 1, 2, 0, 1]))   # doctest: +SKIP
    >>> per_sample.shape, scores.shape                                 # doctest: +SKIP
    (torch.Size([5]), torch.Size([5, 3]))
    """
    from engine.compiler.torch_module import need_torch, to_torch as program_to_torch

    torch = need_torch("nn.to_torch")
    if not isinstance(model, Module):
        raise TypeError(f"nn.to_torch takes a chainrule model (an nn.Module), got {type(model).__name__}")
    for m in modules_of(model):
        why = not_replayable(m)
        if why:
            raise ValueError(f"nn.to_torch traces one sample and replays it, but {m!r} in training mode {why}; call "
                             f"model.eval() first, to run it with that fixed")
    state = model.torch_state()
    trained = {id(p) for p in model.parameters()}
    buffers = [name for name, _, values in state if not any(id(v) in trained for v in values)]  # running averages
    x0 = [0.0] * _inputs(model) if example is None else list(example)
    with no_grad():
        first = model(x0)
    outputs = len(first) if isinstance(first, (list, tuple)) else None
    if loss is None:
        program = engine.compile(lambda x, c: _with_outputs(model(x), c), x0, [0.0] * outputs if outputs else 0.0)
        return program_to_torch(program, state, device, dtype, cotangent=True, buffers=buffers)

    def one_hot(x: Any, t: Any) -> tuple:
        t = torch.as_tensor(t)
        if outputs and t.ndim == 1 and not t.is_floating_point():
            t = torch.nn.functional.one_hot(t.long(), outputs)
        return x, t

    target = [0.0] * outputs if outputs else 0.0
    program = engine.compile(lambda x, t: with_output(loss, model(x), t), x0, target)
    return program_to_torch(program, state, device, dtype, prepare=one_hot, buffers=buffers)


def _with_outputs(out: Any, cotangent: Any) -> tuple:
    """The outputs' dot product with their adjoint (the main output, whose gradient is the vector-Jacobian
    product), then the outputs themselves."""
    if isinstance(out, (list, tuple)):
        return engine.dot(list(out), cotangent), list(out)
    return out * cotangent, out


def _inputs(model: Module) -> int:
    """How many numbers one sample of ``model`` takes, where the model says."""
    if isinstance(model, MLP):
        return model.config["nin"]
    if isinstance(model, Layer):
        return len(model.neurons[0].w)
    raise TypeError(f"nn.to_torch: pass example=, one sample's input, to trace {type(model).__name__} with")
