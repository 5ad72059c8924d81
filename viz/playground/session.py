"""What the playground's pages run in the browser's Python (Pyodide): the learner's code, and what they show of it.

Each method answers with JSON text, which the page's script parses; an error is the engine's
own message (``{"error": ...}``), never a JavaScript stack. The same code runs in CPython,
where the tests compare it with the page.

>>> session = Session()
>>> answer = json.loads(session.run("from engine import Value\\nx = Value(3.0, label='x')\\nout = x * x"))
>>> [(leaf["name"], leaf["data"], leaf["grad"]) for leaf in answer["leaves"]]
[('x', '3', '6')]
>>> json.loads(session.run("out = 1 +"))["error"].splitlines()[0]
'SyntaxError: invalid syntax (line 1)'
"""

from __future__ import annotations

import contextlib
import io
import json
import traceback
from typing import Any, Dict, Optional, Tuple

from engine import Value, explain, topological_order
from engine.checks import shown

from ..dot import draw_dot
from ..explorer import explorer_data
from ..style import kind

SOURCE = "<playground>"  # the file name the learner's code runs under: how its lines are told from the engine's
MAX_STEPS = 2000  # a bigger graph is drawn (folded) but not stepped through
DIGITS = 6  # significant digits of the numbers in the page's tables
# viz.save's drawing, but for its size limit: a notebook cell has room for 2000 px, the page zooms and pans (only
# graphs of more than max_nodes values are folded, as everywhere).
DRAWING = {"max_size": None}


class PlaygroundError(Exception):
    """The learner's code failed: the message is what the page shows."""


def describe(error: BaseException) -> str:
    """An exception as a learner reads it: its type and message, and where in their code it happened.

    >>> describe(ZeroDivisionError("float division by zero"))
    'ZeroDivisionError: float division by zero'
    """
    if isinstance(error, SyntaxError):
        text = f"SyntaxError: {error.msg}" + (f" (line {error.lineno})" if error.lineno else "")
        if error.text and error.text.strip():
            text += "\n    " + error.text.rstrip("\n")
            if error.offset:
                text += "\n    " + " " * (error.offset - 1) + "^"
        return text
    text = f"{type(error).__name__}: {error}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == SOURCE]
    if frames:  # the learner's last line, not the engine's inside
        text += f"\n  at line {frames[-1].lineno} of your code"
    return text


def execute(code: str) -> Tuple[Dict[str, Any], str]:
    """Run ``code`` as a script of its own; its names and what it printed, or a PlaygroundError."""
    namespace: Dict[str, Any] = {"__name__": "__main__"}
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code, SOURCE, "exec"), namespace)
    except Exception as e:  # the learner's code may raise anything: the page shows it, the page goes on
        raise PlaygroundError(describe(e), printed.getvalue()) from None
    return namespace, printed.getvalue()


def qualified(v: Value) -> str:
    """A Value's name in the leaf table: its scope and label (``layer0.neuron1.w0``), or ``''``."""
    return f"{v.scope}.{v.label}" if v.scope and v.label else v.label


