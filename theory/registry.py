r"""Each theorem's rate as a function of the declared constants, for registries of theorems.

:data:`THEOREM_RATES` maps a theorem's name to a function of the keyword arguments
``mu, L, alpha, s_lo, s_hi, B, W, T`` (plus ``nonnegative`` for the theorems that need it, and
``sigma2, zeta2, A`` for Theorem S) returning its rate (``inf`` where it says nothing), vectorized like
:func:`memgd.theory.rate`.  The rates are those of the statements: Theorem 1/1b bound
:math:`r_k \le \rho^k r_0`; Theorem 2 likewise; Theorem S parts A and B bound
:math:`E r_k^2 \le \rho^{2k} r_0^2 + F` (the function returns :math:`\rho`, and
:data:`THEOREM_FLOORS` the floor :math:`F`).  A falsification search checks each against the exact or
certified rate of the worst rule its constants admit.
"""

from __future__ import annotations

from collections.abc import Callable

from memgd.theory.constants import rate
from memgd.theory.constants2 import rate2
from memgd.theory.constants_s import stochastic_bound


def _rate_1(*, mu, L, alpha, s_lo, s_hi, B, W, T, **_):
    return rate(mu=mu, L=L, alpha=alpha, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T, theorem="1")


def _rate_1b(*, mu, L, alpha, s_lo, s_hi, B, W, T, **_):
    return rate(mu=mu, L=L, alpha=alpha, s_lo=s_lo, s_hi=s_hi, B=B, W=W, T=T, theorem="1b")


def _rate_2(*, mu, L, alpha, s_lo, B, W, T, nonnegative=True, **_):
    return rate2(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T, nonnegative=nonnegative)


def _part(part: str, what: str) -> Callable:
    def f(*, mu, L, alpha, s_lo, B, W, T, sigma2=0.0, zeta2=0.0, A=None, nonnegative=True, **_):
        b = stochastic_bound(mu=mu, L=L, alpha=alpha, s_lo=s_lo, B=B, W=W, T=T, sigma2=sigma2, zeta2=zeta2, A=A,
                             part=part, nonnegative=nonnegative)
        return b.rate if what == "rate" else b.floor
    f.__name__ = f"theorem_s_{part.lower()}_{what}"
    return f


THEOREM_RATES: dict[str, Callable] = {
    "1": _rate_1, "1b": _rate_1b, "2": _rate_2, "S-A": _part("A", "rate"), "S-B": _part("B", "rate"),
}
THEOREM_FLOORS: dict[str, Callable] = {"S-A": _part("A", "floor"), "S-B": _part("B", "floor")}
