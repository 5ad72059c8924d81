"""Networks built layer by layer: ``Sequential``, ``Residual`` blocks and ``Activation`` layers.

Where ``MLP`` is micrograd's fixed stack, ``Sequential`` takes any modules in turn, as
PyTorch's does, so batch normalisation, dropout and skip connections fit between layers:

    Sequential(Layer(2, 16, activation="linear"), BatchNorm(16), Activation("relu"),
               Residual(Layer(16, 16, activation="tanh")), Dropout(0.1), Layer(16, 1, activation="linear"))

Every module works on a batch (``forward_batch``): most apply to each sample alone, and
``BatchNorm`` takes its statistics over the whole batch.
"""

from __future__ import annotations

from collections import deque
from typing import Any, List, Sequence, Tuple

from .saving import build, register
from .module import ACTIVATIONS, Layer, Module, _choice, _listlike, activate, as_inputs, as_list


def _one_or_list(row: List[Any]) -> Any:
    return row[0] if len(row) == 1 else row


def _nested_map(x: Sequence[Any], f: Any) -> List[Any]:
    """``f`` of every number in nested lists, the nesting kept, in order (channel by channel, row by row);
    walked without recursion."""
    out: List[Any] = []
    queue = deque([(x, out)])
    while queue:
        items, into = queue.popleft()
        for item in items:
            if isinstance(item, (list, tuple)):
                inner: List[Any] = []
                into.append(inner)
                queue.append((item, inner))
            else:
                into.append(f(item))
    return out


class Activation(Module):
    """An activation function as a layer of its own: ``Activation("relu")``.

    >>> [v.data for v in Activation("relu")([-1.0, 2.0])]
    [0.0, 2.0]
    """

    def __init__(self, name: str) -> None:
        self.name = _choice(name, ACTIVATIONS, "activation")

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        if not _listlike(x):  # was: "object of type 'int' has no len()"
            raise TypeError(f"Activation expects a list of numbers or Values, got {type(x).__name__} {x!r}")
        if self.name == "linear":
            return list(x)
        if len(x) and isinstance(x[0], (list, tuple)):  # channels of rows (a convolution's output): entry by entry
            return _nested_map(x, lambda v: activate(v, self.name))
        return [activate(v, self.name) for v in as_inputs(x, len(x), "Activation")]

    def spec(self) -> dict:
        return {"type": "Activation", "name": self.name}

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


class Sequential(Module):
    """Modules applied in turn. Returns a Value when the last gives one output, a list otherwise.

    Parameters are named by position, as in PyTorch: ``0.neuron3.w0``, ``1.gamma0``.

    >>> import random; random.seed(0)
    >>> from nn import BatchNorm, Layer
    >>> net = Sequential(Layer(2, 3, activation="linear"), BatchNorm(3), Activation("tanh"), Layer(3, 1, activation="linear"))
    >>> len(net.parameters()), net.named_parameters()[9][0]
    (19, '1.gamma0')
    >>> [round(y.data, 4) for y in net.forward_batch([[0.5, -1.0], [1.0, 2.0]])]
    [-0.7675, 0.7675]
    """

    def __init__(self, *layers: Module) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        if not layers:
            raise ValueError("Sequential needs at least one module")
        for i, m in enumerate(layers):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential takes modules (Layer, BatchNorm, Dropout, Activation, Residual, ...), "
                                f"got {type(m).__name__} {m!r} at position {i}")
        self.layers = list(layers)
        for i, m in enumerate(self.layers):
            if isinstance(m, Layer):  # errors say which module: "module 0 of Sequential, Layer(3, 4), expects ..."
                m.who = f"module {i} of Sequential, Layer({len(m.neurons[0].w)}, {len(m.neurons)}),"
        self.set_scope("")

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        for i, m in enumerate(self.layers):
            if hasattr(m, "set_scope"):
                m.set_scope(f"{scope}.{i}" if scope else str(i))

    def children(self) -> List[Module]:
        return list(self.layers)

    def forward_batch(self, X: Sequence[Any]) -> List[Any]:
        batch = [as_list(x) for x in X]
        for m in self.layers:
            batch = [as_list(out) for out in m.forward_batch(batch)]
        return [_one_or_list(row) for row in batch]

    def __call__(self, x: Sequence[Any]) -> Any:
        return self.forward_batch([x])[0]

    def parameters(self) -> List[Any]:
        return [p for m in self.layers for p in m.parameters()]

    def named_parameters(self) -> List[Tuple[str, Any]]:
        return [item for m in self.layers for item in m.named_parameters()]

    def named_buffers(self) -> List[Tuple[str, Any]]:
        return [item for m in self.layers for item in m.named_buffers()]

    def layer_grad_norms(self) -> List[float]:
        """The gradient norm of each module that has parameters, first first (see ``MLP.layer_grad_norms``)."""
        return [m.grad_norm() for m in self.layers if m.parameters()]

    def spec(self) -> dict:
        for i, m in enumerate(self.layers):
            if not callable(getattr(m, "spec", None)):
                raise TypeError(f"save: the module at position {i}, {type(m).__name__}, cannot be described in a "
                                f"checkpoint (it has no spec()); checkpoints hold Layer, MLP, BatchNorm, LayerNorm, "
                                f"Embedding, PositionalEmbedding, MultiHeadAttention, TransformerBlock, Dropout, "
                                f"Activation, Residual and Sequential")
        return {"type": "Sequential", "layers": [m.spec() for m in self.layers]}

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {m!r}" for i, m in enumerate(self.layers))
        return f"Sequential({inner}\n)"


class Residual(Module):
    """``x + block(x)``: a skip connection, so the gradient reaches earlier layers through the identity
    even where the block's own derivative is small. The block must keep the width.

    >>> import random; random.seed(0)
    >>> from nn import Layer
    >>> block = Residual(Layer(2, 2, activation="tanh"))
    >>> [round(v.data, 4) for v in block([0.5, -1.0])]
    [0.3302, -0.6177]
    """

    def __init__(self, block: Module) -> None:
        if not isinstance(block, Module):
            raise TypeError(f"Residual wraps a module, got {type(block).__name__} {block!r}")
        self.block = block
        self.set_scope("residual")

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        if hasattr(self.block, "set_scope"):
            self.block.set_scope(f"{scope}.block")

    def children(self) -> List[Module]:
        return [self.block]

    def forward_batch(self, X: Sequence[Any]) -> List[List[Any]]:
        rows = [as_list(x) for x in X]
        outs = [as_list(out) for out in self.block.forward_batch(rows)]
        for x, out in zip(rows, outs):
            if len(out) != len(x):
                raise ValueError(f"Residual: the block maps {len(x)} features to {len(out)}, but x + block(x) "
                                 f"needs the same number")
        return [[a + b for a, b in zip(x, out)] for x, out in zip(rows, outs)]

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        return self.forward_batch([x])[0]

    def parameters(self) -> List[Any]:
        return self.block.parameters()

    def named_parameters(self) -> List[Tuple[str, Any]]:
        return self.block.named_parameters()

    def named_buffers(self) -> List[Tuple[str, Any]]:
        return self.block.named_buffers()

    def spec(self) -> dict:
        return {"type": "Residual", "block": self.block.spec()}

    def __repr__(self) -> str:
        return f"Residual({self.block!r})"


def _sequential(layers: Any) -> Sequential:
    if not isinstance(layers, list):
        raise ValueError(f"Sequential's layers must be a list, got {layers!r}")
    return Sequential(*[build(spec) for spec in layers])


register("Sequential", _sequential, alone=True)
register("Activation", Activation)
register("Residual", lambda block: Residual(build(block)))
