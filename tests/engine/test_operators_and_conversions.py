"""Python's operators on Values: which side is which, comparisons at ties, and the exact refusals of conversions."""

import math

import pytest

import engine
from engine import TraceError, Value

ARITHMETIC = [
    ("+", lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    ("-", lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    ("*", lambda a, b: a * b, lambda a, b: (b, a)),
    ("/", lambda a, b: a / b, lambda a, b: (1 / b, -a / b**2)),
]


@pytest.mark.parametrize("symbol, f, partials", ARITHMETIC, ids=[row[0] for row in ARITHMETIC])
def test_each_operator_keeps_its_operands_order_with_a_number_on_either_side(symbol, f, partials) -> None:
    a, b = 3.0, 5.0  # not symmetric under swapping, so a reflected operator that swaps shows
    for left_is_value in (True, False):
        x = Value(a) if left_is_value else a
        y = b if left_is_value else Value(b)
        out = f(x, y)
        assert isinstance(out, Value) and out.data == f(a, b)
        out.backward()
        leaf, expected = (x, partials(a, b)[0]) if left_is_value else (y, partials(a, b)[1])
        assert leaf.grad == pytest.approx(expected, rel=1e-15)
    assert Value.__rtruediv__.__name__ == "__rtruediv__" and Value.__add__.__name__ == "__add__"


def test_comparisons_look_at_the_data_and_get_ties_right() -> None:
    one = Value(1.0)
    for other in (1.0, Value(1.0), 1):
        assert one >= other and one <= other
        assert not one > other and not one < other
    assert Value(1.0) < 2.0 and Value(3.0) > Value(2.0) and not Value(3.0) < 2
    assert max([Value(1.0), Value(3.0), Value(2.0)]).data == 3.0
    assert bool(Value(0.5)) and not bool(Value(0.0)) and bool(Value(-1e-300))


def refusal(kind: str, value: str, use: str, instead: str) -> str:
    return (f"{use} on a {kind} ({value}) would give a plain number and silently cut the gradient. "
            f"Use the {kind}'s own functions (v.exp(), v.sin(), v.tanh(), ...) to stay in the graph, "
            f"or {instead} to read the number on purpose")


CONVERSIONS = [
    (float, "float() (which math.exp, math.sin and the rest call)", "v.data"),
    (math.exp, "float() (which math.exp, math.sin and the rest call)", "v.data"),
    (int, "int()", "int(v.data)"),
    (round, "round()", "round(v.data)"),
    (complex, "complex()", "v.data"),
    (range, "an index or range()", "int(v.data)"),
    (lambda v: [1, 2, 3][v], "an index or range()", "int(v.data)"),
]


@pytest.mark.parametrize("convert, use, instead", CONVERSIONS)
def test_every_conversion_to_a_plain_number_refuses_word_for_word(convert, use, instead) -> None:
    with pytest.raises(TypeError) as caught:
        convert(Value(2.0))
    assert str(caught.value) == refusal("Value", "Value(data=2.0, grad=0.0)", use, instead)


@pytest.mark.parametrize("use, f", [("<", lambda x: x < 1.0), ("<=", lambda x: x <= 1.0),
                                     (">", lambda x: x > 1.0), (">=", lambda x: x >= 1.0),
                                     ("bool()", lambda x: x if x else -x)])
def test_a_traced_branch_is_refused_naming_the_comparison(use, f) -> None:
    with pytest.raises(TraceError) as caught:
        engine.compile(f, 2.0)
    assert str(caught.value) == (
        f"compile: f uses a Value in {use} while being traced, so its Python control flow depends on values and "
        f"one trace cannot stand for every input. Use relu, abs or leaky_relu for data-dependent choices, or run "
        f"f eagerly")


def test_a_bad_base_or_slope_is_named_as_what_it_is() -> None:
    with pytest.raises(ValueError, match=r"^base must be finite, got inf$"):
        math.inf ** Value(1.0)
    with pytest.raises(TypeError, match=r"^pow operand must be a real number, got str 'a'$"):
        "a" ** Value(2.0)  # not a number: the pow op names it, not as a base
    with pytest.raises(TypeError, match=r"^pow operand must be a real number, got complex \(2\+1j\)$"):
        (2 + 1j) ** Value(1.0)
    with pytest.raises(ValueError, match=r"^leaky_relu slope must not be nan, got nan$"):
        Value(1.0).leaky_relu(math.nan)


def test_operands_show_the_number_inside_a_value_and_a_symbol_as_written() -> None:
    from engine import ops
    from engine.symbolic import Sym

    assert ops.DIV.operands([Value(1.0), Value(0.0)]) == "a=1.0, b=0.0"
    assert ops.LOG.operands([Sym("u")]) == "x=u"
    assert ops.LEAKY_RELU.operands([Value(-2)], 0.5) == "x=-2.0, slope=0.5"


def test_an_empty_dot_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match=r"^engine\.dot needs at least one pair or a bias, got none$"):
        engine.dot([], [])


@pytest.mark.parametrize("name", ["sum", "mean", "logsumexp"])
def test_an_empty_reduction_is_refused_in_words(name) -> None:
    with pytest.raises(ValueError, match=rf"^engine\.{name} needs at least one value, got none$"):
        getattr(engine, name)([])


def test_a_comparison_with_another_librarys_number_is_a_plain_bool() -> None:
    sympy = pytest.importorskip("sympy")
    np = pytest.importorskip("numpy")

    for outcome in (Value(1.0) < sympy.Integer(2), Value(1.0) <= np.float64(1.0), Value(2.0) > sympy.Rational(1, 2)):
        assert outcome is True  # sympy's BooleanTrue and NumPy's bool_ become Python's True
    assert (np.array([0.5, 2.0]) < Value(1.0)).tolist() == [True, False]  # an array's stays NumPy's
