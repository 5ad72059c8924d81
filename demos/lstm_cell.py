"""One LSTM cell step, its backward pass derived by hand and checked against the engine and PyTorch.

Backpropagation Calculus for Deep Learning (Exercises, Theoretical, 1) asks to derive the backpropagation
equations for LSTM cells. ``python -m demos lstm_cell`` does it for one step of a cell with input size 1 and
hidden size 1, at fixed numbers. The forward pass, in PyTorch's gate order (input, forget, cell, output):

    a_k = W_ih[k] x + b_ih[k] + W_hh[k] h_prev + b_hh[k]      for k = i, f, g, o
    i = sigmoid(a_i)   f = sigmoid(a_f)   g = tanh(a_g)   o = sigmoid(a_o)
    c = f c_prev + i g          h = o tanh(c)               L = (h - y)^2 / 2

and the backward pass, each line the chain rule applied once to a line above:

    dL/dh      = h - y
    dL/do      = dL/dh tanh(c)                 dL/dc      = dL/dh o (1 - tanh(c)^2)
    dL/di      = dL/dc g                       dL/dg      = dL/dc i
    dL/df      = dL/dc c_prev                  dL/dc_prev = dL/dc f
    dL/da_k    = dL/dk k (1 - k)  for the sigmoid gates i, f, o;    dL/da_g = dL/dg (1 - g^2)
    dL/dW_ih[k] = dL/da_k x     dL/dW_hh[k] = dL/da_k h_prev     dL/db_ih[k] = dL/db_hh[k] = dL/da_k
    dL/dx      = sum_k W_ih[k] dL/da_k         dL/dh_prev = sum_k W_hh[k] dL/da_k

The demo computes these in plain Python floats and prints them beside the engine's gradients, from
``backward()`` through a chainrule ``nn.LSTM(1, 1)`` holding the same weights (the gates' gradients read off the
graph's intermediate Values), and PyTorch's, from ``torch.nn.LSTM`` in float64 (when PyTorch is installed: it
gives the leaves' gradients, not the gates'). Last, ``engine.explain`` writes out the chain-rule paths from one
weight, the forget gate's hidden weight, to the loss.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

from engine import Value, explain
from nn import LSTM

from .common import common_args

GATES = "ifgo"  # PyTorch's order of the four blocks
# The fixed numbers: the step's input, the state it starts from, the target, and each gate's weights and biases.
X, H_PREV, C_PREV, TARGET = 0.8, -0.3, 0.6, 0.25
W_IH = {"i": 0.5, "f": -0.4, "g": 0.9, "o": 0.3}
W_HH = {"i": -0.7, "f": 0.6, "g": 0.2, "o": -0.5}
B_IH = {"i": 0.1, "f": 1.0, "g": -0.2, "o": 0.05}
B_HH = {"i": -0.05, "f": 0.2, "g": 0.1, "o": 0.15}


def sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


def by_hand() -> Dict[str, float]:
    """The forward pass and the hand-derived backward pass, in floats: every quantity by name."""
    a = {k: W_IH[k] * X + B_IH[k] + W_HH[k] * H_PREV + B_HH[k] for k in GATES}
    i, f, o = sigmoid(a["i"]), sigmoid(a["f"]), sigmoid(a["o"])
    g = math.tanh(a["g"])
    c = f * C_PREV + i * g
    h = o * math.tanh(c)
    loss = 0.5 * (h - TARGET) ** 2
    d: Dict[str, float] = {"loss": loss, "h": h, "c": c}
    d["dL/dh"] = h - TARGET
    d["dL/do"] = d["dL/dh"] * math.tanh(c)
    d["dL/dc"] = d["dL/dh"] * o * (1.0 - math.tanh(c) ** 2)
    d["dL/di"] = d["dL/dc"] * g
    d["dL/df"] = d["dL/dc"] * C_PREV
    d["dL/dg"] = d["dL/dc"] * i
    d["dL/dc_prev"] = d["dL/dc"] * f
    da = {"i": d["dL/di"] * i * (1 - i), "f": d["dL/df"] * f * (1 - f),
          "g": d["dL/dg"] * (1 - g * g), "o": d["dL/do"] * o * (1 - o)}
    d["dL/dx"] = math.fsum(W_IH[k] * da[k] for k in GATES)
    d["dL/dh_prev"] = math.fsum(W_HH[k] * da[k] for k in GATES)
    for k in GATES:
        d[f"dL/dW_ih_{k}"] = da[k] * X
        d[f"dL/dW_hh_{k}"] = da[k] * H_PREV
        d[f"dL/db_ih_{k}"] = da[k]
        d[f"dL/db_hh_{k}"] = da[k]
    return d


def cell() -> LSTM:
    """A chainrule ``nn.LSTM(1, 1)`` holding the demo's weights."""
    lstm = LSTM(1, 1, scope="cell")
    for n, k in enumerate(GATES):
        lstm.weight_ih[n][0].data, lstm.weight_hh[n][0].data = W_IH[k], W_HH[k]
        lstm.bias_ih[n].data, lstm.bias_hh[n].data = B_IH[k], B_HH[k]
    return lstm


