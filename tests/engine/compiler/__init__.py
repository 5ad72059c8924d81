"""Tests of engine.compiler, and what they share."""

from contextlib import contextmanager

from engine import Value


@contextmanager
def no_values_made():
    """A replay must run the generated code only: a fallback to the eager engine makes Values."""
    made = []
    original = Value.__init__

    def counting(self, *args, **kwargs):
        made.append(1)
        original(self, *args, **kwargs)

    Value.__init__ = counting
    try:
        yield
    finally:
        Value.__init__ = original
    assert made == [], "the replay fell back to the eager engine"
