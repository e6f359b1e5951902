r"""The class certificate's SDP, assembled directly in conic form and clique-decomposed.

Mathematics
-----------
In normalized units (:mod:`memgd.proofs_check.certificates.sdp`: :math:`\mu \to \mu/L`,
:math:`\alpha \to \alpha L`, :math:`L \to 1`), for the vertices :math:`w_v` of a weight class
(:mod:`memgd.proofs_check.certificates.weight_classes`) and a fixed :math:`\rho`, find
:math:`P` (on the pattern of :mod:`memgd.proofs_check.certificates.class_model`),
:math:`p \ge 0`, **one** Finsler vector :math:`y`, multipliers :math:`\lambda_v \ge 0` per vertex
and :math:`\nu \ge 0` with

.. math::

    \begin{aligned}
    Q_v = S_1^\top P S_1 - \rho^2 S_0^\top P S_0 + \sum_{ij} \lambda_{v,ij} M_{ij}
          + y\,c(w_v)^\top + c(w_v)\,y^\top &\preceq -\delta I, \\
    E_1 p - \rho^2 E_0 p + a^\top \lambda_v &= 0,
    \end{aligned}

    N = S_0^\top P S_0 - e_k e_k^\top - \sum \nu_{ij} M^N_{ij} \succeq \delta I,\qquad
    E_0 p - a_N^\top \nu = 0 .

**Why the vertices suffice, and why** :math:`P, p, y` **must be shared.**  For
:math:`w = \sum_v \theta_v w_v` (:math:`\theta` convex weights) put
:math:`\lambda = \sum_v \theta_v \lambda_v \ge 0`.  Then
:math:`\sum_v \theta_v Q_v = S_1^\top P S_1 - \rho^2 S_0^\top P S_0 + \sum \lambda_{ij} M_{ij} + y\,c(w)^\top + c(w)\,y^\top`
because :math:`c` is affine in :math:`w` and :math:`y` is the same in every term; it is
:math:`\preceq -\delta I`, and the equalities average likewise.  On any step with weights
:math:`w`, :math:`c(w)^\top u^+ = 0` kills the Finsler term, which leaves the decrease
condition of :math:`w` with multipliers :math:`\lambda`.  With a vertex-dependent
:math:`y_v` the average is :math:`\sum_v \theta_v (y_v c(w_v)^\top + \dots)`, which does not
vanish on :math:`c(w)^\top u^+ = 0`: per-vertex :math:`y` proves the vertices (and switching
among them) but nothing inside the polytope.  :math:`P` and :math:`p` define :math:`V` and
are shared by definition.  Per-vertex :math:`\lambda_v` are fine (averaged above).

**Structure.**  Each LMI is imposed through the clique decomposition of its chordal
extension (:mod:`memgd.proofs_check.certificates.chordal`): variables :math:`Z_c \succeq 0`,
one per maximal clique, and one linear equation per entry of the extension,
:math:`\sum_c Z_c[i,j] = (-Q_v - \delta I)_{ij}` (exact by Agler's theorem).  ``decompose=False``
passes each LMI as one PSD cone (Clarabel then applies its own chordal decomposition to the
cone's sparsity).  The conic form is :math:`A(\rho) x + s = b`, :math:`s \in K`, with
:math:`A(\rho) = A_0 + \rho^2 A_1` built once as sparse matrices, so a new :math:`\rho` costs
one sparse sum.

``rules`` (:class:`ClassRules`): the ingredients the SDP and the lifted verifier share, so that
tests can break one (drop a vertex, a per-vertex or absent Finsler vector) and show that the
report's independent checks catch it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import scipy.sparse as sp

from memgd.proofs_check.certificates.chordal import chordal_cliques
from memgd.proofs_check.certificates.class_model import class_model
from memgd.proofs_check.certificates.weight_classes import WeightClass

SOLVERS = ("CLARABEL", "SCS")
FINSLER = ("shared", "per-vertex", "none")


@dataclass(frozen=True)
class ClassRules:
    """What the SDP and the lifted verifier share.  ``finsler="shared"`` and all vertices: the sound proof.

    ``"per-vertex"`` (one y per vertex) and ``"none"`` (y = 0), and a ``vertices`` function that
    drops a vertex, exist only so that tests can show the report's checks catch them."""

    finsler: str = "shared"
    vertices: Callable[[WeightClass], np.ndarray] = field(default=lambda c: c.weights)

    def __post_init__(self) -> None:
        if self.finsler not in FINSLER:
            raise ValueError(f"finsler must be one of {FINSLER}, got {self.finsler!r}")


CLASS_RULES = ClassRules()


