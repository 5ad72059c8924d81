"""The compression demo on learnable patch digits (as the MNIST demo's test writes them): its bits are the
compressors' own counts, and error feedback does at least as well as none where compression is harshest."""

import re

from demos import compression as demo
from nn.compression import Quantise, TopK
from tests.demos.test_mnist_demo import write_set


def test_the_table_counts_bits_and_error_feedback_helps(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(demo, "COMPRESSORS", [TopK(0.01), Quantise(2)])
    monkeypatch.setattr(demo, "HIDDEN", 16)  # a smaller network: a quicker trace, the same bookkeeping
    root = tmp_path / "digits"
    root.mkdir()
    write_set(root, "train", 500, seed=1)
    assert demo.main(["--root", str(root), "--epochs", "2", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    rows = {(name, ef): (int(bits.replace(",", "")), float(acc)) for name, ef, bits, acc in
            re.findall(r"^(\S+)\s+(yes|no)\s+([\d,]+)\s+[\d.]+\s+([\d.]+)%$", out, re.M)}
    full = int(re.search(r"^32-bit \(uncompressed\)\s+([\d,]+)", out, re.M)[1].replace(",", ""))
    params, steps = 784 * 16 + 16 + 16 * 10 + 10, 2 * 4  # 400 training images in batches of 128: 4 a epoch
    assert full == 32 * params * steps
    k = round(0.01 * params)
    assert rows["TopK(0.01)", "yes"][0] == rows["TopK(0.01)", "no"][0] == 64 * k * steps
    assert rows["Quantise(2)", "yes"][0] == (2 * params + 32) * steps
    assert rows["TopK(0.01)", "yes"][1] >= rows["TopK(0.01)", "no"][1]
    assert (tmp_path / "compression.png").stat().st_size > 10_000
