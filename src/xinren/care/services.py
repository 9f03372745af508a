"""Writes of the care context: classify a customer's text, open or extend a care ticket for a hurt customer, the
merchant's contact, notes and proactive offer, the customer's answer and satisfaction (ADR 0054).

Lock order: CareTicket, then CareOffer. An accepted offer opens its after-sale request through
`aftersales.services.aftersale_open` as the customer, so the after-sales windows, limits and amounts hold."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.accounts.services import platform_organization
from xinren.aftersales.choices import MERCHANT_TURN, OPEN_STATUSES, Kind
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.services import aftersale_merchant_agree, aftersale_open
from xinren.aftersales.services.eligibility import window_closes_at
from xinren.aftersales.services.moves import line_refunded_fen
from xinren.attest import signing
from xinren.catalog.choices import PERISHABLE_CATEGORIES
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.money import fen_to_yuan
from xinren.core.transitions import transition_check
from xinren.notify.choices import NotificationKind
from xinren.notify.services import notification_create
from xinren.orders.choices import OrderStatus
from xinren.orders.services.refunds import order_refundable_fen
from xinren.reviews.statements import product_subject
from xinren.vou.classify import classify

from . import errors
from .choices import OPEN_TICKET_STATUSES, TICKET_TRANSITIONS, OfferKind, OfferStatus, SourceKind, TicketStatus
from .models import CareOffer, CareTicket, VoiceRecord
from .sources import OFFER_REASON_MARK, Source, lot_of, source_load
from .statements import CARE_TICKET

NOTE_MAX = 500
MESSAGE_MAX = 300
COMMENT_MAX = 300
LOW_STARS = 2
# Which claim a compensation (or a refund where no-reason refunds do not apply) becomes, by complaint type.
CLAIM_FOR_TYPE = {"damaged": Kind.DAMAGED, "missing_items": Kind.MISSING, "late_delivery": Kind.LATE}


def is_hurt(*, sentiment: str, types: list[str], stars: int | None) -> bool:
    """A negative text naming a complaint, or a low rating, is a hurt customer."""
    return (sentiment == "negative" and bool(types)) or (stars is not None and stars <= LOW_STARS)


def voice_classify(*, source_kind: str, source_id: int, tickets_since: datetime | None = None) -> VoiceRecord | None:
    """Classify one customer text and keep the reading (once per source and model version); a hurt customer gets
    a care ticket, or the record joins their open one (with `tickets_since`, only for texts written since then).
    None when the source is not a customer's text."""
    if source_kind not in SourceKind.values:
        raise InvalidInput(errors.SOURCE_UNKNOWN, _("未知的文本来源"), details={"field": "source_kind"})
    source = source_load(source_kind, source_id)
    if source is None or not source.text.strip():
        return None
    reading = classify(source.text, category=source.category)
    existing = VoiceRecord.objects.filter(
        source_kind=source_kind, source_id=source_id, model_version=reading.model_version
    ).first()
    if existing is not None:
        return existing
    now = clock.now()
    try:
        with transaction.atomic():
            record = VoiceRecord.objects.create(
                source_kind=source_kind,
                source_id=source_id,
                customer_id=source.customer_id,
                merchant_id=source.merchant_id,
                product=source.product,
                order_id=source.order_id,
                line=source.line,
                lot=lot_of(source.line),
                stars=source.stars,
                text=source.text[:2000],
                sentiment=reading.sentiment,
                score=round(float(reading.score), 4),
                types=list(reading.types),
                evidence={k: list(v) for k, v in reading.evidence.items()},
                model_version=reading.model_version,
                written_at=source.written_at,
                classified_at=now,
            )
            recent = tickets_since is None or source.written_at >= tickets_since
            if recent and is_hurt(sentiment=record.sentiment, types=record.types, stars=record.stars):
                _ticket_attach(record, source=source, now=now)
    except IntegrityError:  # another worker read the same text a moment ago
        found = VoiceRecord.objects.filter(
            source_kind=source_kind, source_id=source_id, model_version=reading.model_version
        ).first()
        if found is None:
            raise
        return found
    return record


