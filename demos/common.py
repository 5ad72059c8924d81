"""What every demo's command line shares."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional


def common_args(prog: str, doc: Optional[str]) -> argparse.ArgumentParser:
    """An argument parser with the options every demo has: --out and --no-progress."""
    parser = argparse.ArgumentParser(prog=f"python -m demos {prog}", description=(doc or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the pictures (default out/)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser
