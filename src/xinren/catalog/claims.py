"""Which credentials a merchant holds, for the Advertising Law check of its copy (xinren.adlaw, ADR 0049).

A 有机 or 绿色食品 claim is a false certification claim unless the merchant holds that verified credential. Catalog
sits below verification, so verification registers the lookup when the app starts (`VerificationConfig.ready`);
without it (a script that loads catalog alone) the kinds are unknown and such a claim only warns.
"""

from __future__ import annotations

from collections.abc import Callable

CredentialKinds = Callable[[int], frozenset[str]]

_lookup: list[CredentialKinds] = []


def credential_kinds_register(lookup: CredentialKinds) -> None:
    """Install the lookup of an organization's verified, in-force credential kinds (one; a new one replaces it)."""
    _lookup[:] = [lookup]


def credential_kinds(merchant_id: int) -> frozenset[str] | None:
    """The merchant's verified credential kinds in force today, or None when no lookup is installed."""
    return _lookup[0](merchant_id) if _lookup else None
