"""Convolutions and pools through a checkpoint file: built again from their description, counted before building."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import nn
from engine import Value
from nn.saving import described_parameters


def test_a_cnn_saved_and_loaded_computes_what_it_did(tmp_path: Path) -> None:
    random.seed(3)
    model = nn.Sequential(nn.Conv2d(1, 2, (3, 2), stride=(1, 2), padding=1), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Layer(12, 1, activation="linear"))
    image = [[[Value(((i * 7 + j * 3) % 5) / 5.0) for j in range(6)] for i in range(6)]]
    before = model(image)
    loaded = nn.load(nn.save(model, tmp_path / "cnn.json"))
    after = loaded(image)
    assert after.data == before.data  # the same number from the same weights
    conv, pool = loaded.layers[0], loaded.layers[1]
    assert (conv.kernel_size, conv.stride, conv.padding, pool.kernel_size) == ((3, 2), (1, 2), (1, 1), (2, 2))
    assert repr(loaded) == repr(model)


def test_a_convolution_described_without_bias_is_counted_with_the_bias_it_is_built_with() -> None:
    spec = {"type": "Conv2d", "in_channels": 2, "out_channels": 3, "kernel_size": [3, 3]}  # bias: the default
    assert described_parameters(spec) == 3 * (2 * 3 * 3 + 1) == len(nn.saving.build(spec).parameters())
    assert described_parameters({**spec, "bias": False}) == 3 * 2 * 3 * 3
