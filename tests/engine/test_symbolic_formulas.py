"""The formulas the engine prints and compiles from its rules: precedence, helpers and their names."""

import math

import pytest

import engine
from engine.symbolic import Code, Sym


def test_times_log_and_sign_in_the_display_dialect() -> None:
    u, v = Sym("u"), Sym("v")
    assert str(u.times_log(2.0)) == "u·log(2)"
    assert str((u + 1).times_log(v)) == "(u + 1)·log(v)"  # a sum is wrapped before the product
    assert str((u + 1).times_log(v) * 3) == "(u + 1)·log(v)·3"
    assert str(u.times_log(v) ** 2) == "(u·log(v))^2"  # a product binds looser than a power
    assert str(u.sign() * u) == "sign(u)·u" and str(u.sign() ** 2) == "sign(u)^2"


def test_helpers_in_generated_code_are_named_once_and_bound() -> None:
    c = Code()
    x, y = Sym("x", dialect=c), Sym("y", dialect=c)
    assert str(x.times_log(y) * x) == "times_log_0(x, y)*x"
    assert str((x + 1).times_log(y + 1)) == "times_log_0(x + 1.0, y + 1.0)"
    assert str(x.sign() * x) == "sign_1(x)*x" and str(x.sign() ** 2) == "sign_1(x)**2.0"
    assert c.functions == {"times_log_0": "times_log", "sign_1": "sign"}


def test_a_compiled_programs_source_is_the_rules_written_out() -> None:
    program = engine.compile(lambda x, y: abs(x) * x ** y, 2.0, 3.0)
    source = program.source
    assert source.forward == ["v[2] = abs_0(v[0])\nv[3] = v[0]**v[1]\nv[4] = v[2]*v[3]"]
    assert source.backward == ["g[2] += g[4] * (v[3])\ng[3] += g[4] * (v[2])\n"
                               "g[0] += g[3] * (v[1]*v[0]**(v[1] - 1.0))\n"
                               "g[1] += g[3] * (times_log_2(v[3], v[0]))\ng[0] += g[2] * (sign_1(v[0]))"]
    assert list(source.functions) == ["abs_0", "sign_1", "times_log_2"]


@pytest.mark.parametrize("x, y", [(2.0, 3.0), (0.5, -1.5), (1.5, 0.0)])
def test_compiled_gradients_through_sign_and_times_log_match_the_hand_derivative(x: float, y: float) -> None:
    program = engine.compile(lambda a, b: abs(a) * a ** b, 2.0, 3.0)
    result = program(x, y)  # a positive base: with a Value exponent d/dy needs log(x)
    assert result.value == pytest.approx(abs(x) * x ** y, rel=1e-15)
    gx, gy = result.grads
    assert gx == pytest.approx(x ** y + x * y * x ** (y - 1), rel=1e-12)  # d/dx |x|·x^y, x > 0
    assert gy == pytest.approx(x * x ** y * math.log(x), rel=1e-12)


@pytest.mark.parametrize("use, rule", [(">", lambda x, out: (1.0 if x > 0 else 0.0,)),
                                       ("bool()", lambda x, out: (x and 1.0,))])
def test_a_rule_that_branches_on_its_input_is_refused_naming_the_branch(use, rule) -> None:
    with pytest.raises(TypeError) as caught:
        engine.op(derivative=rule, name="branchy")(lambda x: x)
    assert (f"it raised TypeError: a derivative rule uses a symbol in {use}, so it cannot be printed or compiled; "
            f"write data-dependent choices with engine.ops.if_positive or sign)") in str(caught.value)


def test_a_product_times_a_log_needs_no_parentheses() -> None:
    u, v, w = Sym("u"), Sym("v"), Sym("w")
    assert str((u * v).times_log(w)) == "u·v·log(w)"


@engine.op(derivative=lambda x, out: (engine.ops.if_positive(x, 2.0, 0.5) * x,), name="bent square")
def bent_square(x):
    return x * x if x > 0 else 0.25 * x * x


def test_a_custom_ops_name_and_its_rules_choice_become_valid_identifiers_in_generated_code() -> None:
    program = engine.compile(lambda x: bent_square(x) * x, 1.5)
    assert program.source.forward == ["v[1] = bent_square_0(v[0])\nv[2] = v[1]*v[0]"]
    assert program.source.backward == ["g[1] += g[2] * (v[0])\ng[0] += g[2] * (v[1])\n"
                                       "g[0] += g[1] * (if_positive_1(v[0], 2.0, 0.5)*v[0])"]
    assert list(program.source.functions) == ["bent_square_0", "if_positive_1"]
    for x, value, slope in [(1.5, 1.5 ** 3, 3 * 1.5 ** 2), (-2.0, 0.25 * -8.0, 0.75 * 4.0)]:  # x^3, x^3/4
        result = program(x)
        assert result.value == pytest.approx(value, rel=1e-15) and result.grads[0] == pytest.approx(slope, rel=1e-15)