@dataclass(frozen=True)
class RawClassSolution:
    """Solver output at one rho, normalized units, not yet verified (arrays None unless ``solved``)."""

    status: str
    solved: bool
    seconds: float
    P: np.ndarray | None = None          # (2T+1, 2T+1)
    p: np.ndarray | None = None          # (T+1,)
    y: np.ndarray | None = None          # (n,) shared, (V, n) per vertex, zeros for "none"
    lam: tuple[np.ndarray, ...] | None = None   # per vertex, (n_pairs,)
    nu: np.ndarray | None = None
    iterations: int = 0


def _svec_index(k: int, r: np.ndarray, c: np.ndarray, solver: str) -> np.ndarray:
    """Positions of entries (r, c), r <= c, of a k x k block in the solver's packed triangle."""
    r, c = np.asarray(r, dtype=np.int64), np.asarray(c, dtype=np.int64)
    if solver == "CLARABEL":      # upper triangle, column by column
        return c * (c + 1) // 2 + r
    return r * k - r * (r - 1) // 2 + (c - r)   # SCS: lower triangle column by column = upper row by row


class _Block:
    """Rows of one cone kind: local triplets of A0 and A1 (the rho^2 part) and the right-hand side b."""

    def __init__(self, kind: str, b: np.ndarray, psd: int = 0) -> None:
        self.kind, self.b, self.psd = kind, np.asarray(b, dtype=np.float64), psd
        self.t0: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.t1: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, rows, cols, vals, rho2: bool = False) -> None:
        rows, cols, vals = np.broadcast_arrays(*(np.asarray(x) for x in (rows, cols, vals)))
        rows, cols, vals = rows.ravel(), cols.ravel(), vals.ravel().astype(np.float64)
        keep = vals != 0.0
        (self.t1 if rho2 else self.t0).append((rows[keep], cols[keep], vals[keep]))


def _assemble(blocks: list[_Block], nvar: int):
    """Blocks in cone order (zero, nonneg, psd): A0, A1, b and the cone list."""
    order = [b for kind in ("zero", "nonneg", "psd") for b in blocks if b.kind == kind]
    mats = []
    for which in ("t0", "t1"):
        r, c, v, at = [], [], [], 0
        for blk in order:
            for rr, cc, vv in getattr(blk, which):
                r.append(rr + at)
                c.append(cc)
                v.append(vv)
            at += blk.b.size
        mats.append(sp.csc_matrix((np.concatenate(v), (np.concatenate(r), np.concatenate(c))), shape=(at, nvar))
                    if r else sp.csc_matrix((at, nvar)))
    b = np.concatenate([blk.b for blk in order])
    cones = [("zero", sum(b_.b.size for b_ in order if b_.kind == "zero")),
             ("nonneg", sum(b_.b.size for b_ in order if b_.kind == "nonneg"))]
    cones += [("psd", b_.psd) for b_ in order if b_.kind == "psd"]
    return mats[0], mats[1], b, cones


@dataclass(frozen=True)
class _Terms:
    """Coefficients of an affine symmetric matrix at entry positions: entry index, column, value, rho^2 flag."""

    entry: np.ndarray
    col: np.ndarray
    val: np.ndarray
    rho2: bool = False


