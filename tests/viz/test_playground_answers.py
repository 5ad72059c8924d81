"""The playground's answers whole, as the page parses them: every error carries what the code printed, the notes
and names read exactly, the step limit's edge, and the training page's grid and refusals."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

from viz.playground.session import MAX_STEPS, Session, Training, compile_error, describe, execute

TWICE_NOTE = ("The table shows the grads your code left in .grad; the drawing and the steps show one backward pass "
              "from out. They differ because backward ran more than once, or from another Value: grads add up until "
              "they are set to zero.")
TRAINING_OK = "X = [[0.0, 0.0], [1.0, 2.0]]\ny = [-1, 1]\nSTEPS = 3\ndef step(k):\n    return 0.5, 1.0\n"


def strict(text: str) -> Dict[str, Any]:
    """The answer as the browser's JSON.parse reads it: NaN and Infinity are not JSON."""
    def refuse(constant: str) -> None:
        raise AssertionError(f"the answer holds {constant}, which JSON.parse rejects")
    return json.loads(text, parse_constant=refuse)


def test_compile_error_is_the_syntax_error_of_the_learners_file() -> None:
    error = compile_error("x = (1 +")
    assert isinstance(error, SyntaxError)
    assert (error.filename, error.lineno, error.msg) == ("<playground>", 1, "'(' was never closed")
    assert describe(error) == "SyntaxError: '(' was never closed (line 1)\n    x = (1 +\n        ^"
    with pytest.raises(ValueError) as raised:
        compile_error("x = 1")
    assert str(raised.value) == "'x = 1' compiles"


def test_the_code_runs_as_a_script_named_main() -> None:
    namespace, printed = execute("print(__name__)\nif __name__ == '__main__':\n    print('run as a script')")
    assert printed == "__main__\nrun as a script\n" and namespace["__name__"] == "__main__"


@pytest.mark.parametrize("code, error", [
    ("print('a')\nout = 3",
     "Nothing to draw: out is int, not a Value; assign the Value to draw to out (for example out = (x * w).tanh())"),
    ("print('a')",
     "Nothing to draw: the code sets no out; assign the Value to draw to out (for example out = (x * w).tanh())"),
    ("from engine import Value\nprint('a')\nout = Value(1.0) * 2\ndrawing = [1]",
     "drawing must be a dict of draw_dot's options, such as dict(max_nodes=12); got list"),
])
def test_a_refusal_of_the_codes_out_or_drawing_carries_what_it_printed(code: str, error: str) -> None:
    assert strict(Session().run(code)) == {"error": error, "printed": "a\n"}


def test_a_graph_of_exactly_the_step_limit_is_stepped_through() -> None:
    code = f"from engine import Value\nout = Value(0.5, label='x')\nfor _ in range({MAX_STEPS - 1}):\n    out = out.tanh()"
    answer = strict(Session().run(code))
    assert answer["size"] == MAX_STEPS and answer["explore"] is not None and len(answer["explore"]["nodes"]) == MAX_STEPS
    assert answer["note"] == "out.backward() was not called, so the page called it."


def test_two_notes_are_joined_by_a_space() -> None:
    code = f"from engine import Value\nout = Value(0.5, label='x')\nfor _ in range({MAX_STEPS}):\n    out = out.tanh()"
    answer = strict(Session().run(code))
    assert answer["explore"] is None and answer["size"] == MAX_STEPS + 1
    assert answer["note"] == ("out.backward() was not called, so the page called it. The graph has 2001 values: "
                              "stepping through it is offered up to 2000.")


def test_a_small_difference_from_a_second_backward_is_explained_in_full() -> None:
    code = "from engine import Value\nx = Value(2.0, label='x')\nout = x * 0.1\nout.backward()\nout.backward()"
    answer = strict(Session().run(code))  # x.grad 0.2 left, one pass gives 0.1 (the constant's 4 and 2 differ by more)
    assert answer["note"] == TWICE_NOTE
    assert answer["leaves"][0]["grad"] == "0.2"


def test_a_grad_set_below_the_smallest_normal_float_is_not_a_difference() -> None:
    code = ("from engine import Value\nx = Value(2.0, label='x')\nout = x * 0.0\nout.backward()\n"
            "x.grad = 1e-310")  # one pass gives 0.0: within 1e-300, the page says nothing
    answer = strict(Session().run(code))
    assert answer["note"] == "" and answer["leaves"][0]["grad"] == "1e-310"


def test_a_lone_value_is_the_output_in_the_leaf_table_with_six_digits() -> None:
    answer = strict(Session().run("from engine import Value\nout = Value(2.0 / 3.0, label='x')"))
    assert answer["leaves"] == [{"id": "v0", "name": "x", "kind": "output", "data": "0.666667", "grad": "1"}]
    assert answer["root"] == "x"


def test_six_significant_digits_of_data_and_grad() -> None:
    answer = strict(Session().run("from engine import Value\nx = Value(1.23456789, label='x')\n"
                                  "out = x * 3.14159265\nout.backward()"))
    assert answer["leaves"][0] == {"id": "v0", "name": "x", "kind": "input", "data": "1.23457", "grad": "3.14159"}
    assert answer["leaves"][1]["data"] == "3.14159" and answer["leaves"][1]["grad"] == "1.23457"


