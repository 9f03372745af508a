"""Merchant governance models, one module per part; each part lists its names here."""

from .applications import (
    ApplicationCheck,
    ApplicationDecision,
    ApplicationQualification,
    ApplicationScan,
    MerchantApplication,
)

__all__ = [
    "ApplicationCheck",
    "ApplicationDecision",
    "ApplicationQualification",
    "ApplicationScan",
    "MerchantApplication",
]
