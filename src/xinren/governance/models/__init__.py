"""Merchant governance models, one module per part."""

from .risk import RiskAction, RiskAppeal, RiskEvaluation, RiskRule, RiskRuleSet

__all__ = ["RiskAction", "RiskAppeal", "RiskEvaluation", "RiskRule", "RiskRuleSet"]