def test_an_unlabelled_out_is_called_out() -> None:
    answer = strict(Session().run("from engine import Value\nout = Value(2.0, label='x') * 3"))
    assert answer["root"] == "out"


def test_a_click_before_any_run_is_refused() -> None:
    assert strict(Session().inspect("v0")) == {
        "error": "v0 is not one Value of the last run (a folded box stands for many)"}


def test_training_refusals_carry_what_the_code_printed() -> None:
    t = Training()
    assert strict(t.start("print('a')\n1 / 0")) == {
        "error": "ZeroDivisionError: division by zero\n  at line 2 of your code", "printed": "a\n"}
    assert strict(t.start("print('a')\nX = []")) == {
        "error": "The training code must define X, y, STEPS, step, predict; missing: y, STEPS, step, predict",
        "printed": "a\n"}
    rest = "y = [1]\nSTEPS = 1\nstep = predict = print\nprint('a')"
    assert strict(t.start("X = [[1.0, 'two']]\n" + rest)) == {
        "error": "X must be a list of points [x, y] and y a list of labels, all plain numbers", "printed": "a\n"}
    assert strict(t.start("X = [[1.0, 2.0]]\n" + rest.replace("STEPS = 1", "STEPS = 0"))) == {
        "error": "STEPS must be a positive whole number (got 0), and X and y as long as each other, not empty "
                 "(got 1 and 1)", "printed": "a\n"}


def test_training_start_answers_the_data_and_what_was_printed() -> None:
    t = Training()
    code = TRAINING_OK + "def predict(p):\n    return 1.0\nprint('ready')"
    assert strict(t.start(code)) == {"steps": 3, "X": [[0.0, 0.0], [1.0, 2.0]], "y": [-1.0, 1.0], "printed": "ready\n"}


def test_training_data_that_is_not_finite_is_refused_with_a_message() -> None:
    for bad in ("float('nan')", "float('inf')"):
        code = f"X = [[{bad}, 0.0]]\ny = [1]\nSTEPS = 1\nstep = predict = print\nprint('ran')"
        assert strict(Training().start(code)) == {
            "error": "X and y must be finite numbers: a point or a label is nan or infinite", "printed": "ran\n"}
    label = "X = [[0.0, 0.0]]\ny = [float('-inf')]\nSTEPS = 1\nstep = predict = print"
    assert strict(Training().start(label))["error"].startswith("X and y must be finite numbers")


def test_a_step_or_predict_that_fails_or_diverges_carries_what_it_printed() -> None:
    t = Training()
    code = ("X = [[0.0, 0.0]]\ny = [1]\nSTEPS = 2\ndef step(k):\n    print('step', k)\n"
            "    return (1 / k, 1.0) if k else (float('nan'), 1.0)\n"
            "def predict(p):\n    print('p')\n    return p[5]")
    strict(t.start(code))
    assert strict(t.step(0)) == {"error": "step(0) returned loss nan and accuracy 1.0: training diverged "
                                          "(try a smaller learning rate)", "printed": "step 0\n"}
    assert strict(t.step(1)) == {"loss": 1.0, "accuracy": 1.0, "printed": "step 1\n"}
    t.start(code.replace("1 / k", "1 / (k - 1)"))
    assert strict(t.step(1)) == {"error": "ZeroDivisionError: division by zero\n  at line 6 of your code",
                                 "printed": "step 1\n"}
    assert strict(t.boundary()) == {"error": "IndexError: list index out of range\n  at line 9 of your code",
                                    "printed": "p\n"}


def test_a_step_before_start_names_the_missing_function() -> None:
    assert strict(Training().step(0)) == {"error": "KeyError: 'step'", "printed": ""}


def test_the_boundary_is_30_by_30_and_a_score_of_zero_is_not_positive() -> None:
    t = Training()
    strict(t.start(TRAINING_OK + "def predict(p):\n    return p[0] - 0.5"))
    answer = strict(t.boundary())
    assert answer["box"] == [-0.5, 1.5, -0.5, 2.5]
    # x of column i is -0.5 + 2 (i + 0.5) / 30: positive past 0.5, from column 15 on, in every row
    assert answer["grid"] == [[i >= 15 for i in range(30)] for _ in range(30)]
    strict(t.start(TRAINING_OK + "def predict(p):\n    return 0.0"))
    assert strict(t.boundary(3))["grid"] == [[False] * 3] * 3


def test_a_grad_changed_by_hand_by_a_little_is_explained_too() -> None:
    code = "from engine import Value\nx = Value(2.0, label='x')\nout = x * 0.1\nout.backward()\nx.grad += 0.05"
    answer = strict(Session().run(code))  # only x differs from one pass, by 0.05: no tolerance of a whole unit
    assert answer["note"] == TWICE_NOTE and answer["leaves"][0]["grad"] == "0.15"
