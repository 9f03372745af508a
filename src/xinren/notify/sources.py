"""What each event of a lower context tells its consumer: the recipient, the params (only what they may see),
the link and the dedupe key, read from the event's ids. Called by the subscribed tasks (tasks.py)."""

from __future__ import annotations

from django.urls import reverse

from xinren.accounts.choices import Role
from xinren.accounts.models import Membership
from xinren.aftersales.choices import Outcome
from xinren.aftersales.models import AfterSaleDecision, RecallNotice
from xinren.governance.choices import ApplicationDecisionKind
from xinren.governance.models import MerchantApplication
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Order, OrderStatusChange, Refund, Shipment
from xinren.reviews.models import DiaryInvitation, Fold, Reply
from xinren.support.choices import Side
from xinren.support.models import Message
from xinren.trust.models import Delisting, DelistingAppeal
from xinren.verification.choices import CredentialKind
from xinren.verification.models import Credential

from .choices import NotificationKind
from .models import Notification
from .services import notification_create


def _order_link(order: Order) -> str:
    return reverse("shop:order_detail", kwargs={"number": order.number})


def order_paid(*, order_id: int) -> Notification:
    order = Order.objects.select_related("merchant").get(pk=order_id)
    return notification_create(
        user_id=order.consumer_id, kind=NotificationKind.ORDER_PAID, link=_order_link(order),
        params={"order": order.number, "amount_fen": order.total_fen, "merchant": order.merchant.name},
        dedupe_key=f"order_paid:{order.pk}", at=order.paid_at,
    )


def order_shipped(*, order_id: int, shipment_id: int) -> Notification:
    shipment = Shipment.objects.select_related("order").get(pk=shipment_id, order_id=order_id)
    return notification_create(
        user_id=shipment.order.consumer_id, kind=NotificationKind.ORDER_SHIPPED, link=_order_link(shipment.order),
        params={"order": shipment.order.number, "carrier": shipment.carrier, "tracking": shipment.tracking_number},
        dedupe_key=f"order_shipped:{shipment.pk}", at=shipment.shipped_at,
    )


def order_delivered(*, order_id: int) -> Notification:
    order = Order.objects.get(pk=order_id)
    return notification_create(
        user_id=order.consumer_id, kind=NotificationKind.ORDER_DELIVERED, link=_order_link(order),
        params={"order": order.number}, dedupe_key=f"order_delivered:{order.pk}", at=order.delivered_at,
    )


def order_cancelled(*, order_id: int) -> Notification | None:
    """The consumer is told when the merchant or the payment deadline cancelled their order, not when they did."""
    order = Order.objects.get(pk=order_id)
    change = (
        OrderStatusChange.objects.filter(order=order, to_status=OrderStatus.CANCELLED).order_by("-at", "-id").first()
    )
    if change is not None and change.by_user_id == order.consumer_id:
        return None
    return notification_create(
        user_id=order.consumer_id, kind=NotificationKind.ORDER_CANCELLED, link=_order_link(order),
        params={"order": order.number, "reason": order.cancel_reason}, dedupe_key=f"order_cancelled:{order.pk}",
        at=order.cancelled_at,
    )


def refund_done(*, refund_id: int) -> Notification:
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    order = refund.payment.order
    return notification_create(
        user_id=order.consumer_id, kind=NotificationKind.REFUND_DONE, link=_order_link(order),
        params={"order": order.number, "amount_fen": refund.amount_fen}, dedupe_key=f"refund_done:{refund.pk}",
        at=refund.completed_at,
    )


def review_replied(*, reply_id: int) -> Notification:
    reply = Reply.objects.select_related("review__product", "merchant").get(pk=reply_id)
    review = reply.review
    return notification_create(
        user_id=review.consumer_id, kind=NotificationKind.REVIEW_REPLIED,
        link=reverse("shop:review_detail", kwargs={"review_id": review.pk}),
        params={"merchant": reply.merchant.name, "product": review.product.name},
        dedupe_key=f"review_replied:{reply.pk}",
    )


