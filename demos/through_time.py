"""Backpropagation through time: a tanh RNN's gradient vanishes with the distance back, an LSTM's does not.

Backpropagation Calculus for Deep Learning (§10 Backpropagation through Different Architectures, Recurrent
Layers) says: unroll the network through time, apply standard backpropagation; the issue is vanishing gradients
over long sequences. ``python -m demos through_time`` does exactly that with ``nn.RNN`` and ``nn.LSTM``: the
loss is the sum of the last hidden state, L = sum(h_T), and the demo measures ||dL/dx_t||, the gradient norm
reaching each time step's input, against the number of steps back from the end, for T = 5, 10, 20 and 40.

The weights are chosen so that the effect shows plainly and the same way on every run. Both networks take
input size 2 and hidden size 8, and draw PyTorch's own initialisation, uniform(-1/sqrt(8), 1/sqrt(8)), from
``random.seed(0)``; the inputs are standard normal numbers from ``random.Random(1)``. With those weights the
RNN's step-to-step factor, diag(1 - h^2) W_hh, has a norm of about one half, so the gradient shrinks by orders
of magnitude every few steps. The LSTM gets one change: 3 is added to its forget gate's input bias (the
"forget bias" of Gers et al. and Jozefowicz et al.), so that the forget gate starts near sigmoid(3) = 0.95 and
the cell state carries the gradient back additively, c_{t-1} receiving f_t times c_t's gradient. The table also
shows the same LSTM without that change: its forget gate near one half shrinks the gradient too, only more slowly
than the RNN's: the cure is the nearly open forget gate on the additive cell path, not the gates by themselves.

The per-step norms for one T are pinned against PyTorch (``torch.nn.RNN`` and ``torch.nn.LSTM`` in float64 with
the same weights), when PyTorch is installed. The unrolled graph of a tiny RNN (input 1, hidden 2, T = 3) goes
to ``out/through_time_graph.svg``: its weights are the same Values at every step, so their gradients add up the
contributions of every step. The norms, on a log scale, go to ``out/through_time.png``.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import viz
from engine import Value
from nn import LSTM, RNN, load_torch_state
from nn.module import Module

from .common import common_args

INPUT, HIDDEN, SEED, INPUT_SEED, FORGET_BIAS = 2, 8, 0, 1, 3.0
LENGTHS, QUICK_LENGTHS = (5, 10, 20, 40), (5, 10, 20)
PINNED_T = 20  # the length whose per-step norms are compared with PyTorch's
MODELS = ("RNN (tanh)", "LSTM", "LSTM, forget bias 0")


def build(name: str, input_size: int = INPUT, hidden: int = HIDDEN, seed: int = SEED) -> Module:
    """One of ``MODELS`` with the demo's weights: PyTorch's initialisation drawn from ``random.seed(seed)``;
    the LSTM (not its "forget bias 0" twin) with ``FORGET_BIAS`` added to its forget gate's input bias."""
    random.seed(seed)
    if name == MODELS[0]:
        return RNN(input_size, hidden, nonlinearity="tanh")
    model = LSTM(input_size, hidden)
    if name == MODELS[1]:
        for k in range(hidden, 2 * hidden):  # gate order input, forget, cell, output: the second block
            model.bias_ih[k].data += FORGET_BIAS
    return model


def inputs(T: int, input_size: int = INPUT, seed: int = INPUT_SEED) -> List[List[float]]:
    """The first ``T`` steps of one fixed standard-normal sequence, so that every T sees the same inputs."""
    rng = random.Random(seed)
    steps = [[rng.gauss(0.0, 1.0) for _ in range(input_size)] for _ in range(max(T, max(LENGTHS)))]
    return steps[:T]


def last_hidden(model: Module, xs: Sequence[Sequence[Any]]) -> List[Value]:
    """The model's hidden state after the last step (an LSTM returns (h, c): its h)."""
    _, last = model(xs)
    return last[0] if isinstance(model, LSTM) else last


