"""Attention and the transformer block, for one sequence (a batch of one), as PyTorch names them.

A sequence is a list of vectors, each a list of numbers or Values. Everything is written with the engine's
ops (``engine.dot`` for scores and weighted sums, the stable ``losses.softmax``), so every derivative is the
engine's: none is written by hand here. ``nn.load_torch_state`` copies PyTorch's weights in under PyTorch's names.
"""

from __future__ import annotations

import math
import random
from typing import Any, List, Optional, Sequence, Tuple

from engine import Value, as_value, dot
from engine.arithmetic import Arithmetic

from .embedding import Embedding
from .layernorm import LayerNorm
from .losses import softmax
from .module import Layer, Module, TorchEntry, _count, _listlike, as_list
from .saving import register

Vector = List[Any]


def _vectors(x: Any, who: str, what: str, size: Optional[int] = None) -> List[Vector]:
    """``x`` as a non-empty list of vectors of ``size`` entries (of the first vector's size when None), plain
    numbers made Values; a ValueError or TypeError naming ``who``, the expected shape and what came instead."""
    if not _listlike(x):
        raise TypeError(f"{who}: {what} must be a list of vectors (lists of numbers or Values), "
                        f"got {type(x).__name__} {x!r}")
    if len(x) == 0:
        raise ValueError(f"{who}: {what} is an empty sequence; expected at least one vector")
    rows = []
    for i, row in enumerate(x):
        if not _listlike(row):
            raise TypeError(f"{who}: {what}[{i}] must be a vector (a list of numbers or Values), "
                            f"got {type(row).__name__} {row!r}")
        size = len(row) if size is None else size
        if len(row) != size or size == 0:
            raise ValueError(f"{who}: {what} expects vectors of size {size or 'at least 1'}, "
                             f"got size {len(row)} at position {i}")
        rows.append([v if isinstance(v, Arithmetic) else as_value(v, f"{who}: {what}[{i}]") for v in row])
    return rows


def _allowed(mask: Any, causal: bool, lq: int, lk: int, who: str = "attention") -> List[List[bool]]:
    """Which key each query may attend to: the boolean mask (True = may attend), the lower triangle for
    ``causal`` (top-left aligned, as PyTorch's is_causal), or everything."""
    if mask is not None and causal:
        raise ValueError("attention: give mask or causal=True, not both (as PyTorch's scaled_dot_product_attention)")
    if causal:
        return [[j <= i for j in range(lk)] for i in range(lq)]
    if mask is None:
        return [[True] * lk for _ in range(lq)]
    shape = f"{lq} x {lk} (a row of {lk} bools for each of the {lq} queries)"
    if isinstance(mask, (str, bytes)) or not hasattr(mask, "__len__") or len(mask) != lq:
        rows = hasattr(mask, "__len__") and not isinstance(mask, (str, bytes))  # a string is not its letters' rows
        got = f"{len(mask)} rows" if rows else f"{type(mask).__name__} {mask!r}"
        raise ValueError(f"{who}: mask must be {shape}, got {got}")
    for i, row in enumerate(mask):
        if not hasattr(row, "__len__") or len(row) != lk:
            got = f"{len(row)} entries" if hasattr(row, "__len__") else f"{type(row).__name__} {row!r}"
            raise ValueError(f"{who}: mask must be {shape}, got {got} in row {i}")
        for b in row:
            if not isinstance(b, bool):  # 0/1 would pass as a float mask in PyTorch, which adds rather than selects
                raise TypeError(f"{who}: mask entries must be True or False, got {type(b).__name__} {b!r} in row {i}")
    return [list(row) for row in mask]


def attention(q: Sequence[Vector], k: Sequence[Vector], v: Sequence[Vector], mask: Any = None,
              causal: bool = False) -> List[List[Value]]:
    """Scaled dot-product attention, softmax(q kᵀ / sqrt(d)) v, for one head, as PyTorch's
    ``scaled_dot_product_attention``: Lq query vectors and Lk keys of size d, Lk values of size dv; returns Lq
    vectors of size dv. ``mask`` is Lq x Lk bools, True where a query may attend; ``causal=True`` lets query i
    see keys 0..i. A query that may attend to nothing is a ValueError (PyTorch would give nan).

    >>> out = attention([[1.0]], [[0.0], [0.0]], [[2.0], [4.0]])
    >>> [[round(x.data, 6) for x in row] for row in out]
    [[3.0]]
    """
    q = _vectors(q, "attention", "q")
    k = _vectors(k, "attention", "k", len(q[0]))
    v = _vectors(v, "attention", "v")
    if len(v) != len(k):
        raise ValueError(f"attention: k and v must have the same length, got {len(k)} key{'s' * (len(k) != 1)} "
                         f"and {len(v)} value{'s' * (len(v) != 1)}")
    allowed = _allowed(mask, causal, len(q), len(k))
    scale = 1.0 / math.sqrt(len(q[0]))
    out = []
    for i, qi in enumerate(q):
        keys = [j for j, ok in enumerate(allowed[i]) if ok]  # masked keys are left out, not given -inf
        if not keys:
            raise ValueError(f"attention: the mask lets query {i} attend to no key (PyTorch would give nan)")
        weights = softmax([dot(qi, k[j]) * scale for j in keys])
        out.append([dot(weights, [v[j][c] for j in keys]) for c in range(len(v[0]))])
    return out


