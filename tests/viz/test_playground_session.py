"""The playground's Python side in CPython: what each answer holds, against the engine run directly."""

from __future__ import annotations

import io
import json
import math
from typing import Any, Dict

import pytest

from engine import Value, explain, topological_order
from viz.dot import draw_dot
from viz.playground import session as playground
from viz.playground.examples import EXAMPLES, TRAINING
from viz.playground.session import DRAWING, MAX_STEPS, Session, Training, describe


def direct(code: str, backward: bool = False) -> Any:
    """The code run as a learner runs it in a notebook; its output after backward (called here if asked)."""
    namespace: Dict[str, Any] = {}
    exec(code, namespace)
    if backward:
        namespace["out"].backward()
    return namespace["out"]


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_each_example_answers_with_the_engines_numbers(example: Any) -> None:
    answer = json.loads(Session().run(example.code))
    namespace: Dict[str, Any] = {}
    exec(example.code, namespace)
    out = namespace["out"]
    order = topological_order(out)
    assert answer["size"] == len(order) and "error" not in answer and answer["note"] == ""
    assert answer["dot"] == draw_dot(out, **{**DRAWING, **namespace.get("drawing", {})}).source
    assert [(leaf["id"], leaf["data"], leaf["grad"]) for leaf in answer["leaves"]] == [
        (f"v{i}", f"{v.data + 0.0:.6g}", f"{v.grad + 0.0:.6g}") for i, v in enumerate(order) if not v._prev]
    grads = {node: 0.0 for node in answer["explore"]["nodes"]}  # the steps, replayed, end at the engine's grads
    grads[answer["explore"]["root"]] = 1.0
    for step in answer["explore"]["steps"]:
        for parent, amount in step["sent"]:
            grads[parent] += amount
    assert grads == pytest.approx({f"v{i}": v.grad for i, v in enumerate(order)}, rel=1e-12, abs=1e-300)


def test_leaf_names_carry_their_scope() -> None:
    answer = json.loads(Session().run(EXAMPLES[1].code))
    names = [leaf["name"] for leaf in answer["leaves"]]
    assert names[:4] == ["layer0.neuron0.w0", "layer0.neuron0.w1", "layer0.neuron0.w2", "layer0.neuron0.b"]
    assert {leaf["kind"] for leaf in answer["leaves"]} == {"parameter", "input"}
    assert Session().run("from engine import Value\nout = Value(2.0) * 3").count('"name": ""') == 2


def test_backward_is_called_for_the_learner_who_did_not() -> None:
    code = "from engine import Value\nx = Value(3.0, label='x')\nout = (x * x).tanh()"
    answer = json.loads(Session().run(code))
    assert answer["note"] == "out.backward() was not called, so the page called it."
    assert answer["leaves"][0]["grad"] == f"{direct(code, backward=True)._prev[0]._prev[0].grad:.6g}"
    called = json.loads(Session().run(code + "\nout.backward()"))
    assert called["note"] == "" and called["leaves"] == answer["leaves"]


def test_what_the_code_prints_is_shown_with_the_answer_or_the_error() -> None:
    answer = json.loads(Session().run("from engine import Value\nprint('hello')\nout = Value(1.0) * 2"))
    assert answer["printed"] == "hello\n"
    failed = json.loads(Session().run("print('before')\n1 / 0"))
    assert failed["printed"] == "before\n"
    assert failed["error"] == "ZeroDivisionError: division by zero\n  at line 2 of your code"


def test_errors_name_the_learners_line_not_the_engines() -> None:
    answer = json.loads(Session().run("from engine import Value\n\nx = Value(-2.0)\nout = x.sqrt()"))
    with pytest.raises(ValueError) as raised:
        Value(-2.0).sqrt()
    assert answer["error"] == f"ValueError: {raised.value}\n  at line 4 of your code"


def test_a_syntax_error_points_at_its_place() -> None:
    answer = json.loads(Session().run("x = 1\ny = (x +\n"))
    assert answer["error"].startswith("SyntaxError: ") and "(line 2)" in answer["error"].splitlines()[0]
    lines = answer["error"].splitlines()
    assert lines[1] == "    y = (x +" and lines[2].strip() == "^" and lines[2].index("^") == 4 + 4
    assert describe(SyntaxError("bad")) == "SyntaxError: bad"  # no line, no text: the message alone


@pytest.mark.parametrize("code, message", [
    ("x = 1", "Nothing to draw: the code sets no out; assign the Value to draw to out"),
    ("out = [1, 2]", "Nothing to draw: out is list, not a Value; assign the Value to draw to out"),
])
def test_code_that_draws_nothing_says_what_to_do(code: str, message: str) -> None:
    assert json.loads(Session().run(code))["error"].startswith(message)


