"""``python -m bench`` (``make bench``): every workload side by side; prints and writes bench/results.md."""

import platform
import sys
import time
from pathlib import Path

from . import (chain, cnn_epoch, digits_epoch, drawing, makemore_epoch, memory, mnist_epoch, moons_step,
               playground_startup, profile_overhead, scale)


def main() -> None:
    lines = ["# chainrule benchmarks", "",
             f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, Python {platform.python_version()}, "
             f"by `make bench`; the contenders alternate and medians are reported, since the machines are shared.", ""]
    workloads = [("moons step", moons_step.run), ("1e6-node chain", chain.run), ("digits epoch", digits_epoch.run),
                 ("MNIST-network epoch", mnist_epoch.run), ("memory", memory.run), ("makemore epochs", makemore_epoch.run),
                 ("CNN epoch", cnn_epoch.run),
                 ("profiling", profile_overhead.run), ("drawing", drawing.run), ("playground", playground_startup.run),
                 ("scale", scale.run)]
    only = sys.argv[1:]
    for name, run in workloads:
        if only and not any(o in name for o in only):
            continue
        print(f"running: {name} ...", flush=True)
        section = run()
        print("\n".join(section), flush=True)
        lines += section
    if not only:
        out = Path(__file__).with_name("results.md")
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"written: {out}")


if __name__ == "__main__":
    main()
