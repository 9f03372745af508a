"""Governance: third-party verification of certificates and business credit (verifier registry)."""