def norms_back(model: Module, sequence: Sequence[Sequence[float]]) -> List[float]:
    """||dL/dx_t|| for L = sum(h_T), by the engine's ``backward()``, listed by steps back from the end: entry k
    is the input k steps before the last one (k = 0 is x_T itself)."""
    xs = [[Value(v, label=f"x{t}_{j}") for j, v in enumerate(step)] for t, step in enumerate(sequence)]
    h = last_hidden(model, xs)
    loss = sum(h[1:], h[0])
    loss.backward()
    return [math.sqrt(math.fsum(v.grad ** 2 for v in x)) for x in reversed(xs)]


def torch_norms_back(model: Module, sequence: Sequence[Sequence[float]]) -> List[float]:
    """The same norms from PyTorch: a ``torch.nn.RNN`` / ``torch.nn.LSTM`` in float64 holding ``model``'s weights
    (written in under PyTorch's names, then read back with ``nn.load_torch_state``, which checks every name and
    shape), differentiated by PyTorch's autograd."""
    import torch

    kind = torch.nn.LSTM if isinstance(model, LSTM) else torch.nn.RNN
    options = {} if isinstance(model, LSTM) else {"nonlinearity": model.nonlinearity}
    twin = kind(model.input_size, model.hidden_size, **options).double()
    with torch.no_grad():
        for name, shape, values in model.torch_state():
            getattr(twin, name).copy_(torch.tensor([v.data for v in values], dtype=torch.float64).reshape(shape))
    before = [p.data for p in model.parameters()]
    load_torch_state(model, twin.double().state_dict())  # the round trip leaves every weight exactly as it was
    assert [p.data for p in model.parameters()] == before, "PyTorch's copy of the weights differs from ours"
    x = torch.tensor(sequence, dtype=torch.float64, requires_grad=True)  # unbatched: (T, input_size)
    out, _ = twin(x)
    out[-1].sum().backward()
    return [float(row.norm()) for row in x.grad.flip(0)]


def measure(lengths: Sequence[int] = LENGTHS) -> Dict[str, Dict[int, List[float]]]:
    """Every model's norms by steps back, for each length T: ``{model: {T: norms}}``."""
    return {name: {T: norms_back(build(name), inputs(T)) for T in lengths} for name in MODELS}


def relative_gap(a: Sequence[float], b: Sequence[float]) -> float:
    """The largest difference between two lists of norms relative to each entry's size."""
    return max(abs(x - y) / abs(y) for x, y in zip(a, b))


def tiny_graph(path: Path) -> Tuple[Path, Value]:
    """The unrolled graph of an RNN with input 1, hidden 2 and T = 3, after backward, drawn to ``path``."""
    random.seed(SEED)
    rnn = RNN(1, 2, scope="rnn")
    xs = [[Value(v, label=f"x{t}")] for t, v in enumerate((0.5, -1.0, 0.25), start=1)]
    h0 = [Value(0.0, label=f"h0_{j}") for j in range(2)]
    _, h = rnn(xs, h0)
    loss = h[0] + h[1]
    loss.label = "L"
    loss.backward()
    return viz.save(loss, path, rankdir="LR", max_size=None, max_nodes=None, parameters=rnn.parameters()), loss


