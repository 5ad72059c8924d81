"""chainrule's neural networks, built on ``engine``: micrograd-compatible modules and a training toolkit.

>>> from nn import MLP
>>> import random; random.seed(0)
>>> len(MLP(2, [16, 16, 1]).parameters())
337
"""

from . import data, losses
from .attention import MultiHeadAttention, PositionalEmbedding, TransformerBlock, attention
from .batchnorm import BatchNorm
from .convolution import Conv1d, Conv2d
from .dropout import Dropout
from .embedding import Embedding
from .gradcheck import gradcheck_model
from .layernorm import LayerNorm
from .module import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, AdamW, CosineLR, LinearWarmup, StepLR, clip_grad_norm
from .pooling import AvgPool2d, Flatten, MaxPool1d, MaxPool2d
from .recurrent import GRU, LSTM, RNN
from .sampling import Sampled, gumbel_softmax, score_function
from .saving import CheckpointError, load, load_into, save
from .sequential import Activation, Residual, Sequential
from .torch_export import to_torch
from .torch_state import load_torch_state
from .train import DeadNetworkWarning, accuracy, batch_order, fit

__all__ = [
    "Activation", "Adam", "AdamW", "AvgPool2d", "BatchNorm", "CheckpointError", "Conv1d", "Conv2d", "CosineLR",
    "DeadNetworkWarning", "Dropout", "Embedding", "Flatten", "GRU", "LSTM", "Layer", "LayerNorm", "LinearWarmup", "MLP",
    "MaxPool1d", "MaxPool2d", "Module", "MultiHeadAttention", "Neuron", "PositionalEmbedding", "RNN", "Residual", "SGD", "Sampled", "Sequential", "StepLR", "TransformerBlock",
    "accuracy", "attention", "batch_order", "clip_grad_norm", "data", "fit", "gradcheck_model", "gumbel_softmax", "load", "load_into",
    "load_torch_state", "to_torch", "losses", "save", "score_function",
]