def review_folded(*, review_id: int, fold_id: int) -> Notification:
    fold = Fold.objects.select_related("review").get(pk=fold_id, review_id=review_id)
    return notification_create(
        user_id=fold.review.consumer_id, kind=NotificationKind.REVIEW_FOLDED,
        link=reverse("shop:review_detail", kwargs={"review_id": review_id}) + "#respond",
        params={"reason": fold.reason}, dedupe_key=f"review_folded:{fold.pk}",
    )


def diary_invited(*, invitation_id: int) -> Notification:
    invitation = DiaryInvitation.objects.select_related("review").get(pk=invitation_id)
    review = invitation.review
    return notification_create(
        user_id=review.consumer_id, kind=NotificationKind.DIARY_INVITED,
        link=reverse("shop:diary_create", kwargs={"review_id": review.pk, "milestone": invitation.milestone}),
        params={"days": invitation.milestone}, dedupe_key=f"diary_invited:{invitation.pk}",
    )


def service_reply(*, message_id: int) -> Notification | None:
    """The merchant answered the consumer's conversation (the consumer's own messages tell nobody)."""
    message = Message.objects.select_related(
        "conversation__merchant", "conversation__product", "conversation__order"
    ).get(pk=message_id)
    if message.side != Side.MERCHANT:
        return None
    conversation = message.conversation
    subject = conversation.product.name if conversation.product is not None else (
        conversation.order.number if conversation.order is not None else "")
    return notification_create(
        user_id=conversation.consumer_id, kind=NotificationKind.SERVICE_REPLY,
        link=reverse("shop:support_thread", kwargs={"conversation_id": conversation.pk}),
        params={"merchant": conversation.merchant.name, "title": subject}, dedupe_key=f"service_reply:{message.pk}",
        at=message.created_at,
    )


def recall(*, notice_id: int) -> Notification:
    """A recall reached the buyer: what was recalled, by whom and why, and the after-sale request it offers (a
    refund by default; the form lets the buyer choose an exchange)."""
    notice = RecallNotice.objects.select_related(
        "recall__organization", "recall__batch", "order", "line"
    ).get(pk=notice_id)
    recall = notice.recall
    link = _order_link(notice.order) + (
        f"aftersales/new/?line={notice.line_id}&kind=refund_only&recall={recall.pk}"
    )
    return notification_create(
        user_id=notice.consumer_id, kind=NotificationKind.RECALL, link=link,
        params={"order": notice.order.number, "product": notice.line.product_name, "lot": recall.batch.lot,
                "recaller": recall.organization.name, "reason": recall.reason, "units": notice.units},
        dedupe_key=f"recall:{notice.pk}", at=notice.reached_at,
    )


def aftersale_decided(*, decision_id: int) -> Notification:
    """A decision on the consumer's after-sale request (by rule, merchant, operator or the silence rule)."""
    decision = AfterSaleDecision.objects.select_related("request__order").get(pk=decision_id)
    request = decision.request
    return notification_create(
        user_id=request.consumer_id, kind=NotificationKind.AFTERSALE_DECIDED,
        link=reverse("shop:aftersale_detail", kwargs={"reference": request.reference}),
        params={"order": request.order.number, "decision": str(Outcome(decision.outcome).label),
                "amount_fen": decision.amount_fen},
        dedupe_key=f"aftersale_decided:{decision.pk}", at=decision.at,
    )


def application_decided(*, application: str, decision: str) -> Notification | None:
    """A reviewer decided on the person's application to sell: approved, sent back with what to fix, or rejected."""
    found = MerchantApplication.objects.filter(public_id=application).first()
    latest = found.decisions.order_by("-decided_at", "-id").first() if found is not None else None
    if found is None or latest is None:
        return None
    return notification_create(
        user_id=found.applicant_id, kind=NotificationKind.APPLICATION_DECIDED,
        link=reverse("merchant:apply_edit", kwargs={"public_id": found.public_id}),
        params={"company": found.company_name, "application": found.public_id,
                "decision": str(ApplicationDecisionKind(latest.decision).label)},
        dedupe_key=f"application_decided:{latest.pk}", at=latest.decided_at,
    )


