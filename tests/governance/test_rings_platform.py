"""Brushing rings on the platform's own tables: the adapter (keyed hashes only), manage.py rings_detect, and the
operator's confirm (folds with a public reason, a brushing flag for the risk score) or dismiss (ADR 0050)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from xinren.accounts.choices import Role
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.core.models import AuditEntry
from xinren.governance.models import BrushingRing, RingStatus
from xinren.governance.rings.graph import Ring
from xinren.governance.rings.platform import address_hash, platform_orders, platform_reviews
from xinren.governance.rings.services import ring_confirm, ring_dismiss, rings_store
from xinren.reviews.choices import FlagReason, ReviewStatus
from xinren.reviews.models import Flag, Review
from xinren.reviews.services import review_post

from ..factories import actor_for
from ..fixtures.accounts import consumer_with_phone
from ..fixtures.reviews import line_delivered, statement_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _room_to_order(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_ORDERS_PER_HOUR = 1000


@pytest.fixture
def ring_world(platform, product_on_sale):  # type: ignore[no-untyped-def]
    """Six accounts whose orders all go to one phone and one address (the fixture's), each with a review."""
    members = [consumer_with_phone(f"1370000000{i}") for i in range(6)]
    reviews = [
        review_post(
            consumer=user,
            line_id=line_delivered(user, product_on_sale).pk,
            stars=5,
            text=f"非常好，推荐购买，第{i}次回购",
        )
        for i, user in enumerate(members)
    ]
    return members, reviews


def test_the_adapter_gives_keyed_hashes_never_the_values(ring_world, product_on_sale):
    orders = platform_orders(since=clock.now() - dt.timedelta(days=30))
    assert len(orders) == 6
    assert {o.shop for o in orders} == {str(product_on_sale.merchant_id)}
    assert len({o.phone_hash for o in orders}) == 1
    assert len(orders[0].phone_hash) == 64 and "13900001111" not in orders[0].phone_hash
    assert {o.address_hash for o in orders} == {address_hash("上海市浦东新区张杨路 500 号")}
    assert address_hash("上海市 浦东新区张杨路500号") == address_hash("上海市浦东新区张杨路 500 号")
    assert len(platform_reviews(since=clock.now() - dt.timedelta(days=30))) == 6


def test_the_command_flags_the_ring_once(ring_world, product_on_sale, capsys):
    members, _ = ring_world
    call_command("rings_detect", "--days", "30")
    assert "1 rings found, 1 new flagged" in capsys.readouterr().out
    ring = BrushingRing.objects.get()
    assert (ring.shop_id, sorted(ring.members), ring.status) == (
        product_on_sale.merchant_id,
        sorted(u.pk for u in members),
        RingStatus.FLAGGED,
    )
    assert {e["signal"] for e in ring.evidence} >= {"shared_phone", "shared_address"}
    assert "139" not in str(ring.evidence)
    call_command("rings_detect", "--days", "30")
    assert "0 new flagged" in capsys.readouterr().out
    assert BrushingRing.objects.count() == 1
    # nothing is folded before an operator decides
    assert not Review.objects.filter(status=ReviewStatus.FOLDED).exists()


def _stored(members, shop) -> BrushingRing:  # type: ignore[no-untyped-def]
    ring = Ring(str(shop.pk), [str(u.pk) for u in members], 0.9, [{"signal": "lockstep", "buyers": 6}])
    (row,) = rings_store(rings=[ring], now=clock.now())
    return row


def test_confirming_folds_the_members_reviews_publicly_and_flags_the_shop(ring_world, operator, product_on_sale):
    members, _reviews = ring_world
    row = _stored(members, product_on_sale.merchant)
    # when
    ring = ring_confirm(actor=operator, ring_id=row.pk, reason="刷单团伙：评价已折叠", now=clock.now())
    # then: every review folded with the public reason, none deleted
    assert Review.objects.count() == 6
    assert set(Review.objects.values_list("status", "fold_reason")) == {(ReviewStatus.FOLDED, "刷单团伙：评价已折叠")}
    assert (ring.status, ring.reviews_folded) == (RingStatus.CONFIRMED, 6)
    flag = Flag.objects.get(reason=FlagReason.BRUSHING)
    assert (flag.merchant_id, flag.upheld, flag.details["ring"]) == (product_on_sale.merchant_id, True, row.pk)
    assert AuditEntry.objects.filter(action="rings.confirmed", target_id=str(row.pk)).exists()
    # and a decided ring cannot be decided again
    with pytest.raises(DomainError) as refused:
        ring_dismiss(actor=operator, ring_id=row.pk, reason="误报", now=clock.now())
    assert refused.value.code == "rings.already_decided"


def test_dismissing_changes_nothing_else_and_staff_cannot_confirm(ring_world, platform, operator, product_on_sale):
    members, _ = ring_world
    row = _stored(members, product_on_sale.merchant)
    staff = actor_for(platform, Role.STAFF)
    with pytest.raises(DomainError):
        ring_confirm(actor=staff, ring_id=row.pk, reason="刷单", now=clock.now())
    with pytest.raises(DomainError) as short:
        ring_dismiss(actor=staff, ring_id=row.pk, reason="x", now=clock.now())
    assert short.value.code != "rings.already_decided"
    ring = ring_dismiss(actor=staff, ring_id=row.pk, reason="同一家庭的账号", now=clock.now())
    assert ring.status == RingStatus.DISMISSED
    assert not Review.objects.filter(status=ReviewStatus.FOLDED).exists()
    assert not Flag.objects.filter(reason=FlagReason.BRUSHING).exists()
    with pytest.raises(DomainError) as missing:
        ring_confirm(actor=operator, ring_id=row.pk + 99, reason="刷单", now=clock.now())
    assert missing.value.code == "rings.not_found"


def test_a_ring_at_an_unknown_shop_is_refused_and_nothing_stored(ring_world):
    members, _ = ring_world
    with pytest.raises(DomainError) as refused:
        rings_store(rings=[Ring("999999", [str(members[0].pk)], 0.9, [])], now=clock.now())
    assert refused.value.code == "rings.unknown_shop"
    assert not BrushingRing.objects.exists()


def _browser(organization, role):  # type: ignore[no-untyped-def]
    from ..factories import MembershipFactory, UserFactory
    from ..fixtures.accounts import browser_of

    user = UserFactory()
    MembershipFactory(user=user, organization=organization, role=role)
    return browser_of(user)


def test_the_operator_page_lists_rings_and_an_admin_confirms(ring_world, platform, merchant, product_on_sale):
    members, _reviews = ring_world
    row = _stored(members, product_on_sale.merchant)
    admin = _browser(platform, Role.ADMIN)
    page = admin.get("/operator/rings/").content.decode()
    assert f'id="ring-{row.pk}"' in page and "lockstep" in page
    assert row.flag_leaf_hash[:12] in page  # the signed flag, to find in the log
    # a too-short reason is refused in Chinese, nothing folded
    refused = admin.post(f"/operator/rings/{row.pk}/", {"decision": "confirm", "reason": "x"})
    assert refused.status_code == 422
    assert not Review.objects.filter(status=ReviewStatus.FOLDED).exists()
    done = admin.post(f"/operator/rings/{row.pk}/", {"decision": "confirm", "reason": "刷单团伙，评价已折叠"})
    assert done.status_code == 302
    assert Review.objects.filter(status=ReviewStatus.FOLDED).count() == 6
    assert _browser(merchant, Role.ADMIN).get("/operator/rings/").status_code == 403


def test_confirming_reverses_the_members_reward_points(platform, operator, product_on_sale):
    from xinren.community.selectors import points_balance
    from xinren.community.services import review_sync

    from ..community.conftest import diary_write, review_new

    # given: a member whose review earned points (the other member has none)
    members = [consumer_with_phone(f"1370000001{i}") for i in range(2)]
    review = review_new(members[0], product_on_sale)
    diary_write(review, 7, 15)
    review_sync(review_id=review.pk)
    assert points_balance(consumer=members[0]) == 10
    row = _stored(members, product_on_sale.merchant)
    # when
    ring_confirm(actor=operator, ring_id=row.pk, reason="刷单团伙：评价已折叠", now=clock.now())
    # then: reversed at once, not only when a worker runs
    assert points_balance(consumer=members[0]) == 0


def test_the_flag_and_each_decision_are_signed_with_the_detector_version_and_no_buyer(
    ring_world, operator, platform, product_on_sale
):
    members, _ = ring_world
    row = _stored(members, product_on_sale.merchant)
    flag = statement_of(row.flag_leaf_hash)
    assert flag["type"] == "governance.ring.flag"
    assert (flag["merchant"], flag["members"], flag["score"]) == (f"org:{product_on_sale.merchant_id}", 6, 0.9)
    assert flag["detector_version"] == row.detector_version and flag["ring"] == row.fingerprint
    assert flag["evidence"] == [{"signal": "lockstep", "buyers": 6, "coverage": 1.0}]
    # no user id, pseudonym, phone or address anywhere in what was signed
    assert set(flag) == {"type", "subject", "time", "merchant", "ring", "members", "score", "detector_version",
                         "evidence"}
    assert "1370000000" not in str(flag) and "张杨路" not in str(flag)
    ring = ring_confirm(actor=operator, ring_id=row.pk, reason="刷单团伙：评价已折叠", now=clock.now())
    decision = statement_of(ring.decision_leaf_hash)
    assert (decision["type"], decision["decision"], decision["reviews_folded"]) == (
        "governance.ring.decision", "confirmed", 6,
    )
    assert (decision["flag_statement"], decision["reason"]) == (row.flag_leaf_hash, "刷单团伙：评价已折叠")


def test_a_dismissal_is_signed_too(ring_world, platform, product_on_sale):
    members, _ = ring_world
    row = _stored(members, product_on_sale.merchant)
    ring = ring_dismiss(actor=actor_for(platform, Role.STAFF), ring_id=row.pk, reason="同一家庭的账号", now=clock.now())
    decision = statement_of(ring.decision_leaf_hash)
    assert (decision["decision"], decision["reviews_folded"]) == ("dismissed", 0)


def test_the_adapter_passes_the_device_and_payer_hashes_recorded_on_the_order(ring_world):
    from xinren.accounts.keyed import keyed_hash
    from xinren.orders.models import Order
    from xinren.orders.services.payments import payer_hash

    device = keyed_hash("device", "cookie:abc")
    payer = payer_hash(provider="wechatpay", payer="o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
    Order.objects.update(device_hash=device, payment_hash=payer)
    orders = platform_orders(since=clock.now() - dt.timedelta(days=30))
    assert {(o.device_hash, o.payment_hash) for o in orders} == {(device, payer)}
    assert "o6_bmjr" not in payer and payer != payer_hash(provider="alipay", payer="o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
