"""Verification: third-party checks of certificates and business credit (verifier interface, CSV registries)."""