def _subject_key(source: Source) -> str:
    if source.line is not None:
        return f"line:{source.line.pk}"
    if source.order_id is not None:
        return f"order:{source.order_id}"
    if source.product is not None:
        return f"product:{source.product.pk}"
    return f"merchant:{source.merchant_id}"


def _open_ticket_locked(*, customer_id: int, key: str) -> CareTicket | None:
    return (
        CareTicket.objects.select_for_update()
        .filter(customer_id=customer_id, subject_key=key, status__in=sorted(OPEN_TICKET_STATUSES))
        .first()
    )


def _ticket_sign(ticket: CareTicket, *, record: VoiceRecord, source: Source, now: datetime) -> None:
    """The platform's `care.ticket`: product, ticket reference, merchant, types, model version, source kind. A
    ticket opened on stars alone names the type `low_rating`."""
    subject = (
        product_subject(source.product.gtin) if source.product is not None else f"urn:xinren:org:{record.merchant_id}"
    )
    statement = {
        "type": CARE_TICKET.name,
        "subject": subject,
        "time": now.isoformat(),
        "ticket": ticket.public_ref,
        "merchant": f"org:{record.merchant_id}",
        "types": ticket.types or ["low_rating"],
        "model_version": record.model_version,
        "source": record.source_kind,
    }
    ticket.leaf_hash = signing.statement_sign_and_append(
        organization=platform_organization(), statement=statement
    ).leaf_hash
    ticket.save(update_fields=["leaf_hash"])


def _ticket_attach(record: VoiceRecord, *, source: Source, now: datetime) -> CareTicket:
    """The customer's open ticket on this subject gets the record; without one, a new ticket is opened and the
    platform signs `care.ticket` in the same transaction."""
    key = _subject_key(source)
    ticket = _open_ticket_locked(customer_id=record.customer_id, key=key)
    if ticket is None:
        try:
            with transaction.atomic():
                ticket = CareTicket.objects.create(
                    public_ref=f"CT{secrets.token_hex(6).upper()}",
                    customer_id=record.customer_id,
                    merchant_id=record.merchant_id,
                    product=source.product,
                    order_id=source.order_id,
                    line=source.line,
                    lot=record.lot,
                    subject_key=key,
                    types=sorted(record.types),
                    model_version=record.model_version,
                    opened_at=now,
                    updated_at=now,
                )
        except IntegrityError:  # another worker opened it a moment ago (the partial unique index): join it
            ticket = _open_ticket_locked(customer_id=record.customer_id, key=key)
            if ticket is None:
                raise
        else:
            _ticket_sign(ticket, record=record, source=source, now=now)
            record.ticket = ticket
            record.save(update_fields=["ticket"])
            return ticket
    ticket.types = sorted(set(ticket.types) | set(record.types))
    ticket.updated_at = now
    ticket.save(update_fields=["types", "updated_at"])
    record.ticket = ticket
    record.save(update_fields=["ticket"])
    return ticket


# -- the merchant's (or operator's) side --------------------------------------------------------------------------


def _ticket_locked(actor: Actor, ticket_id: int) -> CareTicket:
    """The ticket, locked, if the actor may act on it: staff of its merchant, or of the platform."""
    actor.require(role=Role.STAFF, kinds=[*CATALOG_KINDS, OrganizationKind.PLATFORM])
    tickets = CareTicket.objects.select_for_update().filter(pk=ticket_id)
    if actor.organization.kind != OrganizationKind.PLATFORM:
        tickets = tickets.filter(merchant=actor.organization)
    ticket = tickets.first()
    if ticket is None:
        raise NotFound(errors.TICKET_NOT_FOUND, _("找不到该关怀工单"))
    return ticket


def _move(ticket: CareTicket, target: str, *, at: datetime) -> None:
    transition_check(TICKET_TRANSITIONS, ticket.status, target, code=errors.TRANSITION, labels=TicketStatus)
    ticket.status = target
    ticket.updated_at = at


