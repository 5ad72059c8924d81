"""Score a `make mutation` run per package, and list the mutants that survived.

    python .ci/mutation_score.py [mutants/ | .ci/mutation-results.json]

Reads the results mutmut keeps beside each mutated file (``mutants/<path>.meta``), or the ones kept in the
repository by ``.ci/mutation_results.py save``. A mutant
counts as killed when a test failed or timed out under it, or the system stopped it for taking all the
memory (timeouts are shown apart, with those: a mutant that makes the code loop, crawl or grow without
end is caught, but no test's assertion said so); one listed in
``.ci/equivalent_mutants.toml`` (with the reason it cannot change behaviour) leaves the
denominator. Targets: 95% in the engine's core, 90% overall.

mutmut numbers a function's mutants in order, so once the function changes, a number can name
another mutation than the one its reason was written for. The list's ``[functions]`` table keeps,
for each function with listed mutants, the hash mutmut gave it when they were checked; a listing
whose function has changed since counts as a survivor until it is checked again, and then

    python .ci/mutation_score.py --checked NAME... [mutants/]

records the function's present hash.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

FAILED = {1, 3, 255}  # a test failed, or pytest stopped with an error
TIMED_OUT = {36, -24, 24, 152, -9}  # stopped at its time limit (SIGXCPU), or out of memory (the system's SIGKILL)
KILLED = FAILED | TIMED_OUT
SURVIVED = {0}
NO_TESTS = {5, 33}
TARGETS = {"engine (core)": 95.0, "overall": 90.0}
LISTED = Path(__file__).with_name("equivalent_mutants.toml")
FUNCTIONS = "[functions]  # each function's hash when its listed mutants were checked (--checked)\n"


def package(mutant: str) -> str:
    """``engine.value.xǁValueǁ__init____mutmut_3`` -> ``engine (core)``; ``nn.optim...`` -> ``nn``."""
    parts = mutant.split(".")
    if parts[0] == "engine":
        return f"engine.{parts[1]}" if parts[1] in ("transforms", "compiler", "testing") else "engine (core)"
    return parts[0]


def function(mutant: str) -> str:
    """``nn.optim.x__as_array__mutmut_8`` -> ``nn.optim.x__as_array``: what mutmut hashes."""
    return mutant.rsplit("__mutmut_", 1)[0]


def results(root: Path) -> tuple[dict[str, int | None], dict[str, str]]:
    """Every mutant's exit code (None: not run yet), and every mutated function's hash."""
    codes: dict[str, int | None] = {}
    hashes: dict[str, str] = {}
    kept = json.loads(root.read_text(encoding="utf-8")).values() if root.is_file() else (
        json.loads(meta.read_text(encoding="utf-8")) for meta in sorted(root.rglob("*.py.meta")))
    for data in kept:
        found = data.get("results", data.get("exit_code_by_key", {}))
        codes.update(found)
        by_name = data.get("hashes", data.get("hash_by_function_name", {}))
        for name in {function(m) for m in found}:
            hashes[name] = by_name.get(name.rsplit(".", 1)[1], "")
    return codes, hashes


def equivalents(hashes: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The listed equivalents whose function is as it was when they were checked, and those whose is not."""
    listed = tomllib.loads(LISTED.read_text(encoding="utf-8")) if LISTED.exists() else {}
    checked = listed.pop("functions", {})
    changed = sorted(m for m in listed if checked.get(function(m)) != hashes.get(function(m)))
    return {m: why for m, why in listed.items() if m not in changed}, changed


def record_checked(names: list[str], hashes: dict[str, str]) -> None:
    """Write the present hash of each named mutant's function into the list's ``[functions]`` table."""
    text = LISTED.read_text(encoding="utf-8")
    head, _, _ = text.partition(FUNCTIONS)
    checked = tomllib.loads(text).get("functions", {})
    checked.update({function(m): hashes[function(m)] for m in names})
    LISTED.write_text(head.rstrip("\n") + "\n\n" + FUNCTIONS + "".join(
        f'"{name}" = "{digest}"\n' for name, digest in sorted(checked.items())), encoding="utf-8")


def main(root: Path = Path("mutants"), checked: tuple[str, ...] = ()) -> int:
    codes, hashes = results(root)
    if not codes:
        print(f"no mutmut results under {root}/: run `make mutation` first")
        return 2
    if checked:
        unknown = [m for m in checked if m not in codes]
        if unknown:
            print(f"no such mutants under {root}: {', '.join(unknown)}")
            return 2
        record_checked(list(checked), hashes)
    equivalent, changed = equivalents(hashes)
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
    for name in changed:
        if name in codes:
            print(f"listed as equivalent, but its function changed since it was checked (`mutmut show`, then "
                  f"--checked): {name}")
    if failing:
        print("below target: " + "; ".join(failing))
    return 1 if failing or stale or killed_anyway or changed else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--checked"]:
        names = tuple(a for a in args[1:] if "__mutmut_" in a)
        folders = [Path(a) for a in args[1:] if "__mutmut_" not in a]
        sys.exit(main(*folders[:1], checked=names))
    sys.exit(main(*(Path(a) for a in args)))