def licence_expiring(*, credential_id: int, organization_id: int, valid_until: str) -> list[Notification]:
    """A merchant's licence expires within 30 days: its owners and admins hear of it, with the renewal page."""
    credential = Credential.objects.filter(pk=credential_id, organization_id=organization_id).first()
    if credential is None:
        return []
    people = Membership.objects.filter(
        organization_id=organization_id, role__in=[Role.OWNER, Role.ADMIN]
    ).select_related("organization")
    return [
        notification_create(
            user_id=member.user_id, kind=NotificationKind.LICENCE_EXPIRING,
            link=reverse("merchant:qualifications"),
            params={"merchant": member.organization.name, "licence": str(CredentialKind(credential.kind).label),
                    "date": valid_until},
            dedupe_key=f"licence_expiring:{credential.pk}:{valid_until}:{member.user_id}",
        )
        for member in people
    ]


def _merchant_people(organization_id: int) -> list[int]:
    return list(
        Membership.objects.filter(organization_id=organization_id, role__in=[Role.OWNER, Role.ADMIN])
        .order_by("user_id").values_list("user_id", flat=True)
    )


def trust_delisted(*, delisting_id: int) -> list[Notification]:
    """A product was delisted on its trust score: the merchant's owners and admins hear the breakdown, with the
    page that shows what would raise each part and takes an appeal (ADR 0052)."""
    delisting = Delisting.objects.select_related("product").filter(pk=delisting_id).first()
    if delisting is None:
        return []
    parts = {name: value or "—" for name, value in delisting.components.items()}
    params = {"product": delisting.product.name, "score": str(delisting.score), "upper": str(delisting.upper),
              "bar": str(delisting.bar), **parts}
    return [
        notification_create(
            user_id=user_id, kind=NotificationKind.TRUST_DELISTED, link=reverse("merchant:trust_scores"),
            params=params, dedupe_key=f"trust_delisted:{delisting.pk}:{user_id}", at=delisting.created_at,
        )
        for user_id in _merchant_people(delisting.product.merchant_id)
    ]


def trust_appeal_decided(*, appeal_id: int) -> list[Notification]:
    """An operator decided the merchant's appeal against a delisting: relisted or upheld."""
    appeal = DelistingAppeal.objects.select_related("delisting__product").filter(pk=appeal_id).first()
    if appeal is None or appeal.decided_at is None:
        return []
    product = appeal.delisting.product
    return [
        notification_create(
            user_id=user_id, kind=NotificationKind.TRUST_APPEAL_DECIDED, link=reverse("merchant:trust_scores"),
            params={"product": product.name, "decision": str(appeal.get_status_display())},
            dedupe_key=f"trust_appeal_decided:{appeal.pk}:{user_id}", at=appeal.decided_at,
        )
        for user_id in _merchant_people(product.merchant_id)
    ]


def copy_noncompliant(*, organization_id: int, terms_version: str, products: int, digest: str) -> list[Notification]:
    """A merchant's published copy breaks the current Advertising Law term list: its owners and admins hear how many
    products and which list, with the link to their products (adlaw_recheck, docs/compliance.md)."""
    people = Membership.objects.filter(
        organization_id=organization_id, role__in=[Role.OWNER, Role.ADMIN]
    ).select_related("organization")
    return [
        notification_create(
            user_id=member.user_id, kind=NotificationKind.COPY_NONCOMPLIANT,
            link=reverse("merchant:product_list"),
            params={"merchant": member.organization.name, "count": products, "version": terms_version},
            dedupe_key=f"copy_noncompliant:{organization_id}:{terms_version}:{digest}:{member.user_id}",
        )
        for member in people
    ]
