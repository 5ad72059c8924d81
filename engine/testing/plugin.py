"""chainrule's pytest plugin, registered as the ``chainrule`` entry point when chainrule is installed.

- A hypothesis profile named ``chainrule``: deterministic with 60 examples under CI
  (the ``CI`` environment variable set), 100 with fresh randomness elsewhere.
  It is loaded unless a profile is chosen with ``--hypothesis-profile`` or loaded
  by the project's conftest.
- When an assertion of ``engine.testing`` fails, the report gets a section with the
  engine's graph of the failing example: every node, its data, grad and local derivatives.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from .assertions import DerivativeError

PROFILE = "chainrule"


def pytest_configure(config: Any) -> None:
    try:
        from hypothesis import HealthCheck, settings
    except ImportError:  # hypothesis is the optional extra [testing]
        return
    in_ci = bool(os.environ.get("CI"))
    settings.register_profile(PROFILE, max_examples=60 if in_ci else 100, deadline=None, derandomize=in_ci,
                              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    # A profile chosen on the command line, or loaded by the project's own conftest, stays; hypothesis's
    # own defaults ("default", and "ci", which it loads by itself when CI is set) give way to ours.
    chosen = getattr(config.option, "hypothesis_profile", None) or getattr(settings, "_current_profile", "default")
    if chosen in ("default", "ci"):
        settings.load_profile(PROFILE)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    outcome = yield
    report = outcome.get_result()
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, DerivativeError) and error.graph:
        report.sections.append(("chainrule: the engine's graph of the failing example", error.graph))
