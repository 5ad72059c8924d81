"""Checkpoints: a round trip, atomic writes, and clear errors for every kind of bad file."""

import json
import os
import random
from pathlib import Path

import pytest

import nn
from nn import MLP, CheckpointError


@pytest.fixture
def model() -> MLP:
    random.seed(7)
    return MLP(3, [4, 2], activation="tanh", init="xavier")


def test_round_trip_keeps_architecture_parameters_and_outputs(model, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model.save(path)
    state = random.getstate()
    loaded = MLP.load(path)
    assert random.getstate() == state  # loading draws no random numbers of the caller's
    assert loaded.config == model.config
    assert [p.data for p in loaded.parameters()] == [p.data for p in model.parameters()]
    x = [0.1, -0.2, 0.3]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]
    doc = json.loads(path.read_text())
    assert doc["format"] == "chainrule-checkpoint" and doc["version"] == 1
    assert "layer0.neuron0.w0" in doc["parameters"]


def test_a_crash_mid_save_leaves_the_previous_checkpoint(model, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "model.json"
    nn.save(model, path)
    before = path.read_text()
    for p in model.parameters():
        p.data += 1.0

    def crash(*args):
        raise OSError("disk pulled out")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk pulled out"):
        nn.save(model, path)
    assert path.read_text() == before
    assert [f.name for f in tmp_path.iterdir()] == ["model.json"]  # no temporary file left behind


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(text)
    return path


def good_document(model) -> dict:
    return {"format": "chainrule-checkpoint", "version": 1, "architecture": {"type": "MLP", **model.config},
            "parameters": {name: p.data for name, p in model.named_parameters()}}


def test_truncated_and_corrupted_files(model, tmp_path: Path) -> None:
    model.save(tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text()
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        MLP.load(write(tmp_path, text[: len(text) // 2]))
    with pytest.raises(CheckpointError, match="not a chainrule checkpoint"):
        MLP.load(write(tmp_path, "[1, 2, 3]"))
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        MLP.load(tmp_path / "missing.json")


@pytest.mark.parametrize(
    "change, text",
    [
        (lambda d: d.update(version=2), "version 2; this chainrule reads version 1"),
        (lambda d: d["architecture"].update(nouts=[5, 2]), "do not match the model"),
        (lambda d: d["architecture"].update(activation="swish"), "bad architecture"),
        (lambda d: d["parameters"].pop("layer1.neuron1.b"), "1 missing"),
        (lambda d: d["parameters"].update({"layer0.neuron0.w0": "NaN"}), "must be a finite number, got 'NaN'"),
        (lambda d: d["parameters"].update({"layer9.neuron0.w0": 1.0}), "1 unexpected"),
    ],
)
def test_wrong_version_and_mismatched_files(model, tmp_path: Path, change, text) -> None:
    document = good_document(model)
    change(document)
    with pytest.raises(CheckpointError, match=text):
        MLP.load(write(tmp_path, json.dumps(document)))


def test_nothing_is_half_loaded(model, tmp_path: Path) -> None:
    document = good_document(model)
    document["parameters"] = {k: v + 1.0 for k, v in document["parameters"].items()}
    document["parameters"]["layer1.neuron1.b"] = None  # the last parameter is bad
    before = [p.data for p in model.parameters()]
    with pytest.raises(CheckpointError, match="layer1.neuron1.b must be a finite number, got None"):
        nn.load_into(model, write(tmp_path, json.dumps(document)))
    assert [p.data for p in model.parameters()] == before


def test_load_into_checks_the_architecture(model, tmp_path: Path) -> None:
    random.seed(1)
    other = MLP(3, [5, 2])
    other.save(tmp_path / "other.json")
    with pytest.raises(CheckpointError, match="the checkpoint is for"):
        nn.load_into(model, tmp_path / "other.json")
    with pytest.raises(TypeError, match="writes GRU, LSTM, MLP, .* models, got Layer"):
        nn.save(model.layers[0], tmp_path / "layer.json")


def test_a_registered_count_takes_only_the_spec_it_describes(monkeypatch) -> None:
    """nn.saving.register is where a user's own module kind comes in: its parameter count is called with the
    spec's sizes, never the "type" key, so a count written plainly (no **_) works."""
    from nn import saving

    monkeypatch.setitem(saving._OWN_PARAMETERS, "Scale", lambda features: features)  # a weight per feature
    assert saving.described_parameters({"type": "Sequential", "layers": [
        {"type": "Scale", "features": 4}, {"type": "BatchNorm", "features": 3}]}) == 4 + 2 * 3


class _Gain:
    """A module of a kind no chainrule file registers (its class's name): one parameter, ``gain``."""

    def __init__(self, gain: float = 1.0) -> None:
        from engine import Value

        self.gain = Value(gain)

    def named_parameters(self):
        return [("gain", self.gain)]

    def spec(self) -> dict:
        return {"type": type(self).__name__}


class _Inner(_Gain):
    """Another such kind."""


@pytest.fixture
def registry():
    """nn.saving's tables, put back as they were after a test registers a throwaway kind."""
    from nn import saving

    kept = dict(saving._BUILDERS), dict(saving._OWN_PARAMETERS), list(saving._ALONE)
    yield saving
    for table, old in zip((saving._BUILDERS, saving._OWN_PARAMETERS, saving._ALONE), kept):
        table.clear()
        table.update(old) if isinstance(table, dict) else table.extend(old)


def test_register_at_run_time_builds_counts_and_saves_only_what_it_is_told(registry, tmp_path: Path) -> None:
    """nn.saving.register called when a program runs (every module file calls it at import)."""
    registry.register("_Inner", _Inner, parameters=lambda **_: 7)  # alone: False by default
    built = registry.build({"type": "_Inner"})
    assert type(built) is _Inner
    assert registry.described_parameters({"type": "_Inner"}) == 7  # its count, as registered
    with pytest.raises(TypeError, match=r"^save writes .* models, got _Inner$"):
        nn.save(built, tmp_path / "inner.json")  # not registered alone: saved only inside another model
    registry.register("_Gain", _Gain)  # no count: a file of it is checked as holding none of its own
    assert registry.described_parameters({"type": "_Gain"}) == 0
    registry.register("_Gain", _Gain, parameters=lambda **_: 1, alone=True)
    registry.register("_Gain", _Gain, parameters=lambda **_: 1, alone=True)  # twice: listed once
    loaded = nn.load(nn.save(_Gain(2.5), tmp_path / "gain.json"))
    assert type(loaded) is _Gain and loaded.gain.data == 2.5
    with pytest.raises(TypeError) as refused:
        nn.save(_Inner(), tmp_path / "inner.json")
    kinds = str(refused.value).removeprefix("save writes ").removesuffix(" models, got _Inner").replace(" and ", ", ")
    assert kinds.split(", ") == sorted(registry._ALONE) and kinds.split(", ").count("_Gain") == 1
    assert "_Inner" not in kinds.split(", ") and {"MLP", "Sequential", "RNN"} <= set(kinds.split(", "))
