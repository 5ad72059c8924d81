"""Attention, MultiHeadAttention, TransformerBlock and PositionalEmbedding: PyTorch's numbers and gradients in
float64, the three gradient paths by hand, checkpoints, compiled replays, and a clear error for bad input."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import engine
import nn
from engine import Value
from nn import MultiHeadAttention, PositionalEmbedding, Sequential, TransformerBlock, attention
from tests.torch_oracle import needs_torch, torch

REL = 1e-10


def _rows(rng, n, d):
    return [[rng.uniform(-2, 2) for _ in range(d)] for _ in range(n)]


def _leaves(rows):
    return [[Value(x) for x in row] for row in rows]


def _loss(out, coef):
    """A scalar from every output: sum of outputs times fixed coefficients."""
    return engine.sum([o * c for row, crow in zip(out, coef) for o, c in zip(row, crow)])


def _grads(rows):
    return [[v.grad for v in row] for row in rows]


def _t(rows):
    return torch.tensor(rows, dtype=torch.float64, requires_grad=True)


def _close(ours, theirs):
    assert np.allclose(np.array(ours, dtype=float), np.array(theirs, dtype=float), rtol=REL, atol=1e-12)


shapes = st.fixed_dictionaries({"seed": st.integers(0, 10 ** 6), "L": st.integers(1, 4),
                                "heads_E": st.sampled_from([(1, 2), (2, 2), (1, 4), (2, 4), (4, 4)]),
                                "causal": st.booleans()})


@needs_torch
@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10 ** 6), lq=st.integers(1, 4), lk=st.integers(1, 4), d=st.integers(1, 3),
       dv=st.integers(1, 3), kind=st.sampled_from(["none", "mask", "causal"]))
def test_attention_matches_pytorch(seed, lq, lk, d, dv, kind):
    rng = random.Random(seed)
    q, k, v, coef = _rows(rng, lq, d), _rows(rng, lk, d), _rows(rng, lk, dv), _rows(rng, lq, dv)
    mask = None
    if kind == "mask":  # every query keeps at least one key
        mask = [[rng.random() < 0.6 for _ in range(lk)] for _ in range(lq)]
        for row in mask:
            row[rng.randrange(lk)] = True
    causal = kind == "causal"
    Q, K, V = _leaves(q), _leaves(k), _leaves(v)
    out = attention(Q, K, V, mask=mask, causal=causal)
    _loss(out, coef).backward()
    tq, tk, tv = _t(q), _t(k), _t(v)
    tout = torch.nn.functional.scaled_dot_product_attention(
        tq, tk, tv, attn_mask=None if mask is None else torch.tensor(mask), is_causal=causal)
    (tout * torch.tensor(coef, dtype=torch.float64)).sum().backward()
    _close([[o.data for o in row] for row in out], tout.tolist())
    for ours, theirs in ((Q, tq), (K, tk), (V, tv)):
        _close(_grads(ours), theirs.grad.tolist())


def _causal_torch(L):
    return torch.triu(torch.ones(L, L, dtype=torch.bool), diagonal=1)  # PyTorch's True = may NOT attend


def _check_module(ours, theirs, x, coef, call_torch, module=None):
    """Outputs and gradients of inputs and of every parameter, PyTorch's entry by entry; ``ours`` is called on the
    input (``module``, when given, is the module whose parameters are compared)."""
    module = ours if module is None else module
    X = _leaves(x)
    out = ours(X)
    _loss(out, coef).backward()
    tx = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    tout = call_torch(tx)[0]
    (tout * torch.tensor(coef, dtype=torch.float64)).sum().backward()
    _close([[o.data for o in row] for row in out], tout.tolist())
    _close(_grads(X), tx.grad[0].tolist())
    params = dict(theirs.named_parameters())
    for name, shape, values in module.torch_state():
        _close([p.grad for p in values], params[name].grad.flatten().tolist())
    assert sorted(params) == sorted(name for name, _, _ in module.torch_state())


@needs_torch
@settings(max_examples=10, deadline=None)
@given(shapes)
def test_multi_head_attention_matches_pytorch(s):
    (H, E), L = s["heads_E"], s["L"]
    rng, _ = random.Random(s["seed"]), torch.manual_seed(s["seed"])
    theirs = torch.nn.MultiheadAttention(E, H, bias=True, batch_first=True).double()
    with torch.no_grad():  # PyTorch starts the biases at 0: make them count
        theirs.in_proj_bias.uniform_(-1, 1)
        theirs.out_proj.bias.uniform_(-1, 1)
    ours = nn.load_torch_state(MultiHeadAttention(E, H, causal=s["causal"]), theirs.state_dict())
    mask = _causal_torch(L) if s["causal"] else None
    _check_module(ours, theirs, _rows(rng, L, E), _rows(rng, L, E),
                  lambda tx: theirs(tx, tx, tx, attn_mask=mask, need_weights=False)[0])


@needs_torch
@settings(max_examples=10, deadline=None)
@given(shapes, st.integers(1, 5))
def test_transformer_block_matches_pytorch(s, hidden):
    (H, E), L = s["heads_E"], s["L"]
    rng, _ = random.Random(s["seed"]), torch.manual_seed(s["seed"])
    theirs = torch.nn.TransformerEncoderLayer(d_model=E, nhead=H, dim_feedforward=hidden, dropout=0.0,
                                              activation="relu", batch_first=True, norm_first=True).double()
    with torch.no_grad():
        for name, p in theirs.named_parameters():
            if name.startswith("norm") or name.endswith("bias"):
                p.uniform_(-1, 1)  # gains away from 1, biases away from 0
    ours = nn.load_torch_state(TransformerBlock(E, H, hidden, causal=s["causal"]), theirs.state_dict())
    mask = _causal_torch(L) if s["causal"] else None
    _check_module(ours, theirs, _rows(rng, L, E), _rows(rng, L, E), lambda tx: theirs(tx, src_mask=mask))


def _padding_mask(L, pad):
    """Ours (True = may attend): every position sees the first L - pad, the real tokens; PyTorch's is its negation."""
    ours = [[j < L - pad for j in range(L)] for _ in range(L)]
    return ours, ~torch.tensor(ours)


