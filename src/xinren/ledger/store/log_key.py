"""The log's own keys: the checkpoint signer (a C2SP note key named after the origin) and the registrar.

The registrar is the platform's DSSE key that signs key statements (register, rotate, revoke). It is
derived from the log key's seed, so configuring one secret configures both; its public key is the first
entry of every Xinren log (a self-signed `key.register`). Development derives the log key from
SECRET_KEY and the origin, so `make run` and the tests work without configuration.
"""

from __future__ import annotations

import functools
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from xinren.ledger.dsse import key_id_for
from xinren.ledger.errors import KeyFormatError
from xinren.ledger.note import Signer, Verifier

REGISTRAR_OWNER = "platform"


@functools.lru_cache(maxsize=8)
def _signer(origin: str, skey: str, secret_key: str) -> Signer:
    if skey:
        try:
            signer = Signer.from_skey(skey)
        except KeyFormatError as exc:
            raise ImproperlyConfigured(f"XINREN_LOG_SIGNING_KEY is not a signer key: {exc.message}") from None
        if signer.name != origin:
            raise ImproperlyConfigured(
                f"XINREN_LOG_SIGNING_KEY is named {signer.name!r} but XINREN_LOG_ORIGIN is {origin!r}"
            )
        return signer
    seed = hashlib.sha256(b"xinren development log key\x00" + secret_key.encode() + b"\x00" + origin.encode()).digest()
    return Signer(name=origin, seed=seed)


def log_signer() -> Signer:
    """The key that signs checkpoints."""
    return _signer(settings.XINREN_LOG_ORIGIN, settings.XINREN_LOG_SIGNING_KEY, settings.SECRET_KEY)


def log_verifier() -> Verifier:
    """The public half, published at /log/key and given to `xinren ledger verify --key`."""
    return log_signer().verifier()


def log_origin() -> str:
    return str(settings.XINREN_LOG_ORIGIN)


@functools.lru_cache(maxsize=8)
def _registrar(seed: bytes) -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"xinren registrar key\x00" + seed).digest())
    return key, key_id_for(key.public_key())


def registrar_key() -> tuple[Ed25519PrivateKey, str]:
    """The registrar's private key and DSSE key id."""
    return _registrar(log_signer().seed)
