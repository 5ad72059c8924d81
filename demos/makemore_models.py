"""The neural models of ``python -m demos makemore``, each with its PyTorch twin.

Every model reads a context of the last ``block`` characters as one flat list of ``block`` one-hot vectors of
27 (``makemore.one_hot``) and gives 27 logits for the next character. The characters are embedded by
``Embedding.from_one_hot``, the lookup written as the linear map it is, so that one sample's loss can be traced
and the lifted compiler runs the whole batch as matrix products. ``twin()`` builds the same model in PyTorch,
float64, holding the model's current weights under PyTorch's names (``Module.torch_state``), which reads a
batch of contexts as character indices, a LongTensor of shape (batch, block).
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from nn import LSTM, Embedding, Layer, LayerNorm, PositionalEmbedding, TransformerBlock
from nn.module import Module, as_list

CHARS = "." + "abcdefghijklmnopqrstuvwxyz"  # index 0 is the boundary '.', as in makemore
V = len(CHARS)  # 27


class CharModel(Module):
    """What the four share: ``block`` characters in, 27 logits out; parts named as PyTorch names them."""

    block = 1

    def twin(self) -> Any:
        """This model in PyTorch with its current weights (see ``torch_module``)."""
        import torch

        twin = self.torch_module(torch).double()
        state = {name: torch.tensor([v.data for v in values], dtype=torch.float64).reshape(shape)
                 for name, shape, values in self.torch_state()}
        twin.load_state_dict(state)  # strict: every name and shape PyTorch's model has, and no other
        return twin

    def torch_module(self, torch: Any) -> Any:
        raise NotImplementedError


class NeuralBigram(CharModel):
    """27 logits from the one-hot previous character: one linear layer, as ``torch.nn.Linear(27, 27)``."""

    def __init__(self) -> None:
        self.linear = Layer(V, V, activation="linear", scope="linear")

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        return as_list(self.linear(x))

    def named_children(self) -> List[Tuple[str, Module]]:
        return [("linear", self.linear)]

    def torch_module(self, torch: Any) -> Any:
        class Bigram(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.linear = torch.nn.Linear(V, V)

            def forward(self, idx: Any) -> Any:
                return self.linear(torch.nn.functional.one_hot(idx[:, -1], V).double())

        return Bigram()

    def __repr__(self) -> str:
        return "NeuralBigram(Linear 27 -> 27)"


class EmbeddingMLP(CharModel):
    """Bengio et al.'s MLP: the embeddings of the last ``block`` characters, concatenated, a tanh layer, 27
    logits."""

    def __init__(self, block: int = 3, embed: int = 8, hidden: int = 64) -> None:
        self.block, self.embed, self.hidden_size = block, embed, hidden
        self.embedding = Embedding(V, embed, scope="embedding")
        self.hidden = Layer(block * embed, hidden, activation="tanh", init="xavier", scope="hidden")
        self.out = Layer(hidden, V, activation="linear", init="xavier", scope="out")

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        return as_list(self.out(self.hidden([v for row in self.embedding.from_one_hot(x) for v in row])))

    def named_children(self) -> List[Tuple[str, Module]]:
        return [("embedding", self.embedding), ("hidden", self.hidden), ("out", self.out)]

    def torch_module(self, torch: Any) -> Any:
        block, embed, hidden = self.block, self.embed, self.hidden_size

        class MLP(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embedding = torch.nn.Embedding(V, embed)
                self.hidden = torch.nn.Linear(block * embed, hidden)
                self.out = torch.nn.Linear(hidden, V)

            def forward(self, idx: Any) -> Any:
                return self.out(torch.tanh(self.hidden(self.embedding(idx).reshape(idx.shape[0], -1))))

        return MLP()

    def __repr__(self) -> str:
        return f"EmbeddingMLP({self.block} x Embedding({V}, {self.embed}) -> {self.hidden_size} tanh -> {V})"


class CharLSTM(CharModel):
    """An LSTM read over the embeddings of the last ``block`` characters; its last hidden state gives the logits:
    ``out(lstm(embedding(context))[0][-1])``."""

    def __init__(self, block: int = 8, embed: int = 16, hidden: int = 64) -> None:
        self.block, self.embed, self.hidden_size = block, embed, hidden
        self.embedding = Embedding(V, embed, scope="embedding")
        self.lstm = LSTM(embed, hidden, scope="lstm")
        self.out = Layer(hidden, V, activation="linear", init="xavier", scope="out")

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        outputs, _ = self.lstm(self.embedding.from_one_hot(x))
        return as_list(self.out(outputs[-1]))

    def named_children(self) -> List[Tuple[str, Module]]:
        return [("embedding", self.embedding), ("lstm", self.lstm), ("out", self.out)]

    def torch_module(self, torch: Any) -> Any:
        embed, hidden = self.embed, self.hidden_size

        class Recurrent(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embedding = torch.nn.Embedding(V, embed)
                self.lstm = torch.nn.LSTM(embed, hidden, batch_first=True)
                self.out = torch.nn.Linear(hidden, V)

            def forward(self, idx: Any) -> Any:
                return self.out(self.lstm(self.embedding(idx))[0][:, -1])

        return Recurrent()

    def __repr__(self) -> str:
        return f"CharLSTM({self.block} x Embedding({V}, {self.embed}) -> LSTM({self.embed}, {self.hidden_size}) -> {V})"


class CharTransformer(CharModel):
    """A small causal transformer: character and position embeddings, ``layers`` pre-LayerNorm blocks, a final
    LayerNorm, and the logits from the last position. (makemore's transformer reads every position's logits at
    once; here each context is one sample, as for the other models, so that all train on the same batches.)"""

    def __init__(self, block: int = 8, embed: int = 32, heads: int = 4, layers: int = 2) -> None:
        self.block, self.embed, self.heads, self.layers = block, embed, heads, layers
        self.embedding = Embedding(V, embed, scope="embedding")
        self.position = PositionalEmbedding(block, embed, scope="position")
        self.blocks = [TransformerBlock(embed, heads, 4 * embed, causal=True, scope=f"blocks.{i}")
                       for i in range(layers)]
        self.norm = LayerNorm(embed)
        self.out = Layer(embed, V, activation="linear", init="xavier", scope="out")

    def __call__(self, x: Sequence[Any]) -> List[Any]:
        h = self.position(self.embedding.from_one_hot(x))
        for block in self.blocks:
            h = block(h)
        return as_list(self.out(self.norm(h[-1])))

    def named_children(self) -> List[Tuple[str, Module]]:
        return ([("embedding", self.embedding), ("position", self.position)]
                + [(f"blocks.{i}", b) for i, b in enumerate(self.blocks)] + [("norm", self.norm), ("out", self.out)])

    def torch_module(self, torch: Any) -> Any:
        block, embed, heads, layers = self.block, self.embed, self.heads, self.layers

        class Transformer(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.embedding = torch.nn.Embedding(V, embed)
                self.position = torch.nn.Embedding(block, embed)
                self.blocks = torch.nn.ModuleList(torch.nn.TransformerEncoderLayer(
                    embed, heads, 4 * embed, dropout=0.0, activation="relu", batch_first=True, norm_first=True)
                    for _ in range(layers))
                self.norm = torch.nn.LayerNorm(embed)
                self.out = torch.nn.Linear(embed, V)
                self.register_buffer("mask", torch.triu(torch.ones(block, block, dtype=torch.bool), 1),
                                     persistent=False)  # True: may NOT attend (PyTorch's boolean masks)

            def forward(self, idx: Any) -> Any:
                h = self.embedding(idx) + self.position.weight[: idx.shape[1]]
                for b in self.blocks:
                    h = b(h, src_mask=self.mask, is_causal=True)
                return self.out(self.norm(h[:, -1]))

        return Transformer()

    def __repr__(self) -> str:
        return (f"CharTransformer({self.block} x Embedding({V}, {self.embed}), {self.layers} causal blocks of "
                f"{self.heads} heads -> {V})")
