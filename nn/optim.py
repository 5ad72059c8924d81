"""Optimizers and learning-rate schedules, with PyTorch's names and update rules."""

from __future__ import annotations

import math
from typing import Dict, Iterable, List, Tuple

from engine import Value
from engine.checks import data_of


def _params(params: Iterable[Value], who: str) -> List[Value]:
    params = list(params)
    if not params:
        raise ValueError(f"{who} got no parameters to optimize")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"{who} optimizes Values, got {type(p).__name__}")
    return params


def _positive(x: float, what: str, allow_zero: bool = False) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise ValueError(f"{what} must be {'>= 0' if allow_zero else '> 0'}, got {x!r}")
    return float(x)


def _grad(p: Value, who: str) -> float:
    g = p.grad
    if g.__class__ is not float:
        g = data_of(g)  # a grad from backward(create_graph=True)
    if not math.isfinite(g):
        raise ValueError(f"{who}: the gradient of {p.scope + '.' if p.scope else ''}{p.label or 'a parameter'} is {g}")
    return g


class Optimizer:
    """Holds the parameters and the learning rate; ``step()`` updates ``p.data`` from ``p.grad``."""

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = _params(params, type(self).__name__)
        self.lr = _positive(lr, "lr")
        self.steps = 0

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        grads = [_grad(p, type(self).__name__) for p in self.params]  # all checked before any change
        self.steps += 1
        for i, (p, g) in enumerate(zip(self.params, grads)):
            p.data = self._update(i, p.data, g)

    def _update(self, i: int, w: float, g: float) -> float:
        raise NotImplementedError


class SGD(Optimizer):
    """w <- w - lr * v, where v = momentum * v + (g + weight_decay * w) (v = g on the first step).

    >>> w = Value(1.0); w.grad = 0.5; SGD([w], lr=0.1).step(); w.data
    0.95
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _positive(momentum, "momentum", allow_zero=True)
        self.weight_decay = _positive(weight_decay, "weight_decay", allow_zero=True)
        self.velocity: Dict[int, float] = {}

    def _update(self, i: int, w: float, g: float) -> float:
        g = g + self.weight_decay * w
        if self.momentum:
            g = self.velocity[i] = self.momentum * self.velocity[i] + g if i in self.velocity else g
        return w - self.lr * g


class Adam(Optimizer):
    """Adam: bias-corrected running means of g and g^2; ``weight_decay`` adds an L2 term to g.

    >>> w = Value(1.0); w.grad = 0.5; Adam([w], lr=0.1).step(); round(w.data, 6)
    0.9
    """

    decoupled = False

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ValueError(f"betas must be in [0, 1), got {betas!r}")
        self.eps = _positive(eps, "eps")
        self.weight_decay = _positive(weight_decay, "weight_decay", allow_zero=True)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _update(self, i: int, w: float, g: float) -> float:
        if self.decoupled:
            w = w - self.lr * self.weight_decay * w  # AdamW: decay the weight, not the gradient
        else:
            g = g + self.weight_decay * w
        self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
        self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g * g
        m_hat = self.m[i] / (1 - self.beta1 ** self.steps)
        v_hat = self.v[i] / (1 - self.beta2 ** self.steps)
        return w - self.lr * m_hat / (math.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter): w <- w - lr * wd * w, then Adam.

    >>> w = Value(1.0); w.grad = 0.5; AdamW([w], lr=0.1, weight_decay=0.1).step(); round(w.data, 6)
    0.89
    """

    decoupled = True

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)


def clip_grad_norm(params: Iterable[Value], max_norm: float) -> float:
    """Scale all grads down so their joint L2 norm is at most ``max_norm``; returns the norm before.

    >>> a, b = Value(0.0), Value(0.0); a.grad, b.grad = 3.0, 4.0
    >>> clip_grad_norm([a, b], 1.0), round(a.grad, 6), round(b.grad, 6)
    (5.0, 0.6, 0.8)
    """
    params = _params(params, "clip_grad_norm")
    max_norm = _positive(max_norm, "max_norm")
    total = math.sqrt(math.fsum(_grad(p, "clip_grad_norm") ** 2 for p in params))
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for p in params:
            p.grad = p.grad * scale
    return total


class Schedule:
    """Sets ``optimizer.lr`` from the base rate at each ``step()`` (call once per epoch or batch)."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.count = 0
        optimizer.lr = self.base_lr * self.factor(0)

    def step(self) -> float:
        self.count += 1
        self.optimizer.lr = self.base_lr * self.factor(self.count)
        return self.optimizer.lr

    def factor(self, t: int) -> float:
        raise NotImplementedError


class StepLR(Schedule):
    """lr = base * gamma ** (t // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"step_size must be a positive whole number, got {step_size!r}")
        self.step_size, self.gamma = step_size, _positive(gamma, "gamma")
        super().__init__(optimizer)

    def factor(self, t: int) -> float:
        return self.gamma ** (t // self.step_size)


class CosineLR(Schedule):
    """lr = min + (base - min) (1 + cos(pi t / T)) / 2, then stays at min after T steps."""

    def __init__(self, optimizer: Optimizer, total_steps: int, min_lr: float = 0.0) -> None:
        if not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(f"total_steps must be a positive whole number, got {total_steps!r}")
        self.total_steps, self.min_lr = total_steps, _positive(min_lr, "min_lr", allow_zero=True)
        super().__init__(optimizer)

    def factor(self, t: int) -> float:
        t = min(t, self.total_steps)
        ratio = self.min_lr / self.base_lr
        return ratio + (1 - ratio) * (1 + math.cos(math.pi * t / self.total_steps)) / 2


class LinearWarmup(Schedule):
    """lr rises linearly from base * start_factor to base over ``warmup_steps``, then stays."""

    def __init__(self, optimizer: Optimizer, warmup_steps: int, start_factor: float = 0.0) -> None:
        if not isinstance(warmup_steps, int) or warmup_steps < 1:
            raise ValueError(f"warmup_steps must be a positive whole number, got {warmup_steps!r}")
        if not 0 <= start_factor <= 1:
            raise ValueError(f"start_factor must be in [0, 1], got {start_factor!r}")
        self.warmup_steps, self.start_factor = warmup_steps, float(start_factor)
        super().__init__(optimizer)

    def factor(self, t: int) -> float:
        return self.start_factor + (1 - self.start_factor) * min(t, self.warmup_steps) / self.warmup_steps
