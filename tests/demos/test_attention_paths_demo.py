"""python -m demos attention_paths: attention's three gradient paths of Backpropagation Calculus for Deep
Learning, §10 (Attention Mechanisms), by hand in plain floats, against the engine's backward() through
nn.attention, engine.jacobian of the softmax, and PyTorch's scaled_dot_product_attention."""

import random
import sys

import pytest
from hypothesis import given, settings, strategies as st

import engine
from demos import attention_paths as demo
from engine import Value
from nn import attention
from nn.losses import softmax
from tests.torch_oracle import needs_torch, torch


def close(a, b, tol=1e-12):
    return all(x == pytest.approx(y, abs=tol) for ra, rb in zip(a, b) for x, y in zip(ra, rb)) and \
        len(a) == len(b) and all(len(ra) == len(rb) for ra, rb in zip(a, b))


def engine_grads(q, k, v, g):
    """backward() through nn.attention, written here apart from the demo's own."""
    qs, ks, vs = ([[Value(x) for x in row] for row in m] for m in (q, k, v))
    out = attention(qs, ks, vs)
    loss = Value(0.0)
    for row, grow in zip(out, g):
        for o, w in zip(row, grow):
            loss = loss + o * w
    loss.backward()
    return {name: [[x.grad for x in row] for row in m] for name, m in (("dQ", qs), ("dK", ks), ("dV", vs))}


def torch_grads(q, k, v, g):
    """PyTorch, the scores and weights kept so that dL/dA and dL/dS are PyTorch's too."""
    qt, kt, vt = (torch.tensor(m, dtype=torch.float64, requires_grad=True) for m in (q, k, v))
    out = torch.nn.functional.scaled_dot_product_attention(qt[None], kt[None], vt[None])[0]
    (out * torch.tensor(g, dtype=torch.float64)).sum().backward()
    grads = {"dQ": qt.grad.tolist(), "dK": kt.grad.tolist(), "dV": vt.grad.tolist()}
    s = (qt.detach() @ kt.detach().T / len(q[0]) ** 0.5).requires_grad_(True)
    a = torch.softmax(s, dim=-1)
    a.retain_grad()
    ((a @ vt.detach()) * torch.tensor(g, dtype=torch.float64)).sum().backward()
    grads.update(dA=a.grad.tolist(), dS=s.grad.tolist(), A=a.tolist())
    return grads


def random_case(seed, n=3, d=2, dv=2):
    rng = random.Random(seed)
    draw = lambda rows, cols: [[rng.uniform(-2.0, 2.0) for _ in range(cols)] for _ in range(rows)]  # noqa: E731
    return draw(n, d), draw(n, d), draw(n, dv), draw(n, dv)


def test_the_hand_formulas_are_the_engines_gradients_at_the_demos_numbers() -> None:
    hand, want = demo.by_hand(), engine_grads(demo.Q, demo.K, demo.V, demo.G)
    for key in ("dQ", "dK", "dV"):
        assert close(hand[key], want[key]), key
    # and the demo's own engine column is the same engine
    mine = demo.by_engine()
    for key in ("dQ", "dK", "dV"):
        assert close(mine[key], want[key]), key
    assert close(mine["dA"], hand["dA"]) and close(mine["dS"], hand["dS"])
    assert all(sum(row) == pytest.approx(1.0, abs=1e-15) for row in hand["A"])
    assert all(sum(row) == pytest.approx(0.0, abs=1e-12) for row in hand["dS"])  # a softmax's gradient sums to 0


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10 ** 6), st.integers(1, 4), st.integers(1, 3), st.integers(1, 3))
def test_the_hand_formulas_hold_for_any_sizes_and_numbers(seed, n, d, dv) -> None:
    q, k, v, g = random_case(seed, n, d, dv)
    hand, want = demo.by_hand(q, k, v, g), engine_grads(q, k, v, g)
    for key in ("dQ", "dK", "dV"):
        assert close(hand[key], want[key]), key


@needs_torch
@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_the_hand_formulas_are_pytorchs(seed) -> None:
    for q, k, v, g in [(demo.Q, demo.K, demo.V, demo.G), random_case(seed)]:
        hand, want = demo.by_hand(q, k, v, g), torch_grads(q, k, v, g)
        for key in ("A", "dA", "dS", "dQ", "dK", "dV"):
            assert close(hand[key], want[key]), key


@needs_torch
def test_the_demos_pytorch_column_is_pytorchs() -> None:
    got, want = demo.by_torch(), torch_grads(demo.Q, demo.K, demo.V, demo.G)
    for key in ("dQ", "dK", "dV"):
        assert close(got[key], want[key], tol=0.0), key


def test_a_rows_softmax_jacobian_is_engine_jacobians() -> None:
    hand = demo.by_hand()
    for i, scores in enumerate(hand["S"]):
        want = [[d.data for d in row] for row in engine.jacobian(softmax)(list(scores))]
        assert close(demo.softmax_jacobian(hand["A"][i]), want), i
        assert close(demo.engine_jacobian(scores), want, tol=0.0)


def test_main_prints_every_path_and_draws_the_picture(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert demo.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "Backpropagation Calculus for Deep Learning, §10" in out
    for formula in ("dL/dV = Aᵀ G", "dL/dA = G Vᵀ", "J_0 = diag(a_0) - a_0 a_0ᵀ", "dL/dQ = (dL/dS) K / √d",
                    "dL/dK = (dL/dS)ᵀ Q / √d"):
        assert formula in out
    assert out.count("equal to rounding") == 7 and "DIFFERENT" not in out
    picture = tmp_path / "out" / "attention_paths.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 10_000


def test_without_pytorch_the_demo_says_so(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    assert demo.by_torch() is None
    assert demo.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "PyTorch is not installed" in out and "PyTorch " not in out.split("is not installed")[1]
    assert (tmp_path / "attention_paths.png").exists()
