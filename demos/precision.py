"""Precision and number systems: the same network's gradients in float16, float32 and float64, loss scaling, the
finite difference's V in each precision, and backprop in fixed point and in a logarithmic number system.

Backpropagation Calculus for Deep Learning's experiment 4 (effects of different precisions, line 389), its
research questions on number systems (line 449) and on mixed precision and gradient accuracy (line 467), and
Backpropagation: The Engine of Deep Learning's mixed precision and loss scaling (lines 1138-1142), in five parts:

1. An MLP 4-16-16-1's gradients over a batch, compiled and replayed in each dtype (``batch(dtype=...)``):
   relative error per layer against float64 (whose own rounding, about 1e-16, is a millionth of float32's).
2. The moons network trained by ``fit(compiled='numpy', dtype=...)`` in each precision, from the same weights.
3. A loss small enough (weighted 2^-24) that float16 gradients underflow to zero; a static loss scale, and a
   dynamic one (halved on overflow, doubled after a run of good steps), bring them back. The scale is a parameter
   of the compiled loss, so it is a float16 number too: at most 2^15.
4. The central difference of exp(sin(x^2)) computed in each precision: error against the step h, a V whose
   bottom rises with the dtype's epsilon (its best h is about eps^(1/3)).
5. Gradients of the MLP in fixed point and in a logarithmic number system (``engine.transforms.number_systems``)
   against the bits after the point.

Pictures: ``out/precision_training.png``, ``out/precision_steps.png``, ``out/number_systems.png``.
"""

from __future__ import annotations

import math
import random
from typing import Any, Dict, List, Optional, Tuple

import engine
from engine import Value
from engine.transforms.number_systems import FixedPoint, Logarithmic, gradients_in
from nn import MLP, SGD, fit, losses
from viz import plot_loss_curves, plot_scaling, plot_step_error

from .common import common_args
from .moons import data

DTYPES = ("float64", "float32", "float16")
EPS = {"float64": 2.0 ** -52, "float32": 2.0 ** -23, "float16": 2.0 ** -10}
SMALL = 2.0 ** -24  # the weight of the small loss of part 3: float16's smallest number (a subnormal)
BITS = (4, 6, 8, 10, 12, 16, 20, 24)


def mlp(seed: int = 0) -> MLP:
    random.seed(seed)
    return MLP(4, [16, 16, 1], activation="tanh")


def batch(n: int = 64, seed: int = 1) -> Tuple[List[List[float]], List[float]]:
    rng = random.Random(seed)
    X = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(n)]
    return X, [math.sin(sum(x)) for x in X]


def per_layer_errors() -> Dict[str, List[float]]:
    """Relative error of each layer's gradient in each dtype, against float64."""
    import numpy as np

    model = mlp()
    program = engine.compile(lambda x, t: (model(x) - t) ** 2, [0.0] * 4, 0.0)
    X, y = batch()
    sizes = [len(layer.parameters()) for layer in model.layers]
    exact = np.array(program.batch(np.array(X), np.array(y)).param_grads)
    errors = {}
    for dtype in DTYPES[1:]:
        low = np.array(program.batch(np.array(X), np.array(y), dtype=dtype).param_grads)
        start, row = 0, []
        for size in sizes:
            part = slice(start, start + size)
            row.append(float(np.linalg.norm(low[part] - exact[part]) / np.linalg.norm(exact[part])))
            start += size
        errors[dtype] = row
    return errors


def training(epochs: int) -> Dict[str, List[float]]:
    X, y = data()
    curves = {}
    for dtype in DTYPES:
        random.seed(2)
        model = MLP(2, [16, 16, 1])
        curves[dtype] = fit(model, X, y, losses.hinge, SGD(model.parameters(), lr=0.1), epochs=epochs,
                            compiled="numpy", progress=False, dtype=dtype)["loss"]
    return curves


