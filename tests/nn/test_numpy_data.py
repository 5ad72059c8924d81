"""NumPy data, what most users have, trains as the same numbers in lists do, on every path of fit; NumPy
integer labels are class labels."""

import random

import pytest

from nn import MLP, SGD, fit, losses
from nn.data import moons

np = pytest.importorskip("numpy")


@pytest.mark.parametrize("compiled", [False, "python", "numpy"])
def test_fit_on_numpy_arrays_is_fit_on_the_lists(compiled) -> None:
    X, y = moons(40, seed=0)
    runs = []
    for data in ((X, y, (X[:5], y[:5])), (np.array(X), np.array(y), (np.array(X[:5]), np.array(y[:5])))):
        random.seed(0)
        model = MLP(2, [4, 2])
        history = fit(model, data[0], data[1], losses.cross_entropy, SGD(model.parameters(), lr=0.1), epochs=3,
                      progress=False, compiled=compiled, val=data[2])
        runs.append((history["loss"], history["accuracy"], history["val_loss"], [p.data for p in model.parameters()]))
    assert runs[0] == runs[1]  # the same numbers, the same steps: equal to the last bit
    assert runs[0][1][0] is not None  # and accuracy was measured: the NumPy labels were read as class labels


def test_a_numpy_integer_is_a_class_label_and_a_numpy_bool_is_not() -> None:
    assert losses.cross_entropy([0.0, 1.0], np.int64(1)).data == losses.cross_entropy([0.0, 1.0], 1).data
    with pytest.raises(ValueError, match=r"a class label must be an int in \[0, 2\), got np\.int64\(2\)"):
        losses.cross_entropy([0.0, 1.0], np.int64(2))
    with pytest.raises(ValueError, match="a class label must be an int"):
        losses.cross_entropy([0.0, 1.0], True)


def test_an_empty_numpy_array_is_refused_as_an_empty_list_is() -> None:
    model = MLP(2, [1])
    with pytest.raises(ValueError, match="fit needs as many targets as inputs"):
        fit(model, np.zeros((0, 2)), np.zeros(0), losses.mse, SGD(model.parameters(), lr=0.1), 1, progress=False)
