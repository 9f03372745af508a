"""Blacklist screening (拦截). STUB (foundation commit): the blacklist work replaces this file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ScreenResult:
    intercepted: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)


def screen(*, stage: str, entities: Mapping[str, str], subject: str = "") -> ScreenResult:
    """Check entities (kind -> raw value: uscc, id_number, phone, bank_account, device) against the blacklist at a
    stage (application, listing, order, payout); log and return an interception when any is listed."""
    return ScreenResult()
