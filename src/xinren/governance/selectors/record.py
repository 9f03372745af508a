"""A merchant's public record (the shop page's 治理记录): governance acts about it, without personal data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xinren.accounts.models import Organization


@dataclass(frozen=True)
class RecordEntry:
    """One public act: when, what (in words), and the log entry that proves it (hex leaf hash, or "")."""

    at: dt.datetime
    title: str
    detail: str = ""
    leaf_hash: str = ""


def public_record_for(*, organization: Organization, limit: int = 50) -> list[RecordEntry]:
    """Newest first."""
    return []
