"""Who pays, on the pages: the operator confirms a 假一赔N claim on the dispute page, the insurer pays it from its
claims page, the consumer reads who paid; a failed payout is retried from the dispute page; others are refused."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import Role
from xinren.aftersales.choices import Kind, PayoutSource, Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.orders.payments.sandbox import Token
from xinren.orders.payments.sandbox_models import SandboxCharge

from ..factories import MembershipFactory, UserFactory
from ..fixtures.accounts import browser_of
from .conftest import picture
from .fund_setup import contribute
from .money_setup import claim_open, deposit, escalated, everything, insurer_with_policy, line_paid_with, paid_out

pytestmark = pytest.mark.django_db


def _staff_browser(organization, role=Role.STAFF):  # type: ignore[no-untyped-def]
    user = UserFactory()
    MembershipFactory(user=user, organization=organization, role=role)
    return browser_of(user)


def test_a_counterfeit_is_confirmed_on_the_dispute_page_and_paid_by_the_insurer_from_its_page(
        consumer, merchant_admin, platform, line):
    insurer, _policy = insurer_with_policy(merchant_admin)
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    operator = _staff_browser(platform)
    # the claim waits for the operators, with the 假一赔N form
    assert request.reference in operator.get("/merchant/aftersales/disputes/").content.decode()
    page = operator.get(f"/merchant/aftersales/disputes/{request.reference}/").content.decode()
    assert "确认售假并赔付" in page
    # a reason is required: refused with the reason, nothing changed
    before = everything()
    response = operator.post(f"/merchant/aftersales/disputes/{request.reference}/counterfeit/",
                             {"confirm": "1", "reason": ""}, follow=True)
    assert "请填写理由" in response.content.decode() and everything() == before
    operator.post(f"/merchant/aftersales/disputes/{request.reference}/counterfeit/",
                  {"confirm": "1", "reason": "检测确认仿冒", "loss": ""})
    assert AfterSaleRequest.objects.get().compensation_source == PayoutSource.INSURER
    # the insurer's page lists it with the amount and the basis; another insurer's does not
    insurer_page = _staff_browser(insurer.organization)
    listing = insurer_page.get("/merchant/insurance/claims/").content.decode()
    assert request.reference in listing and "1280.00" in listing
    assert "10 x price" in listing
    other, _other_policy = insurer_with_policy(merchant_admin, name="别家保险", subscribe=False)
    other_page = _staff_browser(other.organization)
    assert request.reference not in other_page.get("/merchant/insurance/claims/").content.decode()
    assert other_page.post(f"/merchant/insurance/claims/{request.reference}/pay/").status_code == 404
    # a merchant is not an insurer
    assert _staff_browser(line.order.merchant).get("/merchant/insurance/claims/").status_code == 403
    # when the insurer pays
    insurer_page.post(f"/merchant/insurance/claims/{request.reference}/pay/")
    assert AfterSaleRequest.objects.get().status == Status.PAID
    # then the consumer reads who paid
    page = browser_of(consumer).get(f"/shop/aftersales/{request.reference}/").content.decode()
    assert "保险赔付" in page and "信任财险" in page


def test_the_consumer_reads_that_the_platform_paid_first_and_the_merchant_what_was_recovered(
        consumer, merchant_actor, merchant_admin, operator, platform, line):
    from xinren.aftersales.services import aftersale_operator_decide
    from xinren.aftersales.services.payers import recover

    contribute(operator, 100_000)
    deposit(merchant_admin, 5_000)
    request = escalated(consumer, merchant_actor, line)
    aftersale_operator_decide(actor=operator, reference=request.reference, approve=True, reason="支持")
    recover(request_id=request.pk)
    page = browser_of(consumer).get(f"/shop/aftersales/{request.reference}/").content.decode()
    assert "平台先行赔付" in page
    merchant_page = _staff_browser(line.order.merchant).get(
        f"/merchant/aftersales/{request.reference}/").content.decode()
    assert "已向商家追偿" in merchant_page and "保证金 ¥50.00，结算款 ¥78.00" in merchant_page


def test_a_failed_payout_is_retried_from_the_dispute_page(consumer, platform, product_on_sale):
    line = line_paid_with(consumer, product_on_sale, Token.REFUND_FAIL)
    request = paid_out(claim_open(consumer, line, amount_fen=3000, media=[("a.jpg", picture())]))
    assert request.status == Status.FAILED
    operator = _staff_browser(platform)
    assert request.reference in operator.get("/merchant/aftersales/disputes/").content.decode()
    assert "重试赔付" in operator.get(f"/merchant/aftersales/disputes/{request.reference}/").content.decode()
    SandboxCharge.objects.update(payment_token=Token.SUCCESS)
    operator.post(f"/merchant/aftersales/disputes/{request.reference}/retry/")
    assert AfterSaleRequest.objects.get().status == Status.PAID
    # a viewer cannot retry
    viewer = _staff_browser(platform, Role.VIEWER)
    before = everything()
    viewer.post(f"/merchant/aftersales/disputes/{request.reference}/retry/")
    assert everything() == before
