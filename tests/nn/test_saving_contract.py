"""Checkpoints: the JSON document written, every refusal's message word for word, and nothing changed on a refusal."""

import json
import random
from pathlib import Path

import pytest

import nn
from nn import MLP, CheckpointError, Neuron, load_into, save
from nn.saving import load_state_dict, read, state_dict


def model(seed=0, **kwargs):
    random.seed(seed)
    return MLP(2, [2, 1], **kwargs)


def test_the_document_written(tmp_path) -> None:
    m = model(activation="tanh")
    target = tmp_path / "sub" / "m.json"
    returned = save(m, str(target))
    assert returned == target and isinstance(returned, Path)
    doc = json.loads(target.read_text())
    assert list(doc) == ["format", "version", "architecture", "parameters"]
    assert doc["format"] == "chainrule-checkpoint" and doc["version"] == 1
    assert doc["architecture"] == {"type": "MLP", "nin": 2, "nouts": [2, 1], "activation": "tanh",
                                   "init": "uniform", "output_activation": "linear"}
    assert doc["parameters"] == {name: p.data for name, p in m.named_parameters()}
    assert list(doc["parameters"]) == [name for name, _ in m.named_parameters()]
    assert target.read_text() == json.dumps(doc, indent=1)
    assert state_dict(m) == doc["parameters"]
    m.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == target.read_text()


def test_round_trips(tmp_path) -> None:
    m = model(activation="sigmoid", init="he")
    path = tmp_path / "m.json"
    m.save(str(path))
    for loaded in (MLP.load(str(path)), nn.load(path)):
        assert [p.data for p in loaded.parameters()] == [p.data for p in m.parameters()]
        assert loaded.config == m.config
    other = model(seed=5, activation="sigmoid", init="he")
    load_into(other, str(path))
    assert [p.data for p in other.parameters()] == [p.data for p in m.parameters()]
    assert all(type(p.data) is float for p in other.parameters())


def write(path, doc):
    path.write_text(json.dumps(doc))
    return path


def good_doc(m):
    return {"format": "chainrule-checkpoint", "version": 1, "architecture": {"type": "MLP", **m.config},
            "parameters": state_dict(m)}


NAMES = ["layer0.neuron0.w0", "layer0.neuron0.w1", "layer0.neuron0.b", "layer0.neuron1.w0", "layer0.neuron1.w1",
         "layer0.neuron1.b", "layer1.neuron0.w0", "layer1.neuron0.w1", "layer1.neuron0.b"]


def broken(kind):
    def change(doc):
        if kind == "missing":
            for name in NAMES[:4]:
                del doc["parameters"][name]
        elif kind == "extra":
            doc["parameters"]["extra.w0"] = 1.0
        elif kind == "both":
            del doc["parameters"][NAMES[-1]]
            for k in range(5):
                doc["parameters"][f"x{k}"] = 0.0
        elif kind == "list":
            doc["parameters"] = [1.0, 2.0]
        elif kind == "missing params":
            del doc["parameters"]
        else:
            doc["parameters"][NAMES[1]] = kind
        return doc
    return change


@pytest.mark.parametrize("change, message", [
    (broken("missing"), "parameters do not match the model: 4 missing (e.g. ['layer0.neuron0.w0', "
                        "'layer0.neuron0.w1', 'layer0.neuron0.b']), 0 unexpected (e.g. [])"),
    (broken("extra"), "parameters do not match the model: 0 missing (e.g. []), 1 unexpected (e.g. ['extra.w0'])"),
    (broken("both"), "parameters do not match the model: 1 missing (e.g. ['layer1.neuron0.b']), 5 unexpected "
                     "(e.g. ['x0', 'x1', 'x2'])"),
    (broken("list"), "parameters must be a JSON object of name -> number"),
    (broken("missing params"), "parameters must be a JSON object of name -> number"),
    (broken(True), "parameter layer0.neuron0.w1 must be a finite number, got True"),
    (broken("0.5"), "parameter layer0.neuron0.w1 must be a finite number, got '0.5'"),
    (broken(None), "parameter layer0.neuron0.w1 must be a finite number, got None"),
    (broken(float("nan")), "parameter layer0.neuron0.w1 must be a finite number, got nan"),
    (broken(float("-inf")), "parameter layer0.neuron0.w1 must be a finite number, got -inf"),
])
def test_bad_parameters_change_nothing(tmp_path, change, message) -> None:
    m = model()
    path = write(tmp_path / "bad.json", change(good_doc(m)))
    target = model(seed=3)
    before = [p.data for p in target.parameters()]
    for load in (lambda: MLP.load(path), lambda: load_into(target, path), lambda: nn.load(str(path))):
        with pytest.raises(CheckpointError) as e:
            load()
        assert str(e.value) == f"{path}: {message}"
    assert [p.data for p in target.parameters()] == before
    with pytest.raises(CheckpointError) as e:
        load_state_dict(target, change(good_doc(m)).get("parameters"))
    assert str(e.value) == f"state: {message}"
    assert [p.data for p in target.parameters()] == before


