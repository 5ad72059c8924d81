"""chainrule's neural networks, built on ``engine``: micrograd-compatible modules and a training toolkit.

>>> from nn import MLP
>>> import random; random.seed(0)
>>> len(MLP(2, [16, 16, 1]).parameters())
337
"""

from . import data, losses
from .checkpoint import CheckpointError, load_into, save
from .module import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, AdamW, CosineLR, LinearWarmup, StepLR, clip_grad_norm
from .train import DeadNetworkWarning, accuracy, fit

load = MLP.load  # nn.load(path): a new MLP from a checkpoint

__all__ = [
    "MLP", "SGD", "Adam", "AdamW", "CheckpointError", "CosineLR", "DeadNetworkWarning", "Layer", "LinearWarmup", "Module", "Neuron",
    "StepLR", "accuracy", "clip_grad_norm", "data", "fit", "load", "load_into", "losses", "save",
]
