"""Attest: the one place that signs statements into the platform log and reads their proofs back (docs/ledger.md)."""
