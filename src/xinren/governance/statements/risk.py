"""What the platform signs about the risk score: an action that followed an evaluation, and an appeal's decision.

No personal data: the merchant by `org:<id>`, the band, the score, the rule-set version and the ids of the rules
that contributed most — enough for anyone to see which published rules acted (docs/governance.md, "Risk score").
"""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import COUNT, NONEMPTY, ORGANIZATION, TEXT, statement_type

PLATFORM = [OrganizationKind.PLATFORM]
BANDS = {"enum": ["ok", "watch", "restrict", "suspend"]}

RISK_ACTION = statement_type(
    name="governance.risk.action",
    context="governance",
    summary="An action the risk score led to for a merchant (watch, restrict new listings, hold payouts, suspend, "
    "lift): the band, the score, the rule-set version and the rules that contributed most.",
    signers=PLATFORM,
    properties={
        "merchant": ORGANIZATION,
        "band": BANDS,
        "score": {"type": "number", "minimum": 0, "maximum": 100},
        "rule_set_version": COUNT,
        "top_rules": {"type": "array", "items": NONEMPTY},
        "action": {"enum": ["watch", "restrict", "hold_payouts", "suspend", "lift"]},
        "reason": TEXT,
    },
    required=["merchant", "band", "score", "rule_set_version", "top_rules", "action"],
).name

RISK_APPEAL = statement_type(
    name="governance.risk.appeal",
    context="governance",
    summary="The platform's decision on a merchant's appeal against a risk action: upheld or lifted, with the reason.",
    signers=PLATFORM,
    properties={
        "merchant": ORGANIZATION,
        "action": {"enum": ["watch", "restrict", "hold_payouts", "suspend", "lift"]},
        "action_statement": {"type": "string", "pattern": r"^[0-9a-f]{64}$"},
        "outcome": {"enum": ["upheld", "lifted"]},
        "reason": NONEMPTY,
    },
    required=["merchant", "action", "action_statement", "outcome", "reason"],
).name
