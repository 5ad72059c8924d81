"""Conv1d and Conv2d: PyTorch's outputs and gradients (input, weight, bias) in float64 with the same weights, on
random shapes, strides, paddings and dilations; the chapters' flipped-kernel identities by hand; gradcheck,
checkpoints, PyTorch's names; a clear error for bad input."""

import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import engine
import nn
from engine import Value
from engine.testing import convolutions
from nn import Conv1d, Conv2d
from tests.torch_oracle import needs_torch, torch

REL = 1e-10


def _input(rng, channels, shape):
    if len(shape) == 1:
        return [[rng.uniform(-2, 2) for _ in range(shape[0])] for _ in range(channels)]
    return [[[rng.uniform(-2, 2) for _ in range(shape[1])] for _ in range(shape[0])] for _ in range(channels)]


def _leaves(x):
    return [[Value(v) for v in c] if not isinstance(c[0], list) else [[Value(v) for v in r] for r in c] for c in x]


def _data(x, attr="data"):
    return [[getattr(v, attr) for v in c] if not isinstance(c[0], list) else [[getattr(v, attr) for v in r] for r in c]
            for c in x]


def _check(ours, theirs, x, rng):
    """Outputs, and gradients of a weighted sum of them, against PyTorch's, entry by entry."""
    X = _leaves(x)
    out = ours(X)
    coef = np.array([[rng.uniform(-1, 1) for _ in np.nditer(np.zeros(np.shape(_data(out)[0])))] for _ in out])
    coef = coef.reshape(np.shape(_data(out)))
    flat = [v for v in nn.Flatten()(out)]
    engine.dot(coef.reshape(-1).tolist(), flat).backward()
    tx = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    tout = theirs(tx)[0]
    (tout * torch.tensor(coef)).sum().backward()
    assert np.allclose(_data(out), tout.detach().numpy(), rtol=REL, atol=1e-12)
    assert np.allclose(_data(X, "grad"), tx.grad[0].numpy(), rtol=REL, atol=1e-12)
    params = dict(theirs.named_parameters())
    for name, shape, values in ours.torch_state():
        assert np.allclose([v.grad for v in values], params[name].grad.flatten().numpy(), rtol=REL, atol=1e-12), name


def _pair(module, s, torch_kind):
    random.seed(s["seed"])
    kwargs = {k: s[k] for k in ("kernel_size", "stride", "padding", "dilation")}
    theirs = torch_kind(s["in_channels"], s["out_channels"], **kwargs).double()
    ours = nn.load_torch_state(module(s["in_channels"], s["out_channels"], **kwargs), theirs.state_dict())
    return ours, theirs


@needs_torch
@settings(max_examples=40, deadline=None)
@given(st.sampled_from([1, 2]).flatmap(lambda dims: convolutions(dims=dims)))
def test_conv1d_and_conv2d_match_pytorch(s):
    ours_kind, torch_kind = (Conv1d, torch.nn.Conv1d) if len(s["kernel_size"]) == 1 else (Conv2d, torch.nn.Conv2d)
    ours, theirs = _pair(ours_kind, s, torch_kind)
    rng = random.Random(s["seed"])
    _check(ours, theirs, _input(rng, s["in_channels"], s["shape"]), rng)


@needs_torch
def test_pytorchs_initialisation_bounds_and_names():
    random.seed(0)
    conv = Conv2d(3, 4, (2, 5), bias=True)
    bound = 1 / (3 * 2 * 5) ** 0.5
    assert all(abs(p.data) <= bound for p in conv.parameters())
    assert max(abs(p.data) for p in conv.parameters()) > 0.8 * bound
    theirs = torch.nn.Conv2d(3, 4, (2, 5))
    assert [(n, tuple(t.shape)) for n, t in theirs.state_dict().items()] == [(n, s) for n, s, _ in conv.torch_state()]
    assert [(n, s) for n, s, _ in Conv1d(2, 3, 4, bias=False).torch_state()] == [("weight", (3, 2, 4))]


