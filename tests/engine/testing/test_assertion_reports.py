"""assert_derivative's report: the table, the verdicts, the formula, the graph, and the messages, word for word."""

import math

import pytest
from hypothesis import strategies as st

from engine import op
from engine.testing import DerivativeError, assert_derivative, close, formula_of


@op(derivative=lambda x, out: (1.01 * x.cos(),))
def bad_sin(x: float) -> float:
    """sin with a derivative rule 1% off."""
    return math.sin(x)


@op(derivative=lambda x, out: (x * 0.0 + 1.0,))
def flat(x: float) -> float:
    """Zero everywhere, with a rule that says its slope is 1."""
    return 0.0


def raised(f, df, at, **kwargs) -> DerivativeError:
    with pytest.raises(DerivativeError) as info:
        assert_derivative(f, df, at=at, **kwargs)
    return info.value


def test_the_table_the_formula_and_the_graph_word_for_word() -> None:
    error = raised(lambda x: x * 3, lambda x: 4.0, [2.0])
    assert str(error) == (
        "the derivative of x·3 disagrees (central differences):\n"
        "input                  hand          engine         numeric  rel. error  verdict\n"
        "d/dx at x=2               4               3               3    1.43e-01  hand differs")
    assert error.formula == "x·3"
    assert error.graph == (
        "node  op  data  grad  local derivatives  consumers\n"
        "x         2     3     -                  1\n"
        "v1        3     2     -                  1\n"
        "v2    *   6     1     3, 2               0")
    (row,) = error.rows
    assert (row.input, row.hand, row.engine, row.verdict) == ("d/dx at x=2", 4.0, 3.0, "hand differs")
    assert row.numeric == pytest.approx(3.0, rel=1e-9) and row.rel_error == pytest.approx(1 / 7, rel=1e-12)


def test_a_table_of_several_inputs_keeps_its_header_and_every_row() -> None:
    error = raised(lambda x, y: x * y, lambda x, y: (y, 2.0 * x), [(2.0, -0.5)], scheme="forward")
    assert str(error) == (
        "the derivative of x0·x1 disagrees (forward differences):\n"
        "input                             hand          engine         numeric  rel. error  verdict\n"
        "d/dx0 at x0=2, x1=-0.5            -0.5            -0.5            -0.5    0.00e+00  ok\n"
        "d/dx1 at x0=2, x1=-0.5               4               2               2    3.33e-01  hand differs")
    assert error.graph.splitlines()[1].split()[0] == "x0" and error.graph.splitlines()[2].split()[0] == "x1"


def test_a_function_that_returns_a_plain_number_has_no_graph() -> None:
    error = raised(lambda x: 2.0, lambda x: 1.0, [0.5])
    assert error.graph == "" and error.formula == "2.0"
    assert [r.verdict for r in error.rows] == ["hand differs"]


@pytest.mark.parametrize("f, df, tolerances, verdict", [
    (lambda x: x.sin(), lambda x: 1.01 * math.cos(x), {}, "hand differs"),
    (bad_sin, math.cos, {}, "engine differs (an op's derivative rule, or a hand-written _backward?)"),
    (bad_sin, lambda x: 1.02 * math.cos(x), {}, "all three differ (not smooth here?)"),
    # hand and numeric agree exactly, with no tolerance at all: the engine is the odd one out
    (flat, lambda x: 0.0, {"numeric_rtol": 0.0, "numeric_atol": 0.0},
     "engine differs (an op's derivative rule, or a hand-written _backward?)"),
])
def test_the_verdict_names_the_one_that_disagrees(f, df, tolerances, verdict: str) -> None:
    error = raised(f, df, [0.7], **tolerances)
    assert [r.verdict for r in error.rows] == [verdict]
    assert str(error).endswith(f"  {verdict}")


def test_tolerances_are_inclusive() -> None:
    # hand, engine and numeric all exactly 0: equal within zero tolerance.
    assert_derivative(lambda x: x * 0.0, lambda x: 0.0, at=[0.5, -3.0], rtol=0.0, atol=0.0,
                      numeric_rtol=0.0, numeric_atol=0.0)


def _sin_difference(x: float, h: float) -> float:
    return (math.sin(x + h) - math.sin(x - h)) / (2 * h)


