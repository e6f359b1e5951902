"""Rate certificates over the whole function class, and PEPit worst cases.

Holds the Gram-matrix model of one step of a fixed memory pattern (``lyapunov_model``), the
Lyapunov SDP (``sdp``), its float64 verification (``verify``), ``certify`` over a pattern set
(``certify``), the pattern sets a selection rule can produce (``patterns``), and PEPit's N-step
worst case (``pepit_worst_case``). May import :mod:`memgd.solvers` and :mod:`memgd.theory`;
nothing else of :mod:`memgd.proofs_check`.
"""
