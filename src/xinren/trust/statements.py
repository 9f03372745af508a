"""What an alliance signs when it activates a regional programme (`trust.programme`): its rules and badge."""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import OrganizationKind
from xinren.attest.records import signed_record, statement_says
from xinren.attest.registry import NONEMPTY, ORGANIZATION, SHA256, TEXT, statement_type
from xinren.core.regions import region_code_from_text

from .choices import ProgrammeStatus
from .models import Programme

TRUST_PROGRAMME = statement_type(
    name="trust.programme", context="trust",
    summary="A regional programme's rules as activated by its alliance: required labels, minimum lab stars, badge.",
    signers=[OrganizationKind.ALLIANCE],
    properties={
        "alliance": ORGANIZATION, "code": NONEMPTY, "name": NONEMPTY, "region": TEXT,
        # GB/T 2260 codes (ADR 0039): the programme's region and the regions its alliance had declared.
        "region_code": {"type": "string", "pattern": r"^[0-9]{6}$"},
        "alliance_regions": {"type": "array", "items": {"type": "string", "pattern": r"^[0-9]{6}$"}},
        "required_labels": {"type": "array", "items": NONEMPTY},
        "min_lab_stars": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "null"}]},
        "label_rules": NONEMPTY, "badge_sha256": SHA256, "version": {"type": "integer", "minimum": 1},
    },
    required=["alliance", "code", "name", "required_labels", "label_rules", "badge_sha256", "version"],
)


def programme_matches(programme: Programme, statement: dict[str, Any] | None) -> bool:
    """An active programme's rules are the ones its alliance signed; a programme sent back to draft may be edited
    until it is activated again (a new version), so only what cannot change is compared then."""
    fixed = {"type": TRUST_PROGRAMME.name, "alliance": f"org:{programme.alliance_id}", "code": programme.code,
             "version": programme.version}
    if programme.status != ProgrammeStatus.ACTIVE:
        return statement_says(statement, fixed)
    # Signed before region codes: the code is the table's reading of the signed region name.
    signed_code = (statement or {}).get("region_code") or region_code_from_text(str((statement or {}).get("region")))
    if signed_code != programme.region_code:
        return False
    return statement_says(statement, {
        **fixed, "name": programme.name, "region": programme.region, "required_labels": programme.required_labels,
        "min_lab_stars": programme.min_lab_stars, "badge_sha256": programme.badge_sha256,
    })


PROGRAMME_RECORD = signed_record(
    model=Programme, statement_type=TRUST_PROGRAMME, matches=programme_matches, signer="alliance",
    protected=("alliance", "code"), superseded=True, optional=True,
)
