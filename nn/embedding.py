"""``Embedding``: a table of learned vectors, one row per index (a character, a word, a position)."""

from __future__ import annotations

import random
from typing import Any, List, Sequence, Tuple

from engine import Value, dot
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

    def from_one_hot(self, x: Sequence[Any]) -> List[List[Value]]:
        """The rows that ``x``, a flat list of one-hot vectors of ``num_embeddings`` entries each, picks out:
        ``one_hot(i) @ weight`` for each, as ``torch.nn.functional.one_hot(idx) @ embedding.weight``. A lookup by
        index cannot be traced (the index is an input), this can: each coordinate is an ``engine.dot`` of a
        column of the table with the one-hot, which the lifted compiler runs as one matrix product per position.

        >>> random.seed(0)
        >>> table = Embedding(3, 2)
        >>> [[v.data for v in row] for row in table.from_one_hot([0, 0, 1, 1, 0, 0])] == \\
        ...     [[v.data for v in table(2)], [v.data for v in table(0)]]
        True
        """
        n = self.num_embeddings
        if isinstance(x, (str, bytes)) or not hasattr(x, "__len__") or not x or len(x) % n:
            got = f"{len(x)} numbers" if hasattr(x, "__len__") else f"{type(x).__name__} {x!r}"
            raise ValueError(f"{self!r}.from_one_hot takes a flat list of one-hot vectors of {n} numbers each "
                             f"(a multiple of {n}, at least one), got {got}")
        columns = [[row[j] for row in self.weight] for j in range(self.embedding_dim)]
        return [[dot(column, x[start:start + n]) for column in columns] for start in range(0, len(x), n)]

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