def test_the_flipped_kernel_identities_by_hand():
    """Backpropagation Calculus for Deep Learning, section 10: for y = x * w (valid cross-correlation, as every
    framework computes it), dL/dx is the full convolution of dL/dy with the kernel (the flipped kernel slid
    over the padded upstream gradient), and dL/dw the correlation of x with dL/dy."""
    x, w, g = [0.5, -1.0, 2.0, 0.25, 1.5], [0.3, -0.7, 1.1], [1.0, -2.0, 0.5]
    conv = Conv1d(1, 1, 3, bias=False)
    for v, k in zip(conv.weight[0][0][0], w):
        v.data = k
    X = [[Value(v) for v in x]]
    y = conv(X)[0]
    assert [v.data for v in y] == pytest.approx([sum(x[i + k] * w[k] for k in range(3)) for i in range(3)], rel=1e-15)
    engine.dot(g, y).backward()
    padded = [0.0, 0.0] + g + [0.0, 0.0]
    flipped = w[::-1]
    full = [sum(padded[i + k] * flipped[k] for k in range(3)) for i in range(5)]
    assert [v.grad for v in X[0]] == pytest.approx(full, rel=1e-15)
    correlation = [sum(x[i + k] * g[i] for i in range(3)) for k in range(3)]
    assert [v.grad for v in conv.weight[0][0][0]] == pytest.approx(correlation, rel=1e-15)


def test_gradcheck_and_a_checkpoint(tmp_path):
    random.seed(1)
    model = nn.Sequential(Conv2d(1, 2, 2, padding=1), nn.Activation("tanh"), nn.AvgPool2d(2), nn.Flatten(),
                          nn.Layer(8, 1, activation="linear"))
    x = [[[0.3, -0.2, 0.9], [0.1, 0.5, -0.4], [0.7, -0.6, 0.2]]]
    table = nn.gradcheck_model(model, lambda: nn.losses.mse([model(x)], [0.5]))
    assert [row.parameters for row in table] == [2 * 4 + 2, 9] and all(row.ok for row in table)
    model.save(tmp_path / "cnn.json")
    loaded = nn.load(tmp_path / "cnn.json")
    assert loaded(x).data == model(x).data
    assert repr(loaded.layers[0]) == "Conv2d(1, 2, kernel_size=2, padding=1)"


@pytest.mark.parametrize("call, error, message", [
    (lambda: Conv2d(2, 1, 3)([[[1.0] * 3] * 3]), ValueError, r"Conv2d\(2, 1, kernel_size=3\) takes 2 input channels, got 1 channels"),
    (lambda: Conv2d(1, 1, 3)([[[1.0] * 2] * 2]), ValueError, r"the kernel 3 x 3 \(dilation 1 x 1\) is larger than the padded input 2 x 2"),
    (lambda: Conv2d(1, 1, 3, padding=1)([[[1.0, 2.0], [3.0]]]), ValueError, r"channel 0 has ragged or empty rows \(lengths \[2, 1\]\)"),
    (lambda: Conv2d(1, 1, 0), ValueError, "Conv2d's kernel_size must be a positive whole number or a pair of them, got 0"),
    (lambda: Conv2d(1, 1, 2, stride=0), ValueError, "Conv2d's stride must be a positive whole number"),
    (lambda: Conv2d(1, 1, 2, dilation=(1, 0)), ValueError, r"Conv2d's dilation must be a positive whole number or a pair of them, got \(1, 0\)"),
    (lambda: Conv2d(1, 1, 2, padding=-1), ValueError, "Conv2d's padding must be a non-negative whole number"),
    (lambda: Conv2d(1, 1, 2.5), ValueError, "Conv2d's kernel_size must be a positive whole number"),
    (lambda: Conv2d(1, 0, 2), ValueError, "Conv2d's out_channels must be a positive whole number"),
    (lambda: Conv1d(1, 1, (2, 2)), ValueError, r"Conv1d's kernel_size must be a positive whole number \(or a tuple of one\), got \(2, 2\)"),
    # a one-dimensional size is never advised to be "a pair", which Conv1d refuses
    (lambda: Conv1d(1, 1, 0), ValueError, r"^Conv1d's kernel_size must be a positive whole number \(or a tuple of one\), got 0$"),
    (lambda: Conv1d(1, 1, 2, padding=[-1]), ValueError, r"^Conv1d's padding must be a non-negative whole number \(or a tuple of one\), got -1$"),
    (lambda: Conv1d(1, 1, 2)(5.0), ValueError, r"^Conv1d\(1, 1, kernel_size=2\) takes 1 input channel, got float 5.0$"),
    (lambda: Conv1d(1, 1, 2)("ab"), ValueError, r"^Conv1d\(1, 1, kernel_size=2\) takes 1 input channel, got str 'ab'$"),
    # a flat list of numbers is one channel unwrapped, not "3 channels"
    (lambda: Conv1d(3, 1, 2)([1.0, 2.0, 3.0]), ValueError,
     r"^Conv1d\(3, 1, kernel_size=2\) takes a list of channels, each a list, got float 1.0 as channel 0: write \[x\] for a single channel$"),
    (lambda: Conv1d(2, 1, 2)([[1.0, 2.0], None]), ValueError, r"takes a list of channels, each a list, got NoneType None as channel 1"),
    (lambda: Conv1d(1, 1, 2)([[1.0], [2.0]]), ValueError, r"Conv1d\(1, 1, kernel_size=2\) takes 1 input channel, got 2 channels"),
    (lambda: Conv1d(1, 1, 2)([["a", "b"]]), TypeError, "Conv1d"),
    (lambda: Conv2d(1, 1, 2)([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]]]), ValueError, "takes 1 input channel, got 2"),
])
def test_bad_input_is_a_clear_error(call, error, message):
    random.seed(0)
    with pytest.raises(error, match=message):
        call()


