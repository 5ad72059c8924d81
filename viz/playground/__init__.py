"""chainrule in the browser: a playground site that runs the engine in Pyodide and draws with Graphviz-in-WebAssembly.

``make site`` (``python -m viz.playground``) builds it under ``site/``, ``make playground`` serves it too:
``session`` is what the pages run in the browser's Python, ``examples`` the menu, ``build`` the
builder and ``serve`` the local server.
"""