def _linear(nin: int, nout: int, activation: str = "linear", bias: bool = True) -> Layer:
    """A Layer initialised as ``torch.nn.Linear``: weights (and biases, unless ``bias`` is False, which leaves
    them at 0) uniform in +-1/sqrt(nin). Unscoped: the module that holds it names it (``set_scope``)."""
    layer = Layer(nin, nout, activation=activation)  # "uniform": U(-1, 1), rescaled below
    bound = 1.0 / math.sqrt(nin)
    for n in layer.neurons:
        for w in n.w:
            w.data = w.data * bound
        if bias:
            n.b.data = random.uniform(-bound, bound)
    return layer


def _renamed(prefix: str, module: Module) -> List[TorchEntry]:
    return [(f"{prefix}{name}", shape, values) for name, shape, values in module.torch_state()]


class MultiHeadAttention(Module):
    """Self-attention with ``num_heads`` heads, as ``torch.nn.MultiheadAttention(embed_dim, num_heads,
    bias=True, batch_first=True)``: ``mha(x)`` for L vectors of size embed_dim is L vectors, torch's
    ``mha(x, x, x, need_weights=False)[0]``. ``causal=True`` lets position i see positions 0..i.

    >>> random.seed(0)
    >>> mha = MultiHeadAttention(4, 2)
    >>> out = mha([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]); len(out), len(out[0]), mha.head_dim
    (2, 4, 2)
    """

    def __init__(self, embed_dim: int, num_heads: int, causal: bool = False, scope: str = "mha") -> None:
        self.embed_dim = _count(embed_dim, "MultiHeadAttention's embed_dim")
        self.num_heads = _count(num_heads, "MultiHeadAttention's num_heads")
        if embed_dim % num_heads:
            raise ValueError(f"MultiHeadAttention: embed_dim {embed_dim} must be divisible by num_heads {num_heads}")
        self.head_dim, self.causal = embed_dim // num_heads, bool(causal)
        # q, k and v projections stacked as PyTorch's in_proj_weight (3E, E): xavier uniform with fan_out 3E
        self.in_proj = Layer(embed_dim, 3 * embed_dim, activation="linear", init="xavier")
        self.out_proj = _linear(embed_dim, embed_dim, bias=False)  # PyTorch zeroes this bias
        self.set_scope(scope)

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        self.in_proj.set_scope(f"{scope}.in_proj")
        self.out_proj.set_scope(f"{scope}.out_proj")

    def __call__(self, x: Sequence[Vector], mask: Any = None) -> List[List[Value]]:
        """The L output vectors; ``mask`` (L x L bools, True where position i may attend to position j, as in
        ``nn.attention``; note that ``torch.nn.MultiheadAttention``'s boolean ``attn_mask`` means the opposite)
        hides keys from queries, for example the padding of sequences made one length."""
        x = _vectors(x, repr(self), "x", self.embed_dim)
        if mask is not None and self.causal:
            raise ValueError(f"{self!r}: is causal already; give a mask to a MultiHeadAttention made without "
                             f"causal=True (and put the triangle in the mask), not both")
        _allowed(mask, False, len(x), len(x), repr(self))  # a wrong mask is refused before any work, naming its shape
        E, hd = self.embed_dim, self.head_dim
        qkv = [as_list(self.in_proj(xt)) for xt in x]
        heads = []
        for h in range(self.num_heads):  # head h reads columns h*hd .. (h+1)*hd of each of q, k and v
            q, k, v = ([row[start + h * hd: start + (h + 1) * hd] for row in qkv] for start in (0, E, 2 * E))
            heads.append(attention(q, k, v, mask=mask, causal=self.causal))
        return [as_list(self.out_proj([c for head in heads for c in head[t]])) for t in range(len(x))]

    def children(self) -> List[Module]:
        return [self.in_proj, self.out_proj]

    def parameters(self) -> List[Value]:
        return self.in_proj.parameters() + self.out_proj.parameters()

    def named_parameters(self) -> List[Tuple[str, Value]]:
        return self.in_proj.named_parameters() + self.out_proj.named_parameters()

    def torch_state(self) -> List[TorchEntry]:
        """As ``torch.nn.MultiheadAttention``: ``in_proj_weight``, ``in_proj_bias``, ``out_proj.weight``, ``out_proj.bias``."""
        (_, ws, w), (_, bs, b) = self.in_proj.torch_state()
        return [("in_proj_weight", ws, w), ("in_proj_bias", bs, b)] + _renamed("out_proj.", self.out_proj)

    def spec(self) -> dict:
        return {"type": "MultiHeadAttention", "embed_dim": self.embed_dim, "num_heads": self.num_heads,
                "causal": self.causal}

    def __repr__(self) -> str:
        return f"MultiHeadAttention({self.embed_dim}, {self.num_heads}{', causal=True' if self.causal else ''})"