@pytest.mark.parametrize("as_strategy", [False, True])
@pytest.mark.parametrize("x", [0.5, 1.5, -2.5])
def test_eps_is_the_step_before_scaling_by_max_1_abs_x(x: float, as_strategy: bool) -> None:
    at = st.just(x) if as_strategy else [x]
    error = raised(lambda t: t.sin(), lambda t: 1.01 * math.cos(t), at, eps=0.1)
    (row,) = error.rows
    assert row.numeric == pytest.approx(_sin_difference(x, 0.1 * max(1.0, abs(x))), rel=1e-12)
    error = raised(lambda t: t.sin(), lambda t: 1.01 * math.cos(t), at)  # the scheme's own step: near exact
    assert error.rows[0].numeric == pytest.approx(math.cos(x), rel=1e-9)


@pytest.mark.parametrize("f, at, text", [
    (lambda x, y: x * y, [0.5],
     "assert_derivative: f does not take 1 input, as a point of 1 number needs; give each point of a function of "
     "several inputs as a tuple: at=[(0.5, 2.0), ...] (a list is several points)"),
    (lambda x: x.sin(), [(0.5, 2.0)],
     "assert_derivative: f does not take 2 inputs, as a point of 2 numbers needs; give each point of a function "
     "of several inputs as a tuple: at=[(0.5, 2.0), ...] (a list is several points)"),
    (lambda x: x.sin(), [(0.5, 2.0, 1.0)],
     "assert_derivative: f does not take 3 inputs, as a point of 3 numbers needs; give each point of a function "
     "of several inputs as a tuple: at=[(0.5, 2.0), ...] (a list is several points)"),
])
def test_a_point_of_the_wrong_size_is_explained_word_for_word(f, at, text: str) -> None:
    with pytest.raises(TypeError) as info:
        assert_derivative(f, lambda *xs: xs, at=at)
    assert str(info.value) == text


def test_a_hand_derivative_of_the_wrong_length_is_explained_word_for_word() -> None:
    with pytest.raises(TypeError) as info:
        assert_derivative(lambda a, b, c: a * b * c, lambda a, b, c: (1.0, 2.0), at=[(0.0, 0.0, 0.0)])
    assert str(info.value) == ("assert_derivative: the hand derivative returned 2 values for a function of 3 inputs; "
                               "return one partial derivative per input")


def test_a_derivative_error_made_by_hand_has_empty_parts() -> None:
    error = DerivativeError("boom")
    assert (str(error), error.rows, error.formula, error.graph) == ("boom", [], "", "")
    assert isinstance(error, AssertionError)


@pytest.mark.parametrize("actual, expected, rel, floor, result", [
    (1.0 + 1e-10, 1.0, 1e-9, None, True),
    (1.0, 0.0, 1.0, None, True),       # exactly at rel * floor: inclusive
    (1.5, 0.0, 1.0, None, False),      # the floor is 1 by default
    (1.5, 0.0, 1.0, 2.0, True),
    (12.0, 10.0, 0.2, None, True),     # exactly at rel * |expected|
    (12.5, 10.0, 0.2, None, False),
    (-1e-12, 0.0, 1e-9, None, True),
])
def test_close_is_relative_with_a_floor(actual, expected, rel, floor, result: bool) -> None:
    kwargs = {} if floor is None else {"floor": floor}
    assert close(actual, expected, rel=rel, **kwargs) is result


def _chain(x, k: int, c: int):
    e = x
    for _ in range(k):
        e = e + x
    return e + c


@pytest.mark.parametrize("k, c, length", [(28, 123, 119), (28, 1234, 120), (29, 1, 121), (40, 5, 165)])
def test_a_formula_is_cut_to_120_characters(k: int, c: int, length: int) -> None:
    whole = "x" + " + x" * k + f" + {c}"
    assert len(whole) == length
    expected = whole if length <= 120 else whole[:119] + "…"
    assert formula_of(lambda x: _chain(x, k, c), 1) == expected


class Model:
    def __call__(self, x):
        return x.data  # reads the number: not a formula

    def __repr__(self) -> str:
        return "<a model>"


def needs_floats(x):
    return math.sin(x)


@pytest.mark.parametrize("f, n, text", [
    (lambda x, y: (x * y).tanh(), 2, "tanh(x0·x1)"),
    (needs_floats, 1, "needs_floats"),
    (Model(), 1, "<a model>"),
])
def test_a_function_that_is_not_a_formula_goes_by_its_name_or_repr(f, n: int, text: str) -> None:
    assert formula_of(f, n) == text
