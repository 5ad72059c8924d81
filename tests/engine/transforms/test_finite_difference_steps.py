"""Finite differences: the steps each scheme takes (scaled by the inputs' size), and its refusals."""

import math
import sys

import pytest

from engine.transforms.differences import default_step, derivative, directional, partial_derivative, scheme, \
    step_error

EPS = sys.float_info.epsilon


@pytest.mark.parametrize("name, x, expected", [
    ("central", 0.0, EPS ** (1 / 3)),
    ("central", 0.5, EPS ** (1 / 3)),        # below 1 the step is not shrunk
    ("central", 1.5, EPS ** (1 / 3) * 1.5),  # between 1 and 2 it already grows
    ("central", -100.0, EPS ** (1 / 3) * 100.0),
    ("forward", 4.0, EPS ** 0.5 * 4.0),
    ("five_point", -3.0, EPS ** 0.2 * 3.0),
])
def test_default_step_is_the_schemes_step_scaled_by_max_one_and_abs_x(name: str, x: float, expected: float) -> None:
    assert default_step(name, x) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("h, shown", [(0.0, "0.0"), (-0.001, "-0.001")])
def test_derivative_refuses_a_step_that_is_not_positive(h: float, shown: str) -> None:
    with pytest.raises(ValueError) as e:
        derivative(math.sin, 1.0, "central", h)
    assert str(e.value) == f"finite differences need a step h > 0, got {shown}"


def test_an_unknown_scheme_is_refused_with_the_list_of_schemes() -> None:
    with pytest.raises(ValueError) as e:
        scheme("bogus")
    assert str(e.value) == ("unknown finite-difference scheme 'bogus'; "
                            "choose one of forward, backward, central, five_point, richardson, complex_step")


@pytest.mark.parametrize("kwargs, expected", [
    # b^3 at b = 3 with h = 0.5, by hand: central (3.5^3 - 2.5^3) / 1 = 27.25 (= 3b^2 + h^2),
    # forward (3.5^3 - 3^3) / 0.5 = 31.75.
    ({"h": 0.5}, 27.25),
    ({"scheme_name": "central", "h": 0.5}, 27.25),
    ({"scheme_name": "forward", "h": 0.5}, 31.75),
])
def test_partial_derivative_uses_the_given_step(kwargs: dict, expected: float) -> None:
    assert partial_derivative(lambda a, b: a * 0 + b ** 3, [2.0, 3.0], 1, **kwargs) == expected


def test_partial_derivative_is_central_by_default() -> None:
    # a b^2 along b at (2, 3): 2ab = 12, to the central scheme's accuracy.
    assert partial_derivative(lambda a, b: a * b * b, [2.0, 3.0], 1) == pytest.approx(12.0, rel=1e-9)


def _points_visited(xs, v, **kwargs):  # noqa: ANN001, ANN202
    seen = []

    def f(a: float, b: float) -> list:
        seen.append((a, b))
        return [a * b, a + b]

    result = directional(f, xs, v, **kwargs)
    return result, sorted(set(seen))


@pytest.mark.parametrize("xs, v, kwargs, h", [
    ([0.5, -0.25], [1.0, 2.0], {}, EPS ** (1 / 3)),                      # all inputs below 1: no scaling
    ([3.0, -8.0], [1.0, 0.5], {}, EPS ** (1 / 3) * 8.0),                  # scaled by the largest |x|
    ([3.0, -8.0], [1.0, 0.5], {"scheme_name": "central"}, EPS ** (1 / 3) * 8.0),
    ([3.0, -8.0], [1.0, 0.5], {"h": 1e-3}, 1e-3),                         # a given step is used as it is
])
def test_directional_steps_along_v_by_the_scaled_step(xs, v, kwargs, h) -> None:
    result, points = _points_visited(xs, v, **kwargs)
    expected = sorted({tuple(x + t * d for x, d in zip(xs, v)) for t in (0.0, h, -h)})
    assert points == expected
    a, b = xs
    assert result == pytest.approx([b * v[0] + a * v[1], v[0] + v[1]], rel=1e-6)  # J v, by hand


def test_step_error_default_curve_runs_from_a_tenth_to_1e_15_four_steps_a_decade() -> None:
    curve = step_error(math.exp, 0.0, 1.0)
    hs = [h for h, _ in curve]
    assert len(hs) == 57
    assert hs[0] == 0.1 and hs[-1] == pytest.approx(1e-15, rel=1e-12)
    assert all(b / a == pytest.approx(10 ** -0.25, rel=1e-12) for a, b in zip(hs, hs[1:]))
    # central by default: (e^h - e^-h) / 2h - 1 = sinh(h)/h - 1 at h = 0.1
    assert curve[0][1] == pytest.approx(math.sinh(0.1) / 0.1 - 1.0, rel=1e-9)


def test_step_error_uses_the_given_steps_and_scheme() -> None:
    # forward difference of x^2 at 1: ((1 + h)^2 - 1) / h - 2 = h, exactly for these steps
    assert step_error(lambda x: x * x, 1.0, 2.0, "forward", steps=[0.5, 0.25]) == [(0.5, 0.5), (0.25, 0.25)]
