"""The moons demo end to end: it trains to 100% and writes its pictures."""

import math
import subprocess
import sys
from pathlib import Path

from demos import moons
from tests.viz.drawn import drawn_cells, drawn_numbers
from demos.__main__ import main as demos_main

ROOT = Path(__file__).resolve().parents[2]


def test_moons_demo_reaches_full_accuracy_and_writes_pictures(tmp_path: Path, capsys) -> None:
    assert moons.main(["--out", str(tmp_path), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "step 99:" in printed and "training accuracy 100%" in printed
    boundary, graph = tmp_path / "moons_boundary.png", tmp_path / "moons_neuron.svg"
    assert boundary.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert str(boundary) in printed and str(graph) in printed
    svg = graph.read_text()
    assert "<svg" in svg and all(f">{name}<" in svg for name in ("w0", "w1", "b", "x0", "x1"))
    assert the_neurons_grads_are_those_of_one_backward_pass(svg) == 1.0  # drawn on a sample its ReLU passes


def the_neurons_grads_are_those_of_one_backward_pass(svg: str) -> float:
    """out = relu(w0 x0 + w1 x1 + b): by hand, d out/d w_i = x_i and d out/d b = 1 while z > 0, and all 0 when
    the ReLU is dead. The grads drawn must be these: none left over from training, which would contradict the
    chain rule in the picture. Returns the ReLU's slope at the drawn sample, 1 or 0."""
    names = {cells[0]: node for node, cells in drawn_cells(svg).items() if not cells[0].startswith("data ")}
    data, grad = drawn_numbers(svg, "data"), drawn_numbers(svg, "grad")
    z = data[names["w0"]] * data[names["x0"]] + data[names["w1"]] * data[names["x1"]] + data[names["b"]]
    alive = 1.0 if z > 0 else 0.0
    expected = {"w0": data[names["x0"]] * alive, "w1": data[names["x1"]] * alive, "b": alive,
                "x0": data[names["w0"]] * alive, "x1": data[names["w1"]] * alive}
    for name, g in expected.items():
        assert math.isclose(grad[names[name]], g, rel_tol=2e-3, abs_tol=1e-12), (name, grad[names[name]], g)
    unnamed = [node for node in grad if node not in names.values()]  # z and relu(z), the output
    assert sorted(grad[node] for node in unnamed) == [alive, 1.0]
    return alive


def test_first_step_loss_is_the_hand_computed_svm_loss() -> None:
    import random

    from nn import MLP

    X, y = moons.data()
    random.seed(moons.SEED)
    model = MLP(2, [16, 16, 1])
    loss, accuracy = moons.svm_loss(model, X, y)
    scores = [model(x).data for x in X]
    by_hand = sum(max(0.0, 1 - yi * s) for yi, s in zip(y, scores)) / len(y)
    by_hand += 1e-4 * sum(p.data ** 2 for p in model.parameters())
    assert abs(loss.data - by_hand) < 1e-12
    assert accuracy == sum((yi > 0) == (s > 0) for yi, s in zip(y, scores)) / len(y)


def test_demos_command_lists_and_refuses_unknown_names(capsys) -> None:
    assert demos_main([]) == 0
    assert "moons" in capsys.readouterr().out
    assert demos_main(["nope"]) == 2
    assert "unknown demo 'nope'" in capsys.readouterr().err


def test_python_dash_m_demos_runs_from_the_repository(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "demos", "moons", "--steps", "2", "--no-progress", "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "step 1:" in run.stdout


def test_moons_compiled_back_ends_train_like_the_eager_engine() -> None:
    eager = moons.train(steps=10, progress=False)[3]
    for backend in ("python", "numpy"):
        replayed = moons.train(steps=10, progress=False, compiled=backend)[3]
        for (a, acc_a), (b, acc_b) in zip(eager, replayed):
            assert abs(a - b) <= 1e-9 * abs(a) and acc_a == acc_b