def _note_clean(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX or (required and not note):
        raise InvalidInput(errors.NOTE_INVALID, _("请填写处理记录（不超过 500 字）"), details={"field": "note"})
    return note


def _note_add(ticket: CareTicket, *, actor: Actor, note: str, at: datetime) -> None:
    if note:
        line = f"[{at:%Y-%m-%d %H:%M}] {actor.label}: {note}"
        ticket.notes = f"{ticket.notes}\n{line}" if ticket.notes else line


@transaction.atomic
def ticket_contact(*, actor: Actor, ticket_id: int, note: str) -> CareTicket:
    """The merchant reached the customer (call, message): the ticket is contacted and assigned to the actor."""
    note = _note_clean(note, required=True)
    ticket = _ticket_locked(actor, ticket_id)
    now = clock.now()
    _move(ticket, TicketStatus.CONTACTED, at=now)
    ticket.contacted_at = ticket.contacted_at or now
    ticket.assignee = actor.user
    _note_add(ticket, actor=actor, note=note, at=now)
    ticket.save()
    audit_record(actor=actor, organization=actor.organization, action="care.ticket.contact", target=ticket)
    return ticket


@transaction.atomic
def ticket_note(*, actor: Actor, ticket_id: int, note: str) -> CareTicket:
    """A note on the ticket, any status."""
    note = _note_clean(note, required=True)
    ticket = _ticket_locked(actor, ticket_id)
    now = clock.now()
    _note_add(ticket, actor=actor, note=note, at=now)
    ticket.updated_at = now
    ticket.save(update_fields=["notes", "updated_at"])
    return ticket


@transaction.atomic
def ticket_close(*, actor: Actor, ticket_id: int, note: str) -> CareTicket:
    """Close a ticket (nothing more to do, or the customer could not be reached); a pending offer is withdrawn."""
    note = _note_clean(note, required=True)
    ticket = _ticket_locked(actor, ticket_id)
    now = clock.now()
    _move(ticket, TicketStatus.CLOSED, at=now)
    _note_add(ticket, actor=actor, note=note, at=now)
    ticket.save()
    CareOffer.objects.filter(ticket=ticket, status=OfferStatus.PENDING).update(
        status=OfferStatus.WITHDRAWN, answered_at=now
    )
    audit_record(actor=actor, organization=actor.organization, action="care.ticket.close", target=ticket)
    return ticket


def aftersale_kind_for(*, offer_kind: str, ticket: CareTicket) -> str:
    """The after-sales kind an offer becomes: a replacement is an exchange; a refund is a refund-only request
    unless the line was bought as excluded from no-reason returns (fresh food), then like a compensation it is
    the guarantee claim that fits the complaint (damaged, missing, late, else quality)."""
    if offer_kind == OfferKind.REPLACEMENT:
        return Kind.EXCHANGE
    line = ticket.line
    excluded = (
        line is not None
        and line.product.category in PERISHABLE_CATEGORIES
        and line.return_exclusion_confirmed_at is not None
    )
    if offer_kind == OfferKind.REFUND and not excluded:
        return Kind.REFUND_ONLY
    for complaint in ticket.types:
        if complaint in CLAIM_FOR_TYPE:
            return CLAIM_FOR_TYPE[complaint]
    return Kind.QUALITY


def offer_limit_fen(ticket: CareTicket) -> int:
    """The most after-sales would pay back on the ticket's line now: its total less what was refunded, within
    what the order still holds."""
    line = ticket.line
    if line is None:
        return 0
    return max(min(line.total_fen - line_refunded_fen(line.pk), order_refundable_fen(line.order)), 0)


def _offer_check(*, ticket: CareTicket, kind: str, amount_fen: int, now: datetime) -> str:
    if kind not in OfferKind.values:
        raise InvalidInput(errors.OFFER_KIND_INVALID, _("请选择方案：退款、换货或赔付"), details={"field": "kind"})
    if not isinstance(amount_fen, int) or amount_fen < 0 or (kind != OfferKind.REPLACEMENT and amount_fen == 0):
        raise InvalidInput(errors.OFFER_AMOUNT_INVALID, _("退款或赔付金额必须大于 0"), details={"field": "amount_fen"})
    line = ticket.line
    if line is None:
        raise Conflict(errors.OFFER_NO_LINE, _("该工单没有对应的订单商品，无法提出售后方案，请先联系买家"))
    order = line.order
    if order.status != OrderStatus.DELIVERED or order.delivered_at is None:
        raise Conflict(errors.OFFER_NOT_ALLOWED, _("订单签收后才能提出售后方案"))
    target = aftersale_kind_for(offer_kind=kind, ticket=ticket)
    if now >= window_closes_at(kind=target, delivered_at=order.delivered_at):
        raise Conflict(errors.OFFER_NOT_ALLOWED, _("已超过该商品可申请售后的期限"))
    if AfterSaleRequest.objects.filter(line=line, status__in=OPEN_STATUSES).exists():
        raise Conflict(errors.OFFER_NOT_ALLOWED, _("该商品已有进行中的售后申请，请在售后中处理"))
    available = offer_limit_fen(ticket)
    if amount_fen > available:
        raise Conflict(
            errors.OFFER_AMOUNT_EXCEEDS,
            _("金额超过该商品可退金额（%(yuan)s 元）") % {"yuan": fen_to_yuan(available)},
            details={"field": "amount_fen", "available_fen": available},
        )
    return target


def offer_describe(offer: CareOffer) -> str:
    """The offer in words, for the customer's notice and page."""
    if offer.kind == OfferKind.REPLACEMENT:
        return gettext("换货")
    return gettext("%(kind)s ¥%(amount)s") % {
        "kind": OfferKind(offer.kind).label,
        "amount": fen_to_yuan(offer.amount_fen),
    }


def offer_make(*, actor: Actor, ticket_id: int, kind: str, amount_fen: int, message: str) -> CareOffer:
    """A proactive remedy within the after-sales rules for the ticket's line; the customer is told in their inbox
    and accepts or declines on the ticket's page."""
    message = (message or "").strip()
    if not 1 <= len(message) <= MESSAGE_MAX:
        raise InvalidInput(errors.NOTE_INVALID, _("请填写给买家的话（不超过 300 字）"), details={"field": "message"})
    with transaction.atomic():
        ticket = _ticket_locked(actor, ticket_id)
        now = clock.now()
        _offer_check(ticket=ticket, kind=kind, amount_fen=amount_fen, now=now)
        _move(ticket, TicketStatus.OFFER_MADE, at=now)
        ticket.contacted_at = ticket.contacted_at or now
        ticket.assignee = ticket.assignee or actor.user
        ticket.save()
        offer = CareOffer.objects.create(
            ticket=ticket,
            kind=kind,
            amount_fen=amount_fen,
            message=message,
            made_by=actor.user,
            made_by_organization=actor.organization,
            made_at=now,
        )
        audit_record(
            actor=actor,
            organization=actor.organization,
            action="care.offer.make",
            target=offer,
            data={"kind": kind, "amount_fen": amount_fen},
        )
        notification_create(
            user_id=ticket.customer_id,
            kind=NotificationKind.CARE_OFFER,
            params={
                "merchant": ticket.merchant.name,
                "product": ticket.product.name if ticket.product else "",
                "offer": offer_describe(offer),
            },
            link=f"/care/tickets/{ticket.pk}/",
            dedupe_key=f"care_offer:{offer.pk}",
            at=now,
        )
    return offer


# -- the customer's side -------------------------------------------------------------------------------------------


def _own_ticket(consumer: User, ticket_id: int, *, lock: bool = False) -> CareTicket:
    tickets = CareTicket.objects.filter(pk=ticket_id, customer=consumer)
    ticket = (tickets.select_for_update() if lock else tickets).first()
    if ticket is None:
        raise NotFound(errors.TICKET_NOT_FOUND, _("找不到该关怀工单"))
    return ticket


def offer_answer(*, consumer: User, ticket_id: int, accept: bool) -> CareOffer:
    """The customer accepts the pending offer (an after-sale request is opened in their name for the offer and,
    when the merchant made it, agreed by the merchant at once) or declines it (the ticket goes back to the
    merchant). Every refusal of after-sales (window, amount, an open request) leaves the offer pending."""
    consumer = consumer_require(consumer)
    with transaction.atomic():
        ticket = _own_ticket(consumer, ticket_id, lock=True)
        offer = CareOffer.objects.select_for_update().filter(ticket=ticket, status=OfferStatus.PENDING).first()
        if offer is None:
            raise Conflict(errors.OFFER_NOT_PENDING, _("当前没有待确认的方案"))
        now = clock.now()
        if not accept:
            _move(ticket, TicketStatus.CONTACTED, at=now)
            ticket.save()
            offer.status, offer.answered_at = OfferStatus.DECLINED, now
            offer.save(update_fields=["status", "answered_at"])
            return offer
        target = _offer_check(ticket=ticket, kind=offer.kind, amount_fen=offer.amount_fen, now=now)
        line = ticket.line
        assert line is not None  # _offer_check refused a ticket without one
        request = aftersale_open(
            consumer=consumer,
            order_number=line.order.number,
            line_id=line.pk,
            kind=target,
            reason=f"{OFFER_REASON_MARK}{ticket.public_ref} {offer.message}"[:500],
            amount_fen=offer.amount_fen,
        )
        offer.status, offer.answered_at, offer.aftersale = OfferStatus.ACCEPTED, now, request
        offer.save(update_fields=["status", "answered_at", "aftersale"])
        _move(ticket, TicketStatus.RESOLVED, at=now)
        ticket.resolved_at = now
        ticket.save()
    if offer.made_by_organization_id == ticket.merchant_id and request.status in MERCHANT_TURN:
        # the merchant already committed to this remedy: its agreement follows the after-sales path
        merchant_actor = Actor(organization=ticket.merchant, role=Role.STAFF, user=offer.made_by)
        aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    return offer


RATING_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


@transaction.atomic
def ticket_rate(*, consumer: User, ticket_id: int, score: int, comment: str = "") -> CareTicket:
    """The customer's satisfaction with the call-back, 1–5 with an optional comment, once, after the ticket was
    resolved or closed."""
    consumer = consumer_require(consumer)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise InvalidInput(errors.RATING_INVALID, _("请选择 1 到 5 分"), details={"field": "score"})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(errors.RATING_INVALID, _("说明不能超过 300 字"), details={"field": "comment"})
    ticket = _own_ticket(consumer, ticket_id, lock=True)
    if ticket.status not in RATING_STATUSES or ticket.contacted_at is None:
        raise Conflict(errors.RATING_NOT_YET, _("商家处理完成后才能评价"))
    if ticket.satisfaction is not None:
        raise Conflict(errors.RATING_TWICE, _("你已经评价过了"))
    ticket.satisfaction, ticket.satisfaction_comment, ticket.rated_at = score, comment, clock.now()
    ticket.save(update_fields=["satisfaction", "satisfaction_comment", "rated_at"])
    return ticket


def voice_backfill(*, tickets_since: datetime | None) -> dict[str, int]:
    """Read every customer text not yet read by the current model version (reviews, diaries, consumer messages,
    after-sale reasons); tickets open only for texts written since `tickets_since`. Counts per source kind."""
    from xinren.aftersales.models import AfterSaleRequest as Request
    from xinren.reviews.models import DiaryEntry, Review
    from xinren.support.choices import Side
    from xinren.support.models import Message

    version = classify("").model_version
    sources = {
        SourceKind.REVIEW: Review.objects.all(),
        SourceKind.DIARY: DiaryEntry.objects.all(),
        SourceKind.MESSAGE: Message.objects.filter(side=Side.CONSUMER),
        SourceKind.AFTERSALE: Request.objects.exclude(reason__startswith=OFFER_REASON_MARK),
    }
    counts: dict[str, int] = {}
    for kind, queryset in sources.items():
        done = set(
            VoiceRecord.objects.filter(source_kind=kind, model_version=version).values_list("source_id", flat=True)
        )
        counts[kind] = 0
        for pk in queryset.order_by("pk").values_list("pk", flat=True).iterator():
            if (
                pk not in done
                and voice_classify(source_kind=kind, source_id=pk, tickets_since=tickets_since) is not None
            ):
                counts[kind] += 1
    return counts
