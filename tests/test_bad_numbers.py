"""Every kind of number a user holds, through every public entry point that takes one: each cell is a clear
error naming the value, or the right result, never anything else.

The oracle for a right result is the same call on the plain Python number (a NumPy number's ``item()``, a
Fraction's or Decimal's float, 0.0 for -0.0); for a comparison, Python's own comparison of floats; for an
array that NumPy spreads over a Value (``array + v``), the call on each entry. Bools, complex numbers, ints
beyond float's range, nan and inf have no right result where a number goes into the graph: they must refuse."""

import decimal
import fractions
import math
import random
from collections import Counter
from typing import Any, Callable, Dict

import numpy as np
import pytest

import engine
import nn
import viz
from engine import Value
from nn import MLP, SGD, Adam, AdamW, fit, losses


class Float(float):
    """A float subclass, as some libraries hand out."""


KINDS: Dict[str, Any] = {
    "np.float64": np.float64(0.75), "np.float32": np.float32(0.75), "np.int64": np.int64(2),
    "0-d array": np.array(0.75), "1-d array": np.array([0.75, 2.0]), "np.bool_": np.bool_(True), "bool": True,
    "Decimal": decimal.Decimal("0.75"), "Fraction": fractions.Fraction(3, 4), "float subclass": Float(0.75),
    "complex": complex(0.75, 1.0), "huge int": 10 ** 400, "-0.0": -0.0, "nan": math.nan, "inf": math.inf,
}
REFUSED = {"np.bool_", "bool", "complex", "huge int", "nan", "inf"}  # no number to compute with
CLEAR = (TypeError, ValueError, OverflowError, ZeroDivisionError, IndexError)  # IndexError: an Embedding's index


def plain(x: Any) -> Any:
    """The Python number a user means by ``x``."""
    if isinstance(x, (np.generic, np.ndarray)) and np.ndim(x) == 0:
        return x.item()
    if isinstance(x, (decimal.Decimal, fractions.Fraction, Float)):
        return float(x)
    return 0.0 if x == 0.0 and isinstance(x, float) else x


def model() -> MLP:
    random.seed(0)
    return MLP(2, [3, 1])


def stepped(make: Callable, x: Any) -> Value:
    w = Value(1.0)
    w.grad = 0.5
    make([w], x).step()
    return w


def with_grad(x: Any) -> Value:  # a grad may hold any number until used: the optimizer then checks it
    w = Value(1.0)
    w.grad = x
    SGD([w], lr=0.1).step()
    return w


def with_data(x: Any) -> Value:
    v = Value(1.0)
    v.data = x
    return v


def trained(X: list, y: list) -> list:
    m = model()
    return fit(m, X, y, losses.mse, SGD(m.parameters(), 0.1), epochs=1, progress=False)["loss"]


def module_output(module: Any) -> list:
    return module([0.5, -1.0])


random.seed(3)
TABLE, RECURRENT = nn.Embedding(3, 2), nn.RNN(1, 2)  # made once: every call reads the same weights


def copied_in(x: Any) -> list:
    layer = nn.Layer(1, 1, activation="linear")
    return [p.data for p in nn.load_torch_state(layer, {"weight": [[x]], "bias": [0.0]}).parameters()]


