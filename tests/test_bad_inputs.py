"""Bad input through every public entry point: a clear error naming the entry point and the value,
never a nan, an inf, a complex number, a hang or an internal AttributeError/IndexError/KeyError."""

import math
import random
from pathlib import Path

import pytest

import engine
import nn
import viz
from engine import Value
from nn import MLP, SGD, Adam, fit, losses

CLEAR = (TypeError, ValueError, OverflowError, ZeroDivisionError)


def model():
    random.seed(0)
    return MLP(2, [3, 1])


CASES = [
    # (entry point, call, words the message must hold)
    ("Value", lambda: Value("3"), ["Value data", "'3'"]),
    ("Value", lambda: Value(math.nan), ["nan"]),
    ("Value", lambda: Value(10 ** 400), ["too large", "401 digits"]),
    ("Value", lambda: Value(1.0, label=3), ["label", "3"]),
    ("add", lambda: Value(1.0) + "a", ["add operand", "'a'"]),
    ("mul", lambda: Value(1.0) * [2.0], ["mul operand", "[2.0]"]),
    ("div", lambda: Value(1.0) / 0, ["div", "division by zero", "b=0.0"]),
    ("log", lambda: Value(-1.0).log(), ["log", "x=-1.0"]),
    ("sqrt", lambda: Value(-4.0).sqrt(), ["sqrt", "x=-4.0"]),
    ("pow", lambda: Value(-8.0) ** 0.5, ["pow", "x=-8.0"]),
    ("exp", lambda: Value(1000.0).exp(), ["exp", "too large", "1000.0"]),
    ("leaky_relu", lambda: Value(1.0).leaky_relu("x"), ["slope", "'x'"]),
    ("backward", lambda: Value(0.0).sqrt().backward(), ["sqrt", "undefined", "x=0.0"]),
    ("sum", lambda: engine.sum([]), ["engine.sum", "none"]),
    ("dot", lambda: engine.dot([Value(1.0)], [1.0, 2.0]), ["engine.dot", "1 and 2"]),
    ("logsumexp", lambda: engine.logsumexp([Value(1.0), "x"]), ["logsumexp operand", "'x'"]),
    ("grad", lambda: engine.grad(lambda x: x)("a"), ["grad", "'a'"]),
    ("grad", lambda: engine.grad(lambda x: x, argnums=2)(1.0), ["argnums 2"]),
    ("hessian", lambda: engine.hessian(lambda v: [v[0]])([1.0]), ["hessian", "scalar"]),
    ("jacobian", lambda: engine.jacobian(lambda x: "s")(1.0), ["jacobian", "'s'"]),
    ("jvp", lambda: engine.jvp(lambda x: x, (1.0, 2.0), (1.0,)), ["jvp", "2 primals", "1 tangents"]),
    ("gradcheck", lambda: engine.gradcheck(lambda x: x, [1.0], order=0), ["gradcheck", "order", "0"]),
    ("gradcheck", lambda: engine.gradcheck(lambda x: x, ["a"]), ["gradcheck input", "'a'"]),
    ("gradcheck", lambda: engine.gradcheck(lambda x: x, [1.0], scheme="wild"), ["scheme", "'wild'"]),
    ("compile", lambda: engine.compile(3), ["compile", "int"]),
    ("compile", lambda: engine.compile(lambda x: x, "a"), ["compile", "'a'"]),
    ("compiled call", lambda: engine.compile(lambda x: x * x, 1.0)(1.0, 2.0), ["1 arguments", "got 2"]),
    ("explain", lambda: engine.explain(3.0, wrt=Value(1.0)), ["explain", "float"]),
    ("op", lambda: engine.op(derivative=3), ["derivative", "3"]),
    ("MLP", lambda: MLP(0, [1]), ["MLP", "0"]),
    ("MLP", lambda: MLP(2, []), ["MLP", "nouts"]),
    ("MLP", lambda: MLP(2, [1], activation="swish"), ["activation", "'swish'"]),
    ("MLP call", lambda: model()([1.0]), ["expects 2 inputs", "got 1"]),
    ("MLP call", lambda: model()(1.0), ["expects a list", "1.0"]),
    ("mse", lambda: losses.mse([Value(1.0)], [1.0, 2.0]), ["mse", "1 predictions", "2 targets"]),
    ("cross_entropy", lambda: losses.cross_entropy([Value(1.0), Value(2.0)], 5), ["cross_entropy", "5"]),
    ("hinge", lambda: losses.hinge([Value(1.0)], [0]), ["hinge", "-1 or +1", "0"]),
    ("SGD", lambda: SGD([Value(1.0)], lr=-1.0), ["lr", "-1.0"]),
    ("Adam", lambda: Adam([1.0], lr=0.1), ["Adam", "float"]),
    ("fit", lambda: fit(model(), [[1.0, 2.0]], [1.0], losses.mse, SGD(model().parameters(), 0.1), epochs=0),
     ["epochs", "0"]),
    ("fit", lambda: fit(model(), [[1.0, 2.0]], [1.0], losses.mse, SGD(model().parameters(), 0.1), 1, batch_size=0),
     ["batch_size", "0"]),
    ("load", lambda: nn.load("/nonexistent/m.json"), ["/nonexistent/m.json"]),
    ("draw_dot", lambda: viz.draw_dot(Value(1.0), rankdir="XY"), ["rankdir", "'XY'"]),
    ("draw_dot", lambda: viz.draw_dot(Value(1.0), precision=0), ["precision", "0"]),
    ("draw_dot", lambda: viz.draw_dot(Value(1.0), colour="red"), ["unknown drawing option", "colour"]),
    ("draw_dot", lambda: viz.draw_dot("y"), ["draw_dot", "str"]),
    ("save", lambda: viz.save(Value(1.0), "graph.gif"), ["save", "graph.gif"]),
    ("explorer", lambda: viz.explorer(Value(1.0), "page.txt"), ["explorer", "page.txt"]),
    ("plot_history", lambda: viz.plot_history({"loss": [1.0]}, "plot.jpg"), ["plot.jpg"]),
]


@pytest.mark.parametrize("entry, call, words", CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)])
def test_bad_input_gets_a_clear_error(entry: str, call, words, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(Exception) as info:
        call()
    error = info.value
    assert isinstance(error, CLEAR) or isinstance(error, FileNotFoundError), f"{entry}: {type(error).__name__}: {error}"
    message = str(error)
    missing = [w for w in words if w not in message]
    assert not missing, f"{entry}: {message!r} lacks {missing}"


def test_the_table_covers_thirty_cases_and_every_layer() -> None:
    assert len(CASES) >= 30
    assert {"Value", "grad", "compile", "MLP", "fit", "draw_dot", "load", "gradcheck"} <= {c[0] for c in CASES}
