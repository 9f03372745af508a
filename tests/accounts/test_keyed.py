"""Keyed hashes match equal identifiers written differently, and depend on the key."""

from __future__ import annotations

import pytest
from django.test import override_settings

from xinren.accounts.keyed import keyed_hash


def test_equal_identifiers_written_differently_match() -> None:
    assert keyed_hash("phone", "+86 138-0000-0001") == keyed_hash("phone", "13800000001")
    assert keyed_hash("id_number", "53010219900101123x") == keyed_hash("id_number", "53010219900101123X")
    assert keyed_hash("phone", "13800000001") != keyed_hash("device", "13800000001")


def test_the_hash_depends_on_the_key() -> None:
    with override_settings(XINREN_IDENTITY_HASH_KEY="a"):
        first = keyed_hash("bank_account", "6222 0000 1111 2222")
    with override_settings(XINREN_IDENTITY_HASH_KEY="b"):
        assert keyed_hash("bank_account", "6222000011112222") != first


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        keyed_hash("email", "a@b.c")
