"""Partner grants (ADR 0039): a merchant lets a partner record events about one product or one lot, until a date.

The partner is found by name or USCC (a search, never a list of every organization on the platform); a grant is in
force from when it is made until the end of its last day (China Standard Time) unless revoked first. Whoever
records an event, attaches evidence or files a lab report about another merchant's goods is checked against the
grants in force at that moment (`grant_scope`, `grant_refusal`). Grants made before ADR 0039 cover all of the
owner's products with no end date (`legacy_all_products`); nothing makes such a grant any more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, TRACE_KINDS, OrganizationStatus, Role
from xinren.accounts.models import Organization
from xinren.accounts.uscc import uscc_is_valid
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput, NotFound

from . import errors
from .models import Batch, PartnerGrant, Product

GRANT_ZONE = ZoneInfo("Asia/Shanghai")
MAX_GRANT_DAYS = 3 * 366  # a longer grant is more likely a typo than a plan; renew it instead
SEARCH_MIN_LENGTH = 2
SEARCH_LIMIT = 10


def grant_today(at: dt.datetime | None = None) -> dt.date:
    """The calendar day in China Standard Time at `at` (now by default): the day end dates are compared with."""
    return (at or clock.now()).astimezone(GRANT_ZONE).date()


def grants_in_force(at: dt.datetime | None = None) -> QuerySet[PartnerGrant]:
    """Grants not revoked and not past their end date at `at`."""
    return PartnerGrant.objects.filter(revoked_at__isnull=True).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=grant_today(at))
    )


@dataclass(frozen=True)
class GrantScope:
    """What one partner may record about other organizations' goods at one moment."""

    owners: frozenset[int]  # owners with at least one grant in force
    owners_all: frozenset[int]  # owners whose legacy grant covers all their products
    products: frozenset[int]
    batches: frozenset[int]

    def covers(self, *, owner_id: int, product_id: int, batch_id: int | None) -> bool:
        """A product-wide grant covers its lots and items; a lot grant covers only that lot and its items."""
        return (
            owner_id in self.owners_all
            or product_id in self.products
            or (batch_id is not None and batch_id in self.batches)
        )


def grant_scope(*, partner: Organization, at: dt.datetime | None = None) -> GrantScope:
    """The grants in force to `partner`, in one query."""
    rows = grants_in_force(at).filter(partner=partner).values_list(
        "owner_id", "legacy_all_products", "product_id", "batch_id"
    )
    owners, owners_all, products, batches = set(), set(), set(), set()
    for owner_id, legacy, product_id, batch_id in rows:
        owners.add(owner_id)
        if legacy:
            owners_all.add(owner_id)
        if product_id is not None:
            products.add(product_id)
        if batch_id is not None:
            batches.add(batch_id)
    return GrantScope(frozenset(owners), frozenset(owners_all), frozenset(products), frozenset(batches))


def grant_covers(
    *, partner: Organization, product: Product, batch: Batch | None, at: dt.datetime | None = None
) -> bool:
    """Whether `partner` may record about this product (or this lot of it) now: its own goods, or a grant in force."""
    if product.merchant_id == partner.pk:
        return True
    return grant_scope(partner=partner, at=at).covers(
        owner_id=product.merchant_id, product_id=product.pk, batch_id=batch.pk if batch is not None else None
    )


def grant_refusal(
    *, partner: Organization, product: Product, batch: Batch | None, at: dt.datetime | None = None
) -> str:
    """Why `partner` may not record about this product or lot now, in words (the caller has found it may not)."""
    scope = grant_scope(partner=partner, at=at)
    what = product.name
    if batch is not None:
        what = _("%(product)s 批次 %(lot)s") % {"product": product.name, "lot": batch.lot}
    if product.merchant_id in scope.owners:
        if batch is None and Batch.objects.filter(pk__in=scope.batches, product=product).exists():
            return _("商家只授权了该商品的部分批次，请在标识符中写明批次或单品")
        return _("商家给你的授权不包括%(what)s") % {"what": what}
    scoped = PartnerGrant.objects.filter(partner=partner, owner_id=product.merchant_id).filter(
        Q(legacy_all_products=True) | Q(product=product) | Q(batch=batch) if batch is not None
        else Q(legacy_all_products=True) | Q(product=product)
    )
    latest = scoped.order_by("-created_at", "-id").first()
    if latest is not None and latest.revoked_at is not None:
        return _("商家已于 %(date)s 撤销对%(what)s的授权") % {
            "date": latest.revoked_at.astimezone(GRANT_ZONE).date().isoformat(), "what": what,
        }
    if latest is not None and latest.ends_on is not None:
        return _("商家对%(what)s的授权已于 %(date)s 到期") % {"date": latest.ends_on.isoformat(), "what": what}
    return _("该商品属于其他商家，且对方未授权你记录其溯源事件")


