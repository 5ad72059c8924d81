"""Score a `make mutation` run per package, and list the mutants that survived.

    python .ci/mutation_score.py [mutants/ | .ci/mutation-results.json]

Reads the results mutmut keeps beside each mutated file (``mutants/<path>.meta``), or the ones kept in the
repository by ``.ci/mutation_results.py save``. A mutant
counts as killed when a test failed or timed out under it (timeouts are shown apart: a mutant
that makes the code loop or crawl is caught, but no test's assertion said so); one listed in
``.ci/equivalent_mutants.toml`` (with the reason it cannot change behaviour) leaves the
denominator. Targets: 95% in the engine's core, 90% overall.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

FAILED = {1, 3, 255}  # a test failed, or pytest stopped with an error
TIMED_OUT = {36, -24, 24, 152}  # stopped at its time limit (SIGXCPU)
KILLED = FAILED | TIMED_OUT
SURVIVED = {0}
NO_TESTS = {5, 33}
TARGETS = {"engine (core)": 95.0, "overall": 90.0}


def package(mutant: str) -> str:
    """``engine.value.xǁValueǁ__init____mutmut_3`` -> ``engine (core)``; ``nn.optim...`` -> ``nn``."""
    parts = mutant.split(".")
    if parts[0] == "engine":
        return f"engine.{parts[1]}" if parts[1] in ("transforms", "compiler", "testing") else "engine (core)"
    return parts[0]


def results(root: Path) -> dict[str, int | None]:
    codes: dict[str, int | None] = {}
    if root.is_file():  # the kept results (None: not run yet)
        for kept in json.loads(root.read_text()).values():
            codes.update(kept["results"])
        return codes
    for meta in sorted(root.rglob("*.py.meta")):
        codes.update(json.loads(meta.read_text())["exit_code_by_key"])
    return codes


def main(root: Path = Path("mutants")) -> int:
    codes = results(root)
    if not codes:
        print(f"no mutmut results under {root}/: run `make mutation` first")
        return 2
    listed = Path(__file__).with_name("equivalent_mutants.toml")
    equivalent = tomllib.loads(listed.read_text()) if listed.exists() else {}
    stale = sorted(set(equivalent) - set(codes))
    rows: dict[str, Counter] = {}
    survivors: list[str] = []
    killed_anyway: list[str] = []
    for name, code in sorted(codes.items()):
        tally = rows.setdefault(package(name), Counter())
        if name in equivalent and code in KILLED:
            killed_anyway.append(name)  # a test tells it apart after all: the listing is wrong
        if name in equivalent and code not in KILLED:
            tally["equivalent"] += 1
        elif code in KILLED:
            tally["killed"] += 1
            tally["timed out"] += code in TIMED_OUT
        elif code in SURVIVED:
            tally["survived"] += 1
            survivors.append(name)
        elif code in NO_TESTS:
            tally["no tests"] += 1
            survivors.append(name)
        elif code is None:
            tally["not run"] += 1
        else:
            tally["other"] += 1
            survivors.append(name)
    rows["overall"] = sum(rows.values(), Counter())
    print("| package | mutants | killed | of which timed out | survived | no tests | equivalent | not run | score |")
    print("|---|---|---|---|---|---|---|---|---|")
    failing = []
    for name, t in rows.items():
        judged = t["killed"] + t["survived"] + t["no tests"] + t["other"]
        score = 100.0 * t["killed"] / judged if judged else 100.0
        target = TARGETS.get(name)
        if target is not None and score < target:
            failing.append(f"{name} {score:.1f}% < {target:.0f}%")
        print(f"| {name} | {sum(t.values()) - t['timed out']} | {t['killed']} | {t['timed out']} | {t['survived']} "
              f"| {t['no tests']} | {t['equivalent']} | {t['not run']} | {score:.1f}% |")
    print(f"\n{len(survivors)} surviving mutants (`mutmut show NAME` prints the change):")
    for name in survivors:
        print(f"  {name}")
    for name in stale:
        print(f"stale entry in equivalent_mutants.toml (no such mutant now): {name}")
    for name in killed_anyway:
        print(f"listed as equivalent but a test kills it (remove it from the list): {name}")
    if failing:
        print("below target: " + "; ".join(failing))
    return 1 if failing or stale or killed_anyway else 0


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:])))
