"""The references chainrule is measured against, for an MLP with one weight layout.

Weights come from a chainrule MLP (``layers``: per layer, a list of (weights, bias) per
neuron), so every contender starts from the same numbers and computes the same loss.
Hidden layers use ReLU, the last layer is linear. Losses: ``svm`` (mean max-margin
with labels +-1, plus alpha * sum of squared parameters), ``mse`` (mean squared
error against one-hot targets, over every output of every sample) and ``ce`` (mean
softmax cross-entropy against one-hot targets).
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

Layers = List[List[Tuple[List[float], float]]]


def weights_of(model) -> Layers:
    """A chainrule MLP's parameters as plain floats."""
    return [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in model.layers]


# -- hand-written pure Python ------------------------------------------------------


def python_step(layers: Layers, X: Sequence[Sequence[float]], targets: Sequence, loss: str, lr: float,
                alpha: float = 1e-4) -> float:
    """One full-batch step by hand: forward, backward, SGD. Returns the loss before the step."""
    W = [[list(w) for w, _ in layer] for layer in layers]
    B = [[b for _, b in layer] for layer in layers]
    gW = [[[0.0] * len(w) for w in layer] for layer in W]
    gB = [[0.0] * len(layer) for layer in B]
    n = len(X)
    total = 0.0
    last = len(W) - 1
    for x, t in zip(X, targets):
        acts = [list(x)]
        for li, (Wl, Bl) in enumerate(zip(W, B)):
            a = acts[-1]
            z = [sum(wi * ai for wi, ai in zip(w, a)) + b for w, b in zip(Wl, Bl)]
            acts.append(z if li == last else [zi if zi > 0 else 0.0 for zi in z])
        out = acts[-1]
        if loss == "svm":
            margin = 1 - t * out[0]
            total += max(margin, 0.0) / n
            delta = [-t / n if margin > 0 else 0.0]
        else:
            diff = [o - ti for o, ti in zip(out, t)]
            total += sum(d * d for d in diff) / (n * len(diff))
            delta = [2 * d / (n * len(diff)) for d in diff]
        for li in range(last, -1, -1):
            a = acts[li]
            gWl, gBl = gW[li], gB[li]
            for j, d in enumerate(delta):
                if d:
                    row = gWl[j]
                    for k, ak in enumerate(a):
                        row[k] += d * ak
                    gBl[j] += d
            if li:
                below = [sum(W[li][j][k] * delta[j] for j in range(len(delta))) for k in range(len(a))]
                delta = [g if ak > 0 else 0.0 for g, ak in zip(below, a)]
    if loss == "svm":
        total += alpha * sum(w * w for Wl in W for row in Wl for w in row) + alpha * sum(b * b for Bl in B for b in Bl)
    for li, layer in enumerate(layers):
        for j, (w, b) in enumerate(layer):
            reg_w = [2 * alpha * wk for wk in w] if loss == "svm" else [0.0] * len(w)
            reg_b = 2 * alpha * b if loss == "svm" else 0.0
            layer[j] = ([wk - lr * (g + r) for wk, g, r in zip(w, gW[li][j], reg_w)], b - lr * (gB[li][j] + reg_b))
    return total


# -- NumPy matrix code -------------------------------------------------------------


def numpy_model(layers: Layers):
    import numpy as np

    return [(np.array([w for w, _ in layer]), np.array([b for _, b in layer])) for layer in layers]


class NumpyAdam:
    """Adam on a list of NumPy arrays, in place, as a competent engineer writes it (PyTorch's arithmetic: the
    bias corrections folded into two numbers); the state in arrays of the parameters' shapes."""

    def __init__(self, params, lr: float, betas=(0.9, 0.999), eps: float = 1e-8) -> None:
        import numpy as np

        self.lr, (self.b1, self.b2), self.eps, self.t = lr, betas, eps, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads) -> None:
        import numpy as np

        self.t += 1
        c1, root = 1 - self.b1 ** self.t, (1 - self.b2 ** self.t) ** 0.5
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= (self.lr / c1) * m / (np.sqrt(v) / root + self.eps)


