"""Governance writes: applications and reviews, probation, qualification watch, risk, blacklist (docs/governance.md)."""
