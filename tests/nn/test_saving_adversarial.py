"""Hostile checkpoint files, and saves killed with SIGKILL: the file on disk is always old or new, whole."""

import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nn
from nn import MLP, CheckpointError


def good(tmp_path: Path) -> dict:
    random.seed(1)
    path = tmp_path / "good.json"
    MLP(2, [3, 1]).save(path)
    return json.loads(path.read_text())


def hostile(document: dict) -> list:
    """(name, file bytes) for each kind of damage."""
    params = document["parameters"]
    first = next(iter(params))
    cases = [
        ("empty", b""),
        ("random bytes", os.urandom(512)),
        ("truncated", json.dumps(document).encode()[:100]),
        ("not an object", b"[1, 2, 3]"),
        ("deeply nested", b"[" * 100_000 + b"]" * 100_000),
        ("huge number", json.dumps({**document, "parameters": {**params, first: 1e400}}).replace("Infinity", "1e999").encode()),
        ("NaN", json.dumps({**document, "parameters": {**params, first: float("nan")}}).encode()),
        ("string parameter", json.dumps({**document, "parameters": {**params, first: "0.5"}}).encode()),
        ("wrong version", json.dumps({**document, "version": 99}).encode()),
        ("missing parameter", json.dumps({**document, "parameters": dict(list(params.items())[1:])}).encode()),
        ("extra parameter", json.dumps({**document, "parameters": {**params, "layer9.w0": 1.0}}).encode()),
        ("wrong shape", json.dumps({**document, "architecture": {**document["architecture"], "nouts": "3,1"}}).encode()),
        ("no architecture", json.dumps({k: v for k, v in document.items() if k != "architecture"}).encode()),
        ("parameters not a map", json.dumps({**document, "parameters": [1.0, 2.0]}).encode()),
    ]
    return cases


def test_every_hostile_file_is_refused_clearly_and_changes_nothing(tmp_path: Path) -> None:
    random.seed(1)
    target = MLP(2, [3, 1])
    before = [p.data for p in target.parameters()]
    refused = 0
    for name, data in hostile(good(tmp_path)):
        path = tmp_path / f"{name.replace(' ', '_')}.json"
        path.write_bytes(data)
        with pytest.raises(CheckpointError) as info:
            MLP.load(path)
        assert str(path) in str(info.value), name
        with pytest.raises(CheckpointError):
            nn.load_into(target, path)
        assert [p.data for p in target.parameters()] == before, name  # a failed load changes nothing
        refused += 1
    assert refused == 14


