"""The strategies draw only inside their domains, and between them exercise every op."""

import pytest
from hypothesis import find, given, settings

from engine import Value, ops
from engine.testing import DOMAINS, Expression, check_grads, expressions, floats_in, mlps, values
from nn import MLP
from engine.testing.strategies import TABLE, well_conditioned

OP_NAMES = [name for name in DOMAINS if name not in ("real", "positive", "nonzero")]


@pytest.mark.parametrize("name", OP_NAMES)
def test_floats_in_an_ops_domain_stay_inside_it(name: str) -> None:
    lo, hi, kink = DOMAINS[name]

    @given(floats_in(name))
    def check(x: float) -> None:
        assert lo <= x <= hi and (kink is None or abs(x - kink) > 1e-3)

    check()


@given(values("log"))
def test_values_are_leaves_in_their_domain(v: Value) -> None:
    assert isinstance(v, Value) and v._prev == () and v.data > 0
    v.log().backward()


def test_every_engine_op_has_a_domain_or_an_expression() -> None:
    # the piecewise-constant ops and straight_through never enter random expressions, whose derivatives are checked
    # against differences (a jump breaks those); tests/engine/test_discrete.py checks them
    discrete = {"round", "floor", "sign", "step", "straight_through"}
    covered = set(DOMAINS) | set(TABLE) | {"rpow", "vpow", "stop_gradient"} | discrete
    assert {v.name for v in vars(ops).values() if isinstance(v, ops.Op)} <= covered


@given(expressions())
def test_expressions_run_inside_their_domain_and_print_as_formulas(e: Expression) -> None:
    regs = e.run([Value(x) for x in e.inputs])  # no domain error: the strategy checked
    assert well_conditioned(e.steps, regs)
    assert repr(e).startswith("Expression(") and str(e.inputs[0])[:3] in repr(e)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_expressions_use_every_op_and_share_subexpressions(name: str) -> None:
    with_op = find(expressions(), lambda e: any(step[0] == name for step in e.steps),
                   settings=settings(max_examples=2000, database=None))
    assert any(step[0] == name for step in with_op.steps)
    def reused(e) -> bool:  # some register feeds two steps
        uses = [i for _, args, _ in e.steps for i in set(args)]
        return len(set(uses)) < len(uses)

    shared = find(expressions(), reused,
                  settings=settings(max_examples=2000, database=None))
    assert len(shared.steps) >= 2  # some register feeds two steps: a DAG, not a tree


def test_expressions_take_a_choice_of_ops() -> None:
    e = find(expressions(ops=["sin", "mul"], max_depth=3, inputs=2), lambda e: len(e.steps) == 3,
             settings=settings(database=None))
    assert {s[0] for s in e.steps} <= {"sin", "mul"} and len(e.inputs) <= 2
    with pytest.raises(ValueError, match="unknown ops"):
        find(expressions(ops=["frobnicate"]), lambda e: True)


@settings(max_examples=10)
@given(mlps(MLP))
def test_mlps_are_small_seeded_models_with_right_gradients(model) -> None:
    nin = len(model.layers[0].neurons[0].w)
    x = [0.3 * (i + 1) for i in range(nin)]
    check_grads(lambda *xs: model(list(xs)), x, order=1)  # one output or several


def test_without_hypothesis_the_strategies_say_how_to_get_it(tmp_path) -> None:
    import subprocess
    import sys

    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "import engine.testing as t\n"
            "t.assert_derivative(lambda x: x.sin(), lambda x: __import__('math').cos(x), at=[0.5])\n"
            "try:\n    t.floats_in\nexcept ImportError as e:\n    print(e)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "pip install 'chainrule[testing]'" in run.stdout


def test_a_range_domain_spans_from_its_low_end_to_its_high_end() -> None:
    low = find(floats_in((0.0, 1.0)), lambda x: x < 0.5, settings=settings(database=None))
    high = find(floats_in((0.0, 1.0)), lambda x: x > 0.5, settings=settings(database=None))
    assert 0.0 <= low < 0.5 < high <= 1.0


@settings(max_examples=50, derandomize=True, database=None)
@given(expressions(domain=(1.0, 2.0), ops=["sin", "add_c", "mul"]))
def test_expressions_draw_inputs_in_their_domain_and_constants_in_minus_three_to_three(e: Expression) -> None:
    assert all(1.0 <= x <= 2.0 for x in e.inputs)
    assert all(-3.0 <= c <= 3.0 for _, _, c in e.steps)


def test_an_expressions_repr_names_every_held_input() -> None:
    """engine.testing.strategies Expression.__repr__: the separator between held inputs."""
    from engine.testing import Expression

    e = Expression(inputs=(0.5, 1.0, 2.0), steps=(("mul", (0, 1), 0.0), ("add", (3, 2), 0.0)),
                   held=("parameter", "constant"))
    assert repr(e) == "Expression(x0·x1 + x2 at [0.5, 1.0, 2.0], x1 a parameter, x2 a constant)"