def scaled_training(steps: int) -> Tuple[Dict[str, List[float]], Dict[str, Tuple[float, float]],
                                         Tuple[List[float], int]]:
    """The moons network trained on SMALL times its loss, in float64 and in float16 without scaling, with a static
    scale and with a dynamic one: the loss curves (unweighted), the fraction of gradient entries that came out 0 at
    the first step, and the dynamic scale at each step with the number of overflows it met."""
    import numpy as np

    X, y = data()
    Xa, ya = np.array(X), np.array(y, dtype=float)
    curves, zeros, scales = {}, {}, []
    for name in ("float64", "float16, no scaling", "float16, static scale 2^15", "float16, dynamic scale"):
        random.seed(2)
        model = MLP(2, [16, 16, 1], activation="tanh")  # no dead units: every zero gradient is an underflow
        scale = Value(1.0)
        # the scale times the weight first, in range; then the loss, whose gradients carry them
        program = engine.compile(lambda x, t: (scale * SMALL) * (1.0 - t * model(x)).relu(), X[0], float(y[0]))
        plain = engine.compile(lambda x, t: (1.0 - t * model(x)).relu(), X[0], float(y[0]))  # in float64, to report
        weights = [p for p in program.parameters if p is not scale]
        assert weights == plain.parameters
        at = [program.parameters.index(p) for p in weights]
        P = np.array([p.data for p in program.parameters])
        # 2^15: the largest power of two float16 holds (its largest number is 65,504)
        S = {"float16, static scale 2^15": 2.0 ** 15, "float16, dynamic scale": 2.0 ** 15}.get(name, 1.0)
        good, curve, overflows = 0, [], 0
        dtype = "float64" if name == "float64" else "float16"
        while len(curve) < steps:
            P[program.parameters.index(scale)] = S
            try:
                r = program.batch(Xa, ya, parameters=P, input_grads=False, dtype=dtype)
            except OverflowError:
                S, good = S / 2, 0  # dynamic loss scaling: an overflow halves the scale and skips the step
                overflows += 1
                continue
            grads = np.asarray(r.param_grads, dtype=float)[at] / S / len(X)
            if not curve:
                if name == "float64":
                    reference = grads
                zeros[name] = (float(np.mean(grads == 0.0)),
                               float(np.linalg.norm(grads - reference) / np.linalg.norm(reference)))
            curve.append(float(plain.batch(Xa, ya, parameters=P[at], input_grads=False).values.mean()))
            P[at] -= 0.5 / SMALL * grads  # the rate suits the weighted loss: the steps are those of the plain one
            if name == "float16, dynamic scale":
                scales.append(S)
                good += 1
                if good == 20:  # a run of good steps: try a larger scale
                    S, good = S * 2, 0
        curves[name] = curve
    return curves, zeros, (scales, overflows)


def step_errors() -> Dict[str, List[Tuple[float, float]]]:
    """The central difference of exp(sin(x^2)) at x = 1.5, computed in each dtype, against the exact derivative."""
    import numpy as np

    def J(x: Any) -> Any:  # exp(sin(x^2)) in x's own dtype, as NumPy computes it
        return np.exp(np.sin(x * x))

    x0 = 1.5
    exact = math.exp(math.sin(x0 * x0)) * math.cos(x0 * x0) * 2 * x0
    curves = {}
    for dtype in DTYPES:
        t = np.dtype(dtype).type
        curve = []
        for k in range(-60, 1):
            h = 2.0 ** (k / 2)
            x, step = t(x0), t(h)
            if step == 0 or x + step == x:
                continue
            numeric = (J(x + step) - J(x - step)) / (t(2) * step)
            curve.append((float(step), abs(float(numeric) - exact)))
        curves[dtype] = curve
    return curves


def number_systems() -> Dict[str, List[Tuple[int, float]]]:
    """Relative error of the MLP's gradient (the mean squared error over 8 samples) in fixed point and in the
    logarithmic system, against the bits after the point."""
    model = mlp()
    X, y = batch(8)
    loss = losses.mse([model(x) for x in X], y)
    loss.backward()
    exact = [p.grad for p in model.parameters()]
    norm = math.sqrt(sum(g * g for g in exact))
    found: Dict[str, List[Tuple[int, float]]] = {"fixed point (15 integer bits)": [], "logarithmic": []}
    for bits in BITS:
        for name, kind in (("fixed point (15 integer bits)", FixedPoint(bits)), ("logarithmic", Logarithmic(bits))):
            g = gradients_in(kind, loss, model.parameters())
            found[name].append((bits, math.sqrt(sum((a - b) ** 2 for a, b in zip(g, exact))) / norm))
    return found


