"""RNN, LSTM and GRU: PyTorch's numbers and gradients with PyTorch's weights, central differences agree, a
checkpoint round trip, a compiled program, and a clear error for every bad input."""

import io
import random

import pytest
from hypothesis import given, settings, strategies as st

import engine
import nn
from engine import Value
from nn import GRU, LSTM, RNN, load_torch_state
from tests.torch_oracle import needs_torch, torch

KINDS = ["rnn_tanh", "rnn_relu", "lstm", "gru"]


def _pair(kind, input_size, hidden_size):
    """Our module and PyTorch's (float64), with PyTorch's weights copied into ours."""
    if kind.startswith("rnn"):
        act = kind.split("_")[1]
        theirs = torch.nn.RNN(input_size, hidden_size, nonlinearity=act, batch_first=True)
        ours = RNN(input_size, hidden_size, nonlinearity=act)
    else:
        theirs = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind](input_size, hidden_size, batch_first=True)
        ours = {"lstm": LSTM, "gru": GRU}[kind](input_size, hidden_size)
    theirs = theirs.double()
    return load_torch_state(ours, theirs.state_dict()), theirs


@needs_torch
@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=10, deadline=None)  # per kind: 40 in all
@given(input_size=st.integers(1, 4), hidden_size=st.integers(1, 4),
       length=st.integers(1, 5), seed=st.integers(0, 2**16), with_state=st.booleans())
def test_pytorchs_weights_give_pytorchs_outputs_and_every_gradient(kind, input_size, hidden_size, length, seed,
                                                                     with_state) -> None:
    torch.manual_seed(seed)
    rng = random.Random(seed)
    ours, theirs = _pair(kind, input_size, hidden_size)
    xs = [[rng.uniform(-2, 2) for _ in range(input_size)] for _ in range(length)]
    states = [[rng.uniform(-1, 1) for _ in range(hidden_size)] for _ in range(2 if kind == "lstm" else 1)]
    coef = [[rng.uniform(-1, 1) for _ in range(hidden_size)] for _ in range(length)]
    last = [rng.uniform(-1, 1) for _ in range(hidden_size)]

    x_values = [[Value(v) for v in row] for row in xs]
    s_values = [[Value(v) for v in row] for row in states]
    given_state = None if not with_state else (tuple(s_values) if kind == "lstm" else s_values[0])
    outputs, final = ours(x_values, given_state)
    h_n, c_n = final if kind == "lstm" else (final, None)
    loss = sum(c * h for cs, hs in zip(coef, outputs) for c, h in zip(cs, hs))
    loss = loss + sum(c * h for c, h in zip(last, c_n if c_n is not None else h_n))
    loss.backward()

    x_t = torch.tensor([xs], dtype=torch.float64, requires_grad=True)
    s_t = [torch.tensor([[row]], dtype=torch.float64, requires_grad=True) for row in states]
    t_state = None if not with_state else (tuple(s_t) if kind == "lstm" else s_t[0])
    out_t, final_t = theirs(x_t, t_state)
    h_t, c_t = final_t if kind == "lstm" else (final_t, None)
    loss_t = (out_t[0] * torch.tensor(coef, dtype=torch.float64)).sum()
    loss_t = loss_t + ((c_t if c_t is not None else h_t)[0, 0] * torch.tensor(last, dtype=torch.float64)).sum()
    loss_t.backward()

    close = dict(rel=1e-10, abs=1e-12)
    assert [h.data for step in outputs for h in step] == pytest.approx(out_t[0].flatten().tolist(), **close)
    assert [h.data for h in h_n] == pytest.approx(h_t[0, 0].tolist(), **close)
    if kind == "lstm":
        assert [c.data for c in c_n] == pytest.approx(c_t[0, 0].tolist(), **close)
    assert loss.data == pytest.approx(loss_t.item(), **close)
    assert [v.grad for row in x_values for v in row] == pytest.approx(x_t.grad[0].flatten().tolist(), **close)
    if with_state:
        for values, tensor in zip(s_values, s_t):
            assert [v.grad for v in values] == pytest.approx(tensor.grad[0, 0].tolist(), **close)
    params = dict(theirs.named_parameters())
    for name, shape, values in ours.torch_state():
        assert tuple(params[name].shape) == shape
        assert [v.grad for v in values] == pytest.approx(params[name].grad.flatten().tolist(), **close), name


