"""Governance reads, one module per part, each returning querysets scoped to who is asking."""
