"""python -m demos cnn, end to end on small IDX files the test writes (each class lights its own patch, so a short
run must learn it), beside the same network in PyTorch from the same weights on the same batches."""

import random
from pathlib import Path

import pytest

from demos import cnn
from tests.demos.test_mnist_demo import run_on_patches, write_set
from tests.torch_oracle import needs_torch, torch


def test_the_demo_trains_the_cnn_and_draws_its_pictures(tmp_path: Path, capsys) -> None:
    printed, accuracy, out = run_on_patches(cnn, tmp_path, capsys, 600, 5)
    assert "conv 3x3 (16) -> ReLU -> max-pool 2 -> conv 3x3 (32)" in printed
    assert accuracy >= 90.0
    for name in ("cnn_history.png", "cnn_filters.png", "cnn_mistakes.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"


@needs_torch
def test_ours_and_pytorchs_agree_epoch_by_epoch(tmp_path: Path) -> None:
    root = tmp_path / "digits"
    root.mkdir()
    write_set(root, "train", 200, seed=4)
    result = cnn.run(root=root, epochs=2, progress=False)
    assert result["torch"]["val_accuracy"] == result["history"]["val_accuracy"]


@needs_torch
def test_the_twin_holds_our_weights_and_gives_our_logits() -> None:
    random.seed(2)
    model = cnn.DigitCNN(2, 3)
    twin = model.twin()
    image = [random.random() for _ in range(784)]
    ours = [v.data for v in model(image)]
    theirs = twin(torch.tensor(image, dtype=torch.float64).reshape(1, 1, 28, 28))[0].tolist()
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


def test_missing_files_say_how_to_fetch_them(tmp_path: Path, capsys) -> None:
    assert cnn.main(["--root", str(tmp_path), "--no-progress"]) == 1
    assert "python -m nn.data fetch mnist" in capsys.readouterr().out
