"""Hostile checkpoint files, and saves killed with SIGKILL: the file on disk is always old or new, whole."""

import json
import os
import random
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
