"""Keep a `make mutation` run's results in the repository, so that a run resumes on another machine.

    python .ci/mutation_results.py save [mutants/]      # after (or during) a run: write .ci/mutation-results.json
    python .ci/mutation_results.py restore [mutants/]   # before a run: put the kept results where mutmut reads them

mutmut keeps each file's results beside its mutants (``mutants/<path>.meta``): the exit code of every mutant tried,
and a hash of every function. On its next run it regenerates the mutants of each source file, compares the hashes,
and keeps the results of the functions that did not change. Restored, a survivor is tried again (the tests may
have grown since), unless it is listed in ``equivalent_mutants.toml`` as checked against its function as kept (no
test can tell it apart, and trying it runs every test that covers it: hours over a run); a timeout is tried again
too (RETRIED says why); a killed mutant stays killed. A full run takes many hours on two cores, longer than one
machine lives here; saving the results with the code lets the next run start where this one stopped, and re-run
only what changed since.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mutation_score import equivalents, results as kept_results

KEPT = Path(__file__).with_name("mutation-results.json")
# survived, or no test covered it: worth trying against newer tests; or timed out, which before OpenMP was held to one
# thread (the Makefile) was often a test waiting forever on PyTorch's threads lost in the fork, not a kill
RETRIED = {0, 5, 33, 36, -24, 24, 152}


def save(root: Path = Path("mutants")) -> int:
    files = {}
    for meta in sorted(root.rglob("*.py.meta")):
        data = json.loads(meta.read_text())
        done = dict(sorted(data["exit_code_by_key"].items()))  # None: not run yet
        files[str(meta.relative_to(root))[:-len(".meta")]] = {"hashes": dict(sorted(data["hash_by_function_name"].items())),
                                                               "results": done}
    KEPT.write_text(json.dumps(files, indent=0, ensure_ascii=False) + "\n")
    tried = sum(v is not None for f in files.values() for v in f["results"].values())
    total = sum(len(f["results"]) for f in files.values())
    print(f"saved the results of {tried} of {total} mutants in {len(files)} files to {KEPT}")
    return 0


def restore(root: Path = Path("mutants")) -> int:
    if not KEPT.exists():
        print(f"no kept results ({KEPT}): the run starts from the beginning")
        return 0
    files = json.loads(KEPT.read_text())
    equivalent, _ = equivalents(kept_results(KEPT)[1])  # listed, and checked against the function as kept
    restored = 0
    for source, kept in files.items():
        meta = root / f"{source}.meta"
        if meta.exists():  # this machine's own results are newer than the kept ones
            continue
        meta.parent.mkdir(parents=True, exist_ok=True)
        # a killed mutant stays killed; a survivor (or one no test reached) is tried again, since tests were added,
        # but not one listed as equivalent (if its function changed, mutmut makes it anew and tries it anyway)
        results = {k: (None if v in RETRIED and k not in equivalent else v) for k, v in kept["results"].items()}
        meta.write_text(json.dumps({"exit_code_by_key": results, "hash_by_function_name": kept["hashes"],
                                    "type_check_error_by_key": {}, "durations_by_key": {},
                                    "estimated_durations_by_key": {}}))
        restored += sum(v is not None for v in results.values())
    print(f"restored the results of {restored} mutants from {KEPT}; mutmut re-runs the functions changed since")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("save", "restore"):
        print(__doc__)
        sys.exit(2)
    sys.exit({"save": save, "restore": restore}[sys.argv[1]](*(Path(a) for a in sys.argv[2:])))
