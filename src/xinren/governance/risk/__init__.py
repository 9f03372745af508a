"""The merchant risk score (docs/governance.md, "Risk score"; ADR 0045)."""
