"""Selection rules: which past gradients the memory keeps and uses."""

from solvers.selection.base import SelectionRule
from solvers.selection.critical import REPLACEMENTS, CriticalGradients
from solvers.selection.window import Fifo, KeepOldest, RandomSubset, Scripted

__all__ = ["SelectionRule", "CriticalGradients", "REPLACEMENTS", "Fifo", "RandomSubset", "KeepOldest", "Scripted"]
