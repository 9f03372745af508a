"""Governance reads, one module per part."""
