"""python -m demos makemore: a count bigram, a neural bigram, an embedding MLP, an LSTM and a transformer on
first names; the neural ones trained compiled and, from the same weights on the same batches, in PyTorch. Every
test writes its own small word list (never the fetched census names)."""

import math
import random
from pathlib import Path

import pytest

from demos import makemore as demo
from demos import makemore_models as models
from tests.torch_oracle import needs_torch, torch

# One worker runs this file's tests (make test passes --dist loadgroup), so the trained models below are made once,
# not once in each worker.
pytestmark = pytest.mark.xdist_group("makemore")

SYLLABLES = ["an", "na", "el", "la", "ma", "ri", "jo", "sa", "li", "em", "ka", "ro", "be", "th", "ia", "ne"]


def small_names(n: int = 200, seed: int = 1) -> list:
    """``n`` different made-up names of two or three syllables, the same every time."""
    rng, found = random.Random(seed), {}
    while len(found) < n:
        found.setdefault("".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))), None)
    return list(found)


def write_names(folder: Path, words: list) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "names.txt").write_text("\n".join(words) + "\n")
    return folder


@pytest.fixture(scope="module")
def result():
    return demo.run(small_names(), progress=False, with_torch=False, settings=SMALL)


SMALL = {"bigram": {"lr": 0.05, "batch": 128, "epochs": 80}, "mlp": {"lr": 0.01, "batch": 64, "epochs": 25},
         "lstm": {"lr": 0.01, "batch": 64, "epochs": 6}, "transformer": {"lr": 0.003, "batch": 64, "epochs": 6}}


def test_contexts_pad_with_the_boundary_and_end_with_it() -> None:
    X, y = demo.contexts(["emma"], 1)
    assert [demo.CHARS[c[0]] + demo.CHARS[t] for c, t in zip(X, y)] == [".e", "em", "mm", "ma", "a."]
    X3, _ = demo.contexts(["emma"], 3)
    assert X3[0] == [0, 0, 0] and X3[-1] == [demo.INDEX["m"], demo.INDEX["m"], demo.INDEX["a"]]
    assert demo.one_hot([0, 2]) == [1.0] + [0.0] * 28 + [1.0] + [0.0] * 24


def test_the_count_bigrams_nll_is_the_direct_computation() -> None:
    train, held = ["ab", "b", "abba"], ["ba", "c"]
    model = demo.CountBigram(train)
    counts = {}
    for w in train:
        s = "." + w + "."
        for a, b in zip(s, s[1:]):
            counts[a, b] = counts.get((a, b), 0) + 1

    def p(a, b):  # add-one: (count + 1) / (row's count + 27)
        return (counts.get((a, b), 0) + 1) / (sum(c for (x, _), c in counts.items() if x == a) + 27)

    for words in (train, held):
        pairs = [(a, b) for w in words for a, b in zip("." + w + ".", w + ".")]
        want = -sum(math.log(p(a, b)) for a, b in pairs) / len(pairs)
        assert model.nll(words) == pytest.approx(want, rel=1e-12)
    assert all(sum(row) == pytest.approx(1.0) for row in model.P)


def test_the_split_is_fixed_and_whole() -> None:
    words = small_names()
    train, held = demo.split(words)
    assert (train, held) == demo.split(words)
    assert len(held) == 20 and sorted(train + held) == sorted(words)


def test_the_neural_bigram_learns_what_the_counts_say(result) -> None:
    count, bigram = result["rows"][:2]
    assert count["model"].startswith("count bigram")
    # the unsmoothed counts are the bigram that fits the training names best: trained long enough, the neural
    # bigram comes within a hundredth of a nat of their train NLL, and cannot go below it
    train, _ = demo.split(small_names())
    best = demo.CountBigram(train, smoothing=0).nll(train)
    assert best - 1e-9 <= bigram["train"] < best + 0.01
    # on 180 names add-one smoothing costs the counts a lot (most of the 729 pairs never occur)
    assert bigram["train"] < count["train"]


def test_the_models_with_context_beat_both_bigrams(result) -> None:
    count, bigram = result["rows"][:2]
    for row in result["rows"][2:]:
        assert row["train"] < bigram["train"] - 0.2, row["model"]
        assert row["held"] < count["held"] and row["held"] < bigram["held"], row["model"]


