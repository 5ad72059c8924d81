"""python -m demos distributed: two processes under DistributedDataParallel end with the parameters of chainrule's
own fit on the same global batches (float64 rounding apart), on small IDX files the test writes."""

import re
import sys
from pathlib import Path

import pytest

from demos import distributed
from engine.testing.oracles import TORCH_MISSING
from tests.demos.test_mnist_demo import write_set


def test_without_pytorch_it_says_what_to_install(monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "torch.multiprocessing", None)
    assert distributed.main(["--no-progress"]) == 1
    assert "pip install torch==2.13.0" in capsys.readouterr().out


def test_two_processes_give_the_parameters_of_one(tmp_path: Path, capsys) -> None:
    pytest.importorskip("torch", reason=TORCH_MISSING)
    root = tmp_path / "digits"
    root.mkdir()
    write_set(root, "train", 300, seed=2)  # 240 to train on: 8 global batches of 32, the last of 16
    assert distributed.main(["--processes", "2", "--root", str(root), "--batch", "32", "--epochs", "2",
                             "--no-progress"]) == 0
    printed = capsys.readouterr().out
    gap, largest = map(float, re.search(r"parameters: ([\d.e+-]+) \(the largest parameter is ([\d.]+)", printed).groups())
    assert gap <= 1e-12 * max(1.0, largest)
    assert "2 process(es)" in printed
    accuracy = float(re.search(r"held-out accuracy on 60 images, .*: ([\d.]+)%", printed).group(1))
    assert accuracy >= 80.0  # each class lights its own patch: two epochs learn most of it


def test_refuses_more_processes_than_samples_in_a_batch(capsys) -> None:
    with pytest.raises(SystemExit):
        distributed.main(["--processes", "4", "--batch", "2"])
    assert "--processes must be at least 1 and at most --batch (2), got 4" in capsys.readouterr().err
