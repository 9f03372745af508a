"""Blacklist entries as an operator adds them (through the service), for the blacklist and interception tests."""

from __future__ import annotations

import datetime as dt

from xinren.accounts.actors import Actor
from xinren.accounts.models import BlacklistEntry
from xinren.core import clock
from xinren.governance.blacklist import blacklist_add


def banned(operator: Actor, kind: str, value: str, *, days: int = 30, reason: str = "团伙刷单") -> BlacklistEntry:
    """`value` of `kind` on the blacklist for `days` days from today."""
    return blacklist_add(
        actor=operator, kind=kind, value=value, reason=reason, ends_at=clock.now().date() + dt.timedelta(days=days)
    )
