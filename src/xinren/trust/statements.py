"""What an alliance signs when it activates a regional programme (`trust.programme`): its rules and badge."""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import NONEMPTY, ORGANIZATION, SHA256, TEXT, statement_type

TRUST_PROGRAMME = statement_type(
    name="trust.programme", context="trust",
    summary="A regional programme's rules as activated by its alliance: required labels, minimum lab stars, badge.",
    signers=[OrganizationKind.ALLIANCE],
    properties={
        "alliance": ORGANIZATION, "code": NONEMPTY, "name": NONEMPTY, "region": TEXT,
        "required_labels": {"type": "array", "items": NONEMPTY},
        "min_lab_stars": {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, {"type": "null"}]},
        "label_rules": NONEMPTY, "badge_sha256": SHA256, "version": {"type": "integer", "minimum": 1},
    },
    required=["alliance", "code", "name", "required_labels", "label_rules", "badge_sha256", "version"],
)
