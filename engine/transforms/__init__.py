"""Transforms and explanations over the core: ``grad`` and friends, forward mode, gradient checks, ``explain``.

Each is built on the core's one reverse pass and each op's one rule (``engine.ops``).
"""
