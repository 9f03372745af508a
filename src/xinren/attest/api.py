"""API routes of the attest context: an organization's signing keys (register your own, rotate, revoke)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.core.errors import InvalidInput
from xinren.core.schemas import ERRORS

from . import keys, selectors
from .models import SigningKey

router = Router(tags=["keys"])


class SigningKeyOut(Schema):
    key_id: str
    public_key: str = Field(description="Ed25519 public key, base64")
    custodial: bool
    status: str
    label: str
    created_at: datetime

    @staticmethod
    def resolve_public_key(obj: SigningKey) -> str:
        return base64.b64encode(bytes(obj.public_key)).decode()


class SigningKeyIn(Schema):
    public_key: str = Field(description="Your Ed25519 public key (32 bytes), base64; the private key stays with you")
    label: str = ""


class SigningKeyRotateIn(Schema):
    public_key: str | None = Field(None, description="The new public key; omit to rotate a custodial key")


class SigningKeyRevokeIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


def _public_key(text: str) -> bytes:
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        value = b""
    if len(value) != 32:
        raise InvalidInput("signing_key.public_key_invalid", _("公钥必须是 32 字节的 Ed25519 公钥（base64）"))
    return value


@router.get("/keys", response={200: list[SigningKeyOut], **ERRORS}, summary="The organization's signing keys")
def signing_key_list(request: HttpRequest) -> list[SigningKey]:
    return list(selectors.signing_key_list(actor=actor_of(request)))


@router.post(
    "/keys", response={201: SigningKeyOut, **ERRORS}, summary="Register your own Ed25519 public key (admins)"
)
def signing_key_register(request: HttpRequest, payload: SigningKeyIn) -> Status[SigningKey]:
    key = keys.signing_key_register(
        actor=actor_of(request), public_key=_public_key(payload.public_key), label=payload.label
    )
    return Status(201, key)


@router.post(
    "/keys/{key_id}/rotate", response={201: SigningKeyOut, **ERRORS}, summary="Replace a key by a new one (admins)"
)
def signing_key_rotate(request: HttpRequest, key_id: str, payload: SigningKeyRotateIn) -> Status[SigningKey]:
    public_key = _public_key(payload.public_key) if payload.public_key is not None else None
    return Status(201, keys.signing_key_rotate(actor=actor_of(request), key_id=key_id, public_key=public_key))


@router.post("/keys/{key_id}/revoke", response={200: SigningKeyOut, **ERRORS}, summary="Revoke a key (admins)")
def signing_key_revoke(request: HttpRequest, key_id: str, payload: SigningKeyRevokeIn) -> SigningKey:
    return keys.signing_key_revoke(actor=actor_of(request), key_id=key_id, reason=payload.reason)
