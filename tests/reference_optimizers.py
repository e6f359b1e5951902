"""A slow, one-problem-at-a-time version of the "_C" optimizers, written from the
reference implementation's step functions (chandar-lab/CriticalGradientOptimization,
optimizers/optim.py) with plain Python lists and loops, to check the vectorized
chains of ``memgd.solvers.optimizers`` against.

``reference_compatible=True`` follows the reference line by line (kappa only a
switch in Adam_C / RMSprop_C, weight decay after aggregation there, SGD_C ranking
by the raw norm and keeping its momentum inside ``kappa != 0``, and its buffer a
list trimmed after ``heapify`` with kappa rescaling picks in place: the list model
of :mod:`reference_list_buffer`).  ``False`` follows
the documented behaviour chosen in ``memgd.solvers.optimizers`` (items 1-5 of its module
doc).  Both treat top_c = 0 as no memory.  Buffer entries are [priority, gradient].
Only the "smallest" replacement is modelled.
"""

from __future__ import annotations

import math

import numpy as np

from reference_list_buffer import ListBuffer, aggregate_in_place

SGD_KINDS = ("sgd_c", "sgdm_c")
ADAPTIVE_KINDS = ("adam_c", "rmsprop_c", "adagrad_c")


def aggregate(g, buffer, name, kappa):
    """The reference's ``aggregate``: g joined with the stored gradients (buffer non-empty)."""
    grads = [entry[1] for entry in buffer]
    m = len(grads)
    if name == "sum":
        return g + kappa * (sum(grads) / m)
    if name == "mid":
        return (g + kappa * (sum(grads) / m)) * 0.5
    if name == "mean":
        return (g + kappa * sum(grads)) / (m + 1)
    by_priority = sorted(buffer, key=lambda entry: entry[0])
    which, _, half = name.partition("-")
    picked = {"min": by_priority[0], "median": by_priority[m // 2], "max": by_priority[-1]}[which][1]
    d = g + kappa * picked
    return d * 0.5 if half else d


def insert(buffer, priority, g, top_c, critical_test):
    """``crit_buf[priority] = g`` behind the reference's full / critical test."""
    if len(buffer) < top_c:
        buffer.append([priority, g.copy()])
        return
    smallest = min(entry[0] for entry in buffer)
    if critical_test and not priority > smallest:
        return
    candidates = buffer + [[priority, g.copy()]]
    # heap trim: drop the smallest priority; on a tie the stored gradient stays
    drop = min(range(len(candidates)), key=lambda i: (candidates[i][0], -i))
    del candidates[drop]
    buffer[:] = candidates


def decay_all(buffer, decay):
    for entry in buffer:
        entry[0] *= decay


def run_one(grad, x0, lr, steps, *, kind, kappa=1.0, top_c=10, decay=0.7, aggregation="sum",
            critical_test=True, weight_decay=0.0, reference_compatible=False, momentum=0.0,
            dampening=0.0, nesterov=False, betas=(0.9, 0.999), eps=None, amsgrad=False, rho=0.99,
            centered=False, lr_decay=0.0):
    """Iterates x_0..x_K of one problem; ``grad(x, k)`` is the (possibly minibatch) gradient at step k."""
    ref = reference_compatible
    x = np.array(x0, dtype=float)
    xs = [x.copy()]
    buffer = ListBuffer(top_c) if ref else []
    first = True
    if kind in SGD_KINDS:
        memory_on = kappa != 0 and top_c > 0
    elif ref:
        memory_on = kappa > 0 and top_c > 0
    else:
        memory_on = kappa != 0 and top_c > 0
    kappa_used = 1.0 if (ref and kind in ADAPTIVE_KINDS) else kappa
    if eps is None:
        eps = 1e-10 if kind == "adagrad_c" else 1e-8
    # base-optimizer state, one entry per coordinate
    d_dim = x.size
    mom_buf = None
    exp_avg = [0.0] * d_dim
    exp_avg_sq = [0.0] * d_dim
    max_sq = [0.0] * d_dim
    square_avg = [0.0] * d_dim
    grad_avg = [0.0] * d_dim
    rms_buf = [0.0] * d_dim
    state_sum = [0.0] * d_dim
    t = 0

    for k in range(steps):
        g_raw = grad(x, k)
        raw_norm = float(np.linalg.norm(g_raw))
        wd_inside = weight_decay != 0 and (kind in SGD_KINDS or not ref)
        g = g_raw + weight_decay * x if wd_inside else g_raw
        priority = raw_norm if ref else float(np.linalg.norm(g))

        if memory_on and ref:
            if first:
                buffer.push(priority, g, k)
            else:
                aggr, _ = aggregate_in_place(g, buffer, aggregation, kappa_used, k)
                ct = True if kind == "rmsprop_c" else critical_test  # RMSprop_C ignores the flag
                buffer.offer(priority, g, k, ct)
                g = aggr
            buffer.decay(decay)
        elif memory_on:
            if first:
                insert(buffer, priority, g, top_c, critical_test)
            else:
                aggr = aggregate(g, buffer, aggregation, kappa_used)
                insert(buffer, priority, g, top_c, critical_test)
                g = aggr
            decay_all(buffer, decay)
        first = False
        if weight_decay != 0 and not wd_inside:
            g = g + weight_decay * x  # reference Adam_C / RMSprop_C: after aggregation

        t += 1
        step = [0.0] * d_dim
        if kind in SGD_KINDS:
            momentum_on = momentum != 0 and (kappa != 0 or not ref)
            if momentum_on:
                if mom_buf is None:
                    mom_buf = g.copy()
                else:
                    mom_buf = momentum * mom_buf + (1 - dampening) * g
                used = g + momentum * mom_buf if nesterov else mom_buf
            else:
                used = g
            step = [-lr * float(used[i]) for i in range(d_dim)]
        elif kind == "adam_c":
            b1, b2 = betas
            bc1 = 1 - b1 ** t
            bc2 = 1 - b2 ** t
            for i in range(d_dim):
                gi = float(g[i])
                exp_avg[i] = exp_avg[i] * b1 + (1 - b1) * gi
                exp_avg_sq[i] = exp_avg_sq[i] * b2 + (1 - b2) * (gi * gi)  # addcmul_: value * (g * g)
                max_sq[i] = max(max_sq[i], exp_avg_sq[i])
                sq = max_sq[i] if amsgrad else exp_avg_sq[i]
                denom = math.sqrt(sq) / math.sqrt(bc2) + eps
                step[i] = -(lr / bc1) * (exp_avg[i] / denom)
        elif kind == "rmsprop_c":
            for i in range(d_dim):
                gi = float(g[i])
                square_avg[i] = square_avg[i] * rho + (1 - rho) * (gi * gi)
                if centered:
                    grad_avg[i] = grad_avg[i] * rho + (1 - rho) * gi
                    avg = math.sqrt(square_avg[i] - grad_avg[i] * grad_avg[i]) + eps
                else:
                    avg = math.sqrt(square_avg[i]) + eps
                if momentum > 0:
                    rms_buf[i] = rms_buf[i] * momentum + gi / avg
                    step[i] = -lr * rms_buf[i]
                else:
                    step[i] = -lr * (gi / avg)
        elif kind == "adagrad_c":
            clr = lr / (1 + (t - 1) * lr_decay)
            for i in range(d_dim):
                gi = float(g[i])
                state_sum[i] += gi * gi
                step[i] = -clr * (gi / (math.sqrt(state_sum[i]) + eps))
        else:
            raise ValueError(kind)
        x = x + np.array(step)
        xs.append(x.copy())
    return np.array(xs)
