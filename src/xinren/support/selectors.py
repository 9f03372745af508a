"""Reads of the support context, scoped to who asks; the response-time figures the store trust index will use."""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.models import Organization, User
from xinren.core import clock
from xinren.core.errors import NotFound

from . import errors
from .choices import Side
from .models import Conversation, Message

DAY = timedelta(hours=24)
STATS_WINDOW = timedelta(days=30)


def consumer_alias(consumer_id: int) -> str:
    """How a merchant sees a consumer: "买家 3f9a2c", from a keyed hash of the user id (never the phone)."""
    key = (getattr(settings, "XINREN_PSEUDONYM_KEY", "") or settings.SECRET_KEY).encode()
    digest = hmac.new(key, f"xinren.support.consumer:{consumer_id}".encode(), hashlib.sha256).hexdigest()
    return str(_("买家 %(tag)s") % {"tag": digest[:6]})


def _related(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    return conversations.select_related("merchant", "order", "product")


# -- consumers ---------------------------------------------------------------------------------------------------------


def consumer_conversation_list(*, consumer: User) -> QuerySet[Conversation]:
    """The consumer's conversations, newest message first."""
    return _related(Conversation.objects.filter(consumer=consumer)).order_by("-last_message_at", "-id")


def consumer_conversation_get(*, consumer: User, conversation_id: int) -> Conversation:
    conversation = consumer_conversation_list(consumer=consumer).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(errors.CONVERSATION_NOT_FOUND, _("找不到该会话"))
    return conversation


def consumer_conversation_about(
    *, consumer: User, order_number: str | None = None, product_id: int | None = None
) -> Conversation | None:
    """The consumer's existing conversation about an order (by number) or a product, if any."""
    conversations = consumer_conversation_list(consumer=consumer)
    if order_number:
        return conversations.filter(order__number=order_number).first()
    if product_id:
        return conversations.filter(product_id=product_id).first()
    return None


# -- merchants ---------------------------------------------------------------------------------------------------------


def merchant_conversation_list(*, actor: Actor, status: str = "") -> QuerySet[Conversation]:
    """The merchant's conversations: those waiting for an answer first (longest waiting on top), then the rest,
    newest message first."""
    conversations = _related(Conversation.objects.filter(merchant=actor.organization))
    if status:
        conversations = conversations.filter(status=status)
    return conversations.order_by(F("awaiting_since").asc(nulls_last=True), "-last_message_at", "-id")


def merchant_conversation_get(*, actor: Actor, conversation_id: int) -> Conversation:
    conversation = merchant_conversation_list(actor=actor).filter(pk=conversation_id).first()
    if conversation is None:
        raise NotFound(errors.CONVERSATION_NOT_FOUND, _("找不到该会话"))
    return conversation


def merchant_waiting_count(*, actor: Actor) -> int:
    """Conversations of the merchant with a question waiting for an answer."""
    return Conversation.objects.filter(merchant=actor.organization, awaiting_since__isnull=False).count()


# -- both --------------------------------------------------------------------------------------------------------------


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    """The thread, oldest first (the caller already holds the conversation through a scoped selector)."""
    return Message.objects.filter(conversation=conversation).order_by("created_at", "id")


# -- response-time figures ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseStats:
    """How fast a merchant answers (docs/support.md, "Response-time figures")."""

    since: datetime
    until: datetime
    inquiries: int  # inquiries that began in [since, until)
    answered: int  # of those, answered by until
    pending: int  # of those, still waiting at until
    answered_within_24h: int
    decided: int  # answered, or waiting for 24 h or more: those whose "within 24 h" outcome is known
    median_seconds: int | None  # over the answered ones, nearest rank
    p90_seconds: int | None

    @property
    def within_24h_share(self) -> float | None:
        return self.answered_within_24h / self.decided if self.decided else None


def _nearest_rank(values: list[int], fraction: float) -> int | None:
    if not values:
        return None
    return values[max(1, math.ceil(fraction * len(values))) - 1]


def merchant_response_stats(
    *, merchant: Organization, since: datetime, until: datetime | None = None
) -> ResponseStats:
    """First-response figures of the merchant over the inquiries that began in [since, until) (until: now).

    An inquiry is a run of consumer messages the merchant has not answered yet; it begins at the run's first message
    and is answered by the merchant's next message in the conversation (`Message.responds_to_at`). Median and 90th
    percentile (nearest rank) are over answered inquiries; the 24 h share is over inquiries answered or waiting for
    at least 24 h, so a question left unanswered counts against the merchant once a day has passed.
    """
    until = until or clock.now()
    answered_rows = Message.objects.filter(
        conversation__merchant=merchant, side=Side.MERCHANT, responds_to_at__gte=since, responds_to_at__lt=until,
        created_at__lte=until,
    ).values_list("responds_to_at", "created_at")
    durations = sorted(
        max(0, int((answered - began).total_seconds())) for began, answered in answered_rows if began is not None
    )
    # Waiting now: began in the window and not answered by `until` (answers after `until` do not count yet).
    waiting: list[datetime] = list(Conversation.objects.filter(
        merchant=merchant, awaiting_since__gte=since, awaiting_since__lt=until
    ).exclude(awaiting_since=None).values_list("awaiting_since", flat=True))  # type: ignore[arg-type]
    waiting += list(Message.objects.filter(
        conversation__merchant=merchant, side=Side.MERCHANT, responds_to_at__gte=since, responds_to_at__lt=until,
        created_at__gt=until,
    ).exclude(responds_to_at=None).values_list("responds_to_at", flat=True))  # type: ignore[arg-type]
    within = sum(1 for seconds in durations if seconds <= DAY.total_seconds())
    overdue = sum(1 for began in waiting if until - began >= DAY)
    return ResponseStats(
        since=since, until=until, inquiries=len(durations) + len(waiting), answered=len(durations),
        pending=len(waiting), answered_within_24h=within, decided=len(durations) + overdue,
        median_seconds=_nearest_rank(durations, 0.5), p90_seconds=_nearest_rank(durations, 0.9),
    )


def merchant_response_stats_recent(*, merchant: Organization) -> ResponseStats:
    """The figures the console shows: the last 30 days."""
    now = clock.now()
    return merchant_response_stats(merchant=merchant, since=now - STATS_WINDOW, until=now)

