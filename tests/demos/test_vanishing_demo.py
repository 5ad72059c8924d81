"""python -m demos vanishing: the deep sigmoid network's gradient vanishes on its way back, each cure keeps it,
Xavier's initialisation alone does not cure sigmoid, and the exploding network overflows unless clipped."""

import math
import random

import pytest

from demos import vanishing as demo
from nn import Layer


@pytest.fixture(scope="module")
def cures():
    return demo.cures(**demo.QUICK)


def test_the_baselines_gradient_shrinks_at_every_layer_on_its_way_back(cures) -> None:
    base = cures["sigmoid (baseline)"]
    assert len(base.norms) == demo.QUICK["depth"] + 1
    assert all(a < b for a, b in zip(base.norms, base.norms[1:]))
    assert base.ratio < 1e-2


def test_every_cure_keeps_the_first_layers_gradient_and_xavier_alone_does_not(cures) -> None:
    base = cures["sigmoid (baseline)"].ratio
    for name in ("ReLU", "batch norm", "residual", "Xavier init, tanh", "He init, ReLU"):
        assert cures[name].ratio > 5 * base, name
    assert cures["Xavier init, sigmoid"].ratio < base  # sigmoid's slope of 1/4 still shrinks it every layer
    # every network is measured at its weight layers only, so batch norm and residual count the same layers
    assert {len(run.norms) for run in cures.values()} == {demo.QUICK["depth"] + 1}


def test_layer_norms_are_the_square_roots_of_each_layers_squared_gradients() -> None:
    random.seed(0)
    model = demo.NETWORKS["batch norm"][0](2, 3)
    for k, p in enumerate(model.parameters()):
        p.grad = 0.1 * (k % 5) - 0.2
    want = [math.sqrt(sum(p.grad ** 2 for p in m.parameters())) for m in model.layers if isinstance(m, Layer)]
    assert demo.layer_norms(model) == pytest.approx(want, rel=1e-15) and len(want) == 3


def test_the_wide_relu_network_overflows_and_clipping_trains_it() -> None:
    runs = demo.exploding(samples=24, epochs=8)
    wild, clipped = runs.values()
    assert wild.diverged and wild.diverged.startswith("overflowed at epoch") and len(wild.losses) < 8
    assert wild.norms[0] > 100  # the gradient it starts from is already huge
    assert clipped.diverged is None and len(clipped.losses) == 8
    assert clipped.losses[-1] < clipped.losses[0] / 10 and all(math.isfinite(x) for x in clipped.losses)


def test_the_demo_prints_one_line_per_network_and_draws_them(tmp_path, capsys, monkeypatch) -> None:
    figures = []
    real = demo.viz.plot_gradient_cures

    def keep(norms, curves, path, **options):  # the figure as drawn, kept for reading, and written as usual
        figures.append(real(norms, curves, **options))
        return real(norms, curves, path, **options)

    monkeypatch.setattr(demo.viz, "plot_gradient_cures", keep)
    assert demo.main(["--quick", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr()
    out = printed.out
    names = list(demo.NETWORKS) + ["exploding: wide ReLU", "exploding, clipped to norm 1"]
    for name in names:
        assert name in out
    assert "exploding: wide ReLU: overflowed at epoch" in out
    assert (tmp_path / "vanishing.png").read_bytes()[:4] == b"\x89PNG"
    # it used to be silent for a minute: a bar counts the epochs, naming the network it trains
    total = len(demo.NETWORKS) * demo.QUICK["epochs"] + 2 * 8
    assert f"0/{total} [" in printed.err and all(f"{name}:" in printed.err for name in names)
    # the baseline and Xavier's sigmoid train alike: both must still be seen, and the overflow inside the panel
    loss = figures[0].axes[1]
    lines = {line.get_label(): line for line in loss.get_lines()}
    base, xavier = lines["sigmoid (baseline)"], lines["Xavier init, sigmoid"]
    assert max(abs(a - b) for a, b in zip(base.get_ydata(), xavier.get_ydata())) < 0.05  # they do coincide
    assert (base.get_linestyle(), base.get_marker()) != (xavier.get_linestyle(), xavier.get_marker())
    assert base.get_markevery() != xavier.get_markevery()
    low, high = loss.get_ylim()
    assert all(low < y < high for line in loss.get_lines() for y in line.get_ydata())
    # only the network that overflowed is marked so: the cures' shorter --quick runs are not
    assert [t.get_text() for t in loss.texts] == ["off the scale, then overflowed"]


def test_no_progress_means_no_bar(tmp_path, capsys) -> None:
    assert demo.main(["--quick", "--no-progress", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""


def test_quick_is_documented(capsys) -> None:
    with pytest.raises(SystemExit):
        demo.main(["--help"])
    assert "--quick" in capsys.readouterr().out
