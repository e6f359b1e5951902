"""Verified lower bounds on the worst-case rate of a memory pattern or a pattern set, each with its witness.

Holds the quadratic lower bounds (``quadratic``: the exact rate of one fixed pattern and the
joint-spectral-radius bound of switching among a set, both witnessed by an eigenvalue ``h`` of
the quadratic and a switching word, and re-verified in float64), and the full-class bound of
performance estimation (``pep``: PEPit's N-step worst case of a periodic switching word, kept
only when its primal and dual values agree).  Lower bounds on a certificate of a whole weight
class (``class_bounds``: worst vertex, pure delay with its Levin-May limit, interior points,
switching, PEPit).  A certified rate below any of them is a false certificate.  May import :mod:`memgd.solvers`, :mod:`memgd.theory` and
:mod:`memgd.proofs_check.certificates`; nothing of the report.
"""
