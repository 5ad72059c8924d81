"""python -m demos mnist, end to end on small IDX files the test writes: digits made learnable on purpose
(each class lights its own 4x4 patch), so a short run must reach a high held-out accuracy."""

import random
import re
from pathlib import Path

from demos import mnist
from nn.data import save_idx


def write_set(root: Path, prefix: str, n: int, seed: int) -> None:
    rng = random.Random(seed)
    labels = [rng.randrange(10) for _ in range(n)]
    pixels = []
    for label in labels:
        image = [rng.randrange(40) for _ in range(784)]  # faint noise everywhere
        top, left = 2 + 2 * label, 4 + 2 * label
        for r in range(top, top + 4):
            for c in range(left, left + 4):
                image[r * 28 + c] = 255
        pixels.extend(image)
    save_idx(root / f"{prefix}-images-idx3-ubyte.gz", (n, 28, 28), pixels)
    save_idx(root / f"{prefix}-labels-idx1-ubyte.gz", (n,), labels)


def run_on_patches(demo, tmp_path: Path, capsys, images: int, epochs: int) -> tuple:
    """``demo.main`` on ``images`` learnable digits (a fifth held out): (what it printed, its held-out accuracy in
    percent, the output folder)."""
    root, out = tmp_path / "digits", tmp_path / "out"
    root.mkdir()
    write_set(root, "train", images, seed=1)
    assert demo.main(["--root", str(root), "--epochs", str(epochs), "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    found = re.search(rf"held-out accuracy on {images // 5} images: ([\d.]+)%", printed)
    return printed, float(found.group(1)), out


def test_the_demo_trains_the_seeds_network_and_draws_its_pictures(tmp_path: Path, capsys) -> None:
    printed, accuracy, out = run_on_patches(mnist, tmp_path, capsys, 400, 4)
    assert "MNIST: MLP 784-128-10 (ReLU, He init)" in printed and "time per epoch:" in printed
    assert accuracy >= 90.0
    for name in ("mnist_samples.png", "mnist_confusion.png", "mnist_history.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"


def test_fashion_uses_the_official_test_split(tmp_path: Path, capsys) -> None:
    root = tmp_path / "fashion"
    root.mkdir()
    write_set(root, "train", 300, seed=2)
    write_set(root, "t10k", 60, seed=3)
    assert mnist.main(["--fashion", "--root", str(root), "--epochs", "3", "--out", str(tmp_path), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "Fashion-MNIST" in printed and "held-out accuracy on 60 images" in printed
    assert (tmp_path / "fashion_mnist_confusion.png").exists()


def test_missing_files_say_how_to_fetch_them(tmp_path: Path, capsys) -> None:
    assert mnist.main(["--root", str(tmp_path), "--no-progress"]) == 1
    assert "python -m nn.data fetch mnist" in capsys.readouterr().out


def test_the_confusion_matrix_writes_digits_upright_and_words_slanted() -> None:
    counts = [[int(t == p) * 5 + (t + p) % 3 for p in range(10)] for t in range(10)]
    digits = mnist.confusion_figure(counts, [str(d) for d in range(10)]).axes[0]
    # one-digit labels were tilted by 45 degrees like long words
    assert [t.get_rotation() for t in digits.get_xticklabels()] == [0.0] * 10
    assert [t.get_text() for t in digits.get_xticklabels()] == [str(d) for d in range(10)]
    assert list(digits.get_xticks()) == list(range(10)) and list(digits.get_yticks()) == list(range(10))
    # every cell is numbered with its count
    assert sorted((int(t.get_position()[1]), int(t.get_position()[0]), t.get_text()) for t in digits.texts) == \
        sorted((r, c, str(n)) for r, row in enumerate(counts) for c, n in enumerate(row))
    words = mnist.confusion_figure(counts, mnist.FASHION).axes[0]
    assert [t.get_rotation() for t in words.get_xticklabels()] == [45.0] * 10


def test_a_wrong_prediction_is_titled_with_the_truth_too() -> None:
    X = [[0.0] * 784 for _ in range(3)]
    fig = mnist.samples_figure(X, [3, 5, 7], [3, 0, 7], [str(d) for d in range(10)])
    titles = [(ax.get_title(), ax.title.get_color()) for ax in fig.axes[:3]]
    assert titles == [("3", "black"), ("0 (is 5)", "red"), ("7", "black")]
    assert all(not ax.axison for ax in fig.axes)  # the grid's unused cells are blank too


def test_quick_is_documented_and_small(tmp_path: Path, capsys) -> None:
    import pytest

    with pytest.raises(SystemExit):
        mnist.main(["--help"])
    assert "--quick" in capsys.readouterr().out
    root = tmp_path / "digits"
    root.mkdir()
    write_set(root, "train", 60, seed=4)
    assert mnist.main(["--root", str(root), "--quick", "--out", str(tmp_path), "--no-progress"]) == 0
    assert f"{mnist.QUICK_EPOCHS} epochs" in capsys.readouterr().out
