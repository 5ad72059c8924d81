"""makemore: character-level language models of first names, from a table of counts to a transformer.

Karpathy's makemore, on the 1990 US Census first names (``python -m nn.data fetch names``): each name is
read a character at a time, with '.' marking both its start and its end, and a model gives the probability
of the next character from the ones before it. Every model is scored by its negative log-likelihood, in nats
per character, on the names it was trained on and on held-out names (one fixed 90/10 split, by a seeded
shuffle of the names).

1. count bigram: how often each character follows each other, with add-one smoothing (plain Python, the
   baseline that owes nothing to gradients);
2. neural bigram: one linear layer, 27 -> 27, on the one-hot previous character, trained by cross-entropy;
3. MLP (Bengio et al., 2003): an embedding of each of the last three characters, concatenated, a tanh
   hidden layer and 27 logits;
4. LSTM: an LSTM read over the embeddings of the last eight characters, its last hidden state giving the logits
   (backpropagation through time, Backpropagation Calculus for Deep Learning, section 10);
5. transformer: character and position embeddings of the last eight characters, two causal pre-LayerNorm
   blocks of four heads, and the logits from the last position.

The neural models (``demos/makemore_models.py``) train with ``nn.fit(..., compiled="numpy")``: one sample's
loss is traced once and replayed over whole batches as array operations. A trace cannot index by an input, so
an embedding lookup is written as what it is, a linear map of the one-hot character (``Embedding.from_one_hot``);
the replay turns it, the LSTM's time steps and the heads of attention into matrix products. Each neural model
is also trained in PyTorch (float64) from the same initial weights, on the same batches in the same order, with
the same Adam, and the held-out losses and the time per epoch are printed side by side. Ten names are sampled
from each model with a fixed seed, and the loss curves go to ``out/makemore.png``.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import engine

from nn import Adam, batch_order, fit, losses
from nn.data import names
from nn.data.mnist_files import data_root
from nn.module import Module

from .common import common_args, outputs_of
from .makemore_models import CHARS, V, CharLSTM, CharModel, CharTransformer, EmbeddingMLP, NeuralBigram

INDEX = {c: i for i, c in enumerate(CHARS)}
SEED, SPLIT = 0, 0.9
# Adam (betas 0.9, 0.999, eps 1e-8) for every neural model; per model: learning rate, batch size, epochs
SETTINGS = {"bigram": {"lr": 0.01, "batch": 512, "epochs": 30},
            "mlp": {"lr": 0.01, "batch": 256, "epochs": 30},
            "lstm": {"lr": 0.01, "batch": 256, "epochs": 10},
            "transformer": {"lr": 0.003, "batch": 256, "epochs": 10}}
QUICK_EPOCHS = {"bigram": 30, "mlp": 8, "lstm": 1, "transformer": 1}
SAMPLES, SAMPLE_SEED, MAX_LENGTH = 10, 2003, 30
FETCH = "python -m nn.data fetch names"


# -- data -------------------------------------------------------------------------------------------------------

def split(words: Sequence[str], seed: int = SEED, train: float = SPLIT) -> Tuple[List[str], List[str]]:
    """The words shuffled with ``random.Random(seed)``, then the first ``train`` share and the rest."""
    shuffled = list(words)
    random.Random(seed).shuffle(shuffled)
    cut = int(round(train * len(shuffled)))
    return shuffled[:cut], shuffled[cut:]


def contexts(words: Sequence[str], block: int) -> Tuple[List[List[int]], List[int]]:
    """Every (last ``block`` characters, next character) pair of the words, as indices, '.' padding the start:
    "emma" with block 1 gives . -> e, e -> m, m -> m, m -> a, a -> .

    >>> X, y = contexts(["emma"], 1)
    >>> ["".join(CHARS[i] for i in c) + "->" + CHARS[t] for c, t in zip(X, y)]
    ['.->e', 'e->m', 'm->m', 'm->a', 'a->.']
    """
    X, y = [], []
    for word in words:
        context = [0] * block
        for ch in word + ".":
            i = INDEX[ch]
            X.append(list(context))
            y.append(i)
            context = context[1:] + [i]
    return X, y


def one_hot(context: Sequence[int]) -> List[float]:
    """The characters of a context as one flat list of ``len(context)`` one-hot vectors of 27.

    >>> x = one_hot([0, 5]); len(x), [i for i, v in enumerate(x) if v]
    (54, [0, 32])
    """
    flat = [0.0] * (V * len(context))
    for k, i in enumerate(context):
        flat[V * k + i] = 1.0
    return flat


# -- 1. the count bigram ----------------------------------------------------------------------------------------

class CountBigram:
    """P(next | previous) from counts with add-one smoothing: every pair is counted once more than it occurs.
    ``smoothing=0`` is the maximum-likelihood table (a character never seen first gets a uniform row)."""

    def __init__(self, words: Sequence[str], smoothing: float = 1.0) -> None:
        self.counts = [[smoothing] * V for _ in range(V)]
        for word in words:
            chars = "." + word + "."
            for a, b in zip(chars, chars[1:]):
                self.counts[INDEX[a]][INDEX[b]] += 1
        self.P = [[c / sum(row) for c in row] if sum(row) else [1.0 / V] * V for row in self.counts]

    def nll(self, words: Sequence[str]) -> float:
        """Mean negative log-likelihood per character (the end '.' included), in nats."""
        total, n = 0.0, 0
        for word in words:
            chars = "." + word + "."
            for a, b in zip(chars, chars[1:]):
                total -= math.log(self.P[INDEX[a]][INDEX[b]])
                n += 1
        return total / n

    def probs(self, contexts_: Sequence[Sequence[int]]) -> List[List[float]]:
        """P(next | the last character) for each context."""
        return [self.P[context[-1]] for context in contexts_]


# -- 2. to 5. the neural models (demos/makemore_models.py) -----------------------------------------------------

# Each model: its name as the table prints it, how to build it (from the seeded random module) and its key in
# SETTINGS.
MODELS: List[Tuple[str, Callable[[], CharModel], str]] = [
    ("neural bigram", NeuralBigram, "bigram"),
    ("MLP 3x8-64-27", EmbeddingMLP, "mlp"),
    ("LSTM 8x16-64-27", CharLSTM, "lstm"),
    ("transformer 8x32, 2x4h", CharTransformer, "transformer"),
]
LONGEST = max(build().block for _, build, _ in MODELS)  # the contexts are cut to each model's own length


def softmax(logits: Sequence[float]) -> List[float]:
    top = max(logits)
    e = [math.exp(z - top) for z in logits]
    s = sum(e)
    return [v / s for v in e]


def model_probs(model: CharModel) -> Callable[[Sequence[Sequence[int]]], List[List[float]]]:
    """P(next | context) for many contexts at once, by the model's compiled program: traced once, each call one
    lifted replay over all the contexts (far cheaper than an eager graph of an LSTM per character drawn)."""
    logits_of = outputs_of(model, one_hot([0] * model.block), check=False)

    def probs(contexts_: Sequence[Sequence[int]]) -> List[List[float]]:
        return [softmax(row) for row in logits_of([one_hot(c) for c in contexts_]).tolist()]

    return probs


def nll(model: Module, X: Sequence[Sequence[float]], y: Sequence[int]) -> float:
    """Mean cross-entropy of ``model`` on one-hot inputs ``X`` and next-character indices ``y``, computed at
    array speed by replaying a traced sample loss over them."""
    import numpy as np

    target = lambda t: [1.0 if k == t else 0.0 for k in range(V)]  # noqa: E731
    program = engine.compile(lambda x, t: losses.cross_entropy(model(x), t), X[0], target(y[0]), check=False)
    X, T = np.asarray(X, dtype=float), np.zeros((len(y), V))
    T[np.arange(len(y)), y] = 1.0
    pieces = range(0, len(y), 1024)  # a replay holds every node's value for every sample: a thousand at a time
    return sum(float(program.batch(X[s:s + 1024], T[s:s + 1024], input_grads=False).values.sum())
               for s in pieces) / len(y)


def sample(probs: Callable[[Sequence[Sequence[int]]], List[List[float]]], block: int, count: int = SAMPLES,
           seed: int = SAMPLE_SEED) -> List[str]:
    """``count`` names drawn from a model side by side: each starts from a context of '.', takes each next
    character from the model's distribution (``random.Random(seed)``, the names in turn at every step), and stops
    at '.' (or after ``MAX_LENGTH`` characters). ``probs`` gives the distributions of many contexts at once."""
    rng = random.Random(seed)
    contexts_, found = [[0] * block for _ in range(count)], [""] * count
    growing = list(range(count))
    while growing:
        still = []
        for k, p in zip(growing, probs([contexts_[k] for k in growing])):
            i = rng.choices(range(V), weights=p)[0]
            if i == 0:
                continue
            found[k] += CHARS[i]
            contexts_[k] = contexts_[k][1:] + [i]
            if len(found[k]) < MAX_LENGTH:
                still.append(k)
        growing = still
    return found


# -- training, ours and PyTorch's -------------------------------------------------------------------------------

def train_ours(model: Module, data: Dict[str, Any], epochs: int, lr: float, batch_size: int,
               progress: bool = True) -> Dict[str, List[float]]:
    opt = Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    return fit(model, data["X"], data["y"], losses.cross_entropy, opt, epochs, batch_size=batch_size,
               val=(data["Xv"], data["yv"]), progress=progress, seed=SEED, compiled="numpy")


def train_torch(twin: Any, block: int, data: Dict[str, Any], epochs: int, lr: float, batch_size: int,
                steps: Optional[int] = None) -> Dict[str, List[float]]:
    """Train the PyTorch twin (which reads ``block`` characters) on exactly ``fit``'s batches, in its order, with
    the same Adam; ``steps`` stops after that many batches (for the tests)."""
    import torch

    X = torch.tensor([c[-block:] for c in data["C"]], dtype=torch.long)
    Y = torch.tensor(data["y"], dtype=torch.long)
    Xv = torch.tensor([c[-block:] for c in data["Cv"]], dtype=torch.long)
    Yv = torch.tensor(data["yv"], dtype=torch.long)
    opt = torch.optim.Adam(twin.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    history: Dict[str, List[float]] = {"loss": [], "val_loss": [], "seconds": []}
    done = 0
    for epoch in batch_order(len(Y), batch_size, epochs, seed=SEED):
        began, total = time.perf_counter(), 0.0
        for batch in epoch:
            b = torch.tensor(list(batch), dtype=torch.long)
            loss = torch.nn.functional.cross_entropy(twin(X[b]), Y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
            done += 1
            if steps is not None and done >= steps:
                return history
        with torch.no_grad():
            history["val_loss"].append(torch.nn.functional.cross_entropy(twin(Xv), Yv).item())
        history["loss"].append(total / len(Y))
        history["seconds"].append(time.perf_counter() - began)
    return history


def torch_nll(twin: Any, block: int, contexts_: Sequence[Sequence[int]], y: Sequence[int]) -> float:
    import torch

    with torch.no_grad():
        X = torch.tensor([c[-block:] for c in contexts_], dtype=torch.long)
        return torch.nn.functional.cross_entropy(twin(X), torch.tensor(list(y), dtype=torch.long)).item()


def prepare(train_words: Sequence[str], held_words: Sequence[str], block: int) -> Dict[str, Any]:
    """Contexts (indices, the longest any model reads), their one-hots for ``block``, and the targets."""
    C, y = contexts(train_words, LONGEST)
    Cv, yv = contexts(held_words, LONGEST)
    return {"C": C, "y": y, "Cv": Cv, "yv": yv,
            "X": [one_hot(c[-block:]) for c in C], "Xv": [one_hot(c[-block:]) for c in Cv]}


def run(words: Sequence[str], epochs: Optional[Dict[str, int]] = None, progress: bool = True,
        with_torch: bool = True, settings: Optional[Dict[str, Dict[str, Any]]] = None) -> Dict[str, Any]:
    """Every model on one split of ``words``: a row of numbers for each, its samples and its loss curves.
    ``settings`` (default ``SETTINGS``) gives each model's lr, batch and epochs; ``epochs`` overrides the last."""
    settings = {key: dict(s) for key, s in (settings or SETTINGS).items()}
    for key, n in (epochs or {}).items():
        settings[key]["epochs"] = n
    train_words, held_words = split(words)
    counts = CountBigram(train_words)
    rows = [{"model": "count bigram (add-one)", "train": counts.nll(train_words), "held": counts.nll(held_words),
             "torch_held": None, "ours_s": None, "torch_s": None,
             "samples": sample(counts.probs, 1), "history": None}]
    if with_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            with_torch = False
    for name, build, key in MODELS:
        random.seed(SEED)
        model = build()
        block = model.block
        data = prepare(train_words, held_words, block)
        twin = model.twin() if with_torch else None  # before training: the same initial weights
        lr, batch, n = settings[key]["lr"], settings[key]["batch"], settings[key]["epochs"]
        history = train_ours(model, data, n, lr, batch, progress=progress)
        row = {"model": name, "train": nll(model, data["X"], data["y"]), "held": history["val_loss"][-1],
               "torch_held": None, "ours_s": _median(history["seconds"]), "torch_s": None,
               "samples": sample(model_probs(model), block), "history": history}
        if twin is not None:
            t = train_torch(twin, block, data, n, lr, batch)
            row.update(torch_held=t["val_loss"][-1], torch_s=_median(t["seconds"]), torch_history=t)
        rows.append(row)
    return {"rows": rows, "settings": settings, "train_words": len(train_words), "held_words": len(held_words),
            "train_chars": sum(len(w) + 1 for w in train_words), "held_chars": sum(len(w) + 1 for w in held_words)}