@needs_torch
@settings(max_examples=8, deadline=None)
@given(shapes, st.integers(0, 3))
def test_a_padding_mask_hides_the_padded_keys_as_in_pytorch(s, pad):
    (H, E), L = s["heads_E"], s["L"]
    pad = min(pad, L - 1)
    rng, _ = random.Random(s["seed"]), torch.manual_seed(s["seed"])
    ours_mask, torch_mask = _padding_mask(L, pad)
    theirs = torch.nn.MultiheadAttention(E, H, bias=True, batch_first=True).double()
    ours = nn.load_torch_state(MultiHeadAttention(E, H), theirs.state_dict())
    _check_module(lambda x: ours(x, mask=ours_mask), theirs, _rows(rng, L, E), _rows(rng, L, E),
                  lambda tx: theirs(tx, tx, tx, attn_mask=torch_mask, need_weights=False)[0], module=ours)
    block = torch.nn.TransformerEncoderLayer(d_model=E, nhead=H, dim_feedforward=3, dropout=0.0,
                                             activation="relu", batch_first=True, norm_first=True).double()
    ours = nn.load_torch_state(TransformerBlock(E, H, 3), block.state_dict())
    _check_module(lambda x: ours(x, mask=ours_mask), block, _rows(rng, L, E), _rows(rng, L, E),
                  lambda tx: block(tx, src_mask=torch_mask), module=ours)


def test_a_mask_given_to_a_causal_module_or_of_the_wrong_shape_is_refused():
    random.seed(0)
    with pytest.raises(ValueError, match=r"MultiHeadAttention\(2, 1, causal=True\): is causal already"):
        MultiHeadAttention(2, 1, causal=True)([[1.0, 2.0]], mask=[[True]])
    with pytest.raises(ValueError, match=r"MultiHeadAttention\(2, 1\): mask must be 2 x 2 .*, got 1 rows"):
        MultiHeadAttention(2, 1)([[1.0, 2.0], [3.0, 4.0]], mask=[[True, True]])
    with pytest.raises(ValueError, match=r"MultiHeadAttention\(2, 1\): mask must be 1 x 1 .*, got 2 entries in row 0"):
        TransformerBlock(2, 1, 3)([[1.0, 2.0]], mask=[[True, False]])


