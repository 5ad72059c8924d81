"""Headless Chromium for the browser tests, driven by Playwright; or a skip that says how to get them."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from viz.playground.serve import CHROMIUM_ARGS


def browser() -> Any:
    """Playwright's sync API and the system Chromium's path, or a skip saying how to get them."""
    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright to run the browser tests")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no Chromium: install it (Debian: apt-get install chromium) to run the browser tests")
    return playwright, executable


def launch(p: Any, executable: str) -> Any:
    """A headless Chromium from a running ``sync_playwright()``."""
    return p.chromium.launch(executable_path=executable, args=list(CHROMIUM_ARGS))
