"""Governance models, one module per part (docs/governance.md)."""

from .watch import QualificationWarning

__all__ = ["QualificationWarning"]
