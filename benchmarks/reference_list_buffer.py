"""The reference implementation's critical-gradient buffer, modelled with a plain list.

Written from the description of its behaviour (docs/math/critical_rule.md, oddities
10 and 11), not from its code: a Python list of items ordered by ``<`` on their
priority, on which every insertion appends, runs ``heapq.heapify`` and keeps the
last ``top_c`` items once there are that many; look-ups read list positions
(position 0 for the smallest, the first largest, item m//2 of a stable sort by
priority); decay multiplies priorities in place; a picked gradient is multiplied by
kappa in place (the stored array itself).  A sampled replacement (the reference's
``random`` and ``proportional`` modes) removes one item, appends the new one and
heapifies.
"""

from __future__ import annotations

import heapq

import numpy as np


class Item:
    """One stored gradient: priority, the stored array, the step it was computed at."""

    __slots__ = ("p", "g", "born")

    def __init__(self, p, g, born):
        self.p, self.g, self.born = float(p), np.array(g, dtype=float), born

    def __lt__(self, other):
        return self.p < other.p


class ListBuffer:
    def __init__(self, top_c):
        self.top_c = top_c
        self.items = []

    def full(self):
        return len(self.items) >= self.top_c

    def push(self, priority, g, born):
        self.items.append(Item(priority, g, born))
        heapq.heapify(self.items)
        if len(self.items) >= self.top_c:
            self.items = self.items[len(self.items) - self.top_c:]

    def offer(self, priority, g, born, critical_test):
        """Store g unless full and (with the test) its priority does not beat list position 0."""
        if self.full() and critical_test and not priority > self.items[0].p:
            return
        self.push(priority, g, born)

    def replace(self, index, priority, g, born):
        """A sampled replacement of the reference (``random``, ``proportional``) once full:
        remove the item at list position ``index``, append the new one, heapify; the list
        keeps its K items (the trim to the last K removes nothing)."""
        del self.items[index]
        self.push(priority, g, born)

    def pick(self, which):
        if which == "min":
            return self.items[0]
        if which == "max":
            best = self.items[0]
            for item in self.items[1:]:
                if best.p < item.p:
                    best = item
            return best
        return sorted(self.items, key=lambda item: item.p)[len(self.items) // 2]

    def decay(self, rate):
        for item in self.items:
            item.p *= rate


def aggregate_in_place(g, buffer, name, kappa, k):
    """The reference's aggregation; a pick is rescaled by kappa in its stored array.

    Returns the direction and the ages of the stored gradients it uses.
    """
    grads = [item.g for item in buffer.items]
    m = len(grads)
    ages = [k - item.born for item in buffer.items]
    total = grads[0].copy()
    for grad in grads[1:]:
        total = total + grad
    if name == "sum":
        return g + kappa * (total / m), ages
    if name == "mid":
        return (g + kappa * (total / m)) * 0.5, ages
    if name == "mean":
        return (g + kappa * total) / (m + 1), ages
    which, _, half = name.partition("-")
    item = buffer.pick(which)
    item.g *= kappa
    d = g + item.g
    return (d * 0.5 if half else d), [k - item.born]
