"""Delisting a product whose score is, with 95 % confidence, below 3.0; the merchant's appeal; the operator's
decision; relisting (ADR 0052, docs/trust-model.md "Delisting").

`scores_judge` runs after every store of scores, inside its transaction, once per batch: one query for the batch's
open delistings, then pure arithmetic; only products below the bar have their bounds computed. The score is never
edited here: a delisting takes the product off sale through catalog's `ListingSuspension` (reason `trust_score`),
so the scan page, the shop, carts and orders refuse it as for any suspension.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.services import platform_organization
from xinren.attest import keys, signing
from xinren.catalog.facts import facts_subject
from xinren.catalog.models import Product
from xinren.catalog.suspensions import listing_suspend, listing_suspensions_lift
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.core.transitions import transition_allowed, transition_check

from ..models import Delisting, DelistingAppeal, DelistingEntry
from . import errors, events, statements
from .choices import DELISTING_TRANSITIONS, OPEN_STATUSES, AppealStatus, DelistingStatus, EntryKind
from .policy import policy_current
from .rule import Judgement, judge, without_own_suspension
from .statements import score_text as _two  # a score, bound or bar as the statements carry it

if TYPE_CHECKING:
    from ..scores.hooks import StoredScore

TRUST_SCORE = "trust_score"  # the ListingSuspension reason code
REASON_MAX = 1000
NOTE_MAX = 500
DECISION_MAX = 500


def _move(delisting: Delisting, status: str) -> None:
    transition_check(
        DELISTING_TRANSITIONS, delisting.status, status, code=errors.TRANSITION,
        message=_("下架记录当前状态不允许此操作"), details={"from": delisting.status, "to": status},
    )  # fmt: skip
    delisting.status = status


def _entry(
    delisting: Delisting, kind: str, statement_type: str, leaf_hash: str, data: dict[str, Any], at: dt.datetime
) -> DelistingEntry:
    return DelistingEntry(
        delisting=delisting,
        product_id=delisting.product_id,
        kind=kind,
        statement_type=statement_type,
        leaf_hash=leaf_hash,
        data=data,
        created_at=at,
    )


def scores_judge(stored: list[StoredScore]) -> None:
    """Delist the products whose stored score is confidently below the bar; relist the delisted ones whose score
    recovered. Call inside the transaction that stored the scores."""
    policy = policy_current()
    rows = [item.row for item in stored if item.row.version == policy["formula"]]
    if not rows:
        return
    open_rows = Delisting.objects.filter(product_id__in=[row.product_id for row in rows], status__in=OPEN_STATUSES)
    delisted = {delisting.product_id: delisting for delisting in open_rows.select_related("suspension")}
    below: list[tuple[int, Judgement]] = []
    recovered: list[tuple[Delisting, Judgement]] = []
    for row in rows:
        delisting = delisted.get(row.product_id)
        if delisting is None:
            if row.score is not None and row.score < policy["bar"]:  # most products stop here
                judgement = judge(row.inputs, policy)
                if judgement.delist:
                    below.append((row.product_id, judgement))
        else:
            judgement = judge(without_own_suspension(row.inputs), policy)
            if judgement.recovered:
                recovered.append((delisting, judgement))
    now = clock.now()
    if below:
        _delist(below, policy=policy, now=now)
    for delisting, judgement in recovered:
        locked = Delisting.objects.select_for_update(of=("self",)).select_related("suspension").get(pk=delisting.pk)
        if locked.status in OPEN_STATUSES:  # not relisted by an operator meanwhile
            _relist(locked, cause="score_recovered", judgement=judgement, now=now)


def _reason(policy: dict[str, Any]) -> str:
    """The sentence the suspension records, in the platform's language (pages show it as recorded)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("信任分有 95%% 的把握低于 %(bar)s，平台已自动下架；商家可以申诉") % {"bar": _two(policy["bar"])}


