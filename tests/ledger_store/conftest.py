"""Fixtures for the platform log: a third party's own key, and statements to sign."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.attest import keys
from xinren.ledger.dsse import key_id_for, sign_envelope
from xinren.ledger.store.services import statement_bytes

from ..factories import actor_for
from ..statement_types import TEST_NOTE


@pytest.fixture
def lab_admin(lab) -> Actor:  # type: ignore[no-untyped-def]
    return actor_for(lab, Role.ADMIN)


@pytest.fixture
def lab_actor(lab) -> Actor:  # type: ignore[no-untyped-def]
    return actor_for(lab, Role.STAFF)


@pytest.fixture
def lab_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def lab_key(lab_admin, lab_private_key):  # type: ignore[no-untyped-def]
    return keys.signing_key_register(actor=lab_admin, public_key=lab_private_key.public_key().public_bytes_raw())


def note_statement(n: int = 0, **extra: Any) -> dict[str, Any]:
    """A statement about the log's mechanics, not any payload (test.note)."""
    return {
        "type": TEST_NOTE.name,
        "subject": "https://xinren.example/01/06901234567892/10/L2026",
        "time": "2026-11-22T10:00:00+08:00",
        "facts": {"report": f"YN-{n:05d}", "pesticide_residue": "未检出"},
        **extra,
    }


def signed(private: Ed25519PrivateKey, statement: dict[str, Any]) -> bytes:
    key_id = key_id_for(private.public_key())
    return sign_envelope(statement_bytes(statement), key=private, keyid=key_id).to_json()
