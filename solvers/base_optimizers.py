r"""Base optimizers: what turns the direction d_k into a step.

A base optimizer is a pair of pure functions over batched arrays,
``init(x0) -> state`` and ``step(d, state, alpha, k) -> (delta, state)``, and the
runner sets :math:`x_{k+1} = x_k + \delta_k`.  ``alpha`` is the (n,) step size
(torch's ``lr``); ``d`` is the (n, d) direction, which for the memory-augmented
("_C") optimizers is the aggregated direction :math:`d_k` in place of the gradient
(docs/math/critical_rule.md, step 5).  The state is a NamedTuple of arrays, never mutated:
each step returns a new one.  Every rule follows torch.optim's form (the form the
paper's reference implementation copies); products below are elementwise.

- :class:`GradientDescent`: :math:`\delta_k = -\alpha d_k` (the method the theorem covers).
- :class:`Momentum`: heavy ball with dampening, or Nesterov (torch ``SGD(momentum=...)``).
- :class:`Adam`: bias-corrected moments, optional AMSGrad.
- :class:`RMSprop`: optional centering and momentum buffer.
- :class:`Adagrad`: accumulated squares, optional step decay.

Parameters are checked at construction; a bad one raises ``ValueError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np

from memgd.solvers.validation import in_unit_interval, nonnegative


class BaseOptimizer(Protocol):
    def init(self, x0: np.ndarray) -> Any: ...

    def step(self, d: np.ndarray, state: Any, alpha: np.ndarray, k: int) -> tuple[np.ndarray, Any]: ...


def _nonneg(name: str, value) -> float:
    return float(nonnegative(name, value))


@dataclass(frozen=True)
class GradientDescent:
    r""":math:`x_{k+1} = x_k - \alpha d_k`; stateless."""

    def init(self, x0: np.ndarray) -> None:
        return None

    def step(self, d, state, alpha, k):
        return -(alpha[:, None] * d), state


class MomentumState(NamedTuple):
    buf: np.ndarray   # (n, d) momentum buffer b_k
    count: int        # steps taken so far (0 before the first)


@dataclass(frozen=True)
class Momentum:
    r"""Heavy-ball momentum in torch's form (``torch.optim.SGD`` with ``momentum > 0``).

    .. math::

        b_0 = d_0, \qquad b_k = m\, b_{k-1} + (1 - \text{dampening})\, d_k \;(k \ge 1),\\
        \delta_k = -\alpha\, b_k \quad\text{or, with Nesterov,}\quad
        \delta_k = -\alpha\,(d_k + m\, b_k).

    The first buffer is d_0 itself, undampened (torch clones the first gradient).
    Nesterov needs ``momentum > 0`` and ``dampening == 0`` (as torch requires).
    """

    momentum: float = 0.9
    dampening: float = 0.0
    nesterov: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "momentum", in_unit_interval("momentum", self.momentum))
        object.__setattr__(self, "dampening", in_unit_interval("dampening", self.dampening, closed_right=True))
        if self.nesterov and (self.momentum <= 0.0 or self.dampening != 0.0):
            raise ValueError("nesterov=True needs momentum > 0 and dampening == 0, "
                             f"got momentum={self.momentum!r}, dampening={self.dampening!r}")

    def init(self, x0: np.ndarray) -> MomentumState:
        return MomentumState(np.zeros_like(x0, dtype=float), 0)

    def step(self, d, state, alpha, k):
        if state.count == 0:
            buf = d.copy()
        else:
            buf = state.buf * self.momentum + (1.0 - self.dampening) * d
        used = d + self.momentum * buf if self.nesterov else buf
        return -(alpha[:, None] * used), MomentumState(buf, state.count + 1)


class AdamState(NamedTuple):
    m: np.ndarray      # (n, d) first moment (exp_avg)
    v: np.ndarray      # (n, d) second moment (exp_avg_sq)
    v_max: np.ndarray  # (n, d) running max of v (AMSGrad; zeros otherwise)
    count: int         # steps taken so far


@dataclass(frozen=True)
class Adam:
    r"""Adam in torch's form, bias-corrected, eps added after the square root.

    With :math:`t = k + 1`, :math:`c_1 = 1 - \beta_1^t`, :math:`c_2 = 1 - \beta_2^t`:

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) d_k, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) d_k^2,\\
        \hat v_t = v_t \text{ (or } \max_{s \le t} v_s \text{ with AMSGrad)}, \qquad
        \delta_k = -\frac{\alpha}{c_1}\, \frac{m_t}{\sqrt{\hat v_t}/\sqrt{c_2} + \epsilon}.

    So the first step is :math:`-\alpha\, d_0 / (|d_0| + \epsilon)` coordinatewise.
    """

    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    amsgrad: bool = False

    def __post_init__(self) -> None:
        b1, b2 = self.betas
        object.__setattr__(self, "betas", (in_unit_interval("betas[0]", b1), in_unit_interval("betas[1]", b2)))
        object.__setattr__(self, "eps", _nonneg("eps", self.eps))

    def init(self, x0: np.ndarray) -> AdamState:
        z = np.zeros_like(x0, dtype=float)
        return AdamState(z, z.copy(), z.copy(), 0)

    def step(self, d, state, alpha, k):
        b1, b2 = self.betas
        t = state.count + 1
        c1 = 1.0 - b1 ** t
        c2 = 1.0 - b2 ** t
        m = state.m * b1 + (1.0 - b1) * d
        v = state.v * b2 + (1.0 - b2) * (d * d)
        v_max = np.maximum(state.v_max, v) if self.amsgrad else state.v_max
        denom = np.sqrt(v_max if self.amsgrad else v) / np.sqrt(c2) + self.eps
        delta = -(alpha / c1)[:, None] * (m / denom)
        return delta, AdamState(m, v, v_max, t)


class RMSpropState(NamedTuple):
    v: np.ndarray      # (n, d) square average
    g_avg: np.ndarray  # (n, d) average of d (centered only; zeros otherwise)
    buf: np.ndarray    # (n, d) momentum buffer (zeros without momentum)


@dataclass(frozen=True)
class RMSprop:
    r"""RMSprop in torch's form (``rho`` is torch's ``alpha``, the smoothing constant).

    .. math::

        v_k = \rho\, v_{k-1} + (1 - \rho)\, d_k^2, \qquad
        \bar g_k = \rho\, \bar g_{k-1} + (1 - \rho)\, d_k \text{ (centered only)},\\
        s_k = \sqrt{v_k - \bar g_k^2} + \epsilon \text{ (centered) or } \sqrt{v_k} + \epsilon,\\
        \delta_k = -\alpha\, d_k / s_k, \quad\text{or with momentum}\quad
        b_k = m\, b_{k-1} + d_k / s_k,\; \delta_k = -\alpha\, b_k \;(b_{-1} = 0).

    No bias correction: the first step is :math:`-\alpha\, d_0/(\sqrt{1-\rho}\,|d_0| + \epsilon)`.
    """

    rho: float = 0.99
    eps: float = 1e-8
    momentum: float = 0.0
    centered: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "rho", in_unit_interval("rho", self.rho))
        object.__setattr__(self, "eps", _nonneg("eps", self.eps))
        object.__setattr__(self, "momentum", in_unit_interval("momentum", self.momentum))

    def init(self, x0: np.ndarray) -> RMSpropState:
        z = np.zeros_like(x0, dtype=float)
        return RMSpropState(z, z.copy(), z.copy())

    def step(self, d, state, alpha, k):
        r = self.rho
        v = state.v * r + (1.0 - r) * (d * d)
        if self.centered:
            g_avg = state.g_avg * r + (1.0 - r) * d
            scale = np.sqrt(v - g_avg * g_avg) + self.eps
        else:
            g_avg = state.g_avg
            scale = np.sqrt(v) + self.eps
        if self.momentum > 0.0:
            buf = state.buf * self.momentum + d / scale
            delta = -(alpha[:, None] * buf)
        else:
            buf = state.buf
            delta = -(alpha[:, None] * (d / scale))
        return delta, RMSpropState(v, g_avg, buf)


class AdagradState(NamedTuple):
    total: np.ndarray  # (n, d) accumulated squares (torch's state_sum)
    count: int         # steps taken so far


@dataclass(frozen=True)
class Adagrad:
    r"""Adagrad in torch's form.

    With :math:`t = k + 1`:

    .. math::

        \begin{aligned}
        S_t &= S_{t-1} + d_k^2 \qquad (S_0 = \text{initial\_accumulator\_value}), \\
        \delta_k &= -\frac{\alpha}{1 + (t - 1)\,\text{lr\_decay}}\,\frac{d_k}{\sqrt{S_t} + \epsilon}.
        \end{aligned}
    """

    lr_decay: float = 0.0
    eps: float = 1e-10
    initial_accumulator_value: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr_decay", _nonneg("lr_decay", self.lr_decay))
        object.__setattr__(self, "eps", _nonneg("eps", self.eps))
        object.__setattr__(self, "initial_accumulator_value",
                           _nonneg("initial_accumulator_value", self.initial_accumulator_value))

    def init(self, x0: np.ndarray) -> AdagradState:
        return AdagradState(np.full(np.shape(x0), self.initial_accumulator_value), 0)

    def step(self, d, state, alpha, k):
        t = state.count + 1
        step = alpha / (1.0 + (t - 1) * self.lr_decay)
        total = state.total + d * d
        delta = -step[:, None] * (d / (np.sqrt(total) + self.eps))
        return delta, AdagradState(total, t)
