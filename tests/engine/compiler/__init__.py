"""Tests of engine.compiler, and what they share."""

from contextlib import contextmanager

from engine.compiler.program import Program


@contextmanager
def no_fallback():
    """A replay must run the compiled code only, never fall back to the eager engine (which it does to explain
    a domain error, nan or inf). Tracing again (``check_once``) is not a fallback."""
    calls = []
    original = Program._eager

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    Program._eager = counting
    try:
        yield
    finally:
        Program._eager = original
    assert calls == [], "the replay fell back to the eager engine"
