"""Merchant governance models, one module per part; each part lists its names here (docs/governance.md)."""

from .applications import (
    ApplicationCheck,
    ApplicationDecision,
    ApplicationQualification,
    ApplicationScan,
    MerchantApplication,
)
from .probation import Probation, ProbationEvent, ProbationPolicy
from .rings import BrushingRing, RingStatus
from .risk import RiskAction, RiskAppeal, RiskEvaluation, RiskRule, RiskRuleSet
from .watch import QualificationWarning

__all__ = [
    "ApplicationCheck",
    "ApplicationDecision",
    "ApplicationQualification",
    "ApplicationScan",
    "BrushingRing",
    "MerchantApplication",
    "Probation",
    "ProbationEvent",
    "ProbationPolicy",
    "QualificationWarning",
    "RingStatus",
    "RiskAction",
    "RiskAppeal",
    "RiskEvaluation",
    "RiskRule",
    "RiskRuleSet",
]
