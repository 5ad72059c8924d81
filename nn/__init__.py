"""chainrule's neural networks, built on ``engine``: micrograd-compatible modules.

>>> from nn import MLP
>>> import random; random.seed(0)
>>> len(MLP(2, [16, 16, 1]).parameters())
337
"""

from .module import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron"]
