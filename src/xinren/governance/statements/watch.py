"""The public record of listing suspensions placed by the qualification watch (docs/governance.md, ADR 0043)."""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import GTIN, NONEMPTY, ORGANIZATION, TEXT, statement_type

LISTING_SUSPENSION = statement_type(
    name="governance.listing.suspension", context="governance",
    summary="A product taken off sale by the platform (e.g. its merchant's licence expired), or put back on sale "
            "when the cause was cured: the product, the reason code and which way.",
    signers=[OrganizationKind.PLATFORM],
    properties={
        "merchant": ORGANIZATION, "gtin": GTIN, "reason_code": NONEMPTY,
        "action": {"enum": ["suspended", "lifted"]}, "source": TEXT,
    },
    required=["merchant", "gtin", "reason_code", "action", "time"],
)