def test_a_directory_or_a_dangling_link_in_place_of_the_file(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(CheckpointError, match="not a file but a directory"):
        MLP.load(tmp_path / "dir.json")
    (tmp_path / "link.json").symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        MLP.load(tmp_path / "link.json")


SAVER = """
import random, sys
from nn import MLP
random.seed(0)
model = MLP(8, [64, 64, 8])
ps = model.parameters()
k = 0
while True:
    for p in ps:
        p.data = float(k % 2)  # alternately all 0 and all 1: old or new is easy to tell
    model.save(sys.argv[1])
    if k == 0:
        print("saved", flush=True)  # the parent kills only once a whole file exists, however slow the machine
    k += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_saves_killed_with_sigkill_leave_an_old_or_new_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    rng = random.Random(0)
    rounds = 0
    for _ in range(8):
        saver = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], cwd=tmp_path,  # chainrule as installed
                                 stdout=subprocess.PIPE, text=True)
        # Waits for the first save, not for a number of seconds; the generous bound only keeps a saver that
        # died or hung from hanging the suite (select: readline alone has no time-out).
        ready, _, _ = select.select([saver.stdout], [], [], 600)
        assert ready and saver.stdout.readline() == "saved\n", "the saver never finished a first save"
        time.sleep(rng.random() * 0.05)  # then a kill at some point of the saves that follow, often mid-save
        saver.send_signal(signal.SIGKILL)
        saver.wait()
        saver.stdout.close()
        loaded = MLP.load(path)  # whole and loadable
        values = {p.data for p in loaded.parameters()}
        assert values in ({0.0}, {1.0})
        rounds += 1
    print(f"checkpoints: {rounds} saves killed with SIGKILL, each leaving a whole old or new file")
    assert rounds == 8
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "model.json"]
    assert all(name.startswith(".model.json.") for name in leftovers)  # at most a temporary, never a torn file
    MLP.load(path).save(path)  # the next save sweeps what the killed savers left
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def _document(architecture, parameters, buffers=None):
    from nn.saving import FORMAT, VERSION

    document = {"format": FORMAT, "version": VERSION, "architecture": architecture, "parameters": parameters}
    if buffers is not None:
        document["buffers"] = buffers
    return document


def test_a_small_file_describing_a_huge_model_is_refused_before_anything_is_built(tmp_path: Path, monkeypatch) -> None:
    from engine import Value

    made = []
    real_init = Value.__init__
    monkeypatch.setattr(Value, "__init__", lambda self, *a, **k: (made.append(1), real_init(self, *a, **k))[1])
    for nouts in ([1000, 1], [100000, 100000]):
        path = tmp_path / "huge.json"
        path.write_text(json.dumps(_document({"type": "MLP", "nin": 1000, "nouts": nouts, "activation": "relu",
                                              "init": "uniform", "output_activation": "linear"}, {"w": 0.5})))
        with pytest.raises(CheckpointError, match=rf"describes {1001 * nouts[0] + (nouts[0] + 1) * nouts[1]} "
                                                  r"parameters but the file holds 1"):
            MLP.load(path)
    assert made == []  # counted from the description: not one Value made


def test_modules_nested_past_the_limit_are_a_checkpoint_error_not_a_recursion_error(tmp_path: Path) -> None:
    from nn.saving import MAX_DEPTH

    spec = {"type": "Layer", "nin": 1, "nout": 1, "activation": "relu", "init": "uniform"}
    for _ in range(900):
        spec = {"type": "Residual", "block": spec}
    path = tmp_path / "deep.json"
    path.write_text(json.dumps(_document(spec, {"0": 0.5, "1": 0.5})))
    with pytest.raises(CheckpointError, match=rf"nests modules more than {MAX_DEPTH} deep"):
        nn.load(path)


def test_a_401_digit_parameter_and_a_negative_variance_are_checkpoint_errors(tmp_path: Path) -> None:
    from nn import BatchNorm, Sequential

    random.seed(0)
    model = MLP(1, [1])
    path = tmp_path / "m.json"
    model.save(path)
    document = json.loads(path.read_text())
    name = next(iter(document["parameters"]))
    document["parameters"][name] = 10 ** 400
    path.write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match=rf"parameter {re.escape(name)} must be a finite number, got an "
                                              r"integer of 401 digits"):
        MLP.load(path)
    net = Sequential(BatchNorm(2))
    net.save(path)
    document = json.loads(path.read_text())
    var = next(n for n in document["buffers"] if "running_var" in n)
    document["buffers"][var] = -0.5
    path.write_text(json.dumps(document))
    with pytest.raises(CheckpointError, match=rf"buffer {re.escape(var)} is a variance, which cannot be negative"):
        nn.load(path)


def _file(tmp_path, name, nin, nout, parameters):
    import json as _json

    path = tmp_path / name
    path.write_text(_json.dumps({"format": "chainrule-checkpoint", "version": 1,
                                 "architecture": {"type": "MLP", "nin": nin, "nouts": [nout], "activation": "relu",
                                                  "init": "uniform", "output_activation": "linear"},
                                 "parameters": parameters}))
    return path


def test_the_size_check_refuses_past_its_allowance_and_not_at_it(tmp_path) -> None:
    """nn.saving._check_size at its boundary: 10,000 parameters missing pass it (the loader then names what is
    missing), 10,001 do not, and parameters that are not a mapping hold none."""
    import pytest as _pytest

    from nn import CheckpointError, load
    from nn.saving import MAX_MISSING

    assert MAX_MISSING == 10_000
    with _pytest.raises(CheckpointError, match="describes 10001 parameters but the file holds 0"):
        load(_file(tmp_path, "a.json", 136, 73, []))  # 73 x 137 = 10,001, and a list holds none
    with _pytest.raises(CheckpointError) as caught:
        load(_file(tmp_path, "b.json", 99, 100, {}))  # 100 x 100 = 10,000: within the allowance
    assert "describes" not in str(caught.value)


def test_the_size_check_names_the_file(tmp_path) -> None:
    """nn.saving.load: a refused size names the file it read, as every other CheckpointError does."""
    path = _file(tmp_path, "a.json", 136, 73, [])
    with pytest.raises(CheckpointError) as caught:
        nn.load(path)
    assert str(caught.value) == f"{path}: the architecture describes 10001 parameters but the file holds 0: it is " \
                                f"truncated, corrupted or not the one saved"


def test_a_variance_is_known_by_its_last_name_at_any_depth_and_may_be_zero(tmp_path: Path) -> None:
    """nn.saving._checked: a running variance below zero is refused however deep its batch norm sits (its name
    ``0.block.running_var0`` has two dots), one of exactly zero is loaded, and a buffer named without a dot (a
    module of one's own) is checked too."""
    from engine import Value
    from nn import BatchNorm, Residual, Sequential
    from nn.saving import load_state_dict

    random.seed(0)
    net = Sequential(Residual(BatchNorm(2)))
    path = tmp_path / "deep.json"
    net.save(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert "0.block.running_var1" in document["buffers"]
    document["buffers"]["0.block.running_var1"] = 0.0  # a feature that was constant: its variance is 0
    path.write_text(json.dumps(document), encoding="utf-8")
    assert nn.load(path).layers[0].block.running_var[1].data == 0.0
    document["buffers"]["0.block.running_var1"] = -0.25
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"buffer 0\.block\.running_var1 is a variance, which cannot be "
                                              r"negative: got -0\.25$"):
        nn.load(path)

    class Own:
        var = Value(1.0)

        def named_parameters(self):
            return []

        def named_buffers(self):
            return [("running_var", self.var)]

    load_state_dict(Own(), {}, "own", {"running_var": 0.5})
    assert Own.var.data == 0.5
    with pytest.raises(CheckpointError, match=r"^own: buffer running_var is a variance, which cannot be negative"):
        load_state_dict(Own(), {}, "own", {"running_var": -1.0})
