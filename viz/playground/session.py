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
import math
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

    A syntax error is shown as Python shows it, with its line and caret.

    >>> describe(ZeroDivisionError("float division by zero"))
    'ZeroDivisionError: float division by zero'
    >>> print(describe(compile_error("x = (1 +")))
    SyntaxError: '(' was never closed (line 1)
        x = (1 +
            ^
    """
    if isinstance(error, SyntaxError):  # IndentationError and TabError too, by their own names
        first = f"{type(error).__name__}: {error.msg}" + (f" (line {error.lineno})" if error.lineno else "")
        shown = traceback.format_exception_only(type(error), error)
        code = "".join(shown).splitlines()[1:-1]  # the line and caret, as Python has them
        return "\n".join([first] + code)
    text = f"{type(error).__name__}: {error}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == SOURCE]
    if frames:  # the learner's last line, not the engine's inside
        text += f"\n  at line {frames[-1].lineno} of your code"
    return text


def compile_error(code: str) -> SyntaxError:
    """The SyntaxError that compiling ``code`` raises (for describe's example)."""
    try:
        compile(code, SOURCE, "exec")
    except SyntaxError as e:
        return e
    raise ValueError(f"{code!r} compiles")


def execute(code: str) -> Tuple[Dict[str, Any], str]:
    """Run ``code`` as a script of its own; its names and what it printed, or a PlaygroundError.

    >>> namespace, printed = execute("x = 2\\nprint(x * 3)")
    >>> namespace["x"], printed
    (2, '6\\n')
    """
    namespace: Dict[str, Any] = {"__name__": "__main__"}
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(code, SOURCE, "exec"), namespace)
    except BaseException as e:  # the learner's code may raise anything, sys.exit() too: the page shows it, goes on
        raise PlaygroundError(describe(e), printed.getvalue()) from None
    return namespace, printed.getvalue()


def qualified(v: Value) -> str:
    """A Value's name in the leaf table: its scope and label, or ``''``.

    >>> w = Value(0.5, label="w0"); w.scope = "layer0.neuron1"
    >>> qualified(w), qualified(Value(1.0))
    ('layer0.neuron1.w0', '')
    """
    return f"{v.scope}.{v.label}" if v.scope and v.label else v.label


def replayed(steps: Dict[str, Any]) -> Dict[str, float]:
    """Each node's grad after one backward pass from the root, as the page's stepping adds it up."""
    grads = {node: 0.0 for node in steps["nodes"]}
    grads[steps["root"]] = 1.0
    for step in steps["steps"]:
        for parent, amount in step["sent"]:
            grads[parent] += amount
    return grads


class Session:
    """The playground's Python side: ``run`` the editor's code, then ``inspect`` the node clicked.

    >>> s = Session()
    >>> answer = json.loads(s.run("from engine import Value\\nx = Value(2.0, label='x')\\nout = x.tanh()"))
    >>> json.loads(s.inspect("v0"))["backward"].splitlines()[1].strip()
    'pass  # a leaf: no inputs to pass anything on to'
    """

    def __init__(self) -> None:
        self.root: Optional[Value] = None
        self.values: Dict[str, Value] = {}

    def run(self, code: str, show_local: bool = False) -> str:
        """Run ``code`` and answer with the drawing's dot source, the backward steps, and every leaf.

        The code draws the Value it assigns to ``out``; a dict it assigns to ``drawing`` holds
        ``draw_dot``'s options (``drawing = dict(max_nodes=12)`` folds a graph past 12 Values).
        """
        try:
            namespace, printed = execute(code)
        except PlaygroundError as e:
            return json.dumps({"error": e.args[0], "printed": e.args[1]})
        try:
            return json.dumps(self._answer(namespace, printed, show_local), allow_nan=False)
        except Exception as e:  # what the page does with the learner's graph (its backward, its drawing) can fail
            return json.dumps({"error": describe(e), "printed": printed})

    def _answer(self, namespace: Dict[str, Any], printed: str, show_local: bool) -> Dict[str, Any]:
        root = namespace.get("out")
        if not isinstance(root, Value):
            got = "the code sets no out" if "out" not in namespace else f"out is {type(root).__name__}, not a Value"
            return {"error": f"Nothing to draw: {got}; assign the Value to draw to out "
                             f"(for example out = (x * w).tanh())", "printed": printed}
        options = namespace.get("drawing", {})
        if not isinstance(options, dict):
            return {"error": f"drawing must be a dict of draw_dot's options, such as dict(max_nodes=12); got "
                             f"{type(options).__name__}", "printed": printed}
        order = topological_order(root)
        notes = []
        if all(v.grad == 0.0 for v in order):  # the learner did not call backward: the page does, and says so
            root.backward()
            notes.append("out.backward() was not called, so the page called it.")
        dot = draw_dot(root, **{**DRAWING, "show_local": show_local, **options}).source
        steps = explorer_data(root) if len(order) <= MAX_STEPS else None
        values = {f"v{i}": v for i, v in enumerate(order)}  # draw_dot's node ids
        if steps is None:
            notes.append(f"The graph has {len(order)} values: stepping through it is offered up to {MAX_STEPS}.")
        elif any(not math.isclose(values[node].grad, g, rel_tol=1e-9, abs_tol=1e-300)
                 for node, g in replayed(steps).items()):
            notes.append("The table shows the grads your code left in .grad; the drawing and the steps show one "
                         "backward pass from out. They differ because backward ran more than once, or from another "
                         "Value: grads add up until they are set to zero.")
        self.root, self.values = root, values  # only now: a click answers for the graph drawn
        leaves = [{"id": i, "name": qualified(v), "kind": kind(v, root, set()),
                   "data": shown(v.data, DIGITS), "grad": shown(v.grad, DIGITS)}
                  for i, v in values.items() if not v._prev]
        return {"dot": dot, "explore": steps, "leaves": leaves, "printed": printed, "note": " ".join(notes),
                "root": qualified(root) or "out", "size": len(order)}

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

    The code defines ``X`` (points, pairs of numbers), ``y`` (their labels, -1 or +1), ``STEPS``,
    ``step(k)`` returning (loss, accuracy), and ``predict(point)`` returning a score. Every
    answer carries what the learner's code printed.

    >>> t = Training()
    >>> code = "X = [[0, 0], [1, 1]]\\ny = [-1, 1]\\nSTEPS = 2\\ndef step(k): return 1 / (k + 1), 0.5\\ndef predict(p): return p[0] - 0.5"
    >>> json.loads(t.start(code))["steps"], json.loads(t.step(1))["loss"]
    (2, 0.5)
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
        try:
            X = [[float(a), float(b)] for a, b in ns["X"]]
            y = [float(label) for label in ns["y"]]
        except (TypeError, ValueError):
            return json.dumps({"error": "X must be a list of points [x, y] and y a list of labels, all plain numbers",
                               "printed": printed})
        if not all(math.isfinite(v) for v in [*y, *(c for point in X for c in point)]):
            return json.dumps({"error": "X and y must be finite numbers: a point or a label is nan or infinite",
                               "printed": printed})
        steps = ns["STEPS"]
        if not isinstance(steps, int) or steps < 1 or len(X) != len(y) or not X:
            return json.dumps({"error": f"STEPS must be a positive whole number (got {steps!r}), and X and y as long "
                                        f"as each other, not empty (got {len(X)} and {len(y)})", "printed": printed})
        return json.dumps({"steps": steps, "X": X, "y": y, "printed": printed})

    def _call(self, name: str, *args: Any) -> Tuple[Any, str]:
        """The learner's function ``name`` called with ``args``: its result and what it printed."""
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                return self.namespace[name](*args), printed.getvalue()
        except BaseException as e:  # the learner's function: its message, whatever it raises
            raise PlaygroundError(describe(e), printed.getvalue()) from None

    def step(self, k: int) -> str:
        """One training step: ``{"loss", "accuracy", "printed"}`` or the error."""
        try:
            (loss, accuracy), printed = self._call("step", k)
        except PlaygroundError as e:
            return json.dumps({"error": e.args[0], "printed": e.args[1]})
        except (TypeError, ValueError):
            return json.dumps({"error": f"step({k}) must return two numbers, the loss and the accuracy"})
        if not (math.isfinite(loss) and math.isfinite(accuracy)):
            return json.dumps({"error": f"step({k}) returned loss {loss} and accuracy {accuracy}: training diverged "
                                        f"(try a smaller learning rate)", "printed": printed})
        return json.dumps({"loss": float(loss), "accuracy": float(accuracy), "printed": printed})

    def boundary(self, n: int = 30) -> str:
        """``predict``'s sign on an ``n`` by ``n`` grid over the points, a margin around them."""
        X = self.namespace["X"]
        xs, ys = [p[0] for p in X], [p[1] for p in X]
        (x0, x1), (y0, y1) = (min(xs) - 0.5, max(xs) + 0.5), (min(ys) - 0.5, max(ys) + 0.5)
        try:
            grid = [[self._call("predict", [x0 + (x1 - x0) * (i + 0.5) / n, y0 + (y1 - y0) * (j + 0.5) / n])[0] > 0
                     for i in range(n)] for j in range(n)]
        except PlaygroundError as e:
            return json.dumps({"error": e.args[0], "printed": e.args[1]})
        return json.dumps({"box": [x0, x1, y0, y1], "grid": grid})
