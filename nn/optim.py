"""Optimizers and learning-rate schedules, with PyTorch's names and update rules."""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Optional, Tuple

from engine import Value
from engine.checks import data_of, real_number


def _params(params: Iterable[Value], who: str) -> List[Value]:
    params = list(params)
    if not params:
        raise ValueError(f"{who} got no parameters to optimize")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"{who} optimizes Values, got {type(p).__name__}")
    return params


def _positive(x: float, what: str, allow_zero: bool = False) -> float:
    value = real_number(x)
    if value is None or not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{what} must be {'>= 0' if allow_zero else '> 0'}, got {x!r}")
    return value


def _grad(p: Value, who: str) -> float:
    g = p.grad
    if g.__class__ is not float:
        g = data_of(g)  # a grad from backward(create_graph=True)
    if not math.isfinite(g):
        raise ValueError(f"{who}: the gradient of {_name(p)} is {g}")
    return g


class Optimizer:
    """Holds the parameters and the learning rate; ``step()`` updates ``p.data`` from ``p.grad``.

    Each optimizer writes its update once, in ``_rule(w, g, state)``, with arithmetic that
    works on a float and on a whole NumPy array alike: ``step()`` applies it to each
    Value's float, ``step_arrays(w, g)`` to a flat array of every parameter at once (as
    ``fit(compiled=...)`` does), and both keep the same per-parameter state.
    """

    slots: Tuple[str, ...] = ()  # the per-parameter state the rule keeps, e.g. ("m", "v")

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = _params(params, type(self).__name__)
        self.lr = _positive(lr, "lr")
        self.steps = 0
        self.state: Dict[str, Any] = {name: [None] * len(self.params) for name in self.slots}

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0."""
        for p in self.params:
            p._grad = 0.0  # as Module.zero_grad: a plain 0.0 needs no check

    def step(self) -> None:
        who = type(self).__name__
        grads = [_grad(p, who) for p in self.params]  # all checked before any change
        self.steps += 1
        state = {name: _as_list(values, len(self.params)) for name, values in self.state.items()}
        try:
            weights = [self._rule(p.data, g, _Entry(state, i)) for i, (p, g) in enumerate(zip(self.params, grads))]
            bad = next((i for i, w in enumerate(weights) if not math.isfinite(w)), None)
            if bad is not None:  # all checked before any is written: never a half-updated model
                raise self._not_finite(bad, weights[bad], grads[bad])
        except BaseException:
            self.steps -= 1
            raise
        for p, w in zip(self.params, weights):
            p.data = w  # through the setter: backward then knows the number changed
        self.state = state

    def step_arrays(self, w: Any, g: Any, checked: bool = False) -> Any:
        """The same update for every parameter at once: ``w`` and ``g`` are NumPy arrays in ``params``
        order. Returns the new weights; the state stays in arrays until the next ``step()``. ``checked=True``
        skips the check that ``g`` is finite, for a caller that checked it (``fit``'s replay does).

        >>> import numpy as np
        >>> a, b = Value(1.0), Value(2.0)
        >>> SGD([a, b], lr=0.1).step_arrays(np.array([1.0, 2.0]), np.array([0.5, -1.0])).tolist()
        [0.95, 2.1]
        """
        import numpy as np

        bad = None if checked else _not_finite_at(g)
        if bad is not None:
            raise ValueError(f"{type(self).__name__}: the gradient of {_name(self.params[bad])} is {g[bad]}")
        before = self.state
        self.steps += 1
        self.state = {name: _as_array(values) for name, values in self.state.items()}
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, by name
                new = self._rule(w, g, _Arrays(self.state))
            bad = _not_finite_at(new)
            if bad is not None:  # as step(): w and the state stay as they were
                raise self._not_finite(bad, new[bad], g[bad], w[bad])
        except BaseException:
            self.steps, self.state = self.steps - 1, before
            raise
        return new

    def _not_finite(self, i: int, new: float, g: float, old: Optional[float] = None) -> OverflowError:
        p = self.params[i]
        old = p.data if old is None else old
        return OverflowError(f"{type(self).__name__}: the update of {_name(p)} gives {new} (from {float(old)!r} with "
                             f"gradient {float(g)!r}); nothing was changed: try a smaller lr")

    def _rule(self, w: Any, g: Any, state: Any) -> Any:
        raise NotImplementedError


def _not_finite_at(a: Any) -> Optional[int]:
    """The first index of a NumPy array that holds nan or inf, or None: one pass when all is well (a sum of
    finite numbers that overflows is checked element by element, and passes)."""
    import numpy as np

    with np.errstate(over="ignore"):  # an overflowing sum of finite numbers is no news for the user
        if math.isfinite(np.add.reduce(a)):
            return None
    bad = np.flatnonzero(~np.isfinite(a))
    return int(bad[0]) if len(bad) else None


class _Entry:
    """One parameter's state, read and written by name: ``state.m`` is ``optimizer.state["m"][i]``."""

    __slots__ = ("_state", "_i")

    def __init__(self, state: Dict[str, list], i: int) -> None:
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_i", i)

    def __getattr__(self, name: str) -> Any:
        return self._state[name][self._i]

    def __setattr__(self, name: str, value: Any) -> None:
        self._state[name][self._i] = value


class _Arrays:
    """Every parameter's state at once: ``state.m`` is ``optimizer.state["m"]``, an array (None at first)."""

    __slots__ = ("_state",)

    def __init__(self, state: Dict[str, Any]) -> None:
        object.__setattr__(self, "_state", state)

    def __getattr__(self, name: str) -> Any:
        return self._state[name]

    def __setattr__(self, name: str, value: Any) -> None:
        self._state[name] = value


def _as_list(values: Any, n: int) -> list:
    """Per-parameter state as floats (None before the first step), from the list or array it is kept in."""
    return [None] * n if values is None else values.tolist() if hasattr(values, "tolist") else list(values)


def _as_array(values: Any) -> Any:
    """Per-parameter state as one array (None before the first step)."""
    import numpy as np

    if values is None or isinstance(values, np.ndarray):
        return values
    return None if values[0] is None else np.array(values, dtype=float)


def _name(p: Value) -> str:
    return f"{p.scope + '.' if p.scope else ''}{p.label or 'a parameter'}"


class SGD(Optimizer):
    """w <- w - lr * v, where v = momentum * v + (g + weight_decay * w) (v = g on the first step).

    >>> w = Value(1.0); w.grad = 0.5; SGD([w], lr=0.1).step(); w.data
    0.95
    """

    slots = ("velocity",)

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _positive(momentum, "momentum", allow_zero=True)
        self.weight_decay = _positive(weight_decay, "weight_decay", allow_zero=True)

    def _rule(self, w: Any, g: Any, state: Any) -> Any:
        if self.weight_decay:  # (adding 0 * w changes nothing but costs a pass over every parameter)
            g = g + self.weight_decay * w
        if self.momentum:
            # (1.0 * g: on the first step the velocity is a copy, never the caller's gradient array itself)
            g = state.velocity = 1.0 * g if state.velocity is None else self.momentum * state.velocity + g
        return w - self.lr * g


class Adam(Optimizer):
    """Adam: bias-corrected running means of g and g^2; ``weight_decay`` adds an L2 term to g.

    >>> w = Value(1.0); w.grad = 0.5; Adam([w], lr=0.1).step(); round(w.data, 6)
    0.9
    """

    decoupled = False
    slots = ("m", "v")

    def __init__(self, params: Iterable[Value], lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        if not (0 <= self.beta1 < 1 and 0 <= self.beta2 < 1):
            raise ValueError(f"betas must be in [0, 1), got {betas!r}")
        self.eps = _positive(eps, "eps")
        self.weight_decay = _positive(weight_decay, "weight_decay", allow_zero=True)
        self.state = {"m": [0.0] * len(self.params), "v": [0.0] * len(self.params)}

    def _rule(self, w: Any, g: Any, state: Any) -> Any:
        if self.decoupled and self.weight_decay:
            w = w - self.lr * self.weight_decay * w  # AdamW: decay the weight, not the gradient
        elif self.weight_decay:
            g = g + self.weight_decay * w
        state.m = self.beta1 * state.m + (1 - self.beta1) * g
        state.v = self.beta2 * state.v + (1 - self.beta2) * g * g
        # lr * m_hat / (sqrt(v_hat) + eps), m_hat = m / c1 and v_hat = v / c2, with the bias corrections moved
        # onto numbers: on arrays, two passes fewer (a tenth of a lifted MNIST step)
        c1, c2 = 1 - self.beta1 ** self.steps, 1 - self.beta2 ** self.steps
        return w - self.lr * state.m / (state.v ** 0.5 * (c1 / math.sqrt(c2)) + self.eps * c1)


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
