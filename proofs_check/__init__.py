"""memgd.proofs_check."""