def test_a_tiny_convolution_is_drawn_with_its_shared_weights_and_explained():
    import io

    import viz

    random.seed(3)
    conv = Conv2d(1, 2, 2, scope="conv")
    x = [[[Value(0.5, label="x00"), Value(-1.0, label="x01"), Value(2.0, label="x02")],
          [Value(1.5, label="x10"), Value(0.25, label="x11"), Value(-0.5, label="x12")]]]
    out = nn.Flatten()(conv(x))
    loss = engine.sum(out)
    loss.backward()
    source = viz.draw_dot(loss, max_size=None).source
    assert "cluster" in source and "conv" in source  # the weights folded into their module's box
    assert all(f"y{o}_0_{j}" in source for o in range(2) for j in range(2))  # outputs named by channel and position
    w = conv.weight[0][0][0][0]
    text = io.StringIO()
    engine.explain(loss, w, file=text)
    # w meets x00 in the first window and x01 in the second: its gradient is their sum
    assert f"{w.grad:.6g}" in text.getvalue() and w.grad == pytest.approx(0.5 + -1.0)


def test_a_saved_convolution_describes_its_parameters_exactly(tmp_path) -> None:
    """nn.convolution _conv_parameters and built_from_spec: a file's size check and the sizes read back."""
    from nn import Conv1d, Conv2d, Flatten, Sequential, load, save
    from nn.saving import described_parameters

    random.seed(0)
    for conv in (Conv2d(3, 4, (2, 3), bias=True), Conv2d(2, 5, 3, bias=False), Conv1d(2, 3, 4)):
        assert described_parameters(conv.spec()) == len(conv.parameters())
        model = Sequential(conv, Flatten())
        loaded = load(save(model, tmp_path / f"c{len(conv.parameters())}.json"))
        again = loaded.layers[0]
        assert type(again) is type(conv) and again.spec() == conv.spec()
        assert all(isinstance(getattr(again, k), tuple) for k in ("kernel_size", "stride", "padding")
                   if hasattr(again, k) and isinstance(getattr(conv, k), tuple))
        c = conv.in_channels
        x = ([[[0.1 * (i + j + k) for j in range(6)] for i in range(6)] for k in range(c)] if not isinstance(conv, Conv1d)
             else [[0.1 * (i + k) for i in range(6)] for k in range(c)])
        assert [v.data for v in loaded(x)] == [v.data for v in model(x)]


def test_a_long_channel_is_cut_short_in_the_message() -> None:
    random.seed(0)
    with pytest.raises(ValueError) as caught:
        Conv1d(1, 1, 2)(["x" * 400])
    assert len(str(caught.value)) == 300 and str(caught.value).startswith("Conv1d(1, 1, kernel_size=2) takes a list of "
                                                                          "channels, each a list, got str 'xxx")


