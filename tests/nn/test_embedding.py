"""Embedding: a row per index, the same Values every time; a lookup by one-hot vectors that a trace records and
the lifted compiler turns into matrix products; a clear error for a bad index."""

import random

import numpy as np
import pytest

import engine
import nn
from engine import Value
from nn import Embedding, Sequential


def _values(module):
    return [p.data for p in module.parameters()]


def test_from_one_hot_picks_the_rows_and_their_gradients_add_up() -> None:
    random.seed(2)
    table = Embedding(4, 3)
    idx = [2, 0, 2]
    x = [1.0 if k == i else 0.0 for i in idx for k in range(4)]
    rows = table.from_one_hot(x)
    assert [[v.data for v in row] for row in rows] == [[v.data for v in table(i)] for i in idx]
    engine.sum([v * (r + 1) for r, row in enumerate(rows) for v in row]).backward()
    # row 2 is read twice, with weights 1 and 3; row 0 once, with weight 2; rows 1 and 3 never
    assert [[v.grad for v in row] for row in table.weight] == [[2.0] * 3, [0.0] * 3, [4.0] * 3, [0.0] * 3]


def test_from_one_hot_compiles_to_matrix_products_that_match_the_lookup() -> None:
    random.seed(3)
    table = Embedding(5, 2)
    coef = [0.5, -1.0, 2.0, 3.0]  # a scalar from the two rows read: sum of coef * entries
    program = engine.compile(lambda x: engine.dot(coef, [v for row in table.from_one_hot(x) for v in row]),
                             [0.0] * 10)
    idx = np.array([[1, 4], [0, 0], [3, 2]])
    X = np.zeros((3, 10))
    for k in range(2):
        X[np.arange(3), 5 * k + idx[:, k]] = 1.0
    result = program.batch(X, input_grads=False)
    W = np.array(_values(table)).reshape(5, 2)
    np.testing.assert_allclose(result.values, W[idx].reshape(3, 4) @ coef, rtol=1e-15)
    want = np.zeros((5, 2))  # each row read gets its coefficients, summed over the batch
    for sample in idx:
        for k, i in enumerate(sample):
            want[i] += coef[2 * k:2 * k + 2]
    np.testing.assert_allclose(result.param_grads, want.reshape(-1), rtol=1e-15)
    assert "@" in program.code("lifted")


@pytest.mark.parametrize("bad, got", [([1.0, 0.0, 0.0], "3 numbers"), ([], "0 numbers"), (Value(1.0), "Value")])
def test_from_one_hot_of_the_wrong_length_names_the_table(bad, got) -> None:
    with pytest.raises(ValueError, match=rf"Embedding\(2, 2\)\.from_one_hot takes a flat list of one-hot vectors "
                                         rf"of 2 numbers each .*, got .*{got}"):
        Embedding(2, 2).from_one_hot(bad)


def test_an_embedding_index_out_of_range_names_the_table() -> None:
    emb = Embedding(3, 2)
    for bad in (3, -1, 1.0, True, "a"):
        with pytest.raises(IndexError) as e:
            emb(bad)
        assert str(e.value) == f"Embedding(3, 2) takes an index from 0 to 2, got {type(bad).__name__} {bad!r}"
    assert emb(0) is emb.weight[0] and emb(2) is emb.weight[2]  # both ends are rows
    import numpy as np
    assert emb(np.int64(2)) is emb.weight[2]


def test_an_embedding_saves_and_loads(tmp_path) -> None:
    random.seed(1)
    seq = Sequential(Embedding(4, 2))
    seq.save(tmp_path / "e.json")
    loaded = nn.load(tmp_path / "e.json")
    assert _values(loaded) == _values(seq) and isinstance(loaded.layers[0], Embedding)