def test_a_drawing_that_fails_shows_the_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ValueError("no room to draw")

    monkeypatch.setattr(playground, "draw_dot", refuse)
    answer = json.loads(Session().run("from engine import Value\nout = Value(1.0) * 2"))
    assert answer == {"error": "ValueError: no room to draw", "printed": ""}


def test_a_graph_past_the_step_limit_is_drawn_but_not_stepped() -> None:
    code = f"from engine import Value\nout = Value(1.0)\nfor _ in range({MAX_STEPS}):\n    out = out * 1.0\nout.backward()"
    answer = json.loads(Session().run(code))
    assert answer["explore"] is None and answer["size"] > MAX_STEPS and answer["dot"]
    assert answer["note"] == f"The graph has {answer['size']} values: stepping through it is offered up to {MAX_STEPS}."
    small = f"from engine import Value\nout = Value(1.0)\nfor _ in range({(MAX_STEPS - 1) // 2}):\n    out = out * 1.0"
    assert json.loads(Session().run(small))["explore"] is not None


def test_the_pages_own_backward_can_fail_and_says_why() -> None:
    s = Session()
    s.run(EXAMPLES[0].code)
    answer = json.loads(s.run("from engine import Value\nout = Value(0.0).sqrt()"))  # no backward: the page's fails
    with pytest.raises(ZeroDivisionError) as raised:
        Value(0.0).sqrt().backward()
    assert answer == {"error": f"ZeroDivisionError: {raised.value}", "printed": ""}
    assert json.loads(s.inspect("v0"))["name"] == "x1"  # a click still answers for the graph drawn, the neuron


def test_grads_left_by_two_backward_passes_are_explained() -> None:
    code = "from engine import Value\nx = Value(2.0, label='x')\nout = x * x\nout.backward()\nout.backward()"
    answer = json.loads(Session().run(code))
    assert answer["leaves"][0]["grad"] == "8"  # what the code left: 4 twice, as micrograd accumulates
    assert answer["note"].startswith("The table shows the grads your code left in .grad; the drawing and the steps")
    assert json.loads(Session().run(code.rsplit("\n", 1)[0]))["note"] == ""  # once: nothing to explain


def test_drawing_options_come_from_the_code() -> None:
    folded = json.loads(Session().run(EXAMPLES[-1].code))
    out = direct(EXAMPLES[-1].code)
    assert folded["dot"] == draw_dot(out, **{**DRAWING, "max_nodes": 12}).source and "folded: " in folded["dot"]
    assert json.loads(Session().run("from engine import Value\nout = Value(2.0) * 3\ndrawing = 12"))["error"] == (
        "drawing must be a dict of draw_dot's options, such as dict(max_nodes=12); got int")
    wrong = json.loads(Session().run("from engine import Value\nout = Value(2.0) * 3\ndrawing = dict(colour=1)"))
    assert wrong["error"].startswith("TypeError: unknown drawing option colour; the options are clusters")


def test_an_exit_or_an_interrupt_in_the_code_is_an_error_not_the_end() -> None:
    assert json.loads(Session().run("import sys\nsys.exit(3)"))["error"] == "SystemExit: 3\n  at line 2 of your code"
    assert json.loads(Session().run("raise KeyboardInterrupt"))["error"].startswith("KeyboardInterrupt")


def test_an_indentation_error_is_called_by_its_name() -> None:
    assert json.loads(Session().run("x = 1\n  y = 2"))["error"].startswith("IndentationError: unexpected indent (line 2)")


def test_inspect_prints_backward_and_explain_as_the_engine_does() -> None:
    s = Session()
    code = EXAMPLES[0].code
    s.run(code)
    out = direct(code)
    order = topological_order(out)
    for index in (0, 5, len(order) - 1):
        answer = json.loads(s.inspect(f"v{index}"))
        text = io.StringIO()
        explain(out, order[index], file=text)
        assert answer["backward"] == str(order[index]._backward) and answer["explain"] == text.getvalue()
        assert answer["leaf"] == (not order[index]._prev) and answer["op"] == order[index]._op
    assert json.loads(s.inspect("v0"))["name"] == "x1"
    assert json.loads(s.inspect("scope_0"))["error"].startswith("scope_0 is not one Value of the last run")
    assert json.loads(Session().inspect("v0"))["error"].startswith("v0 is not one Value")  # nothing run yet