@pytest.mark.parametrize("make", [lambda: RNN(2, 2), lambda: RNN(2, 2, "relu"), lambda: LSTM(2, 2),
                                  lambda: GRU(2, 2)], ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
def test_central_differences_agree_on_inputs_and_parameters(make) -> None:
    random.seed(3)
    module = make()
    coef = [0.7, -1.3, 0.4, 0.9, -0.2, 1.1]

    def loss(*xs):
        outputs, _ = module([list(xs[0:2]), list(xs[2:4]), list(xs[4:6])])
        return sum(c * h for c, h in zip(coef, [h for step in outputs for h in step]))

    x = [0.3, -0.8, 1.2, 0.5, -0.4, 0.9]
    assert all(row.ok for row in engine.gradcheck(loss, x))
    assert all(row.ok for row in nn.gradcheck_model(module, lambda: loss(*x)))


def test_the_names_shapes_and_counts_are_pytorchs() -> None:
    random.seed(0)
    lstm = LSTM(3, 2)
    assert [(name, shape) for name, shape, _ in lstm.torch_state()] == [
        ("weight_ih_l0", (8, 3)), ("weight_hh_l0", (8, 2)), ("bias_ih_l0", (8,)), ("bias_hh_l0", (8,))]
    assert len(lstm.parameters()) == 4 * 2 * (3 + 2 + 2) == nn.saving.described_parameters(lstm.spec())
    names = [name for name, _ in lstm.named_parameters()]
    assert names[0] == "lstm.W_ih0_0" and names[-1] == "lstm.b_hh7" and len(set(names)) == len(names)
    assert (lstm.input_size, lstm.hidden_size, RNN(1, 1, "relu").nonlinearity) == (3, 2, "relu")
    assert [repr(m) for m in (RNN(3, 4), lstm, GRU(1, 5))] == ["RNN(3, 4)", "LSTM(3, 2)", "GRU(1, 5)"]
    bound = 1 / 2 ** 0.5  # uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch
    assert all(-bound <= p.data <= bound for p in lstm.parameters())


@pytest.mark.parametrize("make", [lambda: RNN(2, 3, "relu"), lambda: LSTM(2, 3), lambda: GRU(2, 3)],
                         ids=["rnn", "lstm", "gru"])
def test_a_checkpoint_round_trip_keeps_every_parameter(make, tmp_path) -> None:
    random.seed(1)
    module = make()
    nn.save(module, tmp_path / "model.json")
    random.seed(2)  # another draw: only the file can give the same numbers back
    loaded = nn.load(tmp_path / "model.json")
    assert type(loaded) is type(module) and loaded.spec() == module.spec()
    assert [(n, p.data) for n, p in loaded.named_parameters()] == [(n, p.data) for n, p in module.named_parameters()]
    seq = [[0.5, -1.0], [0.2, 0.3]]
    assert [v.data for v in _last(loaded(seq))] == [v.data for v in _last(module(seq))]


def _last(result):
    final = result[1]
    return final[0] if isinstance(final, tuple) else final


@pytest.mark.parametrize("make", [lambda: RNN(2, 3), lambda: LSTM(2, 3), lambda: GRU(2, 3)],
                         ids=["rnn", "lstm", "gru"])
def test_a_compiled_program_gives_the_eager_values_and_gradients(make) -> None:
    np = pytest.importorskip("numpy")
    random.seed(4)
    module = make()

    def f(x):
        return sum(_last(module([x[0:2], x[2:4], x[4:6]])))

    x = [0.3, -0.8, 1.2, 0.5, -0.4, 0.9]
    program = engine.compile(f, x)
    xs = [Value(v) for v in x]
    module.zero_grad()
    eager = f(xs)
    eager.backward()
    by_param = [p.grad for p in module.parameters()]
    got = program(x)
    assert got.value == pytest.approx(eager.data, rel=1e-12)
    assert list(got.grads[0]) == pytest.approx([v.grad for v in xs], rel=1e-10)
    grads = dict(zip(map(id, program.parameters), list(got.param_grads)))
    assert [grads[id(p)] for p in module.parameters()] == pytest.approx(by_param, rel=1e-10)
    other = [0.1, 0.2, -0.3, 0.4, 0.5, -0.6]
    batch = program.batch(np.array([x, other]))
    assert batch.values[0] == pytest.approx(eager.data, rel=1e-12)
    assert batch.values[1] == pytest.approx(f([Value(v) for v in other]).data, rel=1e-12)
    assert batch.grads[0][0].tolist() == pytest.approx([v.grad for v in xs], rel=1e-10)
    assert list(batch.param_grads) == pytest.approx([sum(pair) for pair in zip(got.param_grads,
                                                                               program(other).param_grads)], rel=1e-10)


def test_bad_inputs_are_clear_errors() -> None:
    random.seed(0)
    lstm, rnn = LSTM(3, 4), RNN(2, 2)
    cases = [
        (lambda: lstm([]), ValueError, "LSTM(3, 4) takes a sequence of at least one time step, got an empty one"),
        (lambda: lstm([[1, 2, 3], [1, 2]]), ValueError, "LSTM(3, 4): time step 1 expects 3 inputs, got 2: [1, 2]"),
        (lambda: lstm(5.0), TypeError, "LSTM(3, 4) takes a sequence, a list of time steps each a list of 3 "
                                       "numbers or Values, got float 5.0"),
        (lambda: lstm("abc"), TypeError, "LSTM(3, 4) takes a sequence, a list of time steps each a list of 3 "
                                         "numbers or Values, got str 'abc'"),
        (lambda: lstm([1.0, 2.0, 3.0]), TypeError, "got a flat list of 3 numbers: [1.0, 2.0, 3.0]; write [[...], "
                                                   "[...]], one list per time step"),
        (lambda: lstm([[1, 2, 3]], ([0.0] * 4, [0.0] * 3)), ValueError,
         "LSTM(3, 4): c0 must hold hidden_size = 4 numbers, got 3: [0.0, 0.0, 0.0]"),
        (lambda: lstm([[1, 2, 3]], ([0.0] * 3, [0.0] * 4)), ValueError,
         "LSTM(3, 4): h0 must hold hidden_size = 4 numbers, got 3: [0.0, 0.0, 0.0]"),
        (lambda: lstm([[1, 2, 3]], [0.0] * 4), TypeError,
         "LSTM(3, 4): state must be a pair (h0, c0) of lists of 4 numbers, got list [0.0, 0.0, 0.0, 0.0]"),
        (lambda: rnn([[1, 2]], [0.0]), ValueError, "RNN(2, 2): h0 must hold hidden_size = 2 numbers, got 1: [0.0]"),
        (lambda: rnn([[1, 2]], 0.0), TypeError, "RNN(2, 2): h0 expects a list of 2 numbers or Values, got float 0.0"),
        (lambda: GRU(2, 2)([[1, "a"]]), TypeError, "GRU(2, 2): time step 0: input 1"),
        (lambda: RNN(2, 2, nonlinearity="sigmoid"), ValueError,
         "RNN's nonlinearity must be one of tanh, relu; got 'sigmoid'"),
        (lambda: GRU(0, 2), ValueError, "GRU's input_size must be a positive whole number, got 0"),
        (lambda: LSTM(2, -1), ValueError, "LSTM's hidden_size must be a positive whole number, got -1"),
        (lambda: RNN(2.5, 1), ValueError, "RNN's input_size must be a positive whole number, got 2.5"),
    ]
    for call, error, words in cases:
        with pytest.raises(error) as e:
            call()
        assert words in str(e.value)


def test_states_are_labelled_by_time_step_so_drawings_and_explain_name_them() -> None:
    import viz

    random.seed(0)
    rnn = RNN(1, 2)
    outputs, h = rnn([[0.5], [-1.0], [0.3]])
    assert [[v.label for v in step] for step in outputs] == [["h1_0", "h1_1"], ["h2_0", "h2_1"], ["h3_0", "h3_1"]]
    lstm_out, (_, c) = LSTM(1, 1)([[0.5], [0.2]])
    assert [c[0].label, lstm_out[0][0].label] == ["c2_0", "h1_0"]
    loss = engine.sum(h)
    assert {"x1_0", "x3_0", "h0_0", "h0_1"} <= {v.label for v in engine.topological_order(loss)}
    assert "h2_0" in viz.text_view(loss, max_nodes=None, max_size=None)
    written = io.StringIO()
    engine.explain(loss, wrt=rnn.weight_hh[0][0], file=written)
    assert "h3_0" in written.getvalue() and "h1_0" in written.getvalue()


def test_a_grus_states_are_labelled_by_step_and_its_h0_by_name() -> None:
    """Mutation survivors of GRU.__call__ and __init__: the labels a drawing shows, and h0's name in errors."""
    import random as _random

    from nn import GRU

    _random.seed(0)
    gru = GRU(2, 3)
    outs, h = gru([[0.1, 0.2], [0.3, -0.1], [0.0, 0.5]])
    assert [v.label for v in h] == ["h3_0", "h3_1", "h3_2"]
    assert [v.label for v in outs[0]] == ["h1_0", "h1_1", "h1_2"]
    zero = gru([[0.1, 0.2]])[0][0][0]._prev  # the first step reads the zero state, named h0_j
    assert any(getattr(v, "label", "") == "h0_0" for v in engine_graph(zero))
    with pytest.raises(ValueError, match=r"GRU\(2, 3\): h0 must hold hidden_size = 3 numbers, got 2"):
        gru([[0.1, 0.2]], [0.0, 0.0])
    assert {p.scope for p in GRU(1, 1, scope="enc").parameters()} == {"enc"}
    assert {p.scope for p in GRU(1, 1).parameters()} == {"gru"}


def engine_graph(roots):
    from engine.graph import topological_order

    return [v for r in roots for v in topological_order(r)]


def test_an_rnn_is_named_rnn_unless_told_and_files_count_every_kinds_parameters() -> None:
    """RNN's default scope, and nn.recurrent._own_parameters: gates x hidden rows, each input_size + hidden_size
    weights and two biases (by hand below), as the module itself holds."""
    random.seed(0)
    assert [name for name, _ in RNN(1, 1).named_parameters()] == ["rnn.W_ih0_0", "rnn.W_hh0_0", "rnn.b_ih0",
                                                                  "rnn.b_hh0"]
    assert RNN(1, 1).scope == "rnn" and RNN(1, 1, scope="enc").named_parameters()[0][0] == "enc.W_ih0_0"
    for make, count in ((lambda: RNN(3, 2, "relu"), 1 * 2 * 7), (lambda: LSTM(3, 2), 4 * 2 * 7),
                        (lambda: GRU(3, 2), 3 * 2 * 7), (lambda: GRU(5, 4), 3 * 4 * 11)):
        model = make()
        assert nn.saving.described_parameters(model.spec()) == count == len(model.parameters())
        assert type(nn.saving.described_parameters(model.spec())) is int


@pytest.mark.parametrize("make, gates", [(lambda: RNN(3, 4), 1), (lambda: LSTM(3, 4), 4), (lambda: GRU(3, 4), 3)],
                         ids=["rnn", "lstm", "gru"])
def test_the_initial_weights_are_pytorchs_uniform_draws_in_its_order(make, gates) -> None:
    """weight_ih, weight_hh, bias_ih, bias_hh, each uniform in +-1/sqrt(hidden_size), replayed by hand."""
    random.seed(6)
    model = make()
    random.seed(6)
    bound = 1 / 4 ** 0.5
    rows = gates * 4
    want = [[random.uniform(-bound, bound) for _ in range(n)] for n in (rows * 3, rows * 4, rows, rows)]
    got = [[v.data for row in model.weight_ih for v in row], [v.data for row in model.weight_hh for v in row],
           [v.data for v in model.bias_ih], [v.data for v in model.bias_hh]]
    assert got == want
    assert all(min(tensor) < 0 < max(tensor) for tensor in got)  # each spread over both signs
