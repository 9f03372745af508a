"""Counters that slow down guessing, kept in the database so that every worker process shares them (ADR 0016).

A key counts events (failed sign-ins, sign-up requests). Up to `Limit.free` events cost nothing; after that each
event must wait `base × 2^(events − free)` seconds after the previous one, at most `cap`. A key whose last event
is older than `forget` starts again from nothing, so nothing is locked for good. One event is one atomic upsert
(`INSERT … ON CONFLICT … DO UPDATE … RETURNING`), which SQLite (≥ 3.35) and PostgreSQL both run as one statement:
two workers counting the same key at once both count.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from xinren.core import clock

from .models import LoginThrottle


@dataclass(frozen=True)
class Limit:
    """How many events a key may have before it waits, how the wait grows, and when it is forgotten."""

    free: int
    base: int  # seconds of the first wait
    cap: int  # the longest wait, in seconds
    forget: int  # seconds after the last event when the count starts again

    def wait_after(self, *, events: int, last_at: int, now: int) -> int:
        """Seconds still to wait before the next event is allowed (0: allowed now)."""
        if now - last_at >= self.forget or events < self.free:
            return 0
        wait = min(self.cap, self.base * 2 ** min(events - self.free, 32))
        return max(0, last_at + wait - now)


def throttle_key(*parts: str) -> str:
    """The stored key for what is counted: a keyed hash, so that no phone number or address is kept."""
    secret = (getattr(settings, "XINREN_PSEUDONYM_KEY", "") or settings.SECRET_KEY).encode()
    return hmac.new(secret, "\x1f".join(("xinren.throttle", *parts)).encode(), hashlib.sha256).hexdigest()


def _now() -> int:
    return math.floor(clock.now().timestamp())


def throttle_wait(limits: dict[str, Limit]) -> int:
    """The longest wait any of the keys imposes now, in seconds (0: go ahead). One query, no lock."""
    now = _now()
    rows = LoginThrottle.objects.filter(key__in=list(limits)).values_list("key", "events", "last_at")
    return max((limits[key].wait_after(events=events, last_at=last_at, now=now) for key, events, last_at in rows),
               default=0)


def throttle_take(limits: dict[str, Limit]) -> int:
    """Count one event on every key unless one of them must wait; returns that wait (0: counted, go ahead).

    The keys' rows are locked (in key order, so two callers cannot deadlock) between reading and counting, so
    concurrent attempts see each other: ten guesses sent at once are counted one after the other, and the ones past
    the limit are refused before anything is checked. A success can give its event back (`throttle_give_back`).
    """
    now = _now()
    keys = sorted(limits)
    table = connection.ops.quote_name(LoginThrottle._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for key in keys:
                cursor.execute(
                    f'INSERT INTO {table} ("key", "events", "last_at") VALUES (%s, 0, %s) '
                    f'ON CONFLICT ("key") DO NOTHING',
                    [key, now],
                )
        rows = LoginThrottle.objects.select_for_update().filter(key__in=keys).order_by("key")
        state = {key: (events, last_at) for key, events, last_at in rows.values_list("key", "events", "last_at")}
        wait = max(limits[key].wait_after(events=events, last_at=last_at, now=now)
                   for key, (events, last_at) in state.items())
        if wait:
            return wait
        for key, (_events, last_at) in state.items():
            forgotten = now - last_at >= limits[key].forget
            LoginThrottle.objects.filter(key=key).update(events=1 if forgotten else F("events") + 1, last_at=now)
    return 0


def throttle_give_back(key: str) -> None:
    """Uncount one event of the key (an attempt that `throttle_take` counted turned out to be the owner's)."""
    LoginThrottle.objects.filter(key=key, events__gt=0).update(events=F("events") - 1)


def throttle_count(key: str, *, forget: int) -> int:
    """How many events the key has now (0 when its last one was `forget` seconds ago or more)."""
    row = LoginThrottle.objects.filter(key=key).values_list("events", "last_at").first()
    if row is None or _now() - row[1] >= forget:
        return 0
    return int(row[0])


def throttle_hit(key: str, *, forget: int) -> int:
    """Count one event for the key (atomically, whichever process counts) and return its count now."""
    table = connection.ops.quote_name(LoginThrottle._meta.db_table)
    now = _now()
    sql = (
        f'INSERT INTO {table} ("key", "events", "last_at") VALUES (%s, 1, %s) '
        f'ON CONFLICT ("key") DO UPDATE SET '
        f'"events" = CASE WHEN {table}."last_at" <= %s THEN 1 ELSE {table}."events" + 1 END, '
        f'"last_at" = excluded."last_at" '
        f'RETURNING "events"'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, now, now - forget])
        row = cursor.fetchone()
    return int(row[0])


def throttle_reset(key: str) -> None:
    """Forget a key's events (a pair's failures after its owner signed in)."""
    LoginThrottle.objects.filter(key=key).delete()


def throttle_prune(*, older_than: int) -> int:
    """Delete counters whose last event is older than `older_than` seconds; they no longer limit anything."""
    deleted, _ = LoginThrottle.objects.filter(last_at__lt=_now() - older_than).delete()
    return deleted
