"""memgd.theory: the theorem, its proof steps and constants (sympy), exact quadratic rates."""

from theory.pattern import Pattern

__all__ = ["Pattern"]
