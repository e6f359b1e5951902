"""Selection rules: which past gradients the memory keeps and uses."""

from memgd.solvers.selection.base import SelectionRule
from memgd.solvers.selection.critical import REPLACEMENTS, CriticalGradients
from memgd.solvers.selection.reference_heap import ReferenceCriticalGradients
from memgd.solvers.selection.window import Fifo, KeepOldest, RandomSubset, Scripted

__all__ = ["SelectionRule", "CriticalGradients", "ReferenceCriticalGradients", "REPLACEMENTS", "Fifo", "RandomSubset", "KeepOldest", "Scripted"]
