"""Benchmarks, side by side with the reference in one run: ``make bench``."""
