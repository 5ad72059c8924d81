"""Neurons, layers and MLPs, compatible with micrograd's ``nn``."""

from __future__ import annotations

import random
from typing import List, Sequence, Union

from engine import Value, dot
from engine.value import _coerce

Inputs = Sequence[Union[Value, float, int]]


class Module:
    """Something with parameters: a neuron, a layer, a whole network."""

    def parameters(self) -> List[Value]:
        """Every trainable Value, in a fixed order. ``MLP(2, [16, 16, 1]).parameters()`` has 337."""
        return []

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0, before the next ``backward()``."""
        for p in self.parameters():
            p.grad = 0.0


def as_inputs(x: Inputs, nin: int, who: str) -> List[Value]:
    """The inputs as Values, plain numbers becoming constants labelled x0, x1, ..."""
    if isinstance(x, (Value, int, float)) or not hasattr(x, "__len__"):
        raise TypeError(f"{who} expects a list of {nin} numbers or Values, got {type(x).__name__} {x!r}")
    if len(x) != nin:
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}")
    values = [_coerce(v) for v in x]
    for i, (raw, v) in enumerate(zip(x, values)):
        if v is not raw:
            v.label = f"x{i}"
    return values


class Neuron(Module):
    """``relu(w . x + b)``, or linear with ``nonlin=False``; w ~ uniform(-1, 1), b = 0.

    >>> import random; random.seed(0)
    >>> Neuron(2)([1.0, -1.0]).data >= 0
    True
    """

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        if not isinstance(nin, int) or isinstance(nin, bool) or nin < 1:
            raise ValueError(f"Neuron needs a positive whole number of inputs, got {nin!r}")
        self.w = [Value(random.uniform(-1, 1), label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b")
        self.nonlin = nonlin

    def __call__(self, x: Inputs) -> Value:
        return self._forward(as_inputs(x, len(self.w), "Neuron"))

    def _forward(self, x: List[Value]) -> Value:
        act = dot(self.w, x, bias=self.b)  # one fused node for the whole weighted sum
        return act.relu() if self.nonlin else act

    def parameters(self) -> List[Value]:
        return self.w + [self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; extra arguments go to each Neuron."""

    def __init__(self, nin: int, nout: int, **kwargs: bool) -> None:
        if not isinstance(nout, int) or isinstance(nout, bool) or nout < 1:
            raise ValueError(f"Layer needs a positive whole number of outputs, got {nout!r}")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Inputs) -> Union[Value, List[Value]]:
        x = as_inputs(x, len(self.neurons[0].w), "Layer")
        out = [n._forward(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> List[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """A multi-layer perceptron: ReLU hidden layers, a linear last layer.

    Returns a Value when the last layer has one output, a list otherwise.

    >>> import random; random.seed(1)
    >>> model = MLP(2, [16, 16, 1])
    >>> len(model.parameters())
    337
    >>> isinstance(model([0.5, -1.0]), Value)
    True
    """

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        sizes = [nin] + list(nouts)
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts, got none")
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x: Inputs) -> Union[Value, List[Value]]:
        for layer in self.layers:
            x = layer(x)
            x = [x] if isinstance(x, Value) else x
        return x[0] if len(x) == 1 else x

    def parameters(self) -> List[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