def _delist(below: Sequence[tuple[int, Judgement]], *, policy: dict[str, Any], now: dt.datetime) -> list[Delisting]:
    products = Product.objects.select_related("merchant").in_bulk([product_id for product_id, _j in below])
    judgements = dict(below)
    rows = listing_suspend(
        products=[products[product_id] for product_id, _j in below],
        reason_code=TRUST_SCORE,
        reason=_reason(policy),
        details={"policy": policy["version"], "bar": _two(policy["bar"])},
        source=f"trust.delisting:{policy['version']}",
    )
    documents, delistings = [], []
    for suspension in rows:
        product, judgement = products[suspension.product_id], judgements[suspension.product_id]
        assert judgement.score is not None and judgement.upper is not None  # a delisted score has both
        sd = round(float(judgement.sd or 0), 4)
        documents.append({
            "type": statements.DELISTING.name, "subject": facts_subject(product),
            "merchant": keys.owner_of(product.merchant), "gtin": product.gtin, "version": policy["formula"],
            "policy": policy["version"], "score": _two(judgement.score), "sd": sd, "upper": _two(judgement.upper),
            "bar": _two(policy["bar"]), "z": policy["z"], "components": judgement.components, "time": now.isoformat(),
        })  # fmt: skip
        delistings.append(Delisting(
            product_id=product.pk, suspension=suspension, policy=policy["version"], version=policy["formula"],
            score=judgement.score, sd=sd, upper=judgement.upper, bar=policy["bar"], components=judgement.components,
            created_at=now,
        ))  # fmt: skip
    refs = signing.statements_sign_and_append(organization=platform_organization(), statements=documents)
    for delisting, ref in zip(delistings, refs, strict=True):
        delisting.leaf_hash = ref.leaf_hash
    Delisting.objects.bulk_create(delistings)
    DelistingEntry.objects.bulk_create(
        [
            _entry(
                delisting,
                EntryKind.DELISTING,
                statements.DELISTING.name,
                delisting.leaf_hash,
                {"score": _two(delisting.score), "upper": _two(delisting.upper), "bar": _two(delisting.bar)},
                now,
            )
            for delisting in delistings
        ]
    )
    for delisting in delistings:
        events.DELISTED.announce(delisting_id=delisting.pk)
    return delistings


def _relist(delisting: Delisting, *, cause: str, judgement: Judgement | None, now: dt.datetime) -> None:
    """Lift the delisting's suspension, sign `trust.relisting` and close an open appeal the score made moot."""
    _move(delisting, DelistingStatus.RELISTED)
    product = Product.objects.select_related("merchant").get(pk=delisting.product_id)
    listing_suspensions_lift(suspensions=[delisting.suspension], at=now)
    document: dict[str, Any] = {
        "type": statements.RELISTING.name,
        "subject": facts_subject(product),
        "merchant": keys.owner_of(product.merchant),
        "gtin": product.gtin,
        "delisting": delisting.leaf_hash,
        "cause": cause,
        "time": now.isoformat(),
    }
    data: dict[str, Any] = {"cause": cause}
    if judgement is not None:
        document |= {"score": _two(judgement.score), "upper": _two(judgement.upper)}
        data |= {"score": _two(judgement.score), "upper": _two(judgement.upper)}
    ref = signing.statement_sign_and_append(organization=platform_organization(), statement=document)
    delisting.relisted_at = now
    delisting.save(update_fields=["status", "relisted_at"])
    _entry(delisting, EntryKind.RELISTING, statements.RELISTING.name, ref.leaf_hash, data, now).save()
    if cause == "score_recovered":
        DelistingAppeal.objects.filter(delisting=delisting, status=AppealStatus.OPEN).update(
            status=AppealStatus.CLOSED, decided_at=now
        )
    audit_record(
        actor=None,
        organization=product.merchant,
        action="trust.relist",
        target=delisting,
        data={"cause": cause, "leaf_hash": ref.leaf_hash},
    )


def _text(value: str, *, field: str, minimum: int, maximum: int) -> str:
    value = (value or "").strip()
    if not minimum <= len(value) <= maximum:
        raise InvalidInput(
            errors.INVALID,
            _("内容长度须为 %(min)s–%(max)s 字") % {"min": minimum, "max": maximum},
            details={"field": field},
        )
    return value


