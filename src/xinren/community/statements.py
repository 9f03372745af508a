"""What the community signs: expert tiers (`community.tier`), merchants' trials and the experts who accept them."""

from __future__ import annotations

from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.attest.registry import COUNT, DATE, LEAF_HASH, NONEMPTY, OBJECT, ORGANIZATION, TEXT, statement_type

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
