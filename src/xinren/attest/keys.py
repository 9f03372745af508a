"""Signing keys of organizations: custodial keys kept encrypted at rest, and third parties' own keys.

Two kinds of key:
- custodial: the platform generates it and keeps the 32-byte seed encrypted at rest with AES-256-GCM
  under `settings.XINREN_KEY_ENCRYPTION_KEY` (derived from SECRET_KEY in development); it signs the
  statements an organization records through the platform (`signing.statement_sign_and_append`);
- own: a third party (a lab, a logistics firm) registers its Ed25519 public key and submits envelopes
  it signed itself (`signing.envelope_submit`).

Creating, registering, rotating and revoking a key each append a key statement to the log (through
the log's key directory, `ledger.store.services`), so the history of who could sign what is itself
verifiable.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Organization, User
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, InvalidInput, NotFound
from xinren.core.transitions import transition_check
from xinren.ledger.dsse import key_id_for
from xinren.ledger.store import services as log_services

from .choices import SIGNING_KEY_TRANSITIONS, SigningKeyStatus
from .models import SigningKey

_BLOB_VERSION = b"\x01"
_NONCE_SIZE = 12


def owner_of(organization: Organization) -> str:
    """How the log names an organization (it cannot refer to accounts rows)."""
    return f"org:{organization.pk}"


# Encryption at rest of custodial seeds.


@functools.lru_cache(maxsize=4)
def _kek_from(configured: str, secret_key: str) -> bytes:
    if not configured:
        return hashlib.sha256(b"xinren key encryption key\x00" + secret_key.encode()).digest()
    text = configured.strip()
    altchars = b"-_" if "-" in text or "_" in text else None
    try:
        if len(text) == 64:
            value = bytes.fromhex(text)
        else:
            value = base64.b64decode(text + "=" * (-len(text) % 4), altchars=altchars, validate=True)
    except (ValueError, binascii.Error):
        value = b""
    if len(value) != 32:
        raise ImproperlyConfigured("XINREN_KEY_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64")
    return value


def _kek() -> bytes:
    return _kek_from(settings.XINREN_KEY_ENCRYPTION_KEY, settings.SECRET_KEY)


def _aad(key_id: str) -> bytes:
    # Binding the ciphertext to its key id stops a database editor from swapping two organizations' seeds.
    return b"xinren custodial signing key\x00" + key_id.encode("ascii")


def seed_encrypt(seed: bytes, *, key_id: str) -> bytes:
    """version ‖ KEK id (4 bytes) ‖ nonce ‖ AES-256-GCM(seed)."""
    kek = _kek()
    nonce = os.urandom(_NONCE_SIZE)
    kek_id = hashlib.sha256(kek).digest()[:4]
    return _BLOB_VERSION + kek_id + nonce + AESGCM(kek).encrypt(nonce, seed, _aad(key_id))


def seed_decrypt(blob: bytes, *, key_id: str) -> bytes:
    kek = _kek()
    blob = bytes(blob)
    if blob[:1] != _BLOB_VERSION or blob[1:5] != hashlib.sha256(kek).digest()[:4]:
        raise DomainError(
            "signing_key.encryption_key_mismatch", _("托管密钥无法解密：密钥加密密钥与加密时不同"), status=500
        )
    nonce, ciphertext = blob[5 : 5 + _NONCE_SIZE], blob[5 + _NONCE_SIZE :]
    try:
        return AESGCM(kek).decrypt(nonce, ciphertext, _aad(key_id))
    except InvalidTag:
        raise DomainError("signing_key.corrupt", _("托管密钥已损坏，无法解密"), status=500) from None


# Key lifecycle.


def _custodial_new(*, organization: Organization, created_by: User | None, replaces: SigningKey | None) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    key_id = key_id_for(public)
    log_services.key_register(
        public_key=public,
        owner=owner_of(organization),
        custodial=True,
        replaces=replaces.key_id if replaces is not None else "",
    )
    if replaces is not None:
        _retire(replaces)
    return SigningKey.objects.create(
        organization=organization,
        key_id=key_id,
        public_key=public,
        custodial=True,
        encrypted_private_key=seed_encrypt(private.private_bytes_raw(), key_id=key_id),
        replaces=replaces,
        created_by=created_by,
    )


def _retire(key: SigningKey) -> None:
    transition_check(SIGNING_KEY_TRANSITIONS, key.status, SigningKeyStatus.RETIRED, code="signing_key.not_active",
                     message=_("只能轮换有效的密钥"), details={"status": key.status})
    key.status = SigningKeyStatus.RETIRED
    key.status_changed_at = clock.now()
    key.save(update_fields=["status", "status_changed_at", "updated_at"])


@transaction.atomic
def custodial_key_create(*, actor: Actor) -> SigningKey:
    """Give the actor's organization a platform-kept key (refused when it already has an active one)."""
    actor.require(role=Role.ADMIN)
    if _active_custodial(actor.organization) is not None:
        raise Conflict("signing_key.custodial_exists", _("该组织已有有效的托管签名密钥，请使用轮换"))
    key = _custodial_new(organization=actor.organization, created_by=actor.user, replaces=None)
    audit_record(actor=actor.user, organization=actor.organization, action="signing_key.create", target=key,
                 data={"key_id": key.key_id, "custodial": True})
    return key


