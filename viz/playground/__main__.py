"""``python -m viz.playground [--out site]``: build the playground site and say how to open it."""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from .build import BuildError, build, size


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz.playground", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="site", help="the folder to build into, made afresh (default: site)")
    args = parser.parse_args(argv)
    try:
        out = build(__import__("pathlib").Path(args.out))
    except BuildError as e:
        print(f"make site: {e}", file=sys.stderr)
        return 1
    first = [out / "index.html", out / "site.css", out / "python.js", out / "playground.js", out / "explorer.js",
             out / "vendor" / "viz-global.js", out / "chainrule.zip", *(out / "pyodide").iterdir()]
    print(f"built the playground in {out}/: {size(out.rglob('*')) / 1e6:.1f} MB in all, "
          f"{size(first) / 1e6:.1f} MB fetched by the first page load")
    print(f"open it: python3 -m http.server --directory {out} --bind 127.0.0.1 8000, "
          f"then http://127.0.0.1:8000/ in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
