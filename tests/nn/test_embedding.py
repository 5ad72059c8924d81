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


def test_an_embedding_draws_its_rows_from_a_standard_normal_in_order() -> None:
    """As torch.nn.Embedding: every entry N(0, 1), row by row (replayed from the same seed by hand)."""
    random.seed(6)
    table = Embedding(5, 3)
    random.seed(6)
    want = [random.gauss(0.0, 1.0) for _ in range(5 * 3)]
    assert _values(table) == want
    random.seed(7)
    draws = _values(Embedding(100, 40))  # 4000 draws: their mean and spread are those of N(0, 1)
    mean = sum(draws) / len(draws)
    assert abs(mean) < 0.1 and abs((sum((d - mean) ** 2 for d in draws) / len(draws)) ** 0.5 - 1.0) < 0.1


def test_an_embedding_is_named_embedding_unless_told() -> None:
    table = Embedding(2, 1)
    assert table.scope == "embedding"
    assert [name for name, _ in table.named_parameters()] == ["embedding.E0_0", "embedding.E1_0"]
    assert Embedding(1, 1, scope="chars").named_parameters()[0][0] == "chars.E0_0"


@pytest.mark.parametrize("args, message", [
    ((0, 2), "Embedding's num_embeddings must be a positive whole number, got 0"),
    ((2.5, 2), "Embedding's num_embeddings must be a positive whole number, got 2.5"),
    ((3, 0), "Embedding's embedding_dim must be a positive whole number, got 0"),
    ((3, "2"), "Embedding's embedding_dim must be a positive whole number, got '2'"),
])
def test_a_bad_embedding_size_is_named_with_its_value(args, message) -> None:
    with pytest.raises(ValueError) as e:
        Embedding(*args)
    assert str(e.value) == message


def test_from_one_hot_of_something_without_a_length_names_its_type_and_value() -> None:
    with pytest.raises(ValueError) as e:
        Embedding(2, 3).from_one_hot(7)
    assert str(e.value) == ("Embedding(2, 3).from_one_hot takes a flat list of one-hot vectors of 2 numbers each "
                            "(a multiple of 2, at least one), got int 7")
