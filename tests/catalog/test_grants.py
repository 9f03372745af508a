"""Partner grants (ADR 0039): found by name or USCC, per product or per lot, with an end date; checked when the
partner records."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import OrganizationKind, Role
from xinren.catalog.grants import (
    grant_today,
    grants_received_list,
    partner_grant,
    partner_grant_revoke,
    partner_search,
)
from xinren.catalog.models import PartnerGrant
from xinren.core import clock
from xinren.core.audit import AuditEntry
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.evidence.models import Evidence
from xinren.evidence.services import evidence_attach, media_ingest
from xinren.trace.models import TraceEvent
from xinren.trace.services import event_record

from ..evidence.samples import png
from ..factories import BatchFactory, OrganizationFactory, ProductFactory, actor_for, legacy_grant

pytestmark = pytest.mark.django_db


def _in(days: int) -> dt.date:
    return grant_today() + dt.timedelta(days=days)


def _record(actor, *paths: str) -> TraceEvent:  # type: ignore[no-untyped-def]
    return event_record(
        actor=actor, event_type="ObjectEvent", biz_step="shipping", action="OBSERVE",
        event_time=clock.now() - dt.timedelta(hours=1), identifiers=list(paths),
    )


@pytest.fixture
def second_product(merchant):  # type: ignore[no-untyped-def]
    return ProductFactory(merchant=merchant, gtin="06901234567908", name="香格里拉松茸 250g")


# --- what a grant covers -------------------------------------------------------------------------------------------


def test_a_product_grant_covers_its_lots_and_items_and_nothing_else(
    merchant_admin, logistics, logistics_actor, batch, item, second_product
):
    # given
    (grant,) = partner_grant(actor=merchant_admin, partner=logistics.slug, product_ids=[batch.product_id],
                             ends_on=_in(30))
    other_lot = BatchFactory(product=second_product, lot="SL2026")
    # when
    lot_event = _record(logistics_actor, batch.digital_link.path)
    item_event = _record(logistics_actor, item.digital_link.path)
    with pytest.raises(PermissionDenied) as caught:
        _record(logistics_actor, other_lot.digital_link.path)
    # then
    assert (grant.product_id, grant.batch_id, grant.ends_on, grant.legacy_all_products) == (
        batch.product_id, None, _in(30), False,
    )
    assert lot_event.organization == logistics and item_event.organization == logistics
    assert caught.value.code == "epcis.identifier_forbidden"
    assert caught.value.message == "商家给你的授权不包括香格里拉松茸 250g 批次 SL2026"
    assert TraceEvent.objects.count() == 2


def test_a_lot_grant_covers_that_lot_only(merchant_admin, logistics, logistics_actor, batch, product):
    # given
    other_lot = BatchFactory(product=product, lot="L20260801")
    partner_grant(actor=merchant_admin, partner=logistics.slug, batch_ids=[batch.pk], ends_on=_in(7))
    # when
    _record(logistics_actor, batch.digital_link.path)
    with pytest.raises(PermissionDenied) as other:
        _record(logistics_actor, other_lot.digital_link.path)
    with pytest.raises(PermissionDenied) as whole:
        _record(logistics_actor, product.digital_link.path)
    # then
    assert other.value.message == "商家给你的授权不包括楚雄野生牛肝菌 500g 批次 L20260801"
    assert whole.value.message == "商家只授权了该商品的部分批次，请在标识符中写明批次或单品"
    assert TraceEvent.objects.count() == 1


def test_an_expired_grant_stops_working_the_day_after_its_end_date(merchant_admin, logistics, logistics_actor, batch):
    # given: a grant whose last day is today
    partner_grant(actor=merchant_admin, partner=logistics.slug, product_ids=[batch.product_id], ends_on=_in(0))
    _record(logistics_actor, batch.digital_link.path)
    # when: a day later
    with clock.played_at(clock.now() + dt.timedelta(days=1)), pytest.raises(PermissionDenied) as caught:
        _record(logistics_actor, batch.digital_link.path)
    # then
    assert caught.value.message == f"商家对楚雄野生牛肝菌 500g的授权已于 {_in(0).isoformat()} 到期"
    assert TraceEvent.objects.count() == 1


def test_a_revoked_grant_stops_working_at_once(merchant_admin, logistics, logistics_actor, batch):
    # given
    (grant,) = partner_grant(actor=merchant_admin, partner=logistics.slug, product_ids=[batch.product_id],
                             ends_on=_in(30))
    # when
    partner_grant_revoke(actor=merchant_admin, grant_id=grant.pk)
    with pytest.raises(PermissionDenied) as caught:
        _record(logistics_actor, batch.digital_link.path)
    # then
    assert caught.value.message == f"商家已于 {_in(0).isoformat()} 撤销对楚雄野生牛肝菌 500g的授权"
    assert TraceEvent.objects.count() == 0


def test_evidence_is_checked_against_the_scope_too(merchant_admin, logistics, logistics_actor, batch, second_product):
    # given
    partner_grant(actor=merchant_admin, partner=logistics.slug, batch_ids=[batch.pk], ends_on=_in(30))
    outside = BatchFactory(product=second_product, lot="SL2026")
    media = media_ingest(content=png(), filename="p.png")
    # when
    evidence_attach(actor=logistics_actor, media=media, batch=batch, purpose="packing", caption="装车")
    with pytest.raises(PermissionDenied) as caught:
        evidence_attach(actor=logistics_actor, media=media, batch=outside, purpose="packing", caption="装车")
    # then
    assert caught.value.message == "商家给你的授权不包括香格里拉松茸 250g 批次 SL2026"
    assert Evidence.objects.filter(batch=outside).count() == 0


def test_a_migrated_grant_still_covers_all_products(merchant_admin, logistics, logistics_actor, batch, second_product):
    # given: a grant made before scopes, as the migration marks it
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    other_lot = BatchFactory(product=second_product, lot="SL2026")
    # when
    _record(logistics_actor, batch.digital_link.path, other_lot.digital_link.path)
    # then
    assert TraceEvent.objects.count() == 1


# --- bad input is refused with its reason and changes nothing -------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "code", "message"),
    [
        ("unknown", "partner.not_found", "找不到该合作机构（no-such-firm），请按名称或统一社会信用代码搜索"),
        ("self", "grant.self", "不能授权给本组织自己"),
        ("past", "grant.ends_on_invalid", None),
        ("none", "grant.ends_on_invalid", "请填写授权截止日期"),
        ("too_long", "grant.ends_on_invalid", None),
        ("no_scope", "grant.scope_invalid", "请至少选择一个商品或批次"),
        ("not_mine", "grant.scope_invalid", "找不到所选的商品或批次（它们须属于本店）"),
        ("alliance", "partner.not_found", None),
    ],
)
def test_bad_grants_are_refused_and_nothing_changes(
    case, code, message, merchant, merchant_admin, logistics, batch, other_batch
):
    # given
    alliance = OrganizationFactory(kind=OrganizationKind.ALLIANCE, slug="some-alliance")
    kwargs = {"partner": logistics.slug, "product_ids": [batch.product_id], "ends_on": _in(30)}
    kwargs.update({
        "unknown": {"partner": "no-such-firm"},
        "self": {"partner": merchant.slug},
        "past": {"ends_on": _in(-1)},
        "none": {"ends_on": None},
        "too_long": {"ends_on": _in(4 * 366)},
        "no_scope": {"product_ids": []},
        "not_mine": {"product_ids": [other_batch.product_id]},
        "alliance": {"partner": alliance.slug},
    }[case])
    audits = AuditEntry.objects.count()
    # when
    with pytest.raises((InvalidInput, NotFound)) as caught:
        partner_grant(actor=merchant_admin, **kwargs)
    # then
    assert caught.value.code == code
    if message is not None:
        assert caught.value.message == message
    if case == "past":
        assert caught.value.message == (
            f"截止日期 {_in(-1).isoformat()} 已经过去（今天是 {_in(0).isoformat()}）"
        )
    assert PartnerGrant.objects.count() == 0 and AuditEntry.objects.count() == audits


def test_a_grant_by_uscc_and_a_duplicate_is_refused(merchant_admin, logistics, batch):
    # given
    (grant,) = partner_grant(actor=merchant_admin, partner=logistics.uscc, batch_ids=[batch.pk], ends_on=_in(30))
    # when
    with pytest.raises(Conflict) as caught:
        partner_grant(actor=merchant_admin, partner=logistics.slug, batch_ids=[batch.pk], ends_on=_in(60))
    # then
    assert grant.partner == logistics
    assert caught.value.message == f"已有对“L20260701”的有效授权（至 {_in(30).isoformat()}），如需更改请先撤销"
    assert PartnerGrant.objects.count() == 1


def test_only_an_admin_grants_or_revokes(merchant, merchant_admin, logistics, batch):
    staff = actor_for(merchant, Role.STAFF)
    with pytest.raises(PermissionDenied):
        partner_grant(actor=staff, partner=logistics.slug, product_ids=[batch.product_id], ends_on=_in(30))
    (grant,) = partner_grant(actor=merchant_admin, partner=logistics.slug, product_ids=[batch.product_id],
                             ends_on=_in(30))
    with pytest.raises(PermissionDenied):
        partner_grant_revoke(actor=staff, grant_id=grant.pk)
    with pytest.raises(NotFound):
        partner_grant_revoke(actor=actor_for(OrganizationFactory(), Role.ADMIN), grant_id=grant.pk)
    grant.refresh_from_db()
    assert grant.revoked_at is None and PartnerGrant.objects.count() == 1


# --- finding a partner, and what it sees -----------------------------------------------------------------------------


def test_search_finds_by_part_of_the_name_or_the_full_uscc_only(merchant_admin, merchant, logistics, lab):
    # given: an alliance and the merchant itself are never offered
    OrganizationFactory(kind=OrganizationKind.ALLIANCE, name="滇冷链联盟")
    # when
    by_name = [o.slug for o in partner_search(actor=merchant_admin, query="冷链")]
    by_uscc = [o.slug for o in partner_search(actor=merchant_admin, query=lab.uscc.lower())]
    own = list(partner_search(actor=merchant_admin, query="山野"))
    with pytest.raises(InvalidInput) as short:
        partner_search(actor=merchant_admin, query="滇")
    # then
    assert (by_name, by_uscc, own) == (["dianleng"], ["yn-lab"], [])
    assert short.value.message == "请输入机构名称中的至少 2 个字，或完整的统一社会信用代码"


def test_the_partner_sees_what_it_was_granted(merchant_admin, other_merchant, logistics, logistics_actor, batch):
    # given
    partner_grant(actor=merchant_admin, partner=logistics.slug, batch_ids=[batch.pk], ends_on=_in(30))
    (revoked,) = partner_grant(actor=merchant_admin, partner=logistics.slug, product_ids=[batch.product_id],
                               ends_on=_in(10))
    partner_grant_revoke(actor=merchant_admin, grant_id=revoked.pk)
    # when
    rows = [(g.owner.slug, g.batch_id, g.product_id, g.revoked_at is None) for g in
            grants_received_list(actor=logistics_actor)]
    stranger = list(grants_received_list(actor=actor_for(other_merchant)))
    # then
    assert rows == [("shanye", batch.pk, None, True), ("shanye", None, batch.product_id, False)]
    assert stranger == []