def numpy_step(params, X, targets, loss: str, lr: float, alpha: float = 1e-4, adam: "NumpyAdam" = None) -> float:
    """One full-batch step with matrices. ``params`` is updated in place: by SGD with ``lr``, or by ``adam``."""
    import numpy as np

    acts = [X]
    for i, (W, b) in enumerate(params):
        z = acts[-1] @ W.T + b
        acts.append(z if i == len(params) - 1 else np.maximum(z, 0.0))
    out, n = acts[-1], X.shape[0]
    if loss == "svm":
        margin = 1 - targets * out[:, 0]
        value = np.maximum(margin, 0.0).mean() + alpha * sum((W * W).sum() + (b * b).sum() for W, b in params)
        delta = (np.where(margin > 0, -targets, 0.0) / n)[:, None]
    elif loss == "ce":
        shifted = out - out.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        value = -(targets * (shifted - np.log(total))).sum() / n
        delta = (e / total * targets.sum(axis=1, keepdims=True) - targets) / n
    else:
        diff = out - targets
        value = (diff * diff).mean()
        delta = 2 * diff / diff.size
    grads = []
    for i in range(len(params) - 1, -1, -1):
        W, b = params[i]
        gW, gb = delta.T @ acts[i], delta.sum(axis=0)
        if i:
            delta = (delta @ W) * (acts[i] > 0)
        if loss == "svm":
            gW, gb = gW + 2 * alpha * W, gb + 2 * alpha * b
        if adam is None:
            W -= lr * gW
            b -= lr * gb
        else:
            grads[:0] = [gW, gb]
    if adam is not None:
        adam.step([a for layer in params for a in layer], grads)
    return float(value)


# -- PyTorch -----------------------------------------------------------------------


def torch_model(layers: Layers, torch):
    return [(torch.tensor([w for w, _ in layer], dtype=torch.float64, requires_grad=True),
             torch.tensor([b for _, b in layer], dtype=torch.float64, requires_grad=True)) for layer in layers]


def torch_step(params, X, targets, loss: str, lr: float, torch, alpha: float = 1e-4, adam=None) -> float:
    """One full-batch step with tensors: SGD with ``lr``, or ``adam`` (a ``torch.optim.Adam`` over ``params``)."""
    h = X
    for i, (W, b) in enumerate(params):
        h = h @ W.T + b
        if i < len(params) - 1:
            h = torch.relu(h)
    if loss == "svm":
        value = torch.relu(1 - targets * h[:, 0]).mean() + alpha * sum((W * W).sum() + (b * b).sum() for W, b in params)
    elif loss == "ce":
        value = -(targets * torch.log_softmax(h, dim=1)).sum() / h.shape[0]
    else:
        value = ((h - targets) ** 2).mean()
    for W, b in params:
        W.grad = b.grad = None
    value.backward()
    if adam is not None:
        adam.step()
        return value.item()
    with torch.no_grad():
        for W, b in params:
            W -= lr * W.grad
            b -= lr * b.grad
    return value.item()


def torch_scalar_model(layers: Layers, torch):
    return [[([torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in ws],
              torch.tensor(b, dtype=torch.float64, requires_grad=True)) for ws, b in layer] for layer in layers]


def torch_scalar_step(params, X, targets, lr: float, torch, alpha: float = 1e-4) -> float:
    """micrograd's moons step on 0-dim tensors: PyTorch used as a scalar engine."""
    losses = []
    for x, t in zip(X, targets):
        h = [torch.tensor(v, dtype=torch.float64) for v in x]
        for i, layer in enumerate(params):
            h = [sum((w * hi for w, hi in zip(ws, h)), b) for ws, b in layer]
            if i < len(params) - 1:
                h = [torch.relu(z) for z in h]
        losses.append(torch.relu(1 - t * h[0]))
    flat = [p for layer in params for ws, b in layer for p in ws + [b]]
    value = sum(losses) / len(losses) + alpha * sum(p * p for p in flat)
    for p in flat:
        p.grad = None
    value.backward()
    with torch.no_grad():
        for p in flat:
            p -= lr * p.grad
    return value.item()