def plot(results: Dict[str, Dict[int, List[float]]], path: Path) -> Path:
    """Norm against steps back, log scale: the RNN on the left, the LSTM on the right, one line per T."""
    plt = viz.plots.pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), sharey=True)
    colours = plt.get_cmap("viridis")
    lengths = sorted(next(iter(results.values())))
    for ax, name in zip(axes, MODELS[:2]):
        for k, T in enumerate(lengths):
            norms = results[name][T]
            ax.plot(range(len(norms)), norms, marker="o", markersize=3, color=colours(k / max(1, len(lengths) - 1)),
                    label=f"T = {T}")
        if name == MODELS[1]:
            T = lengths[-1]
            ax.plot(range(T), results[MODELS[2]][T], linestyle=":", color="grey",
                    label=f"forget bias 0, T = {T}")
        ax.set_yscale("log")
        ax.set_title(name if name == MODELS[0] else f"LSTM (forget bias +{FORGET_BIAS:g})")
        ax.set_xlabel("steps back from the last input (T - t)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("||dL/dx_t||,  L = sum(h_T)")
    fig.suptitle(f"Backpropagation through time: gradient reaching each input (input {INPUT}, hidden {HIDDEN})")
    return viz.plots.save_figure(fig, path)


def compare_with_torch(T: int) -> Optional[Dict[str, Tuple[List[float], List[float]]]]:
    """``{model: (chainrule's norms, PyTorch's)}`` for length T, or None (and a line saying why) without PyTorch."""
    try:
        import torch  # noqa: F401
    except ImportError:
        print("PyTorch is not installed, so the comparison with torch.nn.RNN / torch.nn.LSTM is skipped "
              "(PyTorch is optional in chainrule; `pip install torch` to run it).")
        return None
    pairs = {}
    for name in MODELS[:2]:
        sequence = inputs(T)
        ours = norms_back(build(name), sequence)
        theirs = torch_norms_back(build(name), sequence)
        pairs[name] = (ours, theirs)
    return pairs


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("through_time", __doc__, quick=f"T = {', '.join(map(str, QUICK_LENGTHS))} only")
    args = parser.parse_args(argv)
    lengths = QUICK_LENGTHS if args.quick else LENGTHS
    results = measure(lengths)
    print("Backpropagation Calculus for Deep Learning, §10 Backpropagation through Different Architectures, "
          "Recurrent Layers:\nunroll the network through time and backpropagate; the issue: vanishing gradients")
    print(f"||dL/dx_t|| for L = sum(h_T), input {INPUT}, hidden {HIDDEN}, by steps back from the end\n")
    for T in lengths:
        shown = sorted({0, 1, 2, 4, 8, 16, 32, T - 1} & set(range(T)))
        print(f"{'T = ' + str(T):<22}" + "".join(f"{'k = ' + str(k):>11}" for k in shown))
        for name in MODELS:
            print(f"  {name:<20}" + "".join(f"{results[name][T][k]:>11.2e}" for k in shown))
        print()
    T = lengths[-1]
    rnn, lstm = results[MODELS[0]][T], results[MODELS[1]][T]
    print(f"T = {T}, first input over last: RNN {rnn[-1] / rnn[0]:.1e}, LSTM {lstm[-1] / lstm[0]:.1e}, "
          f"LSTM with forget bias 0 {results[MODELS[2]][T][-1] / results[MODELS[2]][T][0]:.1e}\n")
    ok = rnn[-1] < 1e-3 * rnn[0] and lstm[-1] > 1e3 * rnn[-1]

    pinned = min(PINNED_T, T)
    pairs = compare_with_torch(pinned)
    if pairs is not None:
        print(f"against PyTorch (float64, same weights), T = {pinned}:")
        for name, (ours, theirs) in pairs.items():
            gap = relative_gap(ours, theirs)
            ok = ok and gap < 1e-12
            print(f"  {name}: largest relative difference {gap:.1e}")
            print(f"    {'k':>4}{'chainrule':>24}{'PyTorch':>24}")
            for k in sorted({0, 1, 2, 5, 10, pinned - 1} & set(range(pinned))):
                print(f"    {k:>4}{ours[k]:>24.16e}{theirs[k]:>24.16e}")
        print()

    graph, _ = tiny_graph(args.out / "through_time_graph.svg")
    print(f"the unrolled graph of an RNN with input 1, hidden 2, T = 3: {graph}")
    print("  (W_hh, W_ih and the biases are the same Values at all three steps: each grad sums every step's share)")
    print(f"gradient norm against steps back, RNN beside LSTM: {plot(results, args.out / 'through_time.png')}")
    return 0 if ok else 1