def test_inspect_shows_explains_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise TypeError("explain needs the op's rule")

    s = Session()
    s.run(EXAMPLES[0].code)
    monkeypatch.setattr(playground, "explain", refuse)
    assert json.loads(s.inspect("v0"))["explain"] == "TypeError: explain needs the op's rule"


def test_training_steps_are_the_codes_own() -> None:
    t = Training()
    start = json.loads(t.start(TRAINING))
    namespace: Dict[str, Any] = {}
    exec(TRAINING, namespace)
    assert start["steps"] == namespace["STEPS"] and start["X"] == namespace["X"] and start["y"] == namespace["y"]
    for k in range(3):
        answer = json.loads(t.step(k))
        loss, accuracy = namespace["step"](k)
        assert answer == {"loss": loss, "accuracy": accuracy, "printed": ""}
    grid = json.loads(t.boundary(4))
    x0, x1, y0, y1 = grid["box"]
    xs, ys = [p[0] for p in namespace["X"]], [p[1] for p in namespace["X"]]
    assert (x0, x1, y0, y1) == (min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.5, max(ys) + 0.5)
    assert grid["grid"] == [[namespace["predict"]([x0 + (x1 - x0) * (i + 0.5) / 4, y0 + (y1 - y0) * (j + 0.5) / 4]) > 0
                             for i in range(4)] for j in range(4)]


def test_training_code_errors_are_shown() -> None:
    t = Training()
    assert json.loads(t.start("X = 1\nprint('hi')"))["error"] == (
        "The training code must define X, y, STEPS, step, predict; missing: y, STEPS, step, predict")
    assert json.loads(t.start("1 +"))["error"].startswith("SyntaxError")
    code = "X = [[0.0, 0.0]]\ny = [1]\nSTEPS = 1\ndef step(k):\n    return 1 / 0\ndef predict(p):\n    return p[5]"
    assert json.loads(t.start(code))["steps"] == 1
    assert json.loads(t.step(0))["error"] == "ZeroDivisionError: division by zero\n  at line 5 of your code"
    assert json.loads(t.boundary())["error"] == "IndexError: list index out of range\n  at line 7 of your code"


def test_training_code_that_diverges_or_prints_is_shown() -> None:
    t = Training()
    code = ("X = [[0.0, 0.0]]\ny = [1]\nSTEPS = 2\ndef step(k):\n    print('at', k)\n    return 10.0 ** (400 * k), 1\n"
            "def predict(p):\n    return 1.0")
    json.loads(t.start(code))
    assert json.loads(t.step(0)) == {"loss": 1.0, "accuracy": 1.0, "printed": "at 0\n"}
    assert json.loads(t.step(1))["error"].startswith("OverflowError")
    diverged = "X = [[0.0, 0.0]]\ny = [1]\nSTEPS = 1\ndef step(k):\n    return float('inf'), 1\ndef predict(p):\n    return 1"
    t.start(diverged)
    assert json.loads(t.step(0))["error"] == "step(0) returned loss inf and accuracy 1: training diverged (try a smaller learning rate)"
    t.start(diverged.replace("return float('inf'), 1", "return 3"))
    assert json.loads(t.step(0))["error"] == "step(0) must return two numbers, the loss and the accuracy"