def by_engine() -> Tuple[Dict[str, float], Value, LSTM]:
    """The same gradients from the engine's ``backward()`` through ``nn.LSTM``; the gates' gradients are read off
    the graph's intermediate Values (h = o * tanh(c); c = f * c_prev + i * g). Returns them, the loss and the cell."""
    lstm = cell()
    x, h0, c0 = Value(X, label="x"), Value(H_PREV, label="h_prev"), Value(C_PREV, label="c_prev")
    _, (h, c) = lstm([[x]], ([h0], [c0]))
    error = h[0] - TARGET
    squared = error ** 2
    loss = 0.5 * squared
    error.label, squared.label, loss.label = "h-y", "(h-y)^2", "L"
    loss.backward()
    o, tanh_c = h[0]._prev
    fc, ig = c[0]._prev
    f, i, g = fc._prev[0], ig._prev[0], ig._prev[1]
    assert fc._prev[1] is c0 and tanh_c._prev[0] is c[0], "the LSTM's graph is not shaped as expected"
    for value, name in ((h[0], "h"), (c[0], "c"), (o, "o"), (tanh_c, "tanh_c"), (fc, "f*c_prev"), (ig, "i*g"),
                        (f, "f"), (i, "i"), (g, "g"), (f._prev[0], "a_f")):
        value.label = name  # names for engine.explain's paths
    d = {"loss": loss.data, "h": h[0].data, "c": c[0].data, "dL/dh": h[0].grad, "dL/do": o.grad,
         "dL/dc": c[0].grad, "dL/di": i.grad, "dL/df": f.grad, "dL/dg": g.grad, "dL/dc_prev": c0.grad,
         "dL/dx": x.grad, "dL/dh_prev": h0.grad}
    for n, k in enumerate(GATES):
        d[f"dL/dW_ih_{k}"], d[f"dL/dW_hh_{k}"] = lstm.weight_ih[n][0].grad, lstm.weight_hh[n][0].grad
        d[f"dL/db_ih_{k}"], d[f"dL/db_hh_{k}"] = lstm.bias_ih[n].grad, lstm.bias_hh[n].grad
    return d, loss, lstm


