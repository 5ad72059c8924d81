"""The playground's Python side in CPython: what each answer holds, against the engine run directly."""

from __future__ import annotations

import io
import json
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
    out = direct(example.code)
    order = topological_order(out)
    assert answer["size"] == len(order) and "error" not in answer and answer["note"] == ""
    assert answer["dot"] == draw_dot(out, **DRAWING).source
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
    assert {leaf["kind"] for leaf in answer["leaves"]} == {"parameter", "input", "constant"} - {"constant"}
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


def test_a_graph_holding_inf_is_refused_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(playground, "shown", lambda x, digits: float("inf"))  # a number JSON cannot hold
    answer = json.loads(Session().run("from engine import Value\nout = Value(1.0) * 2"))
    assert answer["error"].startswith("The graph holds nan or inf, which the page cannot show")


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
        assert answer == {"loss": loss, "accuracy": accuracy}
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
