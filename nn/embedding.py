"""``Embedding``: a table of learned vectors, one row per index (a character, a word, a position)."""

from __future__ import annotations

import random
from typing import Any, List, Tuple

from engine import Value
from engine.checks import whole_number

from .module import Module, _count
from .saving import register


class Embedding(Module):
    """``num_embeddings`` rows of ``embedding_dim`` Values, drawn from N(0, 1) as ``torch.nn.Embedding``
    draws them; ``embedding(i)`` is row ``i``, a list of Values (the same Values every time: a gradient that
    reaches them adds up over every use, as PyTorch's does).

    >>> random.seed(0)
    >>> table = Embedding(27, 2)
    >>> row = table(5); len(row), row[0] is table(5)[0]
    (2, True)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, scope: str = "embedding") -> None:
        self.num_embeddings = _count(num_embeddings, "Embedding's num_embeddings")
        self.embedding_dim = _count(embedding_dim, "Embedding's embedding_dim")
        self.weight = [[Value(random.gauss(0.0, 1.0)) for _ in range(embedding_dim)] for _ in range(num_embeddings)]
        self.set_scope(scope)

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        for i, row in enumerate(self.weight):
            for j, v in enumerate(row):
                v.label, v.scope = f"E{i}_{j}", scope

    def __call__(self, index: Any) -> List[Value]:
        i = whole_number(index)
        if i is None or not 0 <= i < self.num_embeddings:
            raise IndexError(f"Embedding({self.num_embeddings}, {self.embedding_dim}) takes an index from 0 to "
                             f"{self.num_embeddings - 1}, got {type(index).__name__} {index!r}")
        return self.weight[i]

    def parameters(self) -> List[Value]:
        return [v for row in self.weight for v in row]

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return [(f"{self.scope}.{v.label}", v) for v in self.parameters()]

    def torch_state(self) -> List[Tuple[str, Tuple[int, ...], List[Value]]]:
        """As ``torch.nn.Embedding``: ``weight``, a row per index."""
        return [("weight", (self.num_embeddings, self.embedding_dim), self.parameters())]

    def spec(self) -> dict:
        return {"type": "Embedding", "num_embeddings": self.num_embeddings, "embedding_dim": self.embedding_dim}

    def __repr__(self) -> str:
        return f"Embedding({self.num_embeddings}, {self.embedding_dim})"


register("Embedding", Embedding, parameters=lambda num_embeddings, embedding_dim, **_: num_embeddings * embedding_dim)
