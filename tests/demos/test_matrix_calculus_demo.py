"""The matrix-calculus identities of Backpropagation Calculus for Deep Learning §5, each by the engine against the
formula, on many random matrices."""

import pytest

from demos import matrix_calculus as demo


@pytest.mark.parametrize("seed", range(5))
def test_every_identity_holds_to_rounding(seed) -> None:
    found = demo.checks(seed)
    assert [lines for lines, _, _ in found] == ["172-173", "176", "177", "181-182", "183", "184", "186-187"]
    assert all(gap < 1e-12 for _, _, gap in found), found


def test_a_wrong_formula_would_be_caught() -> None:
    import random

    rng = random.Random(0)  # tr(AB)'s gradient is B^T, not B: the check tells them apart
    assert demo.trace_identity(3, rng, lambda A, B: demo.trace(demo.matmul(A, B)), lambda B: B) > 0.1


def test_the_demo_prints_each_identity(capsys) -> None:
    assert demo.main([]) == 0
    out = capsys.readouterr().out
    assert "d tr(A^T B) / dA = B" in out and "da/dz = diag(sigma'(z))" in out