def test_the_three_gradient_paths_by_hand():
    # Two tokens, d = 1, so the scale 1/sqrt(d) is 1: s_ij = q_i k_j, p_i = softmax(s_i), out_i = sum_j p_ij v_j.
    q, k, v, g = [0.3, -0.8], [1.1, 0.4], [2.0, -1.5], [0.7, -1.3]  # g: the upstream gradient of out_i
    Q, K, V = _leaves([[x] for x in q]), _leaves([[x] for x in k]), _leaves([[x] for x in v])
    out = attention(Q, K, V)
    engine.sum([o[0] * gi for o, gi in zip(out, g)]).backward()
    p = []
    for i in range(2):
        e = [math.exp(q[i] * k[j]) for j in range(2)]
        p.append([x / sum(e) for x in e])
    assert [o[0].data for o in out] == pytest.approx([sum(p[i][j] * v[j] for j in range(2)) for i in range(2)])
    # dL/dv_j = sum_i p_ij g_i: the softmax weights times the upstream gradient
    assert [V[j][0].grad for j in range(2)] == pytest.approx([sum(p[i][j] * g[i] for i in range(2)) for j in range(2)])
    # through the softmax Jacobian diag(p) - p pᵀ: dL/ds_ij = p_ij (g_i v_j - sum_l p_il g_i v_l)
    ds = [[p[i][j] * (g[i] * v[j] - sum(p[i][m] * g[i] * v[m] for m in range(2))) for j in range(2)]
          for i in range(2)]
    assert [Q[i][0].grad for i in range(2)] == pytest.approx([sum(ds[i][j] * k[j] for j in range(2)) for i in range(2)])
    assert [K[j][0].grad for j in range(2)] == pytest.approx([sum(ds[i][j] * q[i] for i in range(2)) for j in range(2)])


def test_forward_mode_carries_dual_numbers_through_attention():
    """A dual number among the entries stays one (it is not made a Value): jvp's tangent is the central difference."""
    def f(a, b):
        return attention([[a, 1.0]], [[b, 2.0], [0.5, a]], [[1.0, b], [a, 3.0]])[0][1]
    value, tangent = engine.jvp(f, [0.3, -0.7], [1.0, -2.0])
    h = 1e-6
    central = (f(0.3 + h, -0.7 - 2 * h).data - f(0.3 - h, -0.7 + 2 * h).data) / (2 * h)
    assert value.data == pytest.approx(f(0.3, -0.7).data, rel=1e-14)
    assert tangent.data == pytest.approx(central, rel=1e-7)


def test_a_checkpoint_round_trip_keeps_every_parameter(tmp_path):
    random.seed(0)
    model = Sequential(PositionalEmbedding(3, 4), TransformerBlock(4, 2, hidden=3, causal=True),
                       MultiHeadAttention(4, 1))
    path = tmp_path / "attention.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert [(n, p.data) for n, p in loaded.named_parameters()] == [(n, p.data) for n, p in model.named_parameters()]
    assert nn.saving.described_parameters(model.spec()) == len(model.parameters())
    assert repr(loaded.layers[1]) == "TransformerBlock(4, 2, hidden=3, causal=True)"
    x = [[0.1, 0.2, 0.3, 0.4], [-1.0, 0.5, 0.0, 2.0]]
    assert [[v.data for v in row] for row in loaded(x)] == [[v.data for v in row] for row in model(x)]


def test_names_labels_and_scopes():
    random.seed(0)
    block = TransformerBlock(2, 1, hidden=3)
    names = [n for n, _ in block.named_parameters()]
    assert len(names) == len(set(names)) == len(block.parameters())
    assert names[0] == "block.self_attn.in_proj.neuron0.w0"
    assert all(p.label and p.scope for p in block.parameters())
    assert [(n, s) for n, s, _ in block.torch_state()][:4] == [
        ("self_attn.in_proj_weight", (6, 2)), ("self_attn.in_proj_bias", (6,)),
        ("self_attn.out_proj.weight", (2, 2)), ("self_attn.out_proj.bias", (2,))]
    assert block.children()[0] is block.self_attn and block.norm1.eps == 1e-5
    block.set_scope("enc")  # the block and each part under it know their scope, as a Layer and its neurons do
    assert (block.scope, block.self_attn.scope, block.linear1.scope) == ("enc", "enc.self_attn", "enc.linear1")
    assert block.named_parameters()[0][0] == "enc.self_attn.in_proj.neuron0.w0"
    mha = MultiHeadAttention(4, 2)
    assert mha.scope == "mha" and MultiHeadAttention(4, 2, scope="heads").scope == "heads"
    names = [n for n, _ in mha.named_parameters()]  # 12 in_proj neurons of 4 weights and a bias, then 4 out_proj
    assert [names[i] for i in (0, 59, 60, 79)] == ["mha.in_proj.neuron0.w0", "mha.in_proj.neuron11.b",
                                                   "mha.out_proj.neuron0.w0", "mha.out_proj.neuron3.b"]
    assert (mha.embed_dim, mha.num_heads, mha.head_dim) == (4, 2, 2)
    assert all(b.data == 0.0 for _, _, vs in mha.torch_state()[1::2] for b in vs)  # biases start at 0
    bound = 1 / math.sqrt(4)
    assert all(abs(w.data) <= bound for w in mha.torch_state()[2][2])
    wide = TransformerBlock(4, 2, hidden=64)  # the feed-forward biases as torch.nn.Linear's: U(-1/sqrt(fan_in), ..)
    for layer, fan_in in ((wide.linear1, 4), (wide.linear2, 64)):
        biases = [n.b.data for n in layer.neurons]
        assert all(abs(b) <= 1 / math.sqrt(fan_in) for b in biases) and min(biases) < 0 < max(biases)
    assert all(abs(w.data) <= math.sqrt(6 / 16) for w in mha.torch_state()[0][2])


