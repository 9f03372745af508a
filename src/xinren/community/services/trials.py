"""Trials and factory visits (新品试用/工厂探访): merchants invite platform experts, experts accept or decline.

An accepted invitation is a signed public disclosure ("community.trial.accepted"): the expert's later review of
that product, which must still be a review of a delivered order line, is labelled "试用体验" (see
selectors.trial_review_ids).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren import adlaw
from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.attest import keys, signing
from xinren.catalog.facts import copy_refuse
from xinren.catalog.gs1 import DigitalLink
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.transitions import transition_check
from xinren.reviews.services import platform_organization

from .. import errors
from ..choices import PARTICIPATION_TRANSITIONS, ParticipationStatus, Tier, TrialKind
from ..models import ConsumerTier, TrialEvent, TrialParticipation
from ..statements import COMMUNITY_TRIAL, COMMUNITY_TRIAL_ACCEPTED

TITLE_MAX = 80
SLOTS_MAX = 200


def _subject(product: Product) -> str:
    return DigitalLink(gtin=product.gtin).uri(settings.XINREN_RESOLVER)


@transaction.atomic
def trial_event_create(
    *, actor: Actor, product_id: int, kind: str, title: str, slots: int, starts_on: date, ends_on: date
) -> TrialEvent:
    """A merchant opens a trial or factory visit of one of its own products, with a number of slots."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    product = Product.objects.filter(pk=product_id, merchant=actor.organization).first()
    if product is None:
        raise NotFound(errors.TRIAL_NOT_FOUND, _("找不到该商品"), details={"field": "product_id"})
    if kind not in TrialKind.values:
        raise InvalidInput(errors.TRIAL_INVALID, _("活动类型无效"), details={"field": "kind"})
    title = title.strip()
    if not 2 <= len(title) <= TITLE_MAX:
        raise InvalidInput(errors.TRIAL_INVALID, _("标题须为 2–80 字"), details={"field": "title"})
    findings = adlaw.check(title, field="title", category=product.category)
    copy_refuse([("title", finding) for finding in findings], code=errors.TRIAL_COPY_NONCOMPLIANT)
    if isinstance(slots, bool) or not 1 <= slots <= SLOTS_MAX:
        raise InvalidInput(errors.TRIAL_INVALID, _("名额须为 1–200"), details={"field": "slots"})
    if ends_on < starts_on:
        raise InvalidInput(errors.TRIAL_INVALID, _("结束日期不能早于开始日期"), details={"field": "ends_on"})
    now = clock.now()
    statement = {"type": COMMUNITY_TRIAL.name, "subject": _subject(product), "time": now.isoformat(),
                 "merchant": keys.owner_of(actor.organization), "kind": kind, "title": title, "slots": slots,
                 "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}
    event = TrialEvent.objects.create(
        merchant=actor.organization, product=product, kind=kind, title=title, slots=slots, starts_on=starts_on,
        ends_on=ends_on, created_by=actor.user, created_at=now,
        ledger_leaf_hash=signing.statement_sign_and_append(
            organization=actor.organization, statement=statement
        ).leaf_hash,
    )
    audit_record(actor=actor.user, organization=actor.organization, action="community.trial_create", target=event,
                 data={"leaf_hash": event.ledger_leaf_hash})
    return event


@transaction.atomic
def trial_invite(*, actor: Actor, event_id: int, public_id: str) -> TrialParticipation:
    """The merchant invites one platform expert (by pseudonym) to its event; other tiers cannot be invited."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    event = TrialEvent.objects.select_for_update().filter(pk=event_id, merchant=actor.organization).first()
    if event is None:
        raise NotFound(errors.TRIAL_NOT_FOUND, _("找不到该活动"))
    expert = ConsumerTier.objects.filter(public_id=public_id).first()
    if expert is None or expert.tier != Tier.PLATFORM_EXPERT:
        raise Conflict(errors.TRIAL_NOT_EXPERT, _("只能邀请平台达人参加试用或探访"), details={"field": "public_id"})
    if TrialParticipation.objects.filter(event=event, consumer_id=expert.consumer_id).exists():
        raise Conflict(errors.TRIAL_ALREADY_INVITED, _("已经邀请过这位达人"))
    participation = TrialParticipation.objects.create(event=event, consumer_id=expert.consumer_id,
                                                      invited_at=clock.now())
    audit_record(actor=actor.user, organization=actor.organization, action="community.trial_invite",
                 target=participation, data={"public_id": public_id})
    return participation


@transaction.atomic
def trial_respond(*, consumer: User, participation_id: int, accept: bool) -> TrialParticipation:
    """The invited expert accepts (while slots remain and they are still a platform expert) or declines, once."""
    consumer = consumer_require(consumer)
    participation = (
        TrialParticipation.objects.select_for_update(of=("self",)).select_related("event__product")
        .filter(pk=participation_id, consumer=consumer).first()
    )
    if participation is None:
        raise NotFound(errors.TRIAL_NOT_FOUND, _("找不到该邀请"))
    target = ParticipationStatus.ACCEPTED if accept else ParticipationStatus.DECLINED
    transition_check(
        PARTICIPATION_TRANSITIONS, participation.status, target, code=errors.TRIAL_TRANSITION,
        message=_("这个邀请已经回复过了"), details={"status": participation.status},
    )
    now = clock.now()
    if accept:
        event = TrialEvent.objects.select_for_update().get(pk=participation.event_id)
        tier = ConsumerTier.objects.filter(consumer=consumer).first()
        if tier is None or tier.tier != Tier.PLATFORM_EXPERT:
            raise Conflict(errors.TRIAL_NOT_EXPERT, _("只有平台达人可以参加试用或探访"))
        if event.participations.filter(status=ParticipationStatus.ACCEPTED).count() >= event.slots:
            raise Conflict(errors.TRIAL_FULL, _("名额已满"))
        statement = {"type": COMMUNITY_TRIAL_ACCEPTED.name, "subject": _subject(event.product),
                     "time": now.isoformat(), "trial": event.ledger_leaf_hash, "reviewer": tier.public_id,
                     "kind": event.kind}
        participation.ledger_leaf_hash = signing.statement_sign_and_append(
            organization=platform_organization(), statement=statement
        ).leaf_hash
    participation.status = target
    participation.responded_at = now
    participation.save(update_fields=["status", "responded_at", "ledger_leaf_hash"])
    audit_record(actor=consumer, organization=None, action="community.trial_respond", target=participation,
                 data={"status": target})
    return participation
