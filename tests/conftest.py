"""Options for the larger runs of the standing suites, a quick profile for mutation runs, the fuzzing figures in
the summary, a data folder of the tests' own, a watch on text files opened without an encoding, and a fixture
hiding installed packages."""

import atexit
import builtins
import io
import os
import shutil
import sys
import tempfile
import threading

import pytest

from engine.testing.oracles import TORCH_MISSING

# No test reads or writes the user's own data sets: the default data folder (nn.data's data_root) is a fresh,
# empty one for the whole run, subprocesses included. A mutant that dropped a test's root argument once wrote
# its three test names over a fetched names.txt.
os.environ["CHAINRULE_DATA"] = tempfile.mkdtemp(prefix="chainrule-test-data-")
atexit.register(shutil.rmtree, os.environ["CHAINRULE_DATA"], True)

try:
    from tqdm import tqdm
except ImportError:
    pass
else:
    # tqdm's default lock includes a multiprocessing semaphore, which forked processes share. `make mutation`
    # forks one process per mutant and kills it at its timeout: killed inside a bar, it would leave the
    # semaphore held, and every later fork would wait on it until its own timeout (a false kill). A thread
    # lock is copied into each fork instead.
    tqdm.set_lock(threading.RLock())

try:
    from hypothesis import HealthCheck, Phase, settings
except ImportError:  # the [test] extra is not installed: the hypothesis tests are skipped anyway
    pass
else:
    # `make mutation` runs the covering tests once per mutant: a few fixed examples each is enough to
    # tell a mutant from the original (every rule's mutant dies on its first example), and keeps the
    # run to about an hour. No shrinking: a failure is all a mutation run needs to know, and shrinking
    # a failure can outlast the mutant's time limit, which turned kills into timeouts. Registered here,
    # before hypothesis's plugin reads --hypothesis-profile.
    settings.register_profile("mutation", max_examples=8, deadline=None, derandomize=True, database=None,
                              phases=[Phase.explicit, Phase.reuse, Phase.generate],
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# Every text file chainrule reads or writes names its encoding. Without one, Python takes the locale's: UTF-8
# here, cp1252 on many Windows machines, where an explorer page holding "∂L/∂w" would read back garbled. Python
# warns of it only when started with -X warn_default_encoding, which a test run cannot switch on from inside, so
# the standard library's one question for the default (io.text_encoding, which pathlib asks) is watched, and a
# test fails if chainrule's own code asked it. Pipes are left alone: a child process writes in the locale's.
OURS = {"engine", "nn", "viz", "demos", "bench"}
_unnamed: list = []
_text_encoding = io.text_encoding


def _watched_text_encoding(encoding, stacklevel=2):  # noqa: ANN001, ANN202 (io.text_encoding's own signature)
    if encoding is None:
        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in ("pathlib", "io"):
            frame = frame.f_back  # past the standard library, to the code that opened the file
        if frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] in OURS:
            _unnamed.append(f"{frame.f_code.co_filename}:{frame.f_lineno}")
    return _text_encoding(encoding, stacklevel + 1)


io.text_encoding = _watched_text_encoding


@pytest.fixture(autouse=True)
def _text_files_name_their_encoding():
    _unnamed.clear()
    yield
    if _unnamed:
        found, _unnamed[:] = sorted(set(_unnamed)), []
        pytest.fail(f"a text file was opened without naming its encoding at {', '.join(found)}: the locale's would "
                    f"be used, not UTF-8 on every machine; pass encoding=\"utf-8\"", pytrace=False)


def pytest_addoption(parser) -> None:  # noqa: ANN001 (pytest's hook)
    parser.addoption("--fuzz-programs", type=int, default=10_000,
                     help="random programs checked against PyTorch by tests/engine/test_fuzz.py (default 10,000)")


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 (pytest's hook)
    _summarise_skips(terminalreporter)
    totals: dict = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", []):
                if name.startswith("fuzz_") and getattr(report, "when", "call") == "call":
                    totals[name] = totals.get(name, 0) + value
    if totals:
        terminalreporter.write_line(
            f"fuzzing: {totals.get('fuzz_programs', 0)} random programs checked against PyTorch (values, every "
            f"leaf gradient, forward mode, compiled Python (generated and interpreted), NumPy and training replays), "
            f"{totals.get('fuzz_held', 0)} of them with held inputs compiled as weights or constants (call, loop, "
            f"NumPy and PyTorch batches, extra outputs), {totals.get('fuzz_hessians', 0)} "
            f"Hessians against torch.autograd.functional.hessian; {totals.get('fuzz_mismatches', 0)} mismatches")


@pytest.fixture
def without(monkeypatch):
    """``without("sklearn")``: importing that package (or a submodule) fails from here on, as on a machine
    where it is not installed."""
    hidden: list = []
    real_import = builtins.__import__

    def importing(name, *args, **kwargs):
        if any(name == h or name.startswith(h + ".") for h in hidden):
            raise ImportError(f"no {name} here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", importing)
    return hidden.append


def _summarise_skips(terminalreporter) -> None:  # noqa: ANN001 (pytest's reporter)
    """One line per reason a test was skipped, with the count: on a machine without PyTorch that is one line
    for all of its oracle tests, saying how to run them (pytest's own -rs lists one line per file)."""
    reasons: dict = {}
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        if reason == TORCH_MISSING:  # in this repository the oracle goes into make's venv
            reason = "PyTorch oracle: PyTorch is not installed; `.venv/bin/pip install torch==2.13.0`, then `make test`"
        terminalreporter.write_line(f"skipped {count} test{'s' * (count != 1)}: {reason}")