def test_compiled_multi_head_attention_gives_the_eager_values_and_gradients():
    random.seed(1)
    mha, L, E = MultiHeadAttention(4, 2, causal=True), 3, 4
    coef = _rows(random.Random(2), L, E)

    def f(xs):
        return _loss(mha([xs[t * E:(t + 1) * E] for t in range(L)]), coef)

    flat = [random.uniform(-1, 1) for _ in range(L * E)]
    program = engine.compile(f, flat)
    X = [Value(x) for x in flat]
    mha.zero_grad()
    loss = f(X)
    loss.backward()
    r = program([x + 0.0 for x in flat])
    assert r.value == pytest.approx(loss.data, rel=REL)
    _close(r.grads[0], [x.grad for x in X])
    _close(r.param_grads, [p.grad for p in program.parameters])
    batch = program.batch(np.array([flat, flat]))
    _close(batch.values, [loss.data] * 2)
    _close(batch.grads[0][1], [x.grad for x in X])
    _close(batch.param_grads, [2 * p.grad for p in program.parameters])


def test_positional_embedding_adds_a_row_per_position():
    random.seed(0)
    pos = PositionalEmbedding(3, 2)
    out = pos([[1.0, 2.0], [3.0, 4.0]])
    assert [[v.data for v in row] for row in out] == [[x + w.data for x, w in zip(xs, ws)]
                                                       for xs, ws in zip([[1.0, 2.0], [3.0, 4.0]], pos.weight)]
    assert [(n, s) for n, s, _ in pos.torch_state()] == [("weight", (3, 2))]
    assert len(pos([[0.0, 0.0]] * 3)) == 3  # exactly max_len positions
    with pytest.raises(ValueError, match=r"PositionalEmbedding\(3, 2\): a sequence of at most 3 vectors, got 4"):
        pos([[0.0, 0.0]] * 4)
    assert {v.scope for v in pos.parameters()} == {"pos"}
    assert {v.scope for v in PositionalEmbedding(2, 2, scope="where").parameters()} == {"where"}
    with pytest.raises(ValueError, match="^PositionalEmbedding's embed_dim must be a positive whole number"):
        PositionalEmbedding(2, 0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: attention([[1.0, 2.0]], [[1.0]], [[1.0]]), ValueError,
     "attention: k expects vectors of size 2, got size 1 at position 0"),
    (lambda: attention([], [[1.0]], [[1.0]]), ValueError, "attention: q is an empty sequence"),
    (lambda: attention([[1.0]], [[1.0], [2.0]], [[1.0]]), ValueError,
     "attention: k and v must have the same length, got 2 keys and 1 value$"),
    (lambda: attention([[1.0]], [[1.0]], [[1.0], [2.0]]), ValueError,
     "attention: k and v must have the same length, got 1 key and 2 values$"),
    (lambda: attention([[1.0]], [[1.0]], [[1.0, 2.0], [3.0]]), ValueError,
     "attention: v expects vectors of size 2, got size 1 at position 1"),
    (lambda: attention([[1.0]], [[1.0]], [[1.0]], mask=[[True], [True]]), ValueError,
     r"attention: mask must be 1 x 1 \(a row of 1 bools for each of the 1 queries\), got 2 rows"),
    (lambda: attention([[1.0]], [[1.0], [2.0]], [[1.0], [2.0]], mask=[[True]]), ValueError,
     r"attention: mask must be 1 x 2 .*, got 1 entries in row 0"),
    (lambda: attention([[1.0]], [[1.0]], [[1.0]], mask=[[1]]), TypeError,
     "attention: mask entries must be True or False, got int 1 in row 0"),
    (lambda: attention([[1.0]], [[1.0]], [[1.0]], mask=[[False]]), ValueError,
     "attention: the mask lets query 0 attend to no key"),
    (lambda: attention([[1.0]], [[1.0]], [[1.0]], mask=[[True]], causal=True), ValueError, "not both"),
    (lambda: attention([1.0], [[1.0]], [[1.0]]), TypeError, r"attention: q\[0\] must be a vector"),
    (lambda: attention([["a"]], [[1.0]], [[1.0]]), TypeError, "q"),
    (lambda: attention(Value(1.0), [[1.0]], [[1.0]]), TypeError, "attention: q must be a list of vectors"),
    (lambda: MultiHeadAttention(4, 3), ValueError,
     "MultiHeadAttention: embed_dim 4 must be divisible by num_heads 3"),
    (lambda: MultiHeadAttention(4, 2)([[1.0, 2.0]]), ValueError,
     r"MultiHeadAttention\(4, 2\): x expects vectors of size 4, got size 2 at position 0"),
    (lambda: MultiHeadAttention(2, 1)([]), ValueError, r"MultiHeadAttention\(2, 1\): x is an empty sequence"),
    (lambda: MultiHeadAttention(2, 1)([1.0, 2.0]), TypeError, r"MultiHeadAttention\(2, 1\): x\[0\] must be a vector"),
    (lambda: TransformerBlock(2, 1, 3)([[1.0, 2.0, 3.0]]), ValueError,
     r"TransformerBlock\(2, 1, hidden=3\): x expects vectors of size 2, got size 3"),
    (lambda: TransformerBlock(2, 1, 0), ValueError, "TransformerBlock's hidden must be a positive whole number"),
    (lambda: PositionalEmbedding(2, 2)([[1.0]]), ValueError,
     r"PositionalEmbedding\(2, 2\): x expects vectors of size 2, got size 1"),
    (lambda: PositionalEmbedding(0, 2), ValueError, "PositionalEmbedding's max_len must be a positive whole number"),
])
def test_bad_input_is_a_clear_error(call, error, message):
    random.seed(0)
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("make, message", [
    (lambda: MultiHeadAttention(0, 1), "MultiHeadAttention's embed_dim must be a positive whole number, got 0"),
    (lambda: MultiHeadAttention(2, 0), "MultiHeadAttention's num_heads must be a positive whole number, got 0"),
    (lambda: MultiHeadAttention(2, 1.5), "MultiHeadAttention's num_heads must be a positive whole number, got 1.5"),
])
def test_bad_sizes_get_the_whole_message(make, message):
    with pytest.raises(ValueError) as caught:
        make()
    assert str(caught.value) == message