def test_single_is_a_one_dimensional_size_of_at_least_one_unless_told() -> None:
    from nn.convolution import single

    assert single(3, "k") == (3,) and single([2], "k") == (2,) and single((0,), "p", 0) == (0,)
    with pytest.raises(ValueError, match=r"^k must be a positive whole number \(or a tuple of one\), got 0$"):
        single(0, "k")  # the least is 1 unless told


def test_a_bad_size_in_a_file_is_reported_as_the_constructor_reports_it(tmp_path) -> None:
    """nn.convolution.built_from_spec: JSON's lists come back as the tuples the module was given, so a file's bad size is
    told as the constructor tells that tuple."""
    import json

    from nn import CheckpointError, Flatten, MaxPool1d, Sequential

    random.seed(0)
    path = tmp_path / "c.json"
    for module, key, bad in ((Conv1d(1, 1, 2), "kernel_size", (2, 3)), (Conv2d(1, 1, 2), "stride", (1, 0)),
                             (MaxPool1d(2), "kernel_size", (2, 2))):
        Sequential(module, Flatten()).save(path)
        document = json.loads(path.read_text(encoding="utf-8"))
        document["architecture"]["layers"][0][key] = list(bad)
        path.write_text(json.dumps(document), encoding="utf-8")
        with pytest.raises(ValueError) as told:
            type(module)(**{k: v for k, v in module.spec().items() if k != "type"} | {key: bad})
        with pytest.raises(CheckpointError) as caught:
            nn.load(path)
        assert str(caught.value).endswith(f": {told.value}") and f"got {bad}" in str(told.value)


def test_pair_is_a_two_dimensional_size_of_at_least_one_unless_told() -> None:
    from nn.convolution import pair

    assert pair(1, "k") == (1, 1) and pair((1, 3), "k") == (1, 3) and pair([0, 2], "p", 0) == (0, 2)
    with pytest.raises(ValueError, match=r"^k must be a positive whole number or a pair of them, got 0$"):
        pair(0, "k")  # the least is 1 unless told


def test_windows_read_zero_in_the_padding_unless_told() -> None:
    from nn.convolution import windows

    # a 1 x 1 input, a 3 x 1 kernel and one row of padding above and below: one window, the entry in the middle
    assert windows([[[5.0]]], (3, 1), (1, 1), (1, 0), (1, 1), "w") == [[[0.0, 5.0, 0.0]]]
    assert windows([[[5.0]]], (3, 1), (1, 1), (1, 0), (1, 1), "w", fill=None) == [[[None, 5.0, None]]]


@pytest.mark.parametrize("make, shown", [
    (lambda: Conv2d(1, 2, 3), "Conv2d(1, 2, kernel_size=3)"),
    (lambda: Conv2d(1, 2, (2, 3)), "Conv2d(1, 2, kernel_size=(2, 3))"),
    (lambda: Conv2d(1, 1, 2, stride=2), "Conv2d(1, 1, kernel_size=2, stride=2)"),
    (lambda: Conv2d(1, 1, 2, dilation=2), "Conv2d(1, 1, kernel_size=2, dilation=2)"),
    (lambda: Conv2d(1, 1, 2, bias=False), "Conv2d(1, 1, kernel_size=2, bias=False)"),
    (lambda: Conv2d(2, 3, (2, 3), stride=(1, 2), padding=1, dilation=(2, 1), bias=False),
     "Conv2d(2, 3, kernel_size=(2, 3), stride=(1, 2), padding=1, dilation=(2, 1), bias=False)"),
    (lambda: Conv1d(1, 1, 3, padding=1, bias=False), "Conv1d(1, 1, kernel_size=3, padding=1, bias=False)"),
])
def test_repr_names_every_setting_that_is_not_the_default(make, shown) -> None:
    """PyTorch's names and order (stride, padding, dilation, bias=False), each shown only away from its default and
    as one number when it is the same both ways."""
    random.seed(0)
    assert repr(make()) == shown