def test_each_ops_formulas_name_its_inputs_and_show_its_constant() -> None:
    from engine import ops
    from engine.symbolic import formulas

    assert formulas(ops.POW, 1, 3.0) == ["d (u^3)/du = 3·u^2"]
    assert formulas(ops.LEAKY_RELU, 1, 0.1) == ["d leaky_relu(u, 0.1)/du = (1 if u > 0 else 0.1)"]
    assert formulas(ops.SUM, 3) == ["d (v0 + v1 + v2)/dv0 = 1", "d (v0 + v1 + v2)/dv1 = 1",
                                    "d (v0 + v1 + v2)/dv2 = 1"]
    assert formulas(ops.DOT, 3) == ["d (v0·v1 + v2)/dv0 = v1", "d (v0·v1 + v2)/dv1 = v0", "d (v0·v1 + v2)/dv2 = 1"]
    assert formulas(ops.MUL, 2, names=["w", "x"]) == ["d (w·x)/dw = x", "d (w·x)/dx = w"]


u, v, w = Sym("u"), Sym("v"), Sym("w")
# Written as source and evaluated in the test, so that the formula is built when the test runs.
DISPLAYED = [  # each formula as a reader of the chapters writes it: no 1·, no + 0, parentheses only where needed
    ("1 * u", "u"),
    ("u * 1", "u"),
    ("-1 * u", "-u"),
    ("2 * u", "2·u"),
    ("u * 2", "u·2"),
    ("u * u", "u^2"),
    ("(u + v) * (u + v)", "(u + v)^2"),
    ("(u ** 2) * (u ** 2)", "(u^2)^2"),
    ("0 + u", "u"),
    ("u + 0", "u"),
    ("u - 0", "u"),
    ("0 - u", "0 - u"),
    ("u / 1", "u"),
    ("1 / u", "1/u"),
    ("u / 2", "u/2"),
    ("u - (v - w)", "u - (v - w)"),
    ("u - (v + w)", "u - (v + w)"),
    ("(u - v) - w", "u - v - w"),
    ("u / (v * w)", "u/(v·w)"),
    ("u / (v / w)", "u/(v/w)"),
    ("u * (v / w)", "u·v/w"),
    ("u + (v + w)", "u + v + w"),
    ("(u + v) * w", "(u + v)·w"),
    ("-u", "-u"),
    ("-(u + v)", "-(u + v)"),
    ("-(u + v) * w", "-(u + v)·w"),
    ("u ** 3", "u^3"),
    ("(u + v) ** 3", "(u + v)^3"),
    ("(-u) ** 2.0", "(-u)^2"),
    ("(u ** 2) ** 3", "(u^2)^3"),
    ("2 ** u", "2^u"),
    ("2 ** (u + v)", "2^(u + v)"),
    ("2 ** (u ** 2)", "2^u^2"),
    ("(2 ** u) ** 2", "(2^u)^2"),
    ("(-2.0) ** u", "(-2)^u"),
    ("u ** v", "u^v"),
    ("(u * v) ** v", "(u·v)^v"),
]


@pytest.mark.parametrize("formula, text", DISPLAYED, ids=[t for _, t in DISPLAYED])
def test_formulas_are_tidied_and_parenthesised_as_written_by_hand(formula, text) -> None:
    assert str(eval(formula, {"u": u, "v": v, "w": w})) == text


def test_generated_code_keeps_python_precedence_and_exact_numbers() -> None:
    c = Code()
    x, y = Sym("x", dialect=c), Sym("y", dialect=c)
    assert [str(-x * y), str((x + y) * (x + y)), str(2 ** x * y), str(-(x + y) * y)] == [
        "-x*y", "(x + y)**2", "2.0**x*y", "-(x + y)*y"]
    for text, expected in [("-x*y", -6.0), ("(x + y)**2", 25.0), ("2.0**x*y", 12.0), ("-(x + y)*y", -15.0)]:
        assert eval(text, {"x": 2.0, "y": 3.0}) == expected  # the text is Python meaning what the op means


def test_times_log_of_a_number_and_as_a_divisor() -> None:
    from engine.closures import LECTURE

    c = Code()
    x = Sym("x", dialect=c)
    assert str(x.times_log(2.0)) == "times_log_0(x, 2.0)"  # generated code keeps exact numbers
    lu, lv = Sym("u", dialect=LECTURE), Sym("v", dialect=LECTURE)
    assert str(lu.times_log(lv) * 2) == "u * log(v) * 2"  # the product stays in the lecture's dialect
    assert str(w / u.times_log(v)) == "w/(u·log(v))"  # a product is wrapped on the right of a division


def test_times_log_writes_its_number_in_the_formulas_own_dialect() -> None:
    from engine.closures import LECTURE

    lu = Sym("u", dialect=LECTURE)
    assert str(lu.times_log(0.123456789)) == "u * log(0.123456789)"  # the lecture keeps every digit
    assert str(u.times_log(0.123456789)) == "u·log(0.123457)"  # the display dialect shows six
