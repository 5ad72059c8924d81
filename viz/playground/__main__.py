"""``python -m viz.playground [--out site] [--serve [PORT]]``: build the playground site, and serve it if asked."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List, Optional

from .build import BuildError, build, size
from .serve import serve


def main(argv: Optional[List[str]] = None) -> int:
    """Build the site; with ``--serve``, serve it on 127.0.0.1 until Ctrl+C. The exit status: 0, or 1 with why."""
    parser = argparse.ArgumentParser(prog="python -m viz.playground", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="site", help="the folder to build into, replaced whole (default: site)")
    parser.add_argument("--serve", nargs="?", type=int, const=8000, metavar="PORT",
                        help="then serve it on 127.0.0.1 (port 8000 unless given) until Ctrl+C")
    args = parser.parse_args(argv)
    try:
        out = build(Path(args.out))
    except BuildError as e:
        print(f"make site: {e}", file=sys.stderr)
        return 1
    print(f"built the playground in {out}/: {size(out.rglob('*')) / 1e6:.1f} MB, almost all of it fetched by the "
          f"first page load (Pyodide; `make bench` measures the load)")
    if args.serve is None:
        print(f"open it: make playground (or python3 -m http.server --directory {out} --bind 127.0.0.1 8000), "
              f"then http://127.0.0.1:8000/ in a browser")
        return 0
    with serve(out, args.serve, quiet=False) as url:
        print(f"serving {out}/ at {url}/ : open it in a browser; Ctrl+C stops", flush=True)
        try:
            while True:
                time.sleep(3600)  # the server runs in its thread
        except KeyboardInterrupt:
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