def test_integer_parameters_are_read_as_floats(tmp_path) -> None:
    m = model()
    doc = good_doc(m)
    doc["parameters"] = {name: k for k, name in enumerate(NAMES)}
    loaded = MLP.load(write(tmp_path / "ints.json", doc))
    assert [p.data for p in loaded.parameters()] == [float(k) for k in range(9)]
    assert all(type(p.data) is float for p in loaded.parameters())


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe\x00garbage", "not text, so not a checkpoint: the file is corrupted or binary"),
    (b'{"format": "chainrule-checkpoint", "vers', "not valid JSON, the file is truncated or corrupted "
                                                  "(Unterminated string starting at: line 1 column 36 (char 35))"),
    (b"", "not valid JSON, the file is truncated or corrupted (Expecting value: line 1 column 1 (char 0))"),
    (b"[" * 100000 + b"]" * 100000, "not valid JSON, the file is truncated or corrupted (nested too deeply)"),
    (b"[1, 2]", 'not a chainrule checkpoint (no "format": "chainrule-checkpoint")'),
    (b'{"format": "other"}', 'not a chainrule checkpoint (no "format": "chainrule-checkpoint")'),
    (b'{"format": "chainrule-checkpoint", "version": 2}', "checkpoint version 2; this chainrule reads version 1"),
    (b'{"format": "chainrule-checkpoint"}', "checkpoint version None; this chainrule reads version 1"),
    (b'{"format": "chainrule-checkpoint", "version": "1"}', "checkpoint version '1'; this chainrule reads version 1"),
])
def test_unreadable_files(tmp_path, content, message) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(content)
    target = model(seed=3)
    before = [p.data for p in target.parameters()]
    for load in (lambda: MLP.load(str(path)), lambda: load_into(target, str(path)), lambda: read(path)):
        with pytest.raises(CheckpointError) as e:
            load()
        assert str(e.value) == f"{path}: {message}"
    assert [p.data for p in target.parameters()] == before


def test_architecture_checks(tmp_path) -> None:
    m = model()
    doc = good_doc(m)
    doc["architecture"] = {"type": "CNN", "nin": 2}
    path = write(tmp_path / "a.json", doc)
    with pytest.raises(CheckpointError) as e:
        MLP.load(path)
    assert str(e.value) == f"{path}: architecture must describe an MLP, got {{'type': 'CNN', 'nin': 2}}"
    doc["architecture"] = ["MLP"]
    write(path, doc)
    with pytest.raises(CheckpointError) as e:
        read(str(path))
    assert str(e.value) == f"{path}: architecture must describe an MLP, got ['MLP']"
    del doc["architecture"]
    write(path, doc)
    with pytest.raises(CheckpointError) as e:
        MLP.load(path)
    assert str(e.value) == f"{path}: architecture must describe an MLP, got None"
    target = model(seed=2)
    with pytest.raises(CheckpointError) as e:
        load_into(target, path)
    assert str(e.value) == (f"{path}: the checkpoint is for {{}}, but the model is {{'nin': 2, 'nouts': [2, 1], "
                            "'activation': 'relu', 'init': 'uniform', 'output_activation': 'linear'}")
    wide = model(activation="tanh")
    wide.save(path)
    with pytest.raises(CheckpointError) as e:
        load_into(target, path)
    assert str(e.value) == (f"{path}: the checkpoint is for {{'nin': 2, 'nouts': [2, 1], 'activation': 'tanh', "
                            "'init': 'uniform', 'output_activation': 'linear'}, but the model is {'nin': 2, 'nouts': "
                            "[2, 1], 'activation': 'relu', 'init': 'uniform', 'output_activation': 'linear'}")
    kwargs, params = read(path)
    assert kwargs == wide.config and params == state_dict(wide)


def test_missing_directories_and_unreadable_paths(tmp_path) -> None:
    missing = tmp_path / "none.json"
    with pytest.raises(FileNotFoundError) as e:
        MLP.load(missing)
    assert str(e.value) == f"no checkpoint at {missing}"
    with pytest.raises(CheckpointError) as e:
        MLP.load(tmp_path)
    assert str(e.value) == f"{tmp_path}: not a file but a directory"
    a_file = tmp_path / "plain"
    a_file.write_text("x")
    below = a_file / "m.json"
    with pytest.raises(CheckpointError) as e:
        load_into(model(), below)
    assert str(e.value) == f"{below}: cannot be read (Not a directory)"


def test_save_refuses_what_is_not_a_whole_model(tmp_path) -> None:
    with pytest.raises(TypeError) as e:
        save(Neuron(2), tmp_path / "n.json")
    assert str(e.value) == "save writes GRU, LSTM, MLP, MultiHeadAttention, RNN, Sequential and TransformerBlock models, got Neuron"

    class Configured:
        config = {"nin": 1}

    with pytest.raises(TypeError) as e:
        save(Configured(), tmp_path / "c.json")
    assert str(e.value) == "save writes GRU, LSTM, MLP, MultiHeadAttention, RNN, Sequential and TransformerBlock models, got Configured"
    assert list(tmp_path.iterdir()) == []


def diverge(value, v):
    """Put nan or an infinity in ``value``. ``p.data = nan`` is refused (Value's setter), so a model holds one only
    by a path that skips the check; the save must refuse it all the same, as load would refuse the file."""
    value._data = v


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_diverged_model_is_not_saved_and_the_good_checkpoint_stays(tmp_path, bad) -> None:
    m = model()
    path = tmp_path / "latest.json"
    m.save(path)
    good = path.read_bytes()
    diverge(m.parameters()[4], bad)
    diverge(m.parameters()[7], float("nan"))  # a later one: the message names the first
    for saving in (lambda: m.save(path), lambda: save(m, str(path))):
        with pytest.raises(CheckpointError) as e:
            saving()
        assert str(e.value) == (f"{path}: not saved: parameter layer0.neuron1.w1 must be a finite number, got {bad!r} "
                                f"(the model has diverged; a smaller learning rate may help); any file there is unchanged")
    assert path.read_bytes() == good and [p.name for p in tmp_path.iterdir()] == ["latest.json"]
    assert [p.data for p in MLP.load(path).parameters()] == [p.data for p in model().parameters()]
    with pytest.raises(CheckpointError, match="not saved: parameter layer0.neuron1.w1"):
        save(m, tmp_path / "new" / "m.json")
    assert [p.name for p in tmp_path.iterdir()] == ["latest.json"]


def test_a_non_finite_buffer_is_not_saved(tmp_path) -> None:
    random.seed(0)
    net = nn.Sequential(nn.Layer(2, 3, activation="linear"), nn.BatchNorm(3))
    name, running = net.named_buffers()[4]
    diverge(running, float("inf"))
    with pytest.raises(CheckpointError) as e:
        net.save(tmp_path / "m.json")
    assert str(e.value) == (f"{tmp_path / 'm.json'}: not saved: buffer {name} must be a finite number, got inf "
                            f"(the model has diverged; a smaller learning rate may help); any file there is unchanged")
    assert list(tmp_path.iterdir()) == []
    diverge(running, 2.0)
    net.save(tmp_path / "m.json")
    assert nn.load(tmp_path / "m.json").named_buffers()[4][1].data == 2.0


def test_an_architecture_may_nest_modules_exactly_max_depth_deep() -> None:
    from nn.saving import MAX_DEPTH, CheckpointError, described_parameters

    def nested(depth: int) -> dict:
        spec = {"type": "Layer", "nin": 2, "nout": 3, "activation": "relu", "init": "uniform"}
        for _ in range(depth - 1):
            spec = {"type": "Sequential", "layers": [spec]}
        return spec

    assert described_parameters(nested(MAX_DEPTH)) == 9  # the root counts as depth 1
    with pytest.raises(CheckpointError, match=f"the architecture nests modules more than {MAX_DEPTH} deep"):
        described_parameters(nested(MAX_DEPTH + 1))