@transaction.atomic
def signing_key_register(*, actor: Actor, public_key: bytes, label: str = "") -> SigningKey:
    """Register a third party's own Ed25519 public key (the private half never reaches the platform)."""
    actor.require(role=Role.ADMIN)
    record = log_services.key_register(public_key=public_key, owner=owner_of(actor.organization), custodial=False)
    key = SigningKey.objects.create(
        organization=actor.organization,
        key_id=record.key_id,
        public_key=public_key,
        custodial=False,
        label=label[:64],
        created_by=actor.user,
    )
    audit_record(actor=actor.user, organization=actor.organization, action="signing_key.register", target=key,
                 data={"key_id": key.key_id})
    return key


def _own_key(actor: Actor, key_id: str) -> SigningKey:
    key = SigningKey.objects.select_for_update().filter(organization=actor.organization, key_id=key_id).first()
    if key is None:
        raise NotFound("signing_key.not_found", _("找不到该签名密钥"), details={"key_id": key_id})
    return key


@transaction.atomic
def signing_key_rotate(*, actor: Actor, key_id: str, public_key: bytes | None = None) -> SigningKey:
    """Replace a key by a new one: a new custodial key, or the third party's new public key.

    The old key is retired, not deleted: entries it signed stay verifiable, new envelopes need the new key.
    """
    actor.require(role=Role.ADMIN)
    old = _own_key(actor, key_id)
    transition_check(SIGNING_KEY_TRANSITIONS, old.status, SigningKeyStatus.RETIRED, code="signing_key.not_active",
                     message=_("只能轮换有效的密钥"), details={"status": old.status})
    if old.custodial:
        if public_key is not None:
            raise InvalidInput("signing_key.public_key_unexpected", _("托管密钥由平台生成，不接受外部公钥"))
        key = _custodial_new(organization=actor.organization, created_by=actor.user, replaces=old)
    else:
        if public_key is None:
            raise InvalidInput("signing_key.public_key_required", _("请提供新的公钥"))
        log_services.key_register(public_key=public_key, owner=owner_of(actor.organization), custodial=False,
                                  replaces=old.key_id)
        _retire(old)
        key = SigningKey.objects.create(
            organization=actor.organization, key_id=key_id_for(public_key), public_key=public_key, custodial=False,
            label=old.label, replaces=old, created_by=actor.user,
        )
    audit_record(actor=actor.user, organization=actor.organization, action="signing_key.rotate", target=key,
                 data={"key_id": key.key_id, "replaces": old.key_id})
    return key


@transaction.atomic
def signing_key_revoke(*, actor: Actor, key_id: str, reason: str) -> SigningKey:
    """Revoke a key (e.g. it leaked): the log refuses anything new signed with it."""
    actor.require(role=Role.ADMIN)
    key = _own_key(actor, key_id)
    transition_check(SIGNING_KEY_TRANSITIONS, key.status, SigningKeyStatus.REVOKED, code="signing_key.not_active",
                     message=_("该密钥已被吊销"), details={"status": key.status})
    log_services.key_revoke(key_id=key.key_id, owner=owner_of(actor.organization), reason=reason)
    key.status = SigningKeyStatus.REVOKED
    key.status_changed_at = clock.now()
    key.revocation_reason = reason[:500]
    key.save(update_fields=["status", "status_changed_at", "revocation_reason", "updated_at"])
    audit_record(actor=actor.user, organization=actor.organization, action="signing_key.revoke", target=key,
                 data={"key_id": key.key_id, "reason": reason[:500]})
    return key


def _active_custodial(organization: Organization) -> SigningKey | None:
    return SigningKey.objects.filter(organization=organization, custodial=True,
                                     status=SigningKey.Status.ACTIVE).first()


def custodial_for_signing(organization: Organization) -> SigningKey:
    """The organization's active custodial key, created on its first statement."""
    key = _active_custodial(organization)
    if key is not None:
        return key
    # Organizations without a key get one on their first statement; the lock orders concurrent first
    # statements of one organization (the unique constraint would refuse the second otherwise).
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    key = _active_custodial(organization)
    if key is None:
        key = _custodial_new(organization=organization, created_by=None, replaces=None)
        audit_record(actor=None, organization=organization, action="signing_key.create", target=key,
                     data={"key_id": key.key_id, "custodial": True})
    return key
