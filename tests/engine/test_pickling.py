"""Pickling a Value (a model, in a multiprocessing worker or a saved notebook object): it loads as a Value
made at load time, so creation order stays a topological order and compile finds a loaded model's weights."""

import copy
import pickle
import random
import subprocess
import sys
import textwrap
from pathlib import Path

from engine import Value
from nn import MLP

ROOT = Path(__file__).resolve().parents[2]

LOAD = textwrap.dedent("""
    import pickle, sys
    import engine
    from engine import Value
    from nn import MLP, SGD, fit, losses
    model = pickle.load(open(sys.argv[1], "rb"))
    program = engine.compile(lambda a, b: model([a, b]), 0.5, -1.0)
    assert program.parameters == model.parameters(), (len(program.parameters), len(model.parameters()))
    H = engine.hessian(lambda v: model(v) ** 2)([0.5, -1.0])
    Hv = engine.hvp(lambda v: model(v) ** 2, [0.5, -1.0], [1.0, 0.0])
    assert all(abs(a - row[0].data) <= 1e-12 * max(1.0, abs(a)) for a, row in zip(Hv, H)), (Hv, H)
    X, y = [[0.5, -1.0], [1.0, 0.5], [-0.5, 0.25], [0.0, 1.0]], [1.0, -1.0, 0.5, 0.0]
    history = fit(model, X, y, losses.mse, SGD(model.parameters(), lr=0.05), 20, progress=False, compiled="numpy")
    assert history["loss"][-1] < 0.8 * history["loss"][0], history["loss"]
    print("trained", history["loss"][0], history["loss"][-1])
""")


def test_a_model_pickled_here_trains_compiled_in_a_fresh_process(tmp_path: Path) -> None:
    for _ in range(1000):
        Value(0.0)  # this process's creation counter is far past a fresh one's
    random.seed(0)
    model = MLP(2, [4, 1], activation="tanh")
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model))
    done = subprocess.run([sys.executable, "-c", LOAD, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0 and "trained" in done.stdout, done.stdout + done.stderr


def test_a_loaded_or_copied_value_is_made_now_and_keeps_its_graph_in_order() -> None:
    a = Value(2.0, label="a")
    b = a * a
    later = Value(0.0)
    for again in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a)):
        assert again._id > later._id and again.data == 2.0 and again.label == "a"
    w = Value(0.5, label="w")
    w.m = 0.25  # an attribute of one's own, as an optimizer's moment
    back = pickle.loads(pickle.dumps(w))
    assert (back.data, back.grad, back.m, back.label) == (0.5, 0.0, 0.25, "w")
    copied = copy.deepcopy(b)  # parents are made before their children
    assert copied._prev[0]._id < copied._id and copied._prev[0] is copied._prev[1]


def test_the_constant_marker_prints_as_itself() -> None:
    from engine.value import CONSTANT

    assert repr(CONSTANT) == "CONSTANT"
