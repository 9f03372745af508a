"""Statement types of the log's own key directory: every key admitted, rotated or revoked is a statement.

The log's registrar key signs these (ledger.store.services); they are listed here so that the registry, and the
list in docs/ledger.md, holds every type an auditor meets in the log.
"""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind

from .registry import OBJECT, TEXT, statement_type

_KEY = {
    "type": "object",
    "properties": {
        "id": TEXT,
        "algorithm": {"const": "ed25519"},
        "public_key": TEXT,
        "custodial": {"type": "boolean"},
    },
    "required": ["id"],
}
REGISTRAR = [OrganizationKind.PLATFORM]

KEY_REGISTER = statement_type(
    name="key.register", context="attest", signers=REGISTRAR,
    summary="A public key admitted for an organization (custodial or its own); the first one is the registrar's.",
    properties={"key": _KEY}, required=["key"],
)
KEY_ROTATE = statement_type(
    name="key.rotate", context="attest", signers=REGISTRAR,
    summary="A new key replaces an organization's key; entries signed by the old one stay verifiable.",
    properties={"key": _KEY, "replaces": TEXT}, required=["key", "replaces"],
)
KEY_REVOKE = statement_type(
    name="key.revoke", context="attest", signers=REGISTRAR,
    summary="A key revoked (e.g. leaked): nothing new signed with it is accepted.",
    properties={"key": OBJECT, "reason": TEXT}, required=["key", "reason"],
)
