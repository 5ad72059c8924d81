"""Neurons, layers and MLPs: micrograd's ``nn``, with activations, initialisations and scopes."""

from __future__ import annotations

import math
import numbers
import random
import reprlib
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from engine import Value, as_value, dot
from engine import checkpoint as engine_checkpoint
from engine.arithmetic import Arithmetic
from engine.checks import whole_number

from . import saving

TorchEntry = Tuple[str, Tuple[int, ...], List[Value]]  # (PyTorch's name, shape, the Values in row-major order)
Inputs = Sequence[Union[Value, float, int]]

ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "linear")
INITS = ("uniform", "xavier", "he", "pytorch")


class Module:
    """Something with parameters: a neuron, a layer, a whole network.

    A module is in training mode until ``eval()`` (``train()`` puts it back), as in
    PyTorch: dropout and batch normalisation behave differently in the two, and the
    mode reaches every module inside (``modules()``).
    """

    training = True

    def children(self) -> List["Module"]:
        """The modules directly inside this one (layers of a network, the block of a residual)."""
        return [child for _, child in self.named_children()]

    def named_children(self) -> List[Tuple[str, "Module"]]:
        """``(name, module)`` for each module directly inside, as PyTorch's ``named_children``: a module built of
        named parts lists them here, and its ``children``, ``named_parameters`` and ``torch_state`` follow.
        Unless overridden, the children are named by their index (``0``, ``1``, ...), as ``torch.nn.Sequential``."""
        if type(self).children is Module.children:
            return []
        return [(str(i), child) for i, child in enumerate(self.children())]

    def modules(self) -> List["Module"]:
        """This module and every module inside it, each before its own children and in their order (as
        PyTorch lists them), walked without recursion."""
        found, stack = [], [self]
        while stack:
            m = stack.pop()
            found.append(m)
            stack.extend(reversed(m.children()))
        return found

    def train(self, mode: bool = True) -> "Module":
        """Training mode for this module and every one inside (``mode=False`` is ``eval()``); returns self."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) takes True or False, got {type(mode).__name__} {mode!r}")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> "Module":
        """Evaluation mode: dropout off, batch normalisation by its running averages; returns self."""
        return self.train(False)

    def forward_batch(self, X: Sequence[Inputs]) -> List[Any]:
        """The outputs for a batch of samples: one call per sample, unless the module mixes samples
        (``BatchNorm`` takes statistics over the batch). ``fit`` calls this."""
        return [self(x) for x in X]

    def named_buffers(self) -> List[Tuple[str, Value]]:
        """State that is saved and loaded but not trained (a batch norm's running averages)."""
        return []

    def parameters(self) -> List[Value]:
        """Every trainable Value, in a fixed order. ``MLP(2, [16, 16, 1]).parameters()`` has 337."""
        return [p for _, p in self.named_parameters()]

    def named_parameters(self) -> List[Tuple[str, Value]]:
        """``(name, parameter)`` pairs, named by scope: ``layer1.neuron3.w0``; unless overridden, the children's."""
        return [item for child in self.children() for item in child.named_parameters()]

    def torch_state(self) -> List["TorchEntry"]:
        """This module's parameters (and buffers) under the names PyTorch's counterpart gives them, each with its
        shape and its Values in row-major order: what ``nn.load_torch_state`` fills and checks against. A module
        with children but no entries of its own gives theirs, each under its name in ``named_children()`` (by
        default its index, as ``torch.nn.Sequential`` names them: ``0.weight``).

        >>> import random; random.seed(0)
        >>> [(name, shape) for name, shape, _ in Layer(3, 2).torch_state()]
        [('weight', (2, 3)), ('bias', (2,))]
        """
        return [(f"{prefix}.{name}", shape, values) for prefix, child in self.named_children()
                for name, shape, values in child.torch_state()]

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0, before the next ``backward()``."""
        for p in self.parameters():
            p._grad = 0.0  # a known float: past the check of p.grad = ..., which costs a call per parameter

    def grad_norm(self) -> float:
        """The L2 norm of every parameter's grad together: ``sqrt(sum(p.grad ** 2))``."""
        return math.sqrt(math.fsum(p.grad * p.grad for p in self.parameters()))

    def save(self, path: Any) -> None:
        """Write the architecture, the parameters (and any running averages) as JSON, atomically (see ``nn.save``);
        for an ``MLP``, a ``Sequential`` or a recurrent module."""
        saving.save(self, path)

    @classmethod
    def load(cls, path: Any) -> Any:
        """A new model of this class from a checkpoint written by ``save``; a clear CheckpointError if anything
        is wrong (``MLP.load``, ``Sequential.load``)."""
        return saving.load(path, expect=cls.__name__)


_short = reprlib.Repr()
_short.maxlist = _short.maxtuple = 6  # an MNIST image in an error message: its first numbers, then "..."
_short.maxlevel = 2


def as_inputs(x: Inputs, nin: int, who: str) -> List[Value]:
    """The inputs as Values, plain numbers becoming constants labelled x0, x1, ...

    Other kinds of number (dual numbers inside ``jvp``) pass through as they are. ``who`` names the
    caller in errors: a list of the wrong length, or a batch of samples where one sample was expected.

    >>> [v.label for v in as_inputs([1.0, 2], 2, "Neuron")]
    ['x0', 'x1']
    """
    if not _listlike(x):
        raise TypeError(f"{who} expects a list of {nin} numbers or Values, got {type(x).__name__} {_short.repr(x)}")
    if len(x) != nin:
        _refuse_batch(x, nin, who)
        raise ValueError(f"{who} expects {nin} inputs, got {len(x)}: {_short.repr(x)}")
    values = []
    for i, v in enumerate(x):
        try:
            values.append(v if isinstance(v, Arithmetic) else as_value(v, f"{who}: input {i}"))
        except TypeError:
            _refuse_batch(x, nin, who)
            raise
    for i, (raw, v) in enumerate(zip(x, values)):
        if v is not raw:
            v.label = f"x{i}"
    return values



def _refuse_batch(x: Sequence[Any], nin: int, who: str) -> None:
    """TypeError if ``x`` is a batch (a list of samples) where one sample was expected, saying what to call."""
    if len(x) and all(hasattr(row, "__len__") and not isinstance(row, (str, Arithmetic)) for row in x):
        lists = "list" if len(x) == 1 else "lists"
        raise TypeError(f"{who} takes one sample, a list of {nin} numbers, got a batch of {len(x)} {lists}: "
                        f"{_short.repr(x)}. For the outputs of every sample write model.forward_batch(X) "
                        f"or [model(x) for x in X]")


def activate(v: Any, name: str) -> Any:
    """One of ``ACTIVATIONS`` applied to ``v``: ``activate(z, "tanh")`` is ``z.tanh()``, "linear" is z itself."""
    if name == "linear":
        return v
    return v.leaky_relu() if name == "leaky_relu" else getattr(v, name)()


def _label(v: Any, label: str) -> None:
    """Name ``v`` for drawings and ``explain`` if it is a Value; a dual number (inside jvp) has no label."""
    if isinstance(v, Value):
        v.label = label


def _listlike(v: Any) -> bool:
    """A sequence of entries (a list, a tuple, a NumPy array), not a number, a Value or text."""
    return not isinstance(v, (str, bytes, Arithmetic, numbers.Number)) and hasattr(v, "__len__")


def as_list(out: Any) -> List[Any]:
    """A module's output for one sample as a list: a single Value becomes a list of one."""
    return [out] if isinstance(out, (Arithmetic, int, float)) else list(out)


def _choice(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _count(n: object, what: str) -> int:
    count = whole_number(n)
    if count is None or count < 1:
        raise ValueError(f"{what} must be a positive whole number, got {n!r}")
    return count


def initial_weight(init: str, fan_in: int, fan_out: int) -> float:
    """One initial weight: micrograd's uniform(-1, 1), Xavier/Glorot uniform, He normal, or PyTorch's
    ``torch.nn.Linear`` default, uniform in ±1/sqrt(fan_in) (its biases too: ``Neuron`` draws them so)."""
    if init == "uniform":
        return random.uniform(-1, 1)
    if init == "xavier":
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        return random.uniform(-bound, bound)
    if init == "pytorch":
        return random.uniform(-1.0 / math.sqrt(fan_in), 1.0 / math.sqrt(fan_in))
    return random.gauss(0.0, math.sqrt(2.0 / fan_in))


class Neuron(Module):
    """``activation(w . x + b)``; the weighted sum is one fused node. b starts at 0 (drawn as the weights are,
    for ``init="pytorch"``).

    ``nonlin=False`` is micrograd's way to ask for a linear neuron.

    >>> import random; random.seed(0)
    >>> Neuron(2, activation="tanh")([1.0, -1.0]).data
    0.171231...
    """

    def __init__(self, nin: int, nonlin: bool = True, activation: str = "relu", init: str = "uniform",
                 fan_out: int = 1, scope: str = "neuron") -> None:
        _count(nin, "Neuron's number of inputs")
        self.activation = _choice(activation, ACTIVATIONS, "activation") if nonlin else "linear"
        self.init = _choice(init, INITS, "init")
        self.w = [Value(initial_weight(init, nin, fan_out), label=f"w{i}") for i in range(nin)]
        self.b = Value(initial_weight(init, nin, fan_out) if init == "pytorch" else 0.0, label="b")
        self.set_scope(scope)

    @property
    def nonlin(self) -> bool:
        return self.activation != "linear"

    def set_scope(self, scope: str) -> None:
        """Name this neuron's parameters, and the Values it makes, ``scope.w0`` and so on."""
        self.scope = scope
        for p in self.parameters():
            p.scope = scope

    def __call__(self, x: Inputs) -> Value:
        return self._forward(as_inputs(x, len(self.w), "Neuron"))

    def _forward(self, x: List[Value]) -> Value:
        act = dot(self.w, x, bias=self.b)
        out = activate(act, self.activation)
        if out.__class__ is Value:  # drawings group by scope; dual numbers (inside jvp) have none
            act.scope = out.scope = self.scope
        return out

    def parameters(self) -> List[Value]:
        return self.w + [self.b]

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return [(f"{self.scope}.{p.label}", p) for p in self.w + [self.b]]

    def __repr__(self) -> str:
        kind = {"relu": "ReLU", "linear": "Linear"}.get(self.activation, self.activation.capitalize())
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; extra arguments go to each Neuron."""

    who = "Layer"  # how errors name it: an MLP's layers say which they are ("layer 0 of MLP(3, [4, 1])")

    def __init__(self, nin: int, nout: int, scope: str = "layer", **kwargs: object) -> None:
        _count(nout, "Layer's number of outputs")
        self.neurons = [Neuron(nin, fan_out=nout, **kwargs) for _ in range(nout)]
        self.set_scope(scope)

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        for j, n in enumerate(self.neurons):
            n.set_scope(f"{scope}.neuron{j}")

    def __call__(self, x: Inputs) -> Union[Value, List[Value]]:
        x = as_inputs(x, len(self.neurons[0].w), self.who)
        out = [n._forward(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def children(self) -> List[Module]:
        return list(self.neurons)

    def parameters(self) -> List[Value]:
        return [p for n in self.neurons for p in n.w + [n.b]]

    def torch_state(self) -> List["TorchEntry"]:
        """As ``torch.nn.Linear(nin, nout)``: ``weight`` (a row per neuron) and ``bias``."""
        nin = len(self.neurons[0].w)
        return [("weight", (len(self.neurons), nin), [w for n in self.neurons for w in n.w]),
                ("bias", (len(self.neurons),), [n.b for n in self.neurons])]

    def spec(self) -> dict:
        """What ``nn.save`` writes as this layer's architecture."""
        first = self.neurons[0]
        return {"type": "Layer", "nin": len(first.w), "nout": len(self.neurons), "activation": first.activation,
                "init": first.init}

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return [item for n in self.neurons for item in n.named_parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


def _run_layers(layers: Sequence[Layer], x: Inputs) -> List[Value]:
    """The outputs of ``layers`` in turn, as a list."""
    for layer in layers:
        x = as_list(layer(x))
    return x


class MLP(Module):
    """A multi-layer perceptron: ``activation`` in the hidden layers, ``output_activation`` (linear) last.

    Returns a Value when the last layer has one output, a list otherwise.

    >>> import random; random.seed(1)
    >>> model = MLP(2, [16, 16, 1])
    >>> len(model.parameters()), model.named_parameters()[0][0]
    (337, 'layer0.neuron0.w0')
    >>> isinstance(model([0.5, -1.0]), Value)
    True
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", init: str = "uniform",
                 output_activation: str = "linear", checkpoint_every: Union[int, str, None] = None) -> None:
        _count(nin, "MLP's number of inputs")
        if isinstance(nouts, (numbers.Number, str, Arithmetic)) or not hasattr(nouts, "__iter__"):
            size = nouts if isinstance(nouts, int) and not isinstance(nouts, bool) and nouts > 0 else 1
            raise TypeError(f"MLP(nin, nouts): nouts must be a list of layer sizes such as [{size}], got "
                            f"{type(nouts).__name__} {nouts!r}. Write MLP({nin}, [{size}]) for a single layer of "
                            f"{size} output{'s' if size > 1 else ''}, or MLP({nin}, [16, 16, {size}]) with two hidden "
                            f"layers of 16")
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts, got none")
        _choice(activation, ACTIVATIONS, "activation")
        _choice(output_activation, ACTIVATIONS, "output_activation")
        sizes = [nin] + list(nouts)
        self.config: Dict[str, object] = {"nin": nin, "nouts": list(nouts), "activation": activation,
                                          "init": init, "output_activation": output_activation}
        self.layers = [
            Layer(sizes[i], sizes[i + 1], scope=f"layer{i}", init=init,
                  activation=activation if i < len(nouts) - 1 else output_activation)
            for i in range(len(nouts))
        ]
        for i, layer in enumerate(self.layers):
            layer.who = f"layer {i} of MLP({nin}, {nouts})"
        self.checkpoint_every = checkpoint_every

    @property
    def checkpoint_every(self) -> Union[int, str, None]:
        """Layers per ``engine.checkpoint`` segment: None keeps every node for backward (the default);
        k keeps only every k-th layer's outputs and recomputes the rest during backward; ``"sqrt"``
        uses segments of about sqrt(depth) layers, the least memory for the extra forward pass.
        Gradients are the same to the last bit either way. Not part of the architecture, so not saved.

        >>> import random; random.seed(0)
        >>> deep = MLP(1, [4] * 9 + [1], checkpoint_every="sqrt"); deep.segment_size
        3
        """
        return self._checkpoint_every

    @checkpoint_every.setter
    def checkpoint_every(self, k: Union[int, str, None]) -> None:
        if k is not None and k != "sqrt":
            _count(k, 'checkpoint_every (a number of layers, "sqrt" or None)')
        self._checkpoint_every = k

    @property
    def segment_size(self) -> Optional[int]:
        """The layers in each checkpoint segment, or None without checkpoints."""
        k = self._checkpoint_every
        return max(1, round(math.sqrt(len(self.layers)))) if k == "sqrt" else k

    def __call__(self, x: Inputs) -> Union[Value, List[Value]]:
        k = self.segment_size
        if k is None:
            x = _run_layers(self.layers, x)
        else:
            for i in range(0, len(self.layers), k):
                x = engine_checkpoint(_run_layers, self.layers[i:i + k], x)
        return x[0] if len(x) == 1 else x

    def children(self) -> List[Module]:
        return list(self.layers)

    def set_scope(self, scope: str) -> None:
        """Name the layers ``layer0``, ``layer1``, ... under ``scope`` (``2.layer0`` inside a Sequential)."""
        for i, layer in enumerate(self.layers):
            layer.set_scope(f"{scope}.layer{i}" if scope else f"layer{i}")

    def parameters(self) -> List[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def torch_state(self) -> List["TorchEntry"]:
        """As ``torch.nn.Sequential`` of ``Linear`` layers with an activation module after each but a linear last
        one: the layers are numbered 0, 2, 4, ... (the activations, which hold nothing, take the odd numbers)."""
        step = 1 if self.config["activation"] == "linear" else 2
        return [(f"{step * i}.{name}", shape, values) for i, layer in enumerate(self.layers)
                for name, shape, values in layer.torch_state()]

    def spec(self) -> dict:
        """What ``nn.save`` writes as the architecture: the constructor's arguments."""
        return {"type": "MLP", **self.config}

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return [item for layer in self.layers for item in layer.named_parameters()]

    def layer_grad_norms(self) -> List[float]:
        """Each layer's gradient norm ``sqrt(sum(p.grad^2))``, first layer first: the data of a
        vanishing-gradient plot. Call after ``backward()``.
        """
        return [layer.grad_norm() for layer in self.layers]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


saving.register("MLP", MLP, parameters=lambda nin, nouts, **_: sum(
    (a + 1) * b for a, b in zip([nin] + list(nouts), nouts)), alone=True)  # a weight per input and a bias, per neuron
saving.register("Layer", lambda nin, nout, activation, init: Layer(nin, nout, activation=activation, init=init),
                    parameters=lambda nin, nout, **_: (nin + 1) * nout)
