"""well_conditioned, rule by rule: a one- or two-step program just inside and just outside each
threshold it documents (tiny divisors and bases, kinks, huge values), against the expected verdict."""

import pytest

from engine import Value
from engine.testing.strategies import well_conditioned


def verdict(inputs, steps, kinks=False):
    """Run the program on Values (as the strategies do) and ask whether it is well conditioned."""
    from engine.testing.strategies import Expression
    regs = Expression(tuple(inputs), tuple(steps)).run([Value(x) for x in inputs])
    return well_conditioned(steps, regs, kinks)


CASES = [
    # kinked ops: within 1e-6 of 0 is refused, exactly 0 only with kinks=True
    *[(name, [5e-7], [(name, (0,), 0.3)], False, False) for name in ("relu", "leaky_relu", "leaky_relu_c", "abs")],
    *[(name, [-5e-7], [(name, (0,), 0.3)], False, False) for name in ("relu", "leaky_relu", "leaky_relu_c", "abs")],
    *[(name, [2e-6], [(name, (0,), 0.3)], False, True) for name in ("relu", "leaky_relu", "leaky_relu_c", "abs")],
    *[(name, [-0.5], [(name, (0,), 0.3)], False, True) for name in ("relu", "leaky_relu", "leaky_relu_c", "abs")],
    *[(name, [0.0], [(name, (0,), 0.3)], False, False) for name in ("relu", "leaky_relu", "leaky_relu_c", "abs")],
    *[(name, [0.0], [(name, (0,), 0.3)], True, True) for name in ("relu", "leaky_relu", "leaky_relu_c", "abs")],
    ("relu near 0 with kinks", [5e-7], [("relu", (0,), 0.0)], True, False),
    ("smooth op at 0", [0.0], [("tanh", (0,), 0.0)], False, True),
    # div: the divisor (second register), by magnitude
    ("div by 0.005", [1.0, 0.005], [("div", (0, 1), 0.0)], False, False),
    ("div by -0.005", [1.0, -0.005], [("div", (0, 1), 0.0)], False, False),
    ("div by 0.02", [1.0, 0.02], [("div", (0, 1), 0.0)], False, True),
    ("div by -0.5", [1.0, -0.5], [("div", (0, 1), 0.0)], False, True),
    ("div of 0.005", [0.005, 1.0], [("div", (0, 1), 0.0)], False, True),
    ("mul by 0.005", [1.0, 0.005], [("mul", (0, 1), 0.0)], False, True),
    # rdiv_c: c / x with a small x
    ("rdiv_c of 0.005", [0.005], [("rdiv_c", (0,), 1.0)], False, False),
    ("rdiv_c of -0.005", [-0.005], [("rdiv_c", (0,), 1.0)], False, False),
    ("rdiv_c of 0.02", [0.02], [("rdiv_c", (0,), 1.0)], False, True),
    ("rdiv_c of -0.5", [-0.5], [("rdiv_c", (0,), 1.0)], False, True),
    ("add_c of 0.005", [0.005], [("add_c", (0,), 1.0)], False, True),
    # log and sqrt: arguments below 1e-3
    *[(f"{name} of 5e-4", [5e-4], [(name, (0,), 0.0)], False, False) for name in ("log", "sqrt")],
    *[(f"{name} of 2e-3", [2e-3], [(name, (0,), 0.0)], False, True) for name in ("log", "sqrt")],
    ("exp of 5e-4", [5e-4], [("exp", (0,), 0.0)], False, True),
    # pow: a base below 1e-2
    ("pow of base 0.005", [0.005, 2.0], [("pow", (0, 1), 0.0)], False, False),
    ("pow of base 0.02", [0.02, 2.0], [("pow", (0, 1), 0.0)], False, True),
    ("pow to exponent 0.005", [1.5, 0.005], [("pow", (0, 1), 0.0)], False, True),
    # pow_c: x ** round(c), refused near 0 only for a negative rounded exponent
    ("pow_c 0.005 ** -2", [0.005], [("pow_c", (0,), -2.0)], False, False),
    ("pow_c -0.005 ** -2", [-0.005], [("pow_c", (0,), -2.0)], False, False),
    ("pow_c 0.02 ** -2", [0.02], [("pow_c", (0,), -2.0)], False, True),
    ("pow_c 0.005 ** 2", [0.005], [("pow_c", (0,), 2.0)], False, True),
    ("pow_c 0.005 ** round(-0.4)", [0.005], [("pow_c", (0,), -0.4)], False, True),
    ("pow_c 0.005 ** round(0.4)", [0.005], [("pow_c", (0,), 0.4)], False, True),
    ("pow_c 0.005 ** round(-0.6)", [0.005], [("pow_c", (0,), -0.6)], False, False),
    # rpow_c: |c| ** x with |c| below 1e-2
    ("rpow_c base 0.005", [1.0], [("rpow_c", (0,), 0.005)], False, False),
    ("rpow_c base -0.005", [1.0], [("rpow_c", (0,), -0.005)], False, False),
    ("rpow_c base 0.02", [1.0], [("rpow_c", (0,), 0.02)], False, True),
    ("rpow_c base -0.5", [1.0], [("rpow_c", (0,), -0.5)], False, True),
    ("rpow_c of x = 0.005", [0.005], [("rpow_c", (0,), 2.0)], False, True),
    # any step whose value passes 1e6 in magnitude, at any position; inputs themselves are not judged
    ("exp(15) = 3.3e6", [15.0], [("exp", (0,), 0.0)], False, False),
    ("exp(13) = 4.4e5", [13.0], [("exp", (0,), 0.0)], False, True),
    ("-exp(15)", [15.0], [("exp", (0,), 0.0), ("neg", (1,), 0.0)], False, False),
    ("a huge step, then a small one", [15.0], [("exp", (0,), 0.0), ("sin", (1,), 0.0)], False, False),
    ("a small step, then a huge one", [2.0, 15.0], [("sin", (0,), 0.0), ("exp", (1,), 0.0)], False, False),
    ("a huge input, small steps", [2e6, 0.5], [("sin", (1,), 0.0), ("cos", (1,), 0.0)], False, True),
    ("two inputs, one exp step", [13.0, 15.0], [("exp", (0,), 0.0)], False, True),
    ("a bad second step", [1.0, 0.005], [("add", (0, 1), 0.0), ("div", (0, 1), 0.0)], False, False),
    ("a bad first step", [5e-4], [("log", (0,), 0.0), ("sin", (0,), 0.0)], False, False),
    ("all steps good", [1.0, 0.5], [("add", (0, 1), 0.0), ("div", (0, 2), 0.0), ("log", (3,), 0.0)], False, True),
    # exactly at each threshold: "below" and "passes" are strict, so the threshold itself is accepted
    *[(f"{name} at 1e-6", [1e-6], [(name, (0,), 0.3)], False, True) for name in ("relu", "abs")],
    ("div by 0.01", [1.0, 0.01], [("div", (0, 1), 0.0)], False, True),
    ("rdiv_c of -0.01", [-0.01], [("rdiv_c", (0,), 1.0)], False, True),
    *[(f"{name} of 1e-3", [1e-3], [(name, (0,), 0.0)], False, True) for name in ("log", "sqrt")],
    ("pow of base 0.01", [0.01, 2.0], [("pow", (0, 1), 0.0)], False, True),
    ("pow_c 0.01 ** -2", [0.01], [("pow_c", (0,), -2.0)], False, True),
    ("rpow_c base 0.01", [1.0], [("rpow_c", (0,), 0.01)], False, True),
    ("a step of exactly 1e6", [1000.0, 1000.0], [("mul", (0, 1), 0.0)], False, True),
    ("a step of 1e6 + 0.5", [1000.0, 1000.0005], [("mul", (0, 1), 0.0)], False, False),
]


@pytest.mark.parametrize("label, inputs, steps, kinks, expected", CASES, ids=[c[0] for c in CASES])
def test_each_rule_refuses_just_outside_its_threshold_and_accepts_inside(label, inputs, steps, kinks, expected):
    assert verdict(inputs, steps, kinks) is expected


def test_the_default_is_to_refuse_exact_kinks():
    regs = [Value(0.0), Value(0.0).relu()]
    assert well_conditioned([("relu", (0,), 0.0)], regs) is False
    assert well_conditioned([("relu", (0,), 0.0)], regs, kinks=True) is True