class ClassSDP:
    """The feasibility problem at any rho for one (mu, L, alpha, class, structure); :meth:`solve` per rho."""

    def __init__(self, mu: float, L: float, alpha: float, wclass: WeightClass, *, pairs: str = "neighbours",
                 lag: int | None = 1, margin: float = 1e-7, solver: str = "CLARABEL", decompose: bool = True,
                 rules: ClassRules = CLASS_RULES) -> None:
        if solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
        if not (np.isfinite(margin) and margin > 0):
            raise ValueError(f"margin must be finite and > 0, got {margin!r}")
        t0 = time.perf_counter()
        self.solver, self.rules, self.decompose = solver, rules, bool(decompose)
        self.T = T = wclass.T
        self.model = m = class_model(mu / L, 1.0, alpha * L, T, pairs=pairs, lag=lag)
        self.W = W = np.asarray(rules.vertices(wclass), dtype=np.float64)
        V, n = len(W), m.n
        npair, nnorm = len(m.pairs), len(m.norm_pairs)
        iu = np.argwhere(np.triu(m.mask))
        self.P_index = iu
        ny = {"shared": n, "per-vertex": V * n, "none": 0}[rules.finsler]
        off = {"P": 0, "p": len(iu), "y": len(iu) + T + 1}
        off["lam"] = off["y"] + ny
        off["nu"] = off["lam"] + V * npair
        off["z"] = off["nu"] + nnorm
        self.off = off
        blocks: list[_Block] = []
        self._znext = off["z"]
        self.cliques: list[tuple[tuple[int, ...], ...]] = []

        def p_terms(sidx: np.ndarray, size: int, ii, jj, sign: float, rho2: bool) -> _Terms:
            lo = np.minimum(sidx[iu[:, 0]], sidx[iu[:, 1]])
            hi = np.maximum(sidx[iu[:, 0]], sidx[iu[:, 1]])
            qmap = np.full(size * size, -1, dtype=np.int64)
            qmap[lo * size + hi] = np.arange(len(iu))
            q = qmap[ii * size + jj]
            e = np.flatnonzero(q >= 0)
            return _Terms(e, off["P"] + q[e], np.full(e.size, sign), rho2)

        def pair_terms(Ms: np.ndarray, first: int, ii, jj, sign: float) -> _Terms:
            vals = sign * Ms[:, ii, jj]                                  # (pairs, entries)
            pr, e = np.nonzero(vals)
            return _Terms(e, first + pr, vals[pr, e])

        def add_lmi(size: int, pattern: np.ndarray, terms, const: np.ndarray) -> None:
            """Impose F(x) = const + sum(terms) >= 0 (terms evaluated at the upper entries of the extension)."""
            cl = chordal_cliques(pattern) if self.decompose else (tuple(range(size)),)
            self.cliques.append(cl)
            ext = np.zeros((size, size), dtype=bool)
            for c in cl:
                ext[np.ix_(c, c)] = True
            ii, jj = np.nonzero(np.triu(ext))
            tlist = terms(ii, jj)
            if self.decompose:
                # sum_c Z_c[i,j] - F_lin(x)_ij = const_ij  (zero cone), then Z_c in the PSD cone
                blk = _Block("zero", const[ii, jj])
                row_of = np.full(size * size, -1, dtype=np.int64)
                row_of[ii * size + jj] = np.arange(ii.size)
                for c in cl:
                    k = len(c)
                    a_, b_ = np.triu_indices(k)
                    ca = np.asarray(c)
                    rws = row_of[ca[a_] * size + ca[b_]]
                    blk.add(rws, self._znext + _svec_index(k, a_, b_, solver), np.where(a_ == b_, 1.0, 2 ** -0.5))
                    d = k * (k + 1) // 2
                    zb = _Block("psd", np.zeros(d), psd=k)
                    zb.add(np.arange(d), self._znext + np.arange(d), -1.0)
                    blocks.append(zb)
                    self._znext += d
                for t in tlist:
                    blk.add(t.entry, t.col, -t.val, t.rho2)
                blocks.append(blk)
            else:
                # s = b - A x = svec(F(x)): b = svec(const), A = -svec(F_lin)
                k = size
                pos = _svec_index(k, ii, jj, solver)
                scale = np.where(ii == jj, 1.0, 2 ** 0.5)
                bsv = np.zeros(k * (k + 1) // 2)
                bsv[pos] = const[ii, jj] * scale
                blk = _Block("psd", bsv, psd=k)
                for t in tlist:
                    blk.add(pos[t.entry], t.col, -t.val * scale[t.entry], t.rho2)
                blocks.append(blk)

        ident = np.eye(n)
        for v in range(V):
            cvec = m.c(W[v])

            def terms(ii, jj, v=v, cvec=cvec):
                # F = -Q_v:  Q = S1'PS1 - rho^2 S0'PS0 + sum lam M + y c' + c y'
                out = [p_terms(m.s1, n, ii, jj, -1.0, False), p_terms(m.s0, n, ii, jj, +1.0, True),
                       pair_terms(m.M, off["lam"] + v * npair, ii, jj, -1.0)]
                if rules.finsler != "none":
                    y0 = off["y"] + (v * n if rules.finsler == "per-vertex" else 0)
                    e = np.arange(ii.size)
                    out.append(_Terms(e, y0 + ii, -cvec[jj]))        # (y c')_ij = y_i c_j
                    out.append(_Terms(e, y0 + jj, -cvec[ii]))        # (c y')_ij = c_i y_j
                return out

            pattern = m.decrease_pattern(W[v]) if rules.finsler != "none" else m.decrease_pattern(np.zeros(T + 1))
            add_lmi(n, pattern, terms, -margin * ident)
            # function values: E1 p - rho^2 E0 p + a' lam_v = 0
            fb = _Block("zero", np.zeros(T + 2))
            r = np.arange(T + 2)[:, None]
            fb.add(r, off["p"] + np.arange(T + 1)[None, :], m.E1)
            fb.add(r, off["p"] + np.arange(T + 1)[None, :], -m.E0, rho2=True)
            fb.add(r, off["lam"] + v * npair + np.arange(npair)[None, :], m.a.T)
            blocks.append(fb)

        # normalization: F = S0'PS0 - ek ek' - sum nu M^N - delta I  on the sub-basis
        pos = {int(bb): i for i, bb in enumerate(m.norm_keep)}
        s0n = np.array([pos[int(bb)] for bb in m.s0])
        nn = len(m.norm_keep)

        def nterms(ii, jj):
            return [p_terms(s0n, nn, ii, jj, 1.0, False), pair_terms(m.norm_M, off["nu"], ii, jj, -1.0)]

        add_lmi(nn, m.normalization_pattern(), nterms, -np.outer(m.ek, m.ek) - margin * np.eye(nn))
        nb = _Block("zero", np.zeros(T + 1))
        r = np.arange(T + 1)[:, None]
        nb.add(r, off["p"] + np.arange(T + 1)[None, :], m.E0[: T + 1])
        nb.add(r, off["nu"] + np.arange(nnorm)[None, :], -m.norm_a[:, : T + 1].T)
        blocks.append(nb)
        # p, lambda, nu >= 0
        nonneg = np.concatenate([off["p"] + np.arange(T + 1), off["lam"] + np.arange(V * npair),
                                 off["nu"] + np.arange(nnorm)])
        gb = _Block("nonneg", np.zeros(nonneg.size))
        gb.add(np.arange(nonneg.size), nonneg, -1.0)
        blocks.append(gb)
        self.nvar = self._znext
        self.A0, self.A1, self.b, self.cones = _assemble(blocks, self.nvar)
        self.build_seconds = time.perf_counter() - t0

    @property
    def n_psd_entries(self) -> int:
        """Total packed size of the PSD cones (the dominant cost)."""
        return int(sum(k * (k + 1) // 2 for kind, k in self.cones if kind == "psd"))

    @property
    def largest_cone(self) -> int:
        return int(max(k for kind, k in self.cones if kind == "psd"))

    def solve(self, rho: float, *, max_iter: int = 200, eps: float = 1e-9, threads: int = 0) -> RawClassSolution:
        """Solve at ``rho``; never raises for solver trouble (the status says)."""
        A = (self.A0 + (float(rho) ** 2) * self.A1).tocsc()
        t0 = time.perf_counter()
        if self.solver == "CLARABEL":
            import clarabel

            kinds = {"zero": clarabel.ZeroConeT, "nonneg": clarabel.NonnegativeConeT, "psd": clarabel.PSDTriangleConeT}
            cones = [kinds[k](d) for k, d in self.cones if d > 0]
            st = clarabel.DefaultSettings()
            st.verbose = False
            st.max_iter = max_iter
            st.max_threads = threads
            try:
                sol = clarabel.DefaultSolver(sp.csc_matrix((self.nvar, self.nvar)), np.zeros(self.nvar), A, self.b,
                                             cones, st).solve()
            except Exception as exc:  # noqa: BLE001 - any solver failure is an outcome, not an error
                return RawClassSolution(f"error: {exc}", False, time.perf_counter() - t0)
            status, iters = str(sol.status), int(sol.iterations)
            ok = sol.status == clarabel.SolverStatus.Solved
            x = np.asarray(sol.x, dtype=np.float64)
        else:
            import scs

            cone = {"z": self.cones[0][1], "l": self.cones[1][1], "s": [d for k, d in self.cones[2:]]}
            try:
                sol = scs.SCS({"A": A, "b": self.b, "c": np.zeros(self.nvar)}, cone, verbose=False,
                              eps_abs=eps, eps_rel=eps, max_iters=100_000).solve()
            except Exception as exc:  # noqa: BLE001
                return RawClassSolution(f"error: {exc}", False, time.perf_counter() - t0)
            status, iters = str(sol["info"]["status"]), int(sol["info"]["iter"])
            ok = status == "solved"
            x = np.asarray(sol["x"], dtype=np.float64)
        dt = time.perf_counter() - t0
        if not ok or not np.all(np.isfinite(x)):
            return RawClassSolution(status, False, dt, iterations=iters)
        P, p, y, lam, nu = self.unpack(x)
        return RawClassSolution(status, True, dt, P, p, y, lam, nu, iters)

    def unpack(self, x: np.ndarray):
        """(P, p, y, lam per vertex, nu) from the solver's x (normalized units)."""
        m, off, T = self.model, self.off, self.T
        ns, n, V, npair = 2 * T + 1, m.n, len(self.W), len(m.pairs)
        P = np.zeros((ns, ns))
        vals = x[off["P"]: off["P"] + len(self.P_index)]
        P[self.P_index[:, 0], self.P_index[:, 1]] = vals
        P[self.P_index[:, 1], self.P_index[:, 0]] = vals
        p = x[off["p"]: off["p"] + T + 1].copy()
        if self.rules.finsler == "shared":
            y = x[off["y"]: off["y"] + n].copy()
        elif self.rules.finsler == "per-vertex":
            y = x[off["y"]: off["y"] + V * n].reshape(V, n).copy()
        else:
            y = np.zeros(n)
        lam = tuple(x[off["lam"] + v * npair: off["lam"] + (v + 1) * npair].copy() for v in range(V))
        nu = x[off["nu"]: off["nu"] + len(m.norm_pairs)].copy()
        return P, p, y, lam, nu