ENTRIES: Dict[str, Callable[[Any], Any]] = {
    "Value(x)": lambda x: Value(x),
    "v.data = x": with_data,
    "v.grad = x, then a step": with_grad,
    "v + x": lambda x: Value(1.5) + x, "x + v": lambda x: x + Value(1.5),
    "v * x": lambda x: Value(1.5) * x, "x * v": lambda x: x * Value(1.5),
    "v - x": lambda x: Value(1.5) - x, "x - v": lambda x: x - Value(1.5),
    "v / x": lambda x: Value(1.5) / x, "x / v": lambda x: x / Value(1.5),
    "v ** x": lambda x: Value(1.5) ** x, "x ** v": lambda x: x ** Value(1.5),
    "v < x": lambda x: Value(1.5) < x, "v >= x": lambda x: Value(1.5) >= x,
    "leaky_relu slope": lambda x: Value(-1.5).leaky_relu(x),
    "engine.sum": lambda x: engine.sum([Value(1.5), x]),
    "engine.dot": lambda x: engine.dot([Value(1.5)], [x]),
    "engine.logsumexp": lambda x: engine.logsumexp([Value(1.5), x]),
    "grad": lambda x: engine.grad(lambda t: t * t)(x),
    "jvp primal": lambda x: engine.jvp(lambda t: t * t, (x,), (1.0,)),
    "jvp tangent": lambda x: engine.jvp(lambda t: t * t, (1.5,), (x,)),
    "hvp vector": lambda x: engine.hvp(lambda v: v[0] * v[0] * v[1], [1.5, 2.0], [x, 1.0]),
    "hessian": lambda x: engine.hessian(lambda v: v[0] * v[0] * v[1])([x, 2.0]),
    "jacobian": lambda x: engine.jacobian(lambda t: [t * t, t])(x),
    "gradcheck": lambda x: engine.gradcheck(lambda t: t * t, [x]),
    "compile example": lambda x: engine.compile(lambda t: t * t, x)(0.3),
    "compiled call": lambda x: engine.compile(lambda t: t * t, 0.3)(x),
    "compiled loop": lambda x: engine.compile(lambda t: t * t, 0.3).loop([x, 0.5]),
    "MLP call": lambda x: model()([x, 1.0]),
    "mse target": lambda x: losses.mse([Value(1.5)], [x]),
    "cross_entropy label": lambda x: losses.cross_entropy([Value(1.5), Value(0.5), Value(0.1)], x),
    "hinge label": lambda x: losses.hinge([Value(1.5)], [x]),
    "SGD lr": lambda x: stepped(lambda p, lr: SGD(p, lr=lr), x),
    "Adam lr": lambda x: stepped(lambda p, lr: Adam(p, lr=lr), x),
    "AdamW weight_decay": lambda x: stepped(lambda p, wd: AdamW(p, lr=0.1, weight_decay=wd), x),
    "fit X": lambda x: trained([[x, 1.0], [0.5, -1.0]], [1.0, 0.0]),
    "fit y": lambda x: trained([[0.2, 1.0], [0.5, -1.0]], [x, 0.0]),
    "LayerNorm eps": lambda x: module_output(nn.LayerNorm(2, eps=x)),
    "Dropout p": lambda x: nn.Dropout(x).eval()([0.5, -1.0]),
    "draw_dot precision": lambda x: viz.draw_dot(Value(1.5), precision=x).source,
    "Embedding index": lambda x: TABLE(x),
    "RNN time step": lambda x: RECURRENT([[x], [0.5]])[1],
    "attention query": lambda x: nn.attention([[x, 1.0]], [[0.5, -1.0], [1.0, 0.0]], [[1.0], [2.0]]),
    "load_torch_state entry": copied_in,
}
COMPARISONS = {"v < x": lambda x: 1.5 < x, "v >= x": lambda x: 1.5 >= x}  # Python's floats: nan and inf included
SPREAD = {"x + v", "x * v", "x - v", "x / v", "x ** v"}  # NumPy applies these to each entry of an array


def numbers(r: Any) -> Any:
    """What a result says, comparable across calls: a Value's data must be a plain float."""
    if isinstance(r, Value):
        assert r.data.__class__ is float, f"a Value holds {type(r.data).__name__} {r.data!r}"
        return ("Value", r.data)
    if isinstance(r, np.ndarray):
        return [numbers(e) for e in r.tolist()]
    if isinstance(r, (list, tuple)):
        return [numbers(e) for e in r]
    if isinstance(r, np.generic):
        return ("NumPy", r.item())  # a NumPy scalar where Python's would do: never equal to a plain number
    return r


def outcome(entry: str, kind: str) -> str:
    """'clear error', 'right result', or what else happened."""
    call, x = ENTRIES[entry], KINDS[kind]
    try:
        got = call(x)
    except CLEAR as e:
        said = str(e)
        if kind not in REFUSED and kind not in ("1-d array", "Decimal"):  # a number: refused only if Python's is
            try:
                call(plain(x))
            except CLEAR:
                pass
            else:
                return f"other: refuses {kind} {x!r}, which as {plain(x)!r} it takes: {said}"
        named = [repr(x), str(x), type(x).__name__] + (["nan"] if kind == "nan" else ["inf"] if kind == "inf" else [])
        return "clear error" if any(n in said for n in named) else f"unclear: {type(e).__name__}: {said}"
    except Exception as e:  # noqa: BLE001 (the table records what escaped)
        return f"other: {type(e).__name__}: {e}"
    if entry in COMPARISONS:
        want = COMPARISONS[entry](x) if kind == "1-d array" else COMPARISONS[entry](plain(x))
        want = want.tolist() if isinstance(want, np.ndarray) else want
        return "right result" if numbers(got) == want else f"other: {got!r}, Python says {want!r}"
    if kind == "1-d array" and entry in SPREAD:
        want = [call(e) for e in x.tolist()]
    elif kind in REFUSED or kind == "1-d array":
        return f"other: returned {got!r} for {kind}"
    else:
        want = call(plain(x))
    return "right result" if numbers(got) == numbers(want) else f"other: {got!r} where {want!r} is right"


CELLS = [(entry, kind) for entry in ENTRIES for kind in KINDS]


@pytest.mark.parametrize("entry, kind", CELLS, ids=[f"{e} [{k}]" for e, k in CELLS])
def test_each_number_gets_a_clear_error_or_the_right_result(entry: str, kind: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert outcome(entry, kind) in ("clear error", "right result")


def test_the_table_counts() -> None:
    counts = Counter(outcome(entry, kind).split(":")[0] for entry, kind in CELLS)
    assert counts == {"clear error": 371, "right result": 304}, counts  # 45 entry points x 15 kinds, nothing else
