"""The compiler: trace a function once into a tape, generate code from the ops' rules, replay it fast.

Stages, one module each: ``tape`` (tracing), ``codegen`` (the tape as straight-line
Python, one line per node), ``interpreter`` (the same templates, compiled once per kind
of instruction and walked over a large tape), ``lifting`` (the tape grouped into array operations: a layer
becomes one matrix product), ``program`` (``compile`` and the replays), and the array
back-ends behind one small interface in ``arrays``: ``numpy_backend`` and
``torch_backend``.
"""
