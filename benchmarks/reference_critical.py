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


def victim_slot(buffer, replacement, u):
    """The slot a sampled replacement overwrites, from one uniform u in [0, 1).

    ``"random"``: slot floor(u C), each with probability 1/C.  ``"proportional"``: slot c
    with probability proportional to w_c = 1 - ||g_c|| / sum_j ||g_j|| (norms of the stored
    gradients, not their decayed priorities; every w_c = 1 when the norms sum to 0 or the
    weights do), by inverse CDF: the first c whose cumulative weight exceeds u sum(w).
    """
    C = len(buffer)
    if replacement == "random":
        return min(int(u * C), C - 1)
    norms = [float(np.linalg.norm(entry[1])) for entry in buffer]
    total = sum(norms)
    weights = [1.0 - v / total for v in norms] if total > 0 else [1.0] * C
    if not sum(weights) > 0:
        weights = [1.0] * C
    target = u * sum(weights)
    cumulative = 0.0
    for c, w in enumerate(weights):
        cumulative += w
        if cumulative > target:
            return c
    return C - 1


def insert_sampled(buffer, g, k, top_c, critical_test, replacement, u):
    """Insert g with a sampled replacement: fill slots in order; once full, g overwrites the
    victim slot, with ``critical_test`` only if ||g|| exceeds the smallest priority."""
    norm = float(np.linalg.norm(g))
    if len(buffer) < top_c:
        buffer.append([norm, g.copy(), k])
        return
    if critical_test and not norm > min(entry[0] for entry in buffer):
        return
    buffer[victim_slot(buffer, replacement, u)] = [norm, g.copy(), k]


def run_one(grad, x0, alpha, steps, *, top_c, decay, kappa, aggregation, critical_test,
            reference_compatible=False, replacement="smallest", uniforms=None):
    """Iterates x_0..x_K and the largest age used per step, for one problem.

    ``reference_compatible=True`` uses the reference's list buffer and in-place kappa
    (:mod:`memgd.benchmarks.reference_list_buffer`) instead of the documented rule.  A ``replacement``
    other than ``"smallest"`` (documented rule only) takes ``uniforms[k]``, the one
    uniform the run draws for this problem at step k.
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
            elif replacement != "smallest":
                insert_sampled(buffer, g, k, top_c, critical_test, replacement, uniforms[k])
                for entry in buffer:
                    entry[0] *= decay
            else:
                insert(buffer, g, k, top_c, critical_test)
                for entry in buffer:
                    entry[0] *= decay
        x = x - alpha * d
        xs.append(x.copy())
        max_ages.append(max(used_ages, default=0))
    return np.array(xs), np.array(max_ages)