def partner_search(*, actor: Actor, query: str) -> QuerySet[Organization]:
    """Organizations that could be granted, found by part of their name or by their full USCC (at most 10)."""
    actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
    query = query.strip()
    if len(query) < SEARCH_MIN_LENGTH:
        raise InvalidInput(
            errors.GRANT_SEARCH_INVALID,
            _("请输入机构名称中的至少 2 个字，或完整的统一社会信用代码"),
            details={"field": "q"},
        )
    condition = Q(name__icontains=query)
    if len(query) == 18:
        condition |= Q(uscc=query.upper())
    return (
        Organization.objects.filter(condition, kind__in=TRACE_KINDS, status=OrganizationStatus.ACTIVE)
        .exclude(pk=actor.organization.pk)
        .order_by("name")[:SEARCH_LIMIT]
    )


def _partner_find(*, actor: Actor, partner: str) -> Organization:
    """The organization a grant names, by slug or USCC; the actor itself is refused with its own reason."""
    key = partner.strip()
    condition = Q(slug=key)
    if len(key) == 18 and uscc_is_valid(key.upper()):
        condition |= Q(uscc=key.upper())
    found = Organization.objects.filter(condition).first()
    if found is not None and found.pk == actor.organization.pk:
        raise InvalidInput(errors.GRANT_SELF, _("不能授权给本组织自己"), details={"field": "partner"})
    if found is None or found.kind not in TRACE_KINDS or found.status != OrganizationStatus.ACTIVE:
        raise NotFound(
            errors.PARTNER_NOT_FOUND,
            _("找不到该合作机构（%(partner)s），请按名称或统一社会信用代码搜索") % {"partner": key},
            details={"field": "partner", "partner": key},
        )
    return found


def _ends_on_check(ends_on: dt.date | None) -> dt.date:
    today = grant_today()
    if ends_on is None:
        raise InvalidInput(errors.GRANT_ENDS_ON_INVALID, _("请填写授权截止日期"), details={"field": "ends_on"})
    if ends_on < today:
        raise InvalidInput(
            errors.GRANT_ENDS_ON_INVALID,
            _("截止日期 %(date)s 已经过去（今天是 %(today)s）")
            % {"date": ends_on.isoformat(), "today": today.isoformat()},
            details={"field": "ends_on", "ends_on": ends_on.isoformat(), "today": today.isoformat()},
        )
    if ends_on > today + dt.timedelta(days=MAX_GRANT_DAYS):
        raise InvalidInput(
            errors.GRANT_ENDS_ON_INVALID,
            _("授权最长 3 年，请把截止日期定在 %(latest)s 之前，到期再续")
            % {"latest": (today + dt.timedelta(days=MAX_GRANT_DAYS)).isoformat()},
            details={"field": "ends_on", "ends_on": ends_on.isoformat()},
        )
    return ends_on


def _scope_find(
    *, actor: Actor, product_ids: Sequence[int], batch_ids: Sequence[int]
) -> tuple[list[Product], list[Batch]]:
    product_ids, batch_ids = sorted(set(product_ids)), sorted(set(batch_ids))
    if not product_ids and not batch_ids:
        raise InvalidInput(
            errors.GRANT_SCOPE_INVALID, _("请至少选择一个商品或批次"), details={"field": "products"}
        )
    products = list(Product.objects.filter(pk__in=product_ids, merchant=actor.organization).order_by("pk"))
    batches = list(
        Batch.objects.filter(pk__in=batch_ids, product__merchant=actor.organization)
        .select_related("product")
        .order_by("pk")
    )
    missing = sorted(set(product_ids) - {p.pk for p in products}) + sorted(set(batch_ids) - {b.pk for b in batches})
    if missing:
        raise NotFound(
            errors.GRANT_SCOPE_INVALID,
            _("找不到所选的商品或批次（它们须属于本店）"),
            details={"field": "products" if set(missing) & set(product_ids) else "batches", "missing": missing},
        )
    covered = {p.pk for p in products}
    overlapping = [b for b in batches if b.product_id in covered]
    if overlapping:
        raise InvalidInput(
            errors.GRANT_SCOPE_INVALID,
            _("批次 %(lot)s 所属的商品已整体选中，不必再单独选批次") % {"lot": overlapping[0].lot},
            details={"field": "batches", "batch": overlapping[0].pk},
        )
    return products, batches


