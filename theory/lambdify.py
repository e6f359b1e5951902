r"""Expression -> vectorized NumPy function, with parameters passed by name.

:func:`numpy_function` wraps ``sympy.lambdify(args, expr, modules="numpy")`` (no
generated source is ever ``eval``-ed by memgd itself) in a :class:`NumpyFunction`
whose call takes every argument *by keyword*, broadcasts them against each other and
returns an array of the broadcast shape (float64 for numeric expressions, bool for
relations).  The compiled function is built lazily, on first call, and cached keyed
by ``(expr, argument names)``: sympy expressions hash structurally, so a changed
derivation is a different key and can never be served a stale function.  That cache
is the only module-level mutable state in :mod:`theory`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp


@lru_cache(maxsize=512)
def _compiled(expr: sp.Basic, args: tuple[sp.Symbol, ...]) -> Callable[..., object]:
    """Lambdified ``expr`` with positional arguments in the order ``args`` (cached)."""
    return sp.lambdify(args, expr, modules="numpy")


def cache_info():
    """Statistics of the compiled-function cache (hits, misses, size)."""
    return _compiled.cache_info()


@dataclass(frozen=True)
class NumpyFunction:
    """``expr`` as a NumPy function of the keyword arguments named in ``args``.

    The argument order is fixed (``args``) and documented by :attr:`names`; callers
    pass every argument by name.  Missing or unknown names raise ``TypeError``.
    Evaluation ignores floating-point warnings: callers mask invalid regions
    themselves (see :mod:`memgd.theory.constants`).
    """

    expr: sp.Basic
    args: tuple[sp.Symbol, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args)

    def __call__(self, **kwargs: object) -> np.ndarray:
        names = self.names
        missing = [n for n in names if n not in kwargs]
        extra = [n for n in kwargs if n not in names]
        if missing or extra:
            raise TypeError(f"expected keyword arguments {names}; missing {missing}, unexpected {extra}")
        values = np.broadcast_arrays(*(np.asarray(kwargs[n], dtype=np.float64) for n in names))
        shape = values[0].shape if values else ()
        with np.errstate(all="ignore"):
            out = _compiled(self.expr, self.args)(*values)
        out = np.asarray(out)
        if out.dtype != np.bool_:
            out = out.astype(np.float64)
        return np.broadcast_to(out, shape).copy()


def numpy_function(expr: sp.Basic, args: tuple[sp.Symbol, ...]) -> NumpyFunction:
    """Vectorized NumPy function of ``expr``; arguments ``args`` passed by name.

    Example: ``numpy_function(mu * L, (mu, L))(mu=1.0, L=[2.0, 3.0])`` gives
    ``array([2., 3.])``.
    """
    args = tuple(args)
    free = expr.free_symbols if isinstance(expr, sp.Basic) else set()
    if not free <= set(args):
        raise ValueError(f"expression has symbols {sorted(map(str, free - set(args)))} not among args")
    return NumpyFunction(sp.sympify(expr), args)