def test_every_neural_model_beats_the_count_bigram_held_out(result) -> None:
    count = result["rows"][0]
    for row in result["rows"][1:]:
        assert row["held"] < count["held"], row["model"]


def test_the_curves_are_recorded_per_epoch(result) -> None:
    for row in result["rows"][1:]:
        h = row["history"]
        key = next(k for name, _, k in demo.MODELS if name == row["model"])
        assert len(h["loss"]) == len(h["val_loss"]) == result["settings"][key]["epochs"]
        assert h["loss"][-1] < h["loss"][0]


@needs_torch
@pytest.mark.parametrize("build", [models.NeuralBigram, models.EmbeddingMLP,
                                   lambda: models.CharLSTM(block=4, embed=5, hidden=6),
                                   lambda: models.CharTransformer(block=4, embed=8, heads=2, layers=2)],
                         ids=["bigram", "mlp", "lstm", "transformer"])
def test_ours_and_pytorchs_agree_after_the_same_steps(build) -> None:
    train, held = demo.split(small_names(120))
    random.seed(3)
    model = build()
    data = demo.prepare(train, held, model.block)
    twin = model.twin()
    assert sorted(twin.state_dict()) == sorted(name for name, _, _ in model.torch_state())
    assert demo.torch_nll(twin, model.block, data["Cv"], data["yv"]) == pytest.approx(
        demo.nll(model, data["Xv"], data["yv"]), rel=1e-12)
    ours = demo.train_ours(model, data, 2, lr=0.02, batch_size=64, progress=False)
    theirs = demo.train_torch(twin, model.block, data, 2, lr=0.02, batch_size=64)
    assert len(data["y"]) > 5 * 64  # several Adam steps per epoch
    state = twin.state_dict()
    for name, shape, values in model.torch_state():
        got = torch.tensor([v.data for v in values], dtype=torch.float64).reshape(shape)
        assert torch.allclose(got, state[name], rtol=1e-6, atol=1e-9), name
    for a, b in zip(ours["val_loss"], theirs["val_loss"]):
        assert a == pytest.approx(b, rel=1e-6)
    for a, b in zip(ours["loss"], theirs["loss"]):
        assert a == pytest.approx(b, rel=1e-6)


def test_sampling_is_fixed_by_its_seed_and_spells_names(result) -> None:
    for row in result["rows"]:
        assert len(row["samples"]) == demo.SAMPLES
        assert all(set(name) <= set(demo.CHARS[1:]) for name in row["samples"])
    random.seed(0)
    model = models.EmbeddingMLP()
    first = demo.sample(demo.model_probs(model), 3)
    assert first == demo.sample(demo.model_probs(model), 3)
    assert first != demo.sample(demo.model_probs(model), 3, seed=demo.SAMPLE_SEED + 1)
    counts = demo.CountBigram(small_names())
    assert demo.sample(counts.probs, 1) == demo.sample(counts.probs, 1)


def test_main_quick_prints_the_table_and_draws_the_curves(tmp_path, monkeypatch, capsys) -> None:
    root = write_names(tmp_path / "names", small_names())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(demo, "QUICK_EPOCHS", {"bigram": 3, "mlp": 2, "lstm": 1, "transformer": 1})  # the path, not the fit
    assert demo.main(["--quick", "--no-progress", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    for name, _, _ in demo.MODELS:
        assert name in out
    assert "count bigram (add-one)" in out
    assert "held-out" in out and "ten names from each model" in out
    assert (tmp_path / "out" / "makemore.png").stat().st_size > 10_000


def test_missing_names_say_how_to_fetch_them(tmp_path, monkeypatch, capsys) -> None:
    nowhere = tmp_path / "nowhere"
    assert demo.main(["--quick", "--no-progress", "--root", str(nowhere)]) == 1
    out = capsys.readouterr().out
    assert f"python -m nn.data fetch names --root {nowhere}" in out and str(nowhere / "names.txt") in out
    monkeypatch.setenv("CHAINRULE_DATA", str(tmp_path / "cache"))  # the default folder, empty
    assert demo.main(["--quick", "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "python -m nn.data fetch names\n" in out and str(tmp_path / "cache" / "names" / "names.txt") in out
