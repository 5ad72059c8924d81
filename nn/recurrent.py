"""Recurrent networks, ``RNN``, ``LSTM`` and ``GRU``: PyTorch's modules of the same names, one sequence at a time.

Each gate is a row of weights dotted with the input and another with the hidden state (``engine.dot``), so that
the lifted compiler runs a gate's rows together as one matrix product; every derivative is the engine's own.
"""

from __future__ import annotations

import functools
import math
import numbers
import random
from typing import Any, List, Optional, Sequence, Tuple

from engine import Value, dot
from engine.arithmetic import Arithmetic

from .module import Inputs, Module, TorchEntry, _choice, _count, _label, _short, as_inputs
from .saving import register

State = List[Value]


class _Recurrent(Module):
    """What the three share: ``gates`` blocks of ``hidden_size`` rows in each of PyTorch's four tensors
    (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``), the blocks in PyTorch's gate order."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, scope: str) -> None:
        name = type(self).__name__
        self.input_size = _count(input_size, f"{name}'s input_size")
        self.hidden_size = _count(hidden_size, f"{name}'s hidden_size")
        n_in, n_hidden = self.input_size, self.hidden_size
        bound = 1.0 / math.sqrt(n_hidden)  # PyTorch's initialisation, drawn in its order of the tensors
        rows = self.gates * n_hidden
        self.weight_ih = [[Value(random.uniform(-bound, bound)) for _ in range(n_in)] for _ in range(rows)]
        self.weight_hh = [[Value(random.uniform(-bound, bound)) for _ in range(n_hidden)] for _ in range(rows)]
        self.bias_ih = [Value(random.uniform(-bound, bound)) for _ in range(rows)]
        self.bias_hh = [Value(random.uniform(-bound, bound)) for _ in range(rows)]
        self.set_scope(scope)

    def set_scope(self, scope: str) -> None:
        """Name the parameters ``scope.W_ih3_1``, ``scope.b_hh2`` and so on."""
        self.scope = scope
        for kind, table in (("ih", self.weight_ih), ("hh", self.weight_hh)):
            for i, row in enumerate(table):
                for j, v in enumerate(row):
                    v.label, v.scope = f"W_{kind}{i}_{j}", scope
        for kind, biases in (("ih", self.bias_ih), ("hh", self.bias_hh)):
            for i, v in enumerate(biases):
                v.label, v.scope = f"b_{kind}{i}", scope

    def _block(self, gate: int, x: State, h: State) -> Tuple[List[Value], List[Value]]:
        """Gate ``gate``'s pre-activations from the input and from the hidden state, kept apart (the GRU needs
        them so)."""
        rows = range(gate * self.hidden_size, (gate + 1) * self.hidden_size)
        return ([dot(self.weight_ih[k], x, bias=self.bias_ih[k]) for k in rows],
                [dot(self.weight_hh[k], h, bias=self.bias_hh[k]) for k in rows])

    @staticmethod
    def _named(state: State, name: str, t: int) -> State:
        """Label a state by time step (``h3_0``: unit 0 after step 3), so drawings and ``explain`` show where each
        Value of the unrolled graph belongs."""
        for j, v in enumerate(state):
            _label(v, f"{name}{t}_{j}")
        return state

    def _gate(self, gate: int, x: State, h: State) -> List[Value]:
        return [a + b for a, b in zip(*self._block(gate, x, h))]

    def _steps(self, sequence: Any) -> List[State]:
        """The time steps as lists of Values, each checked to hold ``input_size`` numbers."""
        if isinstance(sequence, (str, bytes, Arithmetic, numbers.Number)) or not hasattr(sequence, "__len__"):
            raise TypeError(f"{self!r} takes a sequence, a list of time steps each a list of {self.input_size} "
                            f"numbers or Values, got {type(sequence).__name__} {_short.repr(sequence)}")
        if len(sequence) == 0:
            raise ValueError(f"{self!r} takes a sequence of at least one time step, got an empty one")
        if all(isinstance(x, (Arithmetic, numbers.Number)) for x in sequence):  # one time step where many belong
            raise TypeError(f"{self!r} takes a sequence, a list of time steps each a list of {self.input_size} "
                            f"numbers, got a flat list of {len(sequence)} numbers: {_short.repr(sequence)}; "
                            f"write [[...], [...]], one list per time step")
        steps = []
        for t, x in enumerate(sequence):
            values = as_inputs(x, self.input_size, f"{self!r}: time step {t}")
            for i, (raw, v) in enumerate(zip(x, values)):
                if v is not raw:  # a number made a Value here: named by its step (x2_0), as the states are
                    v.label = f"x{t + 1}_{i}"
            steps.append(values)
        return steps

    def _state(self, h: Optional[Inputs], name: str) -> State:
        """A hidden (or cell) state: zeros when None, else checked to hold ``hidden_size`` numbers."""
        if h is None:
            return [Value(0.0, label=f"{name}_{j}") for j in range(self.hidden_size)]
        if hasattr(h, "__len__") and not isinstance(h, (str, bytes, Arithmetic)) and len(h) != self.hidden_size:
            raise ValueError(f"{self!r}: {name} must hold hidden_size = {self.hidden_size} numbers, got "
                             f"{len(h)}: {_short.repr(h)}")
        return as_inputs(h, self.hidden_size, f"{self!r}: {name}")

    def parameters(self) -> List[Value]:
        return [v for _, _, values in self.torch_state() for v in values]

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return [(f"{self.scope}.{v.label}", v) for v in self.parameters()]

    def torch_state(self) -> List[TorchEntry]:
        """As PyTorch's one-layer module: ``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``."""
        rows = self.gates * self.hidden_size
        return [("weight_ih_l0", (rows, self.input_size), [v for row in self.weight_ih for v in row]),
                ("weight_hh_l0", (rows, self.hidden_size), [v for row in self.weight_hh for v in row]),
                ("bias_ih_l0", (rows,), list(self.bias_ih)),
                ("bias_hh_l0", (rows,), list(self.bias_hh))]

    def spec(self) -> dict:
        return {"type": type(self).__name__, "input_size": self.input_size, "hidden_size": self.hidden_size}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.input_size}, {self.hidden_size})"


