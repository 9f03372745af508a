"""Merchant governance: onboarding, qualifications, probation, risk (the context is being built; see docs)."""