@pytest.mark.parametrize("code, message", [
    ("from engine import Value\nX = [[Value(1.0), 2.0]]\ny = [1]\nSTEPS = 1\nstep = predict = print",
     "X must be a list of points [x, y] and y a list of labels, all plain numbers"),
    ("X = [[1.0, 2.0]]\ny = [1, -1]\nSTEPS = 1\nstep = predict = print",
     "STEPS must be a positive whole number (got 1), and X and y as long as each other, not empty (got 1 and 2)"),
    ("X = [[1.0, 2.0]]\ny = [1]\nSTEPS = 0\nstep = predict = print",
     "STEPS must be a positive whole number (got 0), and X and y as long as each other, not empty (got 1 and 1)"),
])
def test_training_data_that_cannot_be_plotted_is_refused(code: str, message: str) -> None:
    assert json.loads(Training().start(code))["error"] == message


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def hand_grads(name: str) -> Dict[str, float]:
    """Each example's leaf grads by hand (the chain rule on paper), by leaf name."""
    if name == "neuron":  # the lecture's numbers: o = tanh(n) = 0.7071, do/dn = 0.5
        return {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    if name == "two-layer":
        a1 = max(0.5 * 2 + 0.1, 0.0)
        p = sigmoid(0.3 * a1 - 0.2)
        dz2 = 2 * (p - 1) * p * (1 - p)
        dz1 = dz2 * 0.3 * 1.0  # relu' = 1 at z1 = 1.1
        return {"x": dz1 * 0.5, "w1": dz1 * 2, "b1": dz1, "w2": dz2 * a1, "b2": dz2}
    if name == "two-three-one":
        x, W1, b1, W2, b2 = [0.05, 0.10], [[0.15, 0.20], [0.25, 0.30], [0.35, 0.40]], 0.35, [0.40, 0.45, 0.50], 0.60
        a1 = [sigmoid(sum(w * xk for w, xk in zip(row, x)) + b1) for row in W1]
        a2 = sigmoid(sum(w * a for w, a in zip(W2, a1)) + b2)
        delta2 = (a2 - 0.01) * a2 * (1 - a2)  # BP1
        delta1 = [W2[j] * delta2 * a1[j] * (1 - a1[j]) for j in range(3)]  # BP2
        grads = {f"W2[{j}]": delta2 * a1[j] for j in range(3)} | {"b2": delta2}  # BP3, BP4
        grads |= {f"W1[{j}][{k}]": delta1[j] * x[k] for j in range(3) for k in range(2)}
        grads |= {f"b1[{j}]": delta1[j] for j in range(3)}
        grads |= {f"x{k}": sum(delta1[j] * W1[j][k] for j in range(3)) for k in range(2)}
        return grads
    if name == "exp-sin":
        return {"x": math.exp(math.sin(1.5 ** 2)) * math.cos(1.5 ** 2) * 2 * 1.5}
    if name == "difference-of-squares":
        return {"x": 2 * 3.0, "y": -2 * 2.0}
    if name == "softmax":
        z = [2.0, 1.0, 0.1]
        p = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
        return {f"z{i}": p[i] - (i == 0) for i in range(3)}
    if name == "loop":  # h10 = w^10 h0 + c (1 + w + ... + w^9)
        w, c, h0 = 0.9, 0.1, 1.0
        return {"w": 10 * w ** 9 * h0 + c * sum(k * w ** (k - 1) for k in range(1, 10)),
                "c": sum(w ** k for k in range(10)), "h0": w ** 10}
    raise KeyError(name)


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.name != "mlp"], ids=lambda e: e.name)
def test_each_example_agrees_with_the_chain_rule_by_hand(example: Any) -> None:
    answer = json.loads(Session().run(example.code))
    shown = {leaf["name"]: float(leaf["grad"]) for leaf in answer["leaves"] if leaf["name"]}
    assert shown == pytest.approx(hand_grads(example.name), rel=1e-5, abs=1e-9)  # to the 6 digits shown


def test_the_mlp_example_agrees_with_central_differences() -> None:
    answer = json.loads(Session().run(EXAMPLES[1].code))
    namespace: Dict[str, Any] = {}
    exec(EXAMPLES[1].code, namespace)
    model, x, h = namespace["model"], namespace["x"], 1e-6
    for leaf, p in zip(answer["leaves"], model.parameters()):
        saved = p.data
        p.data = saved + h
        up = model(x).data
        p.data = saved - h
        down = model(x).data
        p.data = saved
        assert float(leaf["grad"]) == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8), leaf["name"]


def test_a_local_derivative_that_overflows_is_named_not_sent_as_bad_json() -> None:
    """viz.explorer.explorer_data: 1/x at x = 1e-160 has the local derivative -1/x² = -1e320, past the floats, on a
    branch that relu cut off, so backward never used it; the page shows every node's, and JSON has no inf. Once the
    learner read "Out of range float values are not JSON compliant"; now which derivative, and what it is."""
    code = "from engine import Value\nx = Value(1e-160, label='x')\nq = 1 / x\nout = (-q).relu()\nout.backward()\n"
    answer = json.loads(Session().run(code))
    assert answer == {"error": "ValueError: explorer: the local derivative of / 'v2' by its input 'x', -(v1/x)/x, is "
                               "-inf here, which a page cannot show", "printed": ""}
    assert -1 / 1e-160 / 1e-160 == -math.inf  # the oracle: the derivative overflows in Python's own floats


def test_local_derivatives_on_edges_reach_the_drawing() -> None:
    """The page's "local derivatives on edges" box: Session.run(show_local=True) draws as draw_dot does with it."""
    code = "from engine import Value\nx = Value(3.0, label='x')\nout = (x * x).tanh()\nout.backward()"
    with_locals = json.loads(Session().run(code, show_local=True))["dot"]
    out = direct(code)
    assert with_locals == draw_dot(out, **{**DRAWING, "show_local": True}).source
    assert with_locals != json.loads(Session().run(code))["dot"]
