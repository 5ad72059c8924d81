"""``load_torch_state``: a PyTorch module's weights copied into the matching chainrule module, to compare the two.

Every module names its entries as its PyTorch counterpart does (``Module.torch_state``); the copy checks every
name and shape (and that every number is finite and real) before it changes anything.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Tuple

from engine.checks import real_number

from .module import Module

IGNORED = ("num_batches_tracked",)  # PyTorch's bookkeeping with no counterpart here


def load_torch_state(module: Module, state_dict: Mapping[str, Any]) -> Module:
    """Copy ``state_dict`` (a PyTorch module's ``state_dict()``: tensors, NumPy arrays or nested lists, under
    PyTorch's names) into ``module``; returns it. Every name and shape is checked first: on any mismatch a
    clear error, and nothing changed.

    >>> import random; random.seed(0)
    >>> from nn import Layer
    >>> layer = load_torch_state(Layer(2, 1, activation="linear"), {"weight": [[0.5, -1.0]], "bias": [2.0]})
    >>> layer([1.0, 1.0]).data
    1.5
    """
    if not isinstance(module, Module):
        raise TypeError(f"load_torch_state copies into a chainrule module, got {type(module).__name__}")
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"load_torch_state takes a state_dict (a mapping of names to tensors), got "
                        f"{type(state_dict).__name__}")
    wanted = {name: (shape, values) for name, shape, values in module.torch_state()}
    given = {name: value for name, value in state_dict.items() if name.rsplit(".", 1)[-1] not in IGNORED}
    missing, unexpected = sorted(set(wanted) - set(given)), sorted(set(given) - set(wanted))
    if missing or unexpected:
        raise KeyError(f"load_torch_state: the state_dict does not match {module!r}: missing {missing}, unexpected "
                       f"{unexpected}; expected {sorted(wanted)}")
    numbers: Dict[str, List[float]] = {}
    for name, (shape, _) in wanted.items():
        numbers[name] = _flat(given[name], shape, name)
    for name, (_, values) in wanted.items():
        for v, x in zip(values, numbers[name]):
            v.data = x  # through the setter: a graph that read the old number refuses its backward
    return module


def _flat(x: Any, shape: Tuple[int, ...], name: str) -> List[float]:
    """``x`` (a tensor, an array or nested lists) as a flat list of floats in row-major order, checked to have
    ``shape`` and only finite real numbers."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "tolist"):
        x = x.tolist()
    got = _shape(x)
    if got != shape:
        raise ValueError(f"load_torch_state: {name} has shape {got}, expected {shape}")
    flat, todo = [], [x]
    while todo:  # row-major, without recursion
        item = todo.pop()
        if isinstance(item, (list, tuple)):
            todo.extend(reversed(item))
        else:
            number = real_number(item)  # NumPy's numbers and Fractions too; a bool, text or complex is None
            if number is None or not math.isfinite(number):
                raise ValueError(f"load_torch_state: {name} holds {item!r}; every entry must be a finite real number")
            flat.append(number)
    return flat


def _shape(x: Any) -> Tuple[int, ...]:
    """The shape of nested lists, or () for a number; a ragged list gives the shape of its first rows, which
    then cannot match."""
    shape: List[int] = []
    while isinstance(x, (list, tuple)):
        shape.append(len(x))
        if not x:
            break
        if any(not isinstance(r, (list, tuple)) or len(r) != len(x[0]) for r in x) and isinstance(x[0], (list, tuple)):
            return tuple(shape) + (-1,)  # ragged
        x = x[0]
    return tuple(shape)