@pytest.mark.parametrize("call, message", [
    (lambda: Conv2d(0, 1, 2), "Conv2d's in_channels must be a positive whole number, got 0"),
    # a plane is a list of rows: a row of numbers where the plane belongs is refused, as is an empty plane
    (lambda: Conv2d(1, 1, 1)([[1.0, 2.0]]), "Conv2d(1, 1, kernel_size=1): channel 0 must be a non-empty list of rows, "
                                            "got [1.0, 2.0]"),
    (lambda: Conv2d(1, 1, 1)([[]]), "Conv2d(1, 1, kernel_size=1): channel 0 must be a non-empty list of rows, got []"),
    # channels of different shapes: each given rows x columns
    (lambda: Conv2d(2, 1, 1)([[[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0, 3.0]]]),
     "Conv2d(2, 1, kernel_size=1): channel 1 is 1 x 3, channel 0 2 x 2"),
    # a long plane is cut to 300 characters, not printed whole
    (lambda: Conv2d(1, 1, 1)([[float(k) for k in range(100)]]),
     ("Conv2d(1, 1, kernel_size=1): channel 0 must be a non-empty list of rows, got "
      + repr([float(k) for k in range(100)]))[:300]),
    (lambda: Conv2d(1, 1, 1)([[[1.0]] + [[1.0, 2.0]] * 100]),
     ("Conv2d(1, 1, kernel_size=1): channel 0 has ragged or empty rows (lengths " + repr([1] + [2] * 100))[:300]),
    # too small one way only is too small
    (lambda: Conv2d(1, 1, (3, 1))([[[1.0], [2.0]]]),
     "Conv2d(1, 1, kernel_size=(3, 1)): the kernel 3 x 1 (dilation 1 x 1) is larger than the padded input 2 x 1"),
    # the padded size is the input's plus the padding on both sides: 1 + 2 x 1 rows, 2 + 2 x 1 columns
    (lambda: Conv2d(1, 1, 5, padding=1)([[[1.0, 2.0]]]),
     "Conv2d(1, 1, kernel_size=5, padding=1): the kernel 5 x 5 (dilation 1 x 1) is larger than the padded input 3 x 4"),
])
def test_a_bad_input_is_told_whole(call, message) -> None:
    random.seed(0)
    with pytest.raises(ValueError) as caught:
        call()
    assert str(caught.value) == message and len(message) <= 300


def test_the_initial_weights_and_biases_fill_pytorchs_interval_both_ways() -> None:
    """Uniform in [-bound, bound], bound = 1 / sqrt(in · kh · kw), for the weights and the bias alike: 200 draws
    each reach past 0.8 bound on both sides."""
    random.seed(0)
    conv = Conv2d(2, 200, (1, 2))
    bound = 1 / (2 * 1 * 2) ** 0.5
    for values in ([w.data for row in conv.kernels() for w in row], [b.data for b in conv.bias]):
        assert all(abs(v) <= bound for v in values)
        assert min(values) < -0.8 * bound and max(values) > 0.8 * bound


def test_the_parameters_are_named_in_their_scope_conv_unless_told() -> None:
    random.seed(0)
    assert [name for name, _ in Conv2d(1, 1, 1).named_parameters()] == ["conv.W0_0_0_0", "conv.b0"]
    conv = Conv2d(1, 2, 1, bias=False, scope="first")
    assert conv.scope == "first"
    assert [name for name, _ in conv.named_parameters()] == ["first.W0_0_0_0", "first.W1_0_0_0"]


def test_all_the_padding_is_one_zero_labelled_padding() -> None:
    """Every border window reads the same Value(0.0), labelled "padding", so a compiled program sees one slot."""
    random.seed(0)
    out = Conv2d(1, 1, 2, padding=1)([[[1.0, 2.0], [3.0, 4.0]]])
    pads = [v for v in engine.topological_order(*nn.Flatten()(out)) if v.label == "padding"]
    assert len(pads) == 1 and pads[0].data == 0.0 and not pads[0]._prev
    # 3 x 3 windows of 4 entries: 36 reads, 16 of the input (each entry is in 4 windows), 20 of the padding
    assert sum(p is pads[0] for y in nn.Flatten()(out) for p in y._prev) == 20
