"""NumPy's scalars are numbers: a NumPy float's .data is a memoryview of its bytes, never read as its value,
and what a Value stores is a Python float (float64), whatever NumPy type it was given."""

import math

import pytest

from engine import Value
from engine.checks import data_of
from nn import SGD

np = pytest.importorskip("numpy")


@pytest.mark.parametrize("number", [np.float64(0.5), np.float32(0.5), np.int64(3), np.float16(0.25)], ids=repr)
def test_data_of_a_numpy_scalar_is_the_number(number) -> None:
    assert data_of(number) == float(number) and not isinstance(data_of(number), memoryview)


def test_comparing_with_a_numpy_float_compares_the_numbers() -> None:
    assert Value(0.5) < np.float64(0.7) and not Value(0.5) > np.float64(0.7)
    assert np.float64(0.7) > Value(0.5) and Value(0.7) >= np.float32(0.5)


def test_numpy_data_trains_and_differentiates_as_float64() -> None:
    w = Value(1.0)
    w.data, w.grad = np.float64(0.5), np.float64(0.25)
    SGD([w], lr=0.1).step()
    assert w.data == 0.5 - 0.1 * 0.25 and type(w.data) is float
    v = Value(np.float64(-0.5))
    v.abs().backward()
    assert v.grad == -1.0 and repr(v) == "Value(data=-0.5, grad=-1.0)"


def test_data_from_a_float32_array_gives_float64_gradients() -> None:
    a = np.array([0.3, -0.7], dtype=np.float32)
    x = Value(1.0)
    x.data = a[0]
    y = (x * x).tanh()
    y.backward()
    d = float(a[0])  # the float32 number, read exactly, then everything in float64: by hand
    assert type(x.data) is float and x.grad == pytest.approx(2 * d * (1 - math.tanh(d * d) ** 2), rel=1e-15)
