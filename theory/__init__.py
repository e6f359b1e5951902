"""memgd.theory."""