def _median(xs: Sequence[float]) -> float:
    s = sorted(xs)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2


def table(rows: Sequence[Dict[str, Any]]) -> str:
    fmt = lambda x, spec: "-" if x is None else format(x, spec)  # noqa: E731
    head = f"{'model':<24} {'train NLL':>9} {'held-out':>9} {'PyTorch':>9} {'s/epoch':>8} {'PyTorch':>8}"
    lines = [head, f"{'':<24} {'':>9} {'NLL':>9} {'held-out':>9} {'ours':>8} {'s/epoch':>8}", "-" * len(head)]
    for r in rows:
        lines.append(f"{r['model']:<24} {r['train']:>9.4f} {r['held']:>9.4f} {fmt(r['torch_held'], '9.4f'):>9} "
                     f"{fmt(r['ours_s'], '8.2f'):>8} {fmt(r['torch_s'], '8.3f'):>8}")
    return "\n".join(lines)


def draw(rows: Sequence[Dict[str, Any]], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.lines import Line2D

    fig, ax = plt.subplots(figsize=(10, 5), dpi=110)
    baseline = rows[0]
    ax.axhline(baseline["held"], color="gray", linestyle=":")
    colours = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]
    handles = []
    for r, colour in zip(rows[1:], colours):
        h = r["history"]
        epochs = range(1, len(h["loss"]) + 1)
        ax.plot(epochs, h["loss"], color=colour, linestyle="--", marker=".")
        ax.plot(epochs, h["val_loss"], color=colour, marker="o")
        if r.get("torch_history"):
            ax.plot(epochs, r["torch_history"]["val_loss"], color=colour, linestyle="none", marker="x", markersize=9)
        handles.append(Line2D([], [], color=colour, marker="o", label=f"{r['model']} (held-out {r['held']:.3f})"))
    # one entry a model, and one a kind of line: the legend stays short and off the curves
    handles += [Line2D([], [], color="gray", linestyle=":", label=f"count bigram, held-out ({baseline['held']:.3f})"),
                Line2D([], [], color="black", linestyle="--", marker=".", label="train (mean over the epoch)"),
                Line2D([], [], color="black", marker="o", label="held-out"),
                Line2D([], [], color="black", linestyle="none", marker="x", markersize=9,
                       label="held-out, the same model in PyTorch")]
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    ax.set_xlabel("epoch")
    ax.set_ylabel("negative log-likelihood (nats per character)")
    ax.set_title("makemore: next-character loss on census first names")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("makemore", __doc__, quick=", ".join(f"{n} epochs of the {key}"
                                                               for key, n in QUICK_EPOCHS.items()))
    parser.add_argument("--root", type=Path, default=None,
                        help=f"the folder of names.txt (default: where '{FETCH}' puts it, {data_root('names')})")
    args = parser.parse_args(argv)
    try:
        words = names(args.root)
    except FileNotFoundError:
        where = (args.root if args.root is not None else data_root("names")) / "names.txt"
        print(f"makemore needs the census first names, and {where} is not there; fetch them with:\n"
              f"    {FETCH}" + (f" --root {args.root}" if args.root is not None else ""))
        return 1
    result = run(words, QUICK_EPOCHS if args.quick else None, progress=not args.no_progress)
    rows = result["rows"]
    print(f"{len(words)} names: {result['train_words']} to train ({result['train_chars']} characters), "
          f"{result['held_words']} held out ({result['held_chars']})")
    for (name, _, key), s in zip(MODELS, (result["settings"][k] for _, _, k in MODELS)):
        print(f"{name}: Adam lr {s['lr']}, batches of {s['batch']}, {s['epochs']} epochs")
    print("trained with fit(compiled='numpy'), and in PyTorch (float64) from the same initial weights on the same "
          "batches in the same order\n")
    print("negative log-likelihood, nats per character (uniform over 27: "
          f"{math.log(V):.4f})")
    print(table(rows))
    base = rows[0]["held"]
    print()
    print(f"held-out, against the count bigram's {base:.4f} (the neural bigram is the same table, learned by "
          f"gradient descent: it can only match it):")
    for r in rows[1:]:
        agree = "" if r["torch_held"] is None else \
            f"; PyTorch's differs by {abs(r['held'] - r['torch_held']) / r['torch_held']:.1e} (relative)"
        print(f"  {r['model']:<24} {base - r['held']:+.4f} nat per character better{agree}")
    print(f"\nten names from each model (random.Random({SAMPLE_SEED})):")
    for r in rows:
        print(f"  {r['model']:<24} {' '.join(r['samples'])}")
    path = draw(rows, args.out / "makemore.png")
    print(f"\nloss curves: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
