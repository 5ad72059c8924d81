"""One full-batch training step of micrograd's moons demo, every contender side by side.

All start from the same weights (same seed and draw order) and the same data, and
the first step's loss is checked to agree before anything is timed.
"""

from __future__ import annotations

import builtins
import random
from typing import Callable, Dict, List

from demos.moons import SEED, compiled_loss, data, svm_loss

from .reference import numpy_model, numpy_step, python_step, torch_model, torch_scalar_model, torch_scalar_step, \
    torch_step, weights_of
from .timing import Epochs, Row, alternate, one_thread, table

LR = 0.5  # a fixed rate, so that every contender does the same arithmetic
ALPHA = 1e-4  # the L2 term of svm_loss


def contenders() -> Dict[str, Callable[[], float]]:
    import engine
    from nn import MLP

    X, y = data()
    made: Dict[str, Callable[[], float]] = {}

    def model():
        random.seed(SEED)
        return MLP(2, [16, 16, 1])

    def eager(m, add_up):
        def step() -> float:
            loss, _ = svm_loss(m, X, y, add_up=add_up)
            m.zero_grad()
            loss.backward()
            for p in m.parameters():
                p.data -= LR * p.grad
            return loss.data
        return step

    def replayed(m, backend):
        replay = compiled_loss(m, X, y, backend=backend)

        def step() -> float:
            loss, _ = replay()
            for p in m.parameters():
                p.data -= LR * p.grad
            return loss
        return step

    try:
        from micrograd.nn import MLP as MicrogradMLP
    except ImportError:
        print("micrograd is not installed: `make bench` installs it (pip install micrograd==0.1.0)")
    else:
        random.seed(SEED)
        made["micrograd 0.1.0"] = eager(MicrogradMLP(2, [16, 16, 1]), builtins.sum)
    made["chainrule eager"] = eager(model(), engine.sum)
    made["chainrule compiled (Python)"] = replayed(model(), "python")
    made["chainrule batched (NumPy)"] = replayed(model(), "numpy")
    layers = weights_of(model())
    made["hand-written pure Python"] = lambda: python_step(layers, X, y, "svm", LR)
    try:
        import numpy as np
    except ImportError:
        pass
    else:
        params, Xa, ya = numpy_model(weights_of(model())), np.array(X), np.array(y, dtype=float)
        made["NumPy matrices"] = lambda: numpy_step(params, Xa, ya, "svm", LR)
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: its lines are left out")
    else:
        tparams = torch_model(weights_of(model()), torch)
        Xt, yt = torch.tensor(X, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
        made["PyTorch, vectorized"] = lambda: torch_step(tparams, Xt, yt, "svm", LR, torch)
        sparams = torch_scalar_model(weights_of(model()), torch)
        made["PyTorch, 0-dim scalars"] = lambda: torch_scalar_step(sparams, X, y, LR, torch)
    return made


def fit_steps():
    """micrograd's step as ``fit`` takes it (full batch, one step an epoch), on flat parameter arrays:
    hinge loss, and the L2 term as weight decay (d/dw of alpha w^2 is 2 alpha w). Returns a function of the
    number of steps, and checks that one step moves the weights exactly as the NumPy reference does."""
    import numpy as np
    from nn import MLP, SGD, fit, losses

    X, y = data()

    def model():
        random.seed(SEED)
        return MLP(2, [16, 16, 1])

    def train(steps, m=None):
        m = m or model()
        return fit(m, X, y, losses.hinge, SGD(m.parameters(), lr=LR, weight_decay=2 * ALPHA), epochs=steps,
                   shuffle=False, progress=False, compiled="numpy")

    reference = numpy_model(weights_of(model()))
    numpy_step(reference, np.array(X), np.array(y, dtype=float), "svm", LR, ALPHA)
    once = model()
    train(1, once)
    stepped = numpy_model(weights_of(once))
    for (W, b), (W2, b2) in zip(stepped, reference):
        assert np.allclose(W, W2, rtol=1e-9, atol=1e-12) and np.allclose(b, b2, rtol=1e-9, atol=1e-12)
    return train


def run(rounds: int = 7) -> List[str]:
    try:
        import torch
    except ImportError:
        torch = None
    with one_thread(torch):  # every contender on one core: NumPy's BLAS and PyTorch alike
        return _run(rounds)


def _run(rounds: int) -> List[str]:
    steps = contenders()
    first = {name: step() for name, step in steps.items()}
    spread = max(first.values()) - min(first.values())
    assert spread < 1e-9, f"the contenders disagree on the first loss: {first}"
    fitted = steps["chainrule fit step (lifted NumPy)"] = Epochs(fit_steps(), 200)  # a step an epoch
    ms = alternate(steps, rounds, slow={"micrograd 0.1.0": 5, "PyTorch, 0-dim scalars": 3})
    fit_ms = ms["chainrule fit step (lifted NumPy)"]
    ref = ms["NumPy matrices"]
    micro = ms.get("micrograd 0.1.0")
    eager = f"{micro / ms['chainrule eager']:.1f}x micrograd; target >= 50x" if micro else "target >= 50x micrograd"
    notes = {"chainrule eager": eager, "chainrule batched (NumPy)": "target >= 300x micrograd",
             "chainrule compiled (Python)": f"{ms['chainrule compiled (Python)'] / ms['hand-written pure Python']:.2f}x "
                                            f"the hand-written time (target <= 2x)",
             "chainrule fit step (lifted NumPy)": f"{fit_ms / ref:.2f}x NumPy (target <= 1.2x); fit(compiled='numpy') on "
                                                  f"flat parameters, the L2 term as weight decay; the median step of "
                                                  f"200-step fits, its own time (tracing and lifting add "
                                                  f"{fitted.setup_seconds():.2f} s once)"}
    rows: List[Row] = [(name, t, notes.get(name, "")) for name, t in ms.items()]
    return table(f"moons training step: MLP 2-16-16-1, 100 samples, loss {first['chainrule eager']:.4f} "
                 f"(median of {rounds})", rows)


def main() -> None:
    print("\n".join(run()))


if __name__ == "__main__":
    main()
