"""Probation (新手期). STUB (foundation commit): the probation work replaces this file."""

from __future__ import annotations

import datetime as dt

from xinren.accounts.models import Organization


def probation_start(*, organization: Organization, at: dt.datetime | None = None) -> None:
    """Put a newly approved merchant on probation with the published limits."""
