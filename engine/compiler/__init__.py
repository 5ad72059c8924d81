"""The compiler: trace a function once into a tape, generate code from the ops' rules, replay it fast.

Stages, one module each: ``tape`` (tracing), ``codegen`` (the tape as Python),
``program`` (``compile`` and the replays), ``numpy_backend`` (a batch at once).
"""