@transaction.atomic
def appeal_submit(*, actor: Actor, delisting_id: int, reason: str, evidence_note: str = "") -> DelistingAppeal:
    """The merchant appeals one of its own delistings (one open appeal at a time), signing `trust.appeal`."""
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    reason = _text(reason, field="reason", minimum=2, maximum=REASON_MAX)
    evidence_note = (evidence_note or "").strip()
    if len(evidence_note) > NOTE_MAX:
        raise InvalidInput(
            errors.INVALID, _("证据说明最多 %(max)s 字") % {"max": NOTE_MAX}, details={"field": "evidence_note"}
        )
    delisting = (
        Delisting.objects.select_for_update(of=("self",))
        .select_related("product")
        .filter(pk=delisting_id, product__merchant=actor.organization)
        .first()
    )
    if delisting is None:
        raise NotFound(errors.DELISTING_NOT_FOUND, _("找不到该下架记录"))
    if DelistingAppeal.objects.filter(delisting=delisting, status=AppealStatus.OPEN).exists():
        raise Conflict(errors.APPEAL_OPEN, _("该下架已有一条待处理的申诉"))
    if not transition_allowed(DELISTING_TRANSITIONS, delisting.status, DelistingStatus.APPEALED):
        raise Conflict(errors.APPEAL_NOT_ALLOWED, _("该商品已恢复销售，无需申诉"))
    now = clock.now()
    ref = signing.statement_sign_and_append(
        organization=actor.organization,
        statement={
            "type": statements.APPEAL.name,
            "subject": facts_subject(delisting.product),
            "merchant": keys.owner_of(actor.organization),
            "gtin": delisting.product.gtin,
            "delisting": delisting.leaf_hash,
            "reason_sha256": hashlib.sha256(reason.encode()).hexdigest(),
            "time": now.isoformat(),
        },
    )
    appeal = DelistingAppeal.objects.create(
        delisting=delisting,
        reason=reason,
        evidence_note=evidence_note,
        submitted_by=actor.user,
        leaf_hash=ref.leaf_hash,
        created_at=now,
    )
    _move(delisting, DelistingStatus.APPEALED)
    delisting.save(update_fields=["status"])
    _entry(delisting, EntryKind.APPEAL, statements.APPEAL.name, ref.leaf_hash, {}, now).save()
    audit_record(
        actor=actor.user,
        organization=actor.organization,
        action="trust.appeal",
        target=delisting,
        data={"leaf_hash": ref.leaf_hash},
    )
    return appeal


@transaction.atomic
def appeal_decide(*, actor: Actor, appeal_id: int, outcome: str, reason: str) -> DelistingAppeal:
    """An operator relists (lifting the suspension) or upholds, with a public reason; the score is not touched."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.PLATFORM])
    if outcome not in ("relist", "uphold"):
        raise InvalidInput(errors.INVALID, _("请选择恢复销售或维持下架"), details={"field": "outcome"})
    reason = _text(reason, field="reason", minimum=2, maximum=DECISION_MAX)
    # Locks in the order delisting, then appeal: the same as an automatic relisting (scores_judge).
    delisting_id = DelistingAppeal.objects.filter(pk=appeal_id).values_list("delisting_id", flat=True).first()
    if delisting_id is None:
        raise NotFound(errors.APPEAL_NOT_FOUND, _("找不到该申诉"))
    delisting = (
        Delisting.objects.select_for_update(of=("self",))
        .select_related("suspension", "product__merchant")
        .get(pk=delisting_id)
    )
    appeal = DelistingAppeal.objects.select_for_update().get(pk=appeal_id)
    if appeal.status != AppealStatus.OPEN:
        raise Conflict(errors.APPEAL_DECIDED, _("该申诉已处理"))
    product, now = delisting.product, clock.now()
    ref = signing.statement_sign_and_append(
        organization=platform_organization(),
        statement={
            "type": statements.DECISION.name,
            "subject": facts_subject(product),
            "merchant": keys.owner_of(product.merchant),
            "gtin": product.gtin,
            "delisting": delisting.leaf_hash,
            "appeal": appeal.leaf_hash,
            "outcome": outcome,
            "reason": reason,
            "time": now.isoformat(),
        },
    )
    appeal.status = AppealStatus.RELISTED if outcome == "relist" else AppealStatus.UPHELD
    appeal.decided_by, appeal.decision_reason, appeal.decision_leaf_hash, appeal.decided_at = (
        actor.user,
        reason,
        ref.leaf_hash,
        now,
    )
    appeal.save(update_fields=["status", "decided_by", "decision_reason", "decision_leaf_hash", "decided_at"])
    _entry(
        delisting,
        EntryKind.DECISION,
        statements.DECISION.name,
        ref.leaf_hash,
        {"outcome": outcome, "reason": reason},
        now,
    ).save()
    if outcome == "relist":
        _relist(delisting, cause="appeal", judgement=None, now=now)
    else:
        _move(delisting, DelistingStatus.UPHELD)
        delisting.save(update_fields=["status"])
        pages_mark_stale(kind=PageRefresh.Kind.PRODUCT, object_ids=[delisting.product_id])
    audit_record(
        actor=actor.user,
        organization=product.merchant,
        action="trust.appeal_decide",
        target=appeal,
        data={"outcome": outcome, "leaf_hash": ref.leaf_hash},
    )
    events.APPEAL_DECIDED.announce(appeal_id=appeal.pk)
    return appeal
