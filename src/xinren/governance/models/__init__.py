"""Merchant governance models, one module per part; each part lists its names here (docs/governance.md)."""

from .applications import (
    ApplicationCheck,
    ApplicationDecision,
    ApplicationQualification,
    ApplicationScan,
    MerchantApplication,
)
from .risk import RiskAction, RiskAppeal, RiskEvaluation, RiskRule, RiskRuleSet
from .watch import QualificationWarning

__all__ = [
    "ApplicationCheck",
    "ApplicationDecision",
    "ApplicationQualification",
    "ApplicationScan",
    "MerchantApplication",
    "QualificationWarning",
    "RiskAction",
    "RiskAppeal",
    "RiskEvaluation",
    "RiskRule",
    "RiskRuleSet",
]
