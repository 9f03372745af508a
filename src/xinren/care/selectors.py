"""Reads of the care context, scoped to what the actor may see: a merchant's staff their own merchant, operators
every merchant, a customer their own tickets."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.consumers import phone_mask
from xinren.accounts.models import User
from xinren.core import clock

from .choices import OPEN_TICKET_STATUSES, TYPE_LABELS, TicketStatus
from .models import CareOffer, CareTicket, VoiceRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
TREND_WEEKS = 8
SATISFIED_FROM = 4


def _is_platform(actor: Actor) -> bool:
    return actor.organization.kind == OrganizationKind.PLATFORM


def tickets_visible(*, actor: Actor) -> QuerySet[CareTicket]:
    actor.require(role=Role.VIEWER, kinds=[*CATALOG_KINDS, OrganizationKind.PLATFORM])
    tickets = CareTicket.objects.select_related("merchant", "product", "customer", "assignee")
    return tickets if _is_platform(actor) else tickets.filter(merchant=actor.organization)


def care_queue(*, actor: Actor, limit: int = 100) -> list[CareTicket]:
    """Open tickets, the customers not yet contacted first, oldest first within each; records and offers along."""
    order = Case(When(status=TicketStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    tickets = (
        tickets_visible(actor=actor)
        .filter(status__in=sorted(OPEN_TICKET_STATUSES))
        .annotate(waiting=order)
        .order_by("waiting", "opened_at", "id")
        .prefetch_related(
            Prefetch("records", queryset=VoiceRecord.objects.order_by("written_at", "id")),
            Prefetch("offers", queryset=CareOffer.objects.order_by("-made_at", "-id")),
        )
    )
    return list(tickets[:limit])


def customer_shown(user: User) -> str:
    """How a merchant sees the customer: the masked phone, else a pseudonym."""
    return phone_mask(getattr(user, "phone", "")) or f"用户{user.pk:06d}"[-8:]


def week_start(at: dt.datetime) -> dt.date:
    day = at.astimezone(SHANGHAI).date()
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Trends:
    weeks: list[dt.date]
    by_type_week: dict[str, list[int]]
    by_type: list[tuple[str, int]]
    by_product: list[tuple[str, int]]
    by_lot: list[tuple[str, int]]
    by_merchant: list[tuple[str, int]] = field(default_factory=list)


def complaint_trends(*, actor: Actor, weeks: int = TREND_WEEKS, now: dt.datetime | None = None) -> Trends:
    """Negative records naming a complaint over the last `weeks` weeks (Monday to Sunday, Beijing time): counts
    per type per week, and totals by type, product, lot and (operators) merchant. A record counts once per type."""
    now = now or clock.now()
    first = week_start(now) - dt.timedelta(weeks=weeks - 1)
    since = dt.datetime.combine(first, dt.time.min, tzinfo=SHANGHAI)
    records = VoiceRecord.objects.filter(sentiment="negative", written_at__gte=since).exclude(types=[])
    if not _is_platform(actor):
        actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
        records = records.filter(merchant=actor.organization)
    week_list = [first + dt.timedelta(weeks=n) for n in range(weeks)]
    index = {week: n for n, week in enumerate(week_list)}
    per_week: dict[str, list[int]] = {}
    types: Counter[str] = Counter()
    products: Counter[str] = Counter()
    lots: Counter[str] = Counter()
    merchants: Counter[str] = Counter()
    rows = records.values_list("types", "written_at", "product__name", "lot", "merchant__name")
    for record_types, written_at, product, lot, merchant in rows.iterator():
        n = index.get(week_start(written_at))
        for kind in record_types:
            types[kind] += 1
            if n is not None:
                per_week.setdefault(kind, [0] * weeks)[n] += 1
        products[product or "—"] += 1
        if lot:
            lots[f"{product or '—'} · {lot}"] += 1
        merchants[merchant] += 1
    ordered = [kind for kind in TYPE_LABELS if kind in per_week]
    return Trends(
        weeks=week_list,
        by_type_week={kind: per_week[kind] for kind in ordered},
        by_type=[(str(TYPE_LABELS.get(k, k)), v) for k, v in types.most_common()],
        by_product=products.most_common(10),
        by_lot=lots.most_common(10),
        by_merchant=merchants.most_common(20) if _is_platform(actor) else [],
    )


@dataclass(frozen=True)
class Satisfaction:
    rated: int
    satisfied: int

    @property
    def rate(self) -> int | None:
        """Percent of rated call-backs scored 4 or 5; None before any rating."""
        return round(100 * self.satisfied / self.rated) if self.rated else None


def satisfaction(*, actor: Actor) -> Satisfaction:
    rated = tickets_visible(actor=actor).filter(satisfaction__isnull=False)
    return Satisfaction(rated=rated.count(), satisfied=rated.filter(satisfaction__gte=SATISFIED_FROM).count())


def satisfaction_by_merchant(*, actor: Actor) -> list[tuple[str, Satisfaction]]:
    rows: dict[str, list[int]] = {}
    for name, score in (
        tickets_visible(actor=actor).filter(satisfaction__isnull=False).values_list("merchant__name", "satisfaction")
    ):
        counts = rows.setdefault(name, [0, 0])
        counts[0] += 1
        counts[1] += int((score or 0) >= SATISFIED_FROM)
    return [(name, Satisfaction(rated=r, satisfied=s)) for name, (r, s) in sorted(rows.items())]


def own_tickets(*, consumer: User) -> QuerySet[CareTicket]:
    return CareTicket.objects.filter(customer=consumer).select_related("merchant", "product")


def own_ticket(*, consumer: User, ticket_id: int) -> CareTicket | None:
    return (
        own_tickets(consumer=consumer)
        .prefetch_related(Prefetch("offers", queryset=CareOffer.objects.order_by("-made_at", "-id")))
        .filter(pk=ticket_id)
        .first()
    )
