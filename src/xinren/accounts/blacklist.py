"""Blacklist screening (拦截): is any identifier of an action on the blacklist? (docs/governance.md, ADR 0046)

The contexts that sell call `screen` (or `screen_require`, which refuses) at four stages — an application, a
listing going on sale, an order, a payout — with the raw identifiers they hold; each is hashed with
`accounts.keyed.keyed_hash` and all are matched in one indexed query against the live entries.

A hit is logged as an `Interception`. The refusal rolls back the caller's transaction, and the log must survive
it, so the log is written twice over: inside the caller's transaction (kept when the caller goes on and commits,
as an application that records a failed check does), and — when the refusal propagates — again by
`interceptions_kept`, the decorator wrapped around the service *outside* its `transaction.atomic`, after the
rollback, in a transaction of its own. A second database connection would not do: SQLite allows one writer, and
the caller's transaction (BEGIN IMMEDIATE) holds that lock until it ends.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.core import clock
from xinren.core.errors import PermissionDenied

from .choices import BlacklistKind, InterceptionStage
from .keyed import keyed_hash
from .models import BlacklistEntry, Interception, Organization

INTERCEPTED = "governance.intercepted"

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class ScreenResult:
    """What a screening found: whether to refuse, which kinds matched (for operators, never for the user)."""

    intercepted: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)  # the kinds that matched
    entry_ids: tuple[int, ...] = field(default_factory=tuple)
    log: tuple[tuple[str, int, str, str], ...] = field(default_factory=tuple)  # (stage, entry id, kind, subject)
    logged_durably: bool = False  # the log was written outside any transaction (already committed)


class Intercepted(PermissionDenied):
    """A refusal because of the blacklist. The message is neutral: it says nothing of the list or the reason."""

    def __init__(self, result: ScreenResult) -> None:
        super().__init__(INTERCEPTED, _("该操作暂时无法完成，请联系平台客服"))
        self.result = result


def interception_enabled() -> bool:
    return bool(getattr(settings, "XINREN_INTERCEPTION", True))


def _hashes(entities: Mapping[str, str | Iterable[str]]) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for kind, values in entities.items():
        kind = BlacklistKind(kind)
        for value in [values] if isinstance(values, str) else values:
            if value and value.strip():
                pairs.add((kind, keyed_hash(kind, value)))
    return pairs


def live_entries(pairs: set[tuple[str, str]]) -> list[tuple[int, str, str]]:
    """(id, kind, value_hash) of the live entries among `pairs`: one query on the (kind, value_hash) index."""
    if not pairs:
        return []
    rows = BlacklistEntry.objects.filter(
        kind__in={kind for kind, _hash in pairs},
        value_hash__in={value_hash for _kind, value_hash in pairs},
        lifted_at__isnull=True,
        ends_at__gt=clock.now(),
    ).values_list("id", "kind", "value_hash")
    return [row for row in rows if (row[1], row[2]) in pairs]


def _log_write(log: Iterable[tuple[str, int, str, str]]) -> None:
    at = clock.now()
    Interception.objects.bulk_create(
        [
            Interception(stage=stage, entry_id=entry_id, kind=kind, subject=subject[:64], at=at)
            for stage, entry_id, kind, subject in log
        ]
    )


def screen(*, stage: str, entities: Mapping[str, str | Iterable[str]], subject: str = "") -> ScreenResult:
    """Check entities (kind -> raw value or values: uscc, id_number, phone, bank_account, device) against the
    blacklist at a stage (application, listing, order, payout); log and return an interception when any is
    listed. `subject` is an opaque reference to what is screened (no personal data). One query, whatever the
    number of entities; nothing at all when `XINREN_INTERCEPTION` is off."""
    stage = InterceptionStage(stage)
    if not interception_enabled():
        return ScreenResult()
    hits = live_entries(_hashes(entities))
    if not hits:
        return ScreenResult()
    log = tuple((str(stage), entry_id, kind, subject) for entry_id, kind, _hash in hits)
    durable = not connection.in_atomic_block
    with transaction.atomic():
        _log_write(log)
    return ScreenResult(
        intercepted=True,
        reasons=tuple(sorted({kind for _id, kind, _hash in hits})),
        entry_ids=tuple(sorted(entry_id for entry_id, _kind, _hash in hits)),
        log=log,
        logged_durably=durable,
    )


def screen_require(*, stage: str, entities: Mapping[str, str | Iterable[str]], subject: str = "") -> None:
    """`screen`, refusing with `Intercepted` on a hit. Wrap the calling service in `interceptions_kept`."""
    result = screen(stage=stage, entities=entities, subject=subject)
    if result.intercepted:
        raise Intercepted(result)


def interceptions_kept(service: Callable[P, R]) -> Callable[P, R]:
    """Keep the interception log of a refused call: put this decorator above `@transaction.atomic`, so it runs
    after the service's transaction has rolled back, and writes the log again in a transaction of its own.

    When the service runs inside a caller's transaction, the log joins that transaction (it can do no better
    without a second connection); a view that catches the refusal and renders it commits it.
    """

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return service(*args, **kwargs)
        except Intercepted as exc:
            if not exc.result.logged_durably:
                with transaction.atomic():
                    _log_write(exc.result.log)
            raise

    return wrapper


def proximity(organization: Organization) -> int:
    """How many live entries share an identifier with the organization: its USCC and its members' phones (the
    identifiers accounts knows). One query for the phones, one for the entries."""
    entities: dict[str, list[str]] = {BlacklistKind.PHONE: []}
    if organization.uscc:
        entities[BlacklistKind.USCC] = [organization.uscc]
    entities[BlacklistKind.PHONE] = [
        phone
        for phone in organization.memberships.filter(user__phone__isnull=False).values_list("user__phone", flat=True)
        if phone
    ]
    pairs = _hashes(entities)
    if not pairs:
        return 0
    condition = Q()
    for kind, value_hash in pairs:
        condition |= Q(kind=kind, value_hash=value_hash)
    return BlacklistEntry.objects.filter(condition, lifted_at__isnull=True, ends_at__gt=clock.now()).count()