def by_torch() -> Optional[Dict[str, float]]:
    """The leaves' gradients from ``torch.nn.LSTM(1, 1)`` in float64 with the same weights, or None without
    PyTorch."""
    try:
        import torch
    except ImportError:
        return None
    lstm = torch.nn.LSTM(1, 1).double()
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.tensor([[W_IH[k]] for k in GATES], dtype=torch.float64))
        lstm.weight_hh_l0.copy_(torch.tensor([[W_HH[k]] for k in GATES], dtype=torch.float64))
        lstm.bias_ih_l0.copy_(torch.tensor([B_IH[k] for k in GATES], dtype=torch.float64))
        lstm.bias_hh_l0.copy_(torch.tensor([B_HH[k] for k in GATES], dtype=torch.float64))
    x = torch.tensor([[X]], dtype=torch.float64, requires_grad=True)  # unbatched: (T = 1, input 1)
    h0 = torch.tensor([[H_PREV]], dtype=torch.float64, requires_grad=True)  # (layers 1, hidden 1)
    c0 = torch.tensor([[C_PREV]], dtype=torch.float64, requires_grad=True)
    _, (h, c) = lstm(x, (h0, c0))
    loss = 0.5 * (h[0, 0] - TARGET) ** 2
    loss.backward()
    d = {"loss": loss.item(), "h": h[0, 0].item(), "c": c[0, 0].item(), "dL/dc_prev": c0.grad[0, 0].item(),
         "dL/dx": x.grad[0, 0].item(), "dL/dh_prev": h0.grad[0, 0].item()}
    for n, k in enumerate(GATES):
        d[f"dL/dW_ih_{k}"], d[f"dL/dW_hh_{k}"] = lstm.weight_ih_l0.grad[n, 0].item(), lstm.weight_hh_l0.grad[n, 0].item()
        d[f"dL/db_ih_{k}"], d[f"dL/db_hh_{k}"] = lstm.bias_ih_l0.grad[n].item(), lstm.bias_hh_l0.grad[n].item()
    return d


def worst(a: Dict[str, float], b: Dict[str, float]) -> float:
    """The largest difference over the names both hold, relative to the larger of the pair (absolute near 0)."""
    return max(abs(a[k] - b[k]) / max(abs(b[k]), 1e-300) if b[k] else abs(a[k]) for k in a if k in b)


def main(argv: Optional[List[str]] = None) -> int:
    common_args("lstm_cell", __doc__, quick="the same (it is one step already)").parse_args(argv)
    hand = by_hand()
    engine, loss, lstm = by_engine()
    torch = by_torch()
    print("Backpropagation Calculus for Deep Learning, Exercises (Theoretical, 1): backpropagation through an LSTM cell")
    print(f"one step, input 1, hidden 1: x = {X}, h_prev = {H_PREV}, c_prev = {C_PREV}, target y = {TARGET}")
    for name, table in (("W_ih", W_IH), ("W_hh", W_HH), ("b_ih", B_IH), ("b_hh", B_HH)):
        print(f"  {name}: " + ", ".join(f"{k} {table[k]:+}" for k in GATES))
    print(f"forward: c = {hand['c']:.12f}, h = {hand['h']:.12f}, L = (h - y)^2 / 2 = {hand['loss']:.12f}\n")
    head = "by hand (floats)", "engine (backward)", "PyTorch (nn.LSTM)"
    print(f"{'':<14}{head[0]:>24}{head[1]:>24}{head[2]:>24}")
    for key in [k for k in hand if k.startswith("dL/")]:
        theirs = f"{torch[key]:>24.15e}" if torch is not None and key in torch else f"{'-':>24}"
        print(f"{key:<14}{hand[key]:>24.15e}{engine[key]:>24.15e}{theirs}")
    gap = worst(hand, engine)
    ok = gap < 1e-12
    print(f"\nby hand against the engine: largest relative difference {gap:.1e}")
    if torch is None:
        print("PyTorch is not installed, so the comparison with torch.nn.LSTM is skipped "
              "(PyTorch is optional in chainrule; `pip install torch` to run it).")
    else:
        torch_gap = max(worst(hand, torch), worst(engine, torch))
        ok = ok and torch_gap < 1e-12
        print(f"both against PyTorch, over the leaves (torch.nn.LSTM keeps no gradient for its gates, hence the -): "
              f"largest relative difference {torch_gap:.1e}")
    weight = lstm.weight_hh[GATES.index("f")][0]
    print(f"\nthe chain rule's paths from the forget gate's hidden weight {weight.label} to L (engine.explain):")
    explain(loss, wrt=weight)
    return 0 if ok else 1