class RNN(_Recurrent):
    """``h_t = act(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)``, act ``tanh`` or ``relu``, as ``torch.nn.RNN``.
    ``rnn(sequence, h0=None)`` returns ``(outputs, h_n)``: the hidden state after every step, and the last.

    >>> random.seed(0)
    >>> outputs, h_n = RNN(2, 3)([[1.0, 0.0], [0.5, -1.0]])
    >>> len(outputs), len(h_n), h_n is outputs[-1]
    (2, 3, True)
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", scope: str = "rnn") -> None:
        self.nonlinearity = _choice(nonlinearity, ("tanh", "relu"), "RNN's nonlinearity")
        super().__init__(input_size, hidden_size, scope)

    def __call__(self, sequence: Sequence[Inputs], h0: Optional[Inputs] = None) -> Tuple[List[State], State]:
        xs, h = self._steps(sequence), self._state(h0, "h0")
        outputs = []
        for t, x in enumerate(xs, 1):
            h = self._named([getattr(a, self.nonlinearity)() for a in self._gate(0, x, h)], "h", t)
            outputs.append(h)
        return outputs, h

    def spec(self) -> dict:
        return {**super().spec(), "nonlinearity": self.nonlinearity}


class LSTM(_Recurrent):
    """Long short-term memory as ``torch.nn.LSTM``: gates input, forget, cell, output in that order.
    ``lstm(sequence, state=None)`` returns ``(outputs, (h_n, c_n))``; ``state`` is ``(h0, c0)``, zeros by default.

    >>> random.seed(0)
    >>> outputs, (h_n, c_n) = LSTM(2, 3)([[1.0, 0.0]])
    >>> len(LSTM(2, 3).parameters()), len(c_n)
    (84, 3)
    """

    gates = 4

    def __init__(self, input_size: int, hidden_size: int, scope: str = "lstm") -> None:
        super().__init__(input_size, hidden_size, scope)

    def __call__(self, sequence: Sequence[Inputs], state: Optional[Tuple[Inputs, Inputs]] = None
                 ) -> Tuple[List[State], Tuple[State, State]]:
        xs = self._steps(sequence)
        if state is None:
            state = (None, None)
        elif not isinstance(state, (tuple, list)) or len(state) != 2:
            raise TypeError(f"{self!r}: state must be a pair (h0, c0) of lists of {self.hidden_size} numbers, got "
                            f"{type(state).__name__} {_short.repr(state)}")
        h, c = self._state(state[0], "h0"), self._state(state[1], "c0")
        outputs = []
        for t, x in enumerate(xs, 1):
            i, f, g, o = (self._gate(k, x, h) for k in range(4))
            c = self._named([fk.sigmoid() * ck + ik.sigmoid() * gk.tanh() for ik, fk, gk, ck in zip(i, f, g, c)], "c", t)
            h = self._named([ok.sigmoid() * ck.tanh() for ok, ck in zip(o, c)], "h", t)
            outputs.append(h)
        return outputs, (h, c)


class GRU(_Recurrent):
    """Gated recurrent unit as ``torch.nn.GRU``: gates reset, update, new in that order, with
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h' = (1 - z) * n + z * h``.
    ``gru(sequence, h0=None)`` returns ``(outputs, h_n)``.

    >>> random.seed(0)
    >>> outputs, h_n = GRU(2, 3)([[1.0, 0.0], [0.0, 1.0]])
    >>> len(outputs), len(GRU(2, 3).torch_state()[0][2])
    (2, 18)
    """

    gates = 3

    def __init__(self, input_size: int, hidden_size: int, scope: str = "gru") -> None:
        super().__init__(input_size, hidden_size, scope)

    def __call__(self, sequence: Sequence[Inputs], h0: Optional[Inputs] = None) -> Tuple[List[State], State]:
        xs, h = self._steps(sequence), self._state(h0, "h0")
        outputs = []
        for t, x in enumerate(xs, 1):
            r, z = (self._gate(k, x, h) for k in range(2))
            n_in, n_hidden = self._block(2, x, h)
            n = [(a + rk.sigmoid() * b).tanh() for a, b, rk in zip(n_in, n_hidden, r)]
            z = [zk.sigmoid() for zk in z]
            h = self._named([(1 - zk) * nk + zk * hk for zk, nk, hk in zip(z, n, h)], "h", t)
            outputs.append(h)
        return outputs, h


def _own_parameters(gates: int, /, input_size: int, hidden_size: int, **_: Any) -> int:
    """A module's parameter count from its spec: ``gates`` blocks of rows, each row an input weight per input,
    a hidden weight per hidden unit and two biases. Registered as a partial, so that it runs when a file is
    checked (not only at import); ``gates`` positional-only, so a spec's own "gates" key is ignored as before."""
    return gates * hidden_size * (input_size + hidden_size + 2)


register("RNN", RNN, parameters=functools.partial(_own_parameters, RNN.gates), alone=True)
register("LSTM", LSTM, parameters=functools.partial(_own_parameters, LSTM.gates), alone=True)
register("GRU", GRU, parameters=functools.partial(_own_parameters, GRU.gates), alone=True)
