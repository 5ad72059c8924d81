"""The explorer's script writes numbers as the drawing does (Python's "{:.4g}"), ties to even included.

Run in Node.js when it is installed (the browser tests run the same script in Chromium).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import List

import pytest

SCRIPT = Path(__file__).parents[2] / "viz" / "explorer.js"


def formatted_by_the_script(xs: List[float]) -> List[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the explorer's number format is checked where it is")
    program = (f"const fmt = new Function(require('fs').readFileSync({json.dumps(str(SCRIPT))}, 'utf8') + '; return fmt;')();"
               f"process.stdout.write(JSON.stringify({json.dumps(xs)}.map(fmt)));")
    return json.loads(subprocess.run([node, "-e", program], capture_output=True, text=True, check=True).stdout)


def test_numbers_read_as_the_drawing_writes_them() -> None:
    rng = random.Random(7)
    ties = [k / 2 ** m for k in range(1, 4000, 7) for m in (4, 8, 12)]  # exact binary values: many are exact ties
    edges = [1.0625, 12345.0, 9999.5, 99995.0, 1.2345e-5, -0.0, 0.0, 0.5, -1.5, 1e-4, 9.9995e-5, 1e16, 1e300, 5e-324,
             0.30000000000000004, -7.372964221585843e-05, 123.45, 1234.5, 0.00012345]
    spread = [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 12) for _ in range(3000)]
    xs = edges + ties + [-t for t in ties] + spread
    assert formatted_by_the_script(xs) == [f"{x + 0.0:.4g}" for x in xs]
