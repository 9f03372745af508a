"""Signing statements into the platform log: with an organization's custodial key, or envelopes a third party signed.

Every statement appended here is of a registered type (`registry.py`): its payload is checked against the type's
schema and its signer's organization kind against those the type allows, before anything is signed — a signed
statement is forever.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Organization
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.ledger.dsse import sign_envelope
from xinren.ledger.store import services as log_services
from xinren.ledger.store.services import LogEntryRef

from .keys import custodial_for_signing, owner_of, seed_decrypt
from .proofs import envelope_statement
from .registry import statement_type_get


@transaction.atomic
def statement_sign_and_append(*, organization: Organization, statement: Mapping[str, Any]) -> LogEntryRef:
    """Sign a statement with the organization's custodial key and pool it for the log.

    The statement needs `type` and `subject` (and may carry `corrects`, the leaf hash of the entry it
    corrects); `time` is added when absent. Its canonical JSON bytes are built once, signed as a DSSE
    envelope and stored as they are. Call inside the transaction that records the fact, so both commit
    or neither does.
    """
    document = dict(statement)
    document.setdefault("time", clock.now().isoformat())
    statement_type_get(document.get("type")).check(document, signer_kind=organization.kind)
    payload = log_services.statement_bytes(document)
    fields = log_services.statement_fields(payload)
    key = custodial_for_signing(organization)
    private = Ed25519PrivateKey.from_private_bytes(seed_decrypt(bytes(key.encrypted_private_key or b""),
                                                                key_id=key.key_id))
    envelope = sign_envelope(payload, key=private, keyid=key.key_id).to_json()
    pending = log_services.entry_append(
        envelope_bytes=envelope, signer_key_id=key.key_id, statement_type=fields.statement_type, subject=fields.subject
    )
    return LogEntryRef.of(pending)


@transaction.atomic(savepoint=False)  # a refusal ends the caller's transaction: no savepoint needed
def statements_sign_and_append(*, organization: Organization, statements: Sequence[Mapping[str, Any]]
                               ) -> list[LogEntryRef]:
    """`statement_sign_and_append` for many statements of one organization, pooled in one write (ADR 0010): every
    statement is checked before any is signed; all are pooled or none."""
    documents = []
    for statement in statements:
        document = dict(statement)
        document.setdefault("time", clock.now().isoformat())
        statement_type_get(document.get("type")).check(document, signer_kind=organization.kind)
        documents.append(document)
    if not documents:
        return []
    key = custodial_for_signing(organization)
    private = Ed25519PrivateKey.from_private_bytes(seed_decrypt(bytes(key.encrypted_private_key or b""),
                                                                key_id=key.key_id))
    envelopes = [sign_envelope(log_services.statement_bytes(document), key=private, keyid=key.key_id).to_json()
                 for document in documents]
    return log_services.entries_append(envelopes=envelopes, signer_key_id=key.key_id)


def envelope_submit(*, actor: Actor, envelope_bytes: bytes) -> LogEntryRef:
    """Pool an envelope the actor's organization signed with its own registered key."""
    return envelopes_submit(actor=actor, envelopes=[envelope_bytes])[0]


def envelopes_submit(*, actor: Actor, envelopes: Sequence[bytes]) -> list[LogEntryRef]:
    """Pool a batch of self-signed envelopes: all accepted, or none with the first refusal's reason.

    Each statement must be of a registered type that the actor's organization may sign, with a payload that fits
    the type's schema; the log then checks the envelope, the key and the signature.
    """
    actor.require(role=Role.STAFF)
    for position, envelope in enumerate(envelopes):
        statement = envelope_statement(envelope)
        if statement is None:
            continue  # not a readable envelope: the log refuses it with the precise reason
        try:
            statement_type_get(statement.get("type")).check(statement, signer_kind=actor.organization.kind)
        except DomainError as exc:
            exc.details |= {} if len(envelopes) == 1 else {"position": position}
            raise
    return log_services.envelopes_submit(envelopes=envelopes, owner=owner_of(actor.organization))

