"""Rate certificates over the whole function class, and PEPit worst cases.

Holds the Gram-matrix model of one step of a fixed memory pattern (``lyapunov_model``), the
Lyapunov SDP (``sdp``), its float64 verification (``verify``), ``certify`` over a pattern set
(``certify``), the pattern sets a selection rule can produce (``patterns``), and PEPit's N-step
worst case (``pepit_worst_case``).  Classes of rules (one certificate for every weight vector of a
polytope, docs/math/certificates.md): the polytopes and their vertices (``weight_classes``), the
class of a rule (``rule_classes``), the lifted model with its pair set and Lyapunov pattern
(``class_model``), chordal cliques (``chordal``), the clique-decomposed SDP (``class_sdp``), its
float64 checks (``class_verify``) and the search (``certify_class``). May import :mod:`memgd.solvers` and :mod:`memgd.theory`;
nothing else of :mod:`memgd.proofs_check`.
"""
