"""A slow, obviously-correct, one-problem-at-a-time critical-gradient method.

Written step by step from docs/math/critical_rule.md (the reference implementation's
behaviour), with plain Python lists, to check the vectorized engine against.
Buffer entries are [priority, gradient, born_step].
"""

from __future__ import annotations

import numpy as np

from memgd.benchmarks.reference_list_buffer import ListBuffer, aggregate_in_place


def aggregate(g, buffer, name, kappa, k):
    """The reference's aggregation of g with the stored entries (buffer non-empty).

    Returns the direction and the ages of the stored gradients it uses.
    """
    grads = [entry[1] for entry in buffer]
    all_ages = [k - entry[2] for entry in buffer]
    m = len(grads)
    if name == "sum":
        return g + kappa * (sum(grads) / m), all_ages
    if name == "mid":
        return (g + kappa * (sum(grads) / m)) * 0.5, all_ages
    if name == "mean":
        return (g + kappa * sum(grads)) / (m + 1), all_ages
    by_priority = sorted(buffer, key=lambda entry: entry[0])
    which, _, half = name.partition("-")
    entry = {"min": by_priority[0], "median": by_priority[m // 2], "max": by_priority[-1]}[which]
    d = g + kappa * entry[1]
    return (d * 0.5 if half else d), [k - entry[2]]


def insert(buffer, g, k, top_c, critical_test):
    """Insert g (computed at step k): add while not full; else the reference's test and heap trim."""
    norm = float(np.linalg.norm(g))
    if len(buffer) < top_c:
        buffer.append([norm, g.copy(), k])
        return
    smallest = min(entry[0] for entry in buffer)
    if critical_test and not norm > smallest:
        return
    # heap behaviour: append, then drop the entry of smallest priority among top_c + 1
    # (ties: the stored gradient stays, as the strict test decides)
    candidates = buffer + [[norm, g.copy(), k]]
    drop = min(range(len(candidates)), key=lambda i: (candidates[i][0], -i))
    del candidates[drop]
    buffer[:] = candidates


def run_one(grad, x0, alpha, steps, *, top_c, decay, kappa, aggregation, critical_test,
            reference_compatible=False):
    """Iterates x_0..x_K and the largest age used per step, for one problem.

    ``reference_compatible=True`` uses the reference's list buffer and in-place kappa
    (:mod:`memgd.benchmarks.reference_list_buffer`) instead of the documented rule.
    """
    x = np.array(x0, dtype=float)
    xs = [x.copy()]
    max_ages = []
    buffer = ListBuffer(top_c) if reference_compatible else []
    for k in range(steps):
        g = grad(x)
        if kappa == 0 or top_c == 0 or not len(buffer.items if reference_compatible else buffer):
            d = g
            used_ages = []
        elif reference_compatible:
            d, used_ages = aggregate_in_place(g, buffer, aggregation, kappa, k)
        else:
            d, used_ages = aggregate(g, buffer, aggregation, kappa, k)
        if kappa != 0 and top_c > 0:
            if reference_compatible:
                buffer.offer(float(np.linalg.norm(g)), g, k, critical_test)
                buffer.decay(decay)
            else:
                insert(buffer, g, k, top_c, critical_test)
                for entry in buffer:
                    entry[0] *= decay
        x = x - alpha * d
        xs.append(x.copy())
        max_ages.append(max(used_ages, default=0))
    return np.array(xs), np.array(max_ages)
