"""What the community signs: expert tiers (`community.tier`), merchants' trials and the experts who accept them."""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.attest.records import signed_record, statement_says
from xinren.attest.registry import COUNT, DATE, LEAF_HASH, NONEMPTY, OBJECT, ORGANIZATION, TEXT, statement_type

from .models import TierChange, TrialEvent, TrialParticipation

COMMUNITY_TIER = statement_type(
    name="community.tier", context="community",
    summary="A pseudonymous reviewer moved between tiers, with the metrics and the criteria version that decided it.",
    signers=[OrganizationKind.PLATFORM],
    properties={"from": NONEMPTY, "to": NONEMPTY, "metrics": OBJECT, "criteria_version": NONEMPTY},
    required=["from", "to", "metrics", "criteria_version"],
)
COMMUNITY_TRIAL = statement_type(
    name="community.trial", context="community",
    summary="A merchant's trial or visit offered to experts: kind, title, slots and dates.",
    signers=CATALOG_KINDS,
    properties={
        "merchant": ORGANIZATION, "kind": NONEMPTY, "title": TEXT, "slots": COUNT, "starts_on": DATE,
        "ends_on": DATE,
    },
    required=["merchant", "kind", "slots", "starts_on", "ends_on"],
)
COMMUNITY_TRIAL_ACCEPTED = statement_type(
    name="community.trial.accepted", context="community",
    summary="An expert (by pseudonym) accepted a trial: disclosed on every review that comes of it.",
    signers=[OrganizationKind.PLATFORM],
    properties={"trial": LEAF_HASH, "reviewer": NONEMPTY, "kind": NONEMPTY},
    required=["trial", "reviewer", "kind"],
)


def tier_change_matches(change: TierChange, statement: dict[str, Any] | None) -> bool:
    return statement_says(statement, {
        "type": COMMUNITY_TIER.name, "from": change.from_tier, "to": change.to_tier, "metrics": change.metrics,
        "criteria_version": change.criteria_version,
    })


def trial_matches(event: TrialEvent, statement: dict[str, Any] | None) -> bool:
    return statement_says(statement, {
        "type": COMMUNITY_TRIAL.name, "merchant": f"org:{event.merchant_id}", "kind": event.kind,
        "title": event.title, "slots": event.slots, "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
    })


def trial_accepted_matches(participation: TrialParticipation, statement: dict[str, Any] | None) -> bool:
    tier = getattr(participation.consumer, "community_tier", None)
    return tier is not None and statement_says(statement, {
        "type": COMMUNITY_TRIAL_ACCEPTED.name, "trial": participation.event.ledger_leaf_hash,
        "reviewer": tier.public_id, "kind": participation.event.kind,
    })


TIER_CHANGE_RECORD = signed_record(
    model=TierChange, statement_type=COMMUNITY_TIER, matches=tier_change_matches, signer=None,
    protected=("consumer", "from_tier", "to_tier", "metrics", "criteria_version"),
)
TRIAL_RECORD = signed_record(
    model=TrialEvent, statement_type=COMMUNITY_TRIAL, matches=trial_matches, signer="merchant",
    protected=("merchant", "product", "kind", "title", "slots", "starts_on", "ends_on"),
)
# An invitation is signed only once accepted (the expert's participation is disclosed on their reviews).
TRIAL_ACCEPTED_RECORD = signed_record(
    model=TrialParticipation, statement_type=COMMUNITY_TRIAL_ACCEPTED, matches=trial_accepted_matches, signer=None,
    protected=("event", "consumer"), optional=True, select_related=("event", "consumer__community_tier"),
)
