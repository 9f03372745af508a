"""Merchant governance models, one module per part; each part lists its names here."""

from .applications import (
    ApplicationCheck,
    ApplicationDecision,
    ApplicationQualification,
    ApplicationScan,
    MerchantApplication,
)
from .risk import RiskAction, RiskAppeal, RiskEvaluation, RiskRule, RiskRuleSet

__all__ = [
    "ApplicationCheck",
    "ApplicationDecision",
    "ApplicationQualification",
    "ApplicationScan",
    "MerchantApplication",
    "RiskAction",
    "RiskAppeal",
    "RiskEvaluation",
    "RiskRule",
    "RiskRuleSet",
]