def main(argv: Optional[List[str]] = None) -> int:
    parser = common_args("precision", __doc__, quick="40 epochs and 40 scaled steps")
    args = parser.parse_args(argv)
    epochs, steps = (40, 40) if args.quick else (150, 150)
    errors = per_layer_errors()
    print("1. An MLP 4-16-16-1's gradients over 64 samples, relative error per layer against float64:")
    print(f"   {'dtype':<9}" + "".join(f"{f'layer {i + 1}':>12}" for i in range(3)) + f"{'eps':>12}")
    for dtype, row in errors.items():
        print(f"   {dtype:<9}" + "".join(f"{e:>12.2e}" for e in row) + f"{EPS[dtype]:>12.2e}")
    curves = training(epochs)
    print(f"\n2. The moons network, {epochs} epochs of fit(compiled='numpy', dtype=...) from the same weights:")
    for dtype, curve in curves.items():
        print(f"   {dtype:<9} final loss {curve[-1]:.6f}  (float64's {curves['float64'][-1]:.6f})")
    scaled, zeros, (scales, overflows) = scaled_training(steps)
    print(f"\n3. The same network (tanh) on its hinge loss weighted 2^-24 ({steps} steps): at the first step, the "
          f"gradient entries that are 0 and the gradient's error against float64; the final (unweighted) loss:")
    for name, curve in scaled.items():
        zero, error = zeros[name]
        print(f"   {name:<28} zero gradients {zero:>6.1%}, relative error {error:.1e}; final loss {curve[-1]:.4f}")
    low, high = math.log2(min(scales)), math.log2(max(scales))
    held = f"held at 2^{low:.0f}" if low == high else f"moved between 2^{low:.0f} and 2^{high:.0f}"
    print(f"   the dynamic scale started at 2^15 and {held}: doubled after each 20 good steps, halved at each of "
          f"{overflows} overflows (a scale of 2^16 is itself past float16's largest number)")
    steps_curves = step_errors()
    print("\n4. Central difference of exp(sin(x^2)) at x = 1.5 in each dtype: the best step and its error")
    for dtype, curve in steps_curves.items():
        h, e = min(curve, key=lambda p: p[1])
        print(f"   {dtype:<9} best h {h:.1e} (eps^(1/3) = {EPS[dtype] ** (1 / 3):.1e}), error {e:.1e}")
    systems = number_systems()
    print("\n5. The MLP's gradient in other number systems, relative error against the bits after the point:")
    print("   " + f"{'bits':>6}" + "".join(f"{name:>32}" for name in systems))
    for i, bits in enumerate(BITS):
        print("   " + f"{bits:>6}" + "".join(f"{systems[name][i][1]:>32.2e}" for name in systems))
    print("   Fixed point's error is absolute (2^-bits), so small gradients lose most; the logarithmic system's is "
          "relative,\n   the same at every magnitude, and a product in it is exact.")
    paths = [
        plot_loss_curves({"each precision": curves, "a loss weighted 2^-24": scaled},
                         args.out / "precision_training.png", title="training in float64, float32 and float16",
                         log=True),
        plot_step_error(steps_curves, args.out / "precision_steps.png",
                        title="central difference of exp(sin(x^2)) in each precision (lines: eps^(1/3))",
                        marks={d: EPS[d] ** (1 / 3) for d in DTYPES}),
        plot_scaling({"bits after the point": {name: [(b, e) for b, e in curve] for name, curve in systems.items()}},
                     args.out / "number_systems.png", title="an MLP's gradient in fixed point and logarithmic numbers",
                     ylabel="relative error of the gradient"),
    ]
    for path in paths:
        print(f"plot: {path}")
    return 0