@transaction.atomic
def partner_grant(
    *,
    actor: Actor,
    partner: str,
    product_ids: Sequence[int] = (),
    batch_ids: Sequence[int] = (),
    ends_on: dt.date | None,
) -> list[PartnerGrant]:
    """Let a supplier, lab or logistics firm (by slug or USCC) record trace events about some of the actor's
    products or lots until `ends_on` (its last day): one grant per product and per lot, all or none."""
    actor.require(role=Role.ADMIN, kinds=CATALOG_KINDS)
    organization = _partner_find(actor=actor, partner=partner)
    ends_on = _ends_on_check(ends_on)
    products, batches = _scope_find(actor=actor, product_ids=product_ids, batch_ids=batch_ids)
    live = grants_in_force().select_for_update(of=("self",)).filter(owner=actor.organization, partner=organization)
    taken = live.filter(Q(product__in=products) | Q(batch__in=batches)).select_related("product", "batch").first()
    if taken is not None:
        thing = taken.product.name if taken.product is not None else taken.batch.lot if taken.batch else ""
        raise Conflict(
            errors.GRANT_DUPLICATE,
            _("已有对“%(what)s”的有效授权（至 %(date)s），如需更改请先撤销")
            % {"what": thing, "date": taken.ends_on.isoformat() if taken.ends_on else "—"},
            details={"field": "products", "grant": taken.pk},
        )
    # A revoked or expired grant for the same scope is history: it stays, and the new grant is a new row.
    grants = [
        PartnerGrant(owner=actor.organization, partner=organization, product=p, ends_on=ends_on, granted_by=actor.user)
        for p in products
    ] + [
        PartnerGrant(owner=actor.organization, partner=organization, batch=b, ends_on=ends_on, granted_by=actor.user)
        for b in batches
    ]
    for grant in grants:
        grant.save()
        audit_record(
            actor=actor.user, organization=actor.organization, action="partner.grant", target=grant,
            data={
                "partner": organization.slug, "product": grant.product_id, "batch": grant.batch_id,
                "ends_on": ends_on.isoformat(),
            },
        )
    return grants


@transaction.atomic
def partner_grant_revoke(*, actor: Actor, grant_id: int) -> PartnerGrant:
    """Withdraw one grant at once (a revoked grant stays listed, as history)."""
    actor.require(role=Role.ADMIN, kinds=CATALOG_KINDS)
    grant = (
        PartnerGrant.objects.select_for_update(of=("self",))
        .select_related("partner")
        .filter(pk=grant_id, owner=actor.organization)
        .first()
    )
    if grant is None:
        raise NotFound(errors.GRANT_NOT_FOUND, _("找不到该授权"), details={"grant": grant_id})
    if grant.revoked_at is None:
        grant.revoked_at = clock.now()
        grant.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor.user, organization=actor.organization, action="partner.revoke", target=grant)
    return grant


@transaction.atomic
def partner_revoke(*, actor: Actor, partner_slug: str) -> int:
    """Withdraw every grant the actor gave a partner; returns how many were in force."""
    actor.require(role=Role.ADMIN, kinds=CATALOG_KINDS)
    grants = list(
        PartnerGrant.objects.select_for_update(of=("self",)).filter(
            owner=actor.organization, partner__slug=partner_slug, revoked_at__isnull=True
        )
    )
    if not grants and not PartnerGrant.objects.filter(owner=actor.organization, partner__slug=partner_slug).exists():
        raise NotFound(errors.PARTNER_NOT_FOUND, _("找不到该合作机构"), details={"partner": partner_slug})
    now = clock.now()
    for grant in grants:
        grant.revoked_at = now
        grant.save(update_fields=["revoked_at", "updated_at"])
        audit_record(actor=actor.user, organization=actor.organization, action="partner.revoke", target=grant)
    return len(grants)


def _listed(grants: QuerySet[PartnerGrant]) -> QuerySet[PartnerGrant]:
    return grants.select_related("owner", "partner", "product", "batch__product").order_by(
        F("revoked_at").asc(nulls_first=True), F("ends_on").desc(nulls_first=True), "-created_at", "-id"
    )


def partner_grant_list(*, actor: Actor) -> QuerySet[PartnerGrant]:
    """The grants the actor's organization gave, live ones first."""
    actor.require(role=Role.VIEWER)
    return _listed(PartnerGrant.objects.filter(owner=actor.organization))


def grants_received_list(*, actor: Actor) -> QuerySet[PartnerGrant]:
    """我获得的授权: the grants other organizations gave the actor's organization, live ones first."""
    actor.require(role=Role.VIEWER)
    return _listed(PartnerGrant.objects.filter(partner=actor.organization))


def grant_state(grant: PartnerGrant, *, at: dt.datetime | None = None) -> str:
    """"active", "expired" or "revoked", as the console shows it."""
    if grant.revoked_at is not None:
        return "revoked"
    if grant.ends_on is not None and grant.ends_on < grant_today(at):
        return "expired"
    return "active"