class TransformerBlock(Module):
    """A pre-LayerNorm transformer block: x + attn(norm1(x)), then x + linear2(relu(linear1(norm2(x)))), as
    ``torch.nn.TransformerEncoderLayer(d_model=embed_dim, nhead=num_heads, dim_feedforward=hidden,
    dropout=0.0, activation="relu", batch_first=True, norm_first=True)`` and under its names.

    >>> random.seed(0)
    >>> block = TransformerBlock(2, 1, hidden=3, causal=True)
    >>> len(block([[1.0, 2.0], [0.5, -1.0]])), len(block.parameters())
    (2, 49)
    """

    def __init__(self, embed_dim: int, num_heads: int, hidden: int, causal: bool = False,
                 scope: str = "block") -> None:
        self.self_attn = MultiHeadAttention(embed_dim, num_heads, causal)
        self.embed_dim, self.num_heads, self.causal = embed_dim, num_heads, self.self_attn.causal
        self.hidden = _count(hidden, "TransformerBlock's hidden")
        self.linear1 = _linear(embed_dim, hidden, activation="relu")  # relu(linear1(x)) in one Layer
        self.linear2 = _linear(hidden, embed_dim)
        self.norm1, self.norm2 = LayerNorm(embed_dim), LayerNorm(embed_dim)  # eps 1e-5, PyTorch's
        self.set_scope(scope)

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        for name, child in self.named_children():
            child.set_scope(f"{scope}.{name}")

    def named_children(self) -> List[Tuple[str, Module]]:
        return [("self_attn", self.self_attn), ("linear1", self.linear1), ("linear2", self.linear2),
                ("norm1", self.norm1), ("norm2", self.norm2)]

    def __call__(self, x: Sequence[Vector], mask: Any = None) -> List[List[Value]]:
        """The L output vectors; ``mask`` as ``MultiHeadAttention`` takes it."""
        x = _vectors(x, repr(self), "x", self.embed_dim)
        attended = self.self_attn([self.norm1(xt) for xt in x], mask=mask)
        x = [[a + b for a, b in zip(xt, at)] for xt, at in zip(x, attended)]
        ff = [as_list(self.linear2(as_list(self.linear1(self.norm2(xt))))) for xt in x]
        return [[a + b for a, b in zip(xt, ft)] for xt, ft in zip(x, ff)]

    def spec(self) -> dict:
        return {"type": "TransformerBlock", "embed_dim": self.embed_dim, "num_heads": self.num_heads,
                "hidden": self.hidden, "causal": self.causal}

    def __repr__(self) -> str:
        causal = ", causal=True" if self.causal else ""
        return f"TransformerBlock({self.embed_dim}, {self.num_heads}, hidden={self.hidden}{causal})"


class PositionalEmbedding(Embedding):
    """Learned positions: ``weight`` (max_len, embed_dim) drawn from N(0, 1); ``pos(x)`` adds row t to the
    t-th vector of x, for sequences of up to ``max_len`` vectors.

    >>> random.seed(0)
    >>> pos = PositionalEmbedding(3, 2)
    >>> out = pos([[0.0, 0.0]]); out[0][0].data == pos.weight[0][0].data
    True
    """

    def __init__(self, max_len: int, embed_dim: int, scope: str = "pos") -> None:
        _count(max_len, "PositionalEmbedding's max_len")
        _count(embed_dim, "PositionalEmbedding's embed_dim")
        super().__init__(max_len, embed_dim, scope)

    @property
    def max_len(self) -> int:
        return self.num_embeddings

    def __call__(self, x: Sequence[Vector]) -> List[List[Value]]:  # type: ignore[override]
        x = _vectors(x, repr(self), "x", self.embedding_dim)
        if len(x) > self.max_len:
            raise ValueError(f"{self!r}: a sequence of at most {self.max_len} vectors, got {len(x)}")
        return [[a + w for a, w in zip(xt, row)] for xt, row in zip(x, self.weight)]

    def spec(self) -> dict:
        return {"type": "PositionalEmbedding", "max_len": self.max_len, "embed_dim": self.embedding_dim}

    def __repr__(self) -> str:
        return f"PositionalEmbedding({self.max_len}, {self.embedding_dim})"


def _mha_parameters(embed_dim: int, **_: Any) -> int:
    return 4 * embed_dim * (embed_dim + 1)  # in_proj (3E, E) + 3E, out_proj (E, E) + E


register("MultiHeadAttention", MultiHeadAttention, parameters=_mha_parameters, alone=True)
register("TransformerBlock", TransformerBlock, parameters=lambda embed_dim, hidden, **_: (
    _mha_parameters(embed_dim) + 2 * embed_dim * hidden + hidden + embed_dim + 4 * embed_dim), alone=True)  # + MLP + 2 norms
register("PositionalEmbedding", PositionalEmbedding, parameters=lambda max_len, embed_dim, **_: max_len * embed_dim)