SHAPE = "mask must be 2 x 2 (a row of 2 bools for each of the 2 queries), got"


@pytest.mark.parametrize("q, mask, causal, error, message", [
    ("ab", None, False, TypeError, "attention: q must be a list of vectors (lists of numbers or Values), got str 'ab'"),
    (["ab"], None, False, TypeError, "attention: q[0] must be a vector (a list of numbers or Values), got str 'ab'"),
    ([[]], None, False, ValueError, "attention: q expects vectors of size at least 1, got size 0 at position 0"),
    ([[1.0], [2.0]], "ab", False, ValueError, f"attention: {SHAPE} str 'ab'"),
    ([[1.0], [2.0]], 5, False, ValueError, f"attention: {SHAPE} int 5"),
    ([[1.0], [2.0]], [5, 5], False, ValueError, f"attention: {SHAPE} int 5 in row 0"),
    ([[1.0], [2.0]], [[True, True]] * 2, True, ValueError,
     "attention: give mask or causal=True, not both (as PyTorch's scaled_dot_product_attention)"),
])
def test_bad_input_gets_the_whole_message(q, mask, causal, error, message):
    with pytest.raises(error) as caught:
        attention(q, [[1.0], [2.0]], [[1.0], [2.0]], mask=mask, causal=causal)
    assert str(caught.value) == message
