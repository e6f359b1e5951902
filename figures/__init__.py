"""memgd.figures."""
