"""Background tasks of notifications (ADR 0013): one per event it subscribes to (apps.py), each making the inbox
notice once whatever the retries, and the external send of one delivery, retried with backoff."""

from __future__ import annotations

from xinren.core.tasks import background

from . import services, sources

# The inbox notice: a failure here is the database's, worth a few tries.
NOTICE_ATTEMPTS = 5


@background(attempts=NOTICE_ATTEMPTS)
def order_paid_notify(*, order_id: int) -> None:
    sources.order_paid(order_id=order_id)


@background(attempts=NOTICE_ATTEMPTS)
def order_shipped_notify(*, order_id: int, shipment_id: int) -> None:
    sources.order_shipped(order_id=order_id, shipment_id=shipment_id)


@background(attempts=NOTICE_ATTEMPTS)
def order_delivered_notify(*, order_id: int) -> None:
    sources.order_delivered(order_id=order_id)


@background(attempts=NOTICE_ATTEMPTS)
def order_cancelled_notify(*, order_id: int) -> None:
    sources.order_cancelled(order_id=order_id)


@background(attempts=NOTICE_ATTEMPTS)
def refund_done_notify(*, refund_id: int, **_: object) -> None:
    sources.refund_done(refund_id=refund_id)


@background(attempts=NOTICE_ATTEMPTS)
def review_replied_notify(*, reply_id: int) -> None:
    sources.review_replied(reply_id=reply_id)


@background(attempts=NOTICE_ATTEMPTS)
def review_folded_notify(*, review_id: int, fold_id: int) -> None:
    sources.review_folded(review_id=review_id, fold_id=fold_id)


@background(attempts=NOTICE_ATTEMPTS)
def diary_invited_notify(*, invitation_id: int) -> None:
    sources.diary_invited(invitation_id=invitation_id)


@background(attempts=services.DELIVERY_ATTEMPTS)
def delivery_send_task(*, delivery_id: int) -> str:
    return services.delivery_send(delivery_id=delivery_id)


@background(attempts=NOTICE_ATTEMPTS)
def service_reply_notify(*, message_id: int) -> None:
    sources.service_reply(message_id=message_id)


@background(attempts=NOTICE_ATTEMPTS)
def recall_notify(*, notice_id: int) -> None:
    sources.recall(notice_id=notice_id)


@background(attempts=NOTICE_ATTEMPTS)
def aftersale_decided_notify(*, decision_id: int, **_: object) -> None:
    sources.aftersale_decided(decision_id=decision_id)


@background(attempts=NOTICE_ATTEMPTS)
def application_decided_notify(*, application: str, decision: str) -> None:
    sources.application_decided(application=application, decision=decision)


@background(attempts=NOTICE_ATTEMPTS)
def licence_expiring_notify(*, credential_id: int, organization_id: int, valid_until: str) -> None:
    sources.licence_expiring(credential_id=credential_id, organization_id=organization_id, valid_until=valid_until)


@background(attempts=NOTICE_ATTEMPTS)
def trust_delisted_notify(*, delisting_id: int) -> None:
    sources.trust_delisted(delisting_id=delisting_id)


@background(attempts=NOTICE_ATTEMPTS)
def trust_appeal_decided_notify(*, appeal_id: int) -> None:
    sources.trust_appeal_decided(appeal_id=appeal_id)


@background(attempts=NOTICE_ATTEMPTS)
def copy_noncompliant_notify(*, organization_id: int, terms_version: str, products: int, digest: str) -> None:
    sources.copy_noncompliant(
        organization_id=organization_id, terms_version=terms_version, products=products, digest=digest
    )