class Session:
    """The playground's Python side: ``run`` the editor's code, then ``inspect`` the node clicked."""

    def __init__(self) -> None:
        self.root: Optional[Value] = None
        self.values: Dict[str, Value] = {}

    def run(self, code: str, show_local: bool = False) -> str:
        """Run ``code`` and answer with the drawing's dot source, the backward steps, and every leaf."""
        try:
            namespace, printed = execute(code)
        except PlaygroundError as e:
            return json.dumps({"error": e.args[0], "printed": e.args[1]})
        root = namespace.get("out")
        if not isinstance(root, Value):
            got = "the code sets no out" if "out" not in namespace else f"out is {type(root).__name__}, not a Value"
            return json.dumps({"error": f"Nothing to draw: {got}; assign the Value to draw to out "
                                        f"(for example out = (x * w).tanh())", "printed": printed})
        order = topological_order(root)
        note = ""
        if all(v.grad == 0.0 for v in order):  # the learner did not call backward: the page does, and says so
            root.backward()
            note = "out.backward() was not called, so the page called it."
        self.root, self.values = root, {f"v{i}": v for i, v in enumerate(order)}  # draw_dot's node ids
        try:
            dot = draw_dot(root, show_local=show_local, **DRAWING).source
        except Exception as e:  # a drawing option the graph cannot take: the engine's message
            return json.dumps({"error": describe(e), "printed": printed})
        steps = explorer_data(root) if len(order) <= MAX_STEPS else None
        if steps is None:
            note += f" The graph has {len(order)} values: stepping through it is offered up to {MAX_STEPS}."
        leaves = [{"id": i, "name": qualified(v), "kind": kind(v, root, set()),
                   "data": shown(v.data, DIGITS), "grad": shown(v.grad, DIGITS)}
                  for i, v in self.values.items() if not v._prev]
        answer = {"dot": dot, "explore": steps, "leaves": leaves, "printed": printed, "note": note.strip(),
                  "root": qualified(root) or "out", "size": len(order)}
        try:  # JSON has no nan: say so rather than hand the page text it cannot parse
            return json.dumps(answer, allow_nan=False)
        except ValueError:
            return json.dumps({"error": "The graph holds nan or inf, which the page cannot show "
                                        "(engine.detect_anomaly finds where it arises)", "printed": printed})

    def inspect(self, node: str) -> str:
        """What ``print(v._backward)`` prints for the node with drawing id ``node``, and ``explain(out, v)``."""
        v = self.values.get(node)
        if v is None or self.root is None:
            return json.dumps({"error": f"{node} is not one Value of the last run (a folded box stands for many)"})
        text = io.StringIO()
        try:
            explain(self.root, v, file=text)
        except Exception as e:  # explain refuses some questions (a node out does not depend on): its message
            text.write(describe(e))
        return json.dumps({"name": qualified(v) or node, "op": v._op, "backward": str(v._backward),
                           "leaf": not v._prev, "explain": text.getvalue()})


class Training:
    """The training page's Python side: ``start`` runs the code, then the page calls ``step`` and ``boundary``.

    The code defines ``X`` (points), ``y`` (labels of -1 and +1), ``STEPS``, ``step(k)``
    returning (loss, accuracy), and ``predict(point)`` returning a score.
    """

    NAMES = ("X", "y", "STEPS", "step", "predict")

    def __init__(self) -> None:
        self.namespace: Dict[str, Any] = {}

    def start(self, code: str) -> str:
        """Run the training code (no steps yet); the points, labels and number of steps."""
        try:
            self.namespace, printed = execute(code)
        except PlaygroundError as e:
            return json.dumps({"error": e.args[0], "printed": e.args[1]})
        missing = [name for name in self.NAMES if name not in self.namespace]
        if missing:
            return json.dumps({"error": f"The training code must define {', '.join(self.NAMES)}; "
                                        f"missing: {', '.join(missing)}", "printed": printed})
        ns = self.namespace
        return json.dumps({"steps": ns["STEPS"], "X": ns["X"], "y": ns["y"], "printed": printed})

    def step(self, k: int) -> str:
        """One training step: ``{"loss", "accuracy"}`` or the error."""
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                loss, accuracy = self.namespace["step"](k)
        except Exception as e:  # the learner's step function: its message
            return json.dumps({"error": describe(e)})
        return json.dumps({"loss": float(loss), "accuracy": float(accuracy)})

    def boundary(self, n: int = 30) -> str:
        """``predict``'s sign on an ``n`` by ``n`` grid over the points, a margin around them."""
        X = self.namespace["X"]
        xs, ys = [p[0] for p in X], [p[1] for p in X]
        (x0, x1), (y0, y1) = (min(xs) - 0.5, max(xs) + 0.5), (min(ys) - 0.5, max(ys) + 0.5)
        try:
            grid = [[self.namespace["predict"]([x0 + (x1 - x0) * (i + 0.5) / n, y0 + (y1 - y0) * (j + 0.5) / n]) > 0
                     for i in range(n)] for j in range(n)]
        except Exception as e:  # predict is the learner's too
            return json.dumps({"error": describe(e)})
        return json.dumps({"box": [x0, x1, y0, y1], "grid": grid})
