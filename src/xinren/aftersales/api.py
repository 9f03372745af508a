"""API routes of the after-sales requests and claims, mounted at /api/v1/aftersales.

Consumers use their signed-in session (`ConsumerSession`, as the reviews and support APIs) for `/requests…`;
merchants use an API key or a console session for `/merchant/requests…`; operators (members of a platform
organization) decide escalated disputes under `/disputes…`. Another party's request is a 404. Photos and video go
through the evidence pipeline: `POST /api/v1/aftersales` (the router's root) opens a request with them (multipart), and
`POST /requests/{reference}/media` answers an evidence request. Logistics organizations see the return pickups
assigned to them under `/pickups…` (docs/returns.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from xinren.accounts.authentication import CONSUMER, actor_of, consumer_of
from xinren.core.schemas import ErrorOut, PageIn, page
from xinren.evidence.api import upload_bytes
from xinren.orders.selectors import address_list

from . import selectors, services
from .models import AfterSaleRequest, ReturnPickup
from .services.nps import nps_answer
from .services.pickups import pickup_logistics, pickup_offered, pickup_windows

ERRORS: dict[Any, type[Schema]] = {frozenset({400, 401, 403, 404, 409, 422, 429, 503}): ErrorOut}

router = Router(tags=["aftersales"])


class RequestIn(Schema):
    order_number: str = Field(description="one of the caller's orders, delivered")
    line_id: int = Field(description="the order line (its id, as the order API lists it)")
    kind: str = Field(description="refund_only, return_refund, exchange, damaged, counterfeit, quality, missing, late")
    reason: str = Field(description="1–500 characters", examples=["收到时包装破损，部分菌子发霉"])
    amount_fen: int = Field(description="the amount asked, in fen (0 for an exchange); at most what is refundable")
    recall_id: int | None = Field(None, description="set when the request answers a recall")


class RequestJsonIn(RequestIn):
    upload_ids: list[int] = Field([], description="photos and a video uploaded before (`POST /uploads`), at most "
                                                  "9 + 1; each usable once, by its uploader, within 24 hours")


class UploadOut(Schema):
    id: int
    kind: str
    sha256: str


class ReasonIn(Schema):
    reason: str = Field(description="1–500 characters")


class ProposalAnswerIn(Schema):
    accept: bool


class ReturnShipIn(Schema):
    carrier: str
    tracking_number: str


class ProposeIn(ReasonIn):
    amount_fen: int = Field(description="the partial amount proposed, in fen, below the amount asked")


class DecideIn(ReasonIn):
    approve: bool
    amount_fen: int | None = Field(None, description="when approving: the amount (default: the amount asked)")


class TransitionOut(Schema):
    from_status: str
    to_status: str
    at: datetime
    rule: str
    note: str


class DecisionOut(Schema):
    decided_by: str = Field(description="rule, merchant, operator or timeout")
    outcome: str = Field(description="approve, partial, refuse or route")
    amount_fen: int
    reason: str
    rule_id: str
    rule_version: str
    conditions: list[dict[str, Any]]
    leaf_hash: str = Field(description="the signed aftersale.decision statement in the transparency log")
    at: datetime


class RequestOut(Schema):
    reference: str
    order_number: str
    line_id: int
    product_name: str
    merchant: str
    kind: str
    status: str
    reason: str
    amount_fen: int
    proposed_fen: int | None
    agreed_fen: int | None
    refunded_fen: int
    level: str
    merchant_deadline: datetime | None
    refund_due_at: datetime | None
    created_at: datetime


class RequestDetailOut(RequestOut):
    transitions: list[TransitionOut]
    decisions: list[DecisionOut]


class RequestPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[RequestOut]


def _out(request: AfterSaleRequest) -> dict[str, Any]:
    return {
        "reference": request.reference, "order_number": request.order.number, "line_id": request.line_id,
        "product_name": request.line.product_name, "merchant": request.merchant.name, "kind": request.kind,
        "status": request.status, "reason": request.reason, "amount_fen": request.amount_fen,
        "proposed_fen": request.proposed_fen, "agreed_fen": request.agreed_fen,
        "refunded_fen": request.refunded_fen, "level": request.level,
        "merchant_deadline": request.merchant_deadline, "refund_due_at": request.refund_due_at,
        "created_at": request.created_at,
    }


def _detail(request: AfterSaleRequest) -> dict[str, Any]:
    return {**_out(request), "transitions": list(request.transitions.all()), "decisions": list(request.decisions.all())}


def _page(requests: Any, params: PageIn) -> dict[str, Any]:
    result = page(requests, params)
    result["items"] = [_out(r) for r in result["items"]]
    return result


# -- consumers ---------------------------------------------------------------------------------------------------------


@router.post("/requests", response={201: RequestDetailOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: open an after-sale request or guarantee claim on a delivered order line")
def request_open(request: HttpRequest, payload: RequestJsonIn) -> Any:
    """A 坏单包赔 claim is decided by the rules within the call: approved, it answers `paying` with the refund
    recorded, and is `paid` seconds later, when the provider has paid out."""
    opened = services.aftersale_open(consumer=consumer_of(request), order_number=payload.order_number,
                                     line_id=payload.line_id, kind=payload.kind, reason=payload.reason,
                                     amount_fen=payload.amount_fen, recall_id=payload.recall_id,
                                     upload_ids=payload.upload_ids)
    return Status(201, _detail(selectors.consumer_request_get(consumer=consumer_of(request),
                                                              reference=opened.reference)))


@router.get("/requests", response={200: RequestPageOut, **ERRORS}, auth=CONSUMER,
            summary="Consumer: the caller's requests, newest first")
def request_list(request: HttpRequest, params: Query[PageIn]) -> Any:
    return _page(selectors.consumer_request_list(consumer=consumer_of(request)), params)


@router.get("/requests/{reference}", response={200: RequestDetailOut, **ERRORS}, auth=CONSUMER,
            summary="Consumer: one of the caller's requests with every step and decision")
def request_get(request: HttpRequest, reference: str) -> Any:
    return _detail(selectors.consumer_request_get(consumer=consumer_of(request), reference=reference))


@router.post("/requests/{reference}/cancel", response={200: RequestOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: withdraw a request still being handled")
def request_cancel(request: HttpRequest, reference: str) -> Any:
    return _out(services.aftersale_cancel(consumer=consumer_of(request), reference=reference))


@router.post("/requests/{reference}/escalate", response={200: RequestOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: ask the platform to step in on a refusal (within 7 days)")
def request_escalate(request: HttpRequest, reference: str, payload: ReasonIn) -> Any:
    return _out(services.aftersale_escalate(consumer=consumer_of(request), reference=reference,
                                            reason=payload.reason))


@router.post("/requests/{reference}/proposal", response={200: RequestOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: accept or decline the merchant's partial amount")
def request_proposal(request: HttpRequest, reference: str, payload: ProposalAnswerIn) -> Any:
    return _out(services.aftersale_proposal_answer(consumer=consumer_of(request), reference=reference,
                                                   accept=payload.accept))


@router.post("/requests/{reference}/return", response={200: RequestOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: the courier took the return parcel")
def request_return(request: HttpRequest, reference: str, payload: ReturnShipIn) -> Any:
    return _out(services.aftersale_return_ship(consumer=consumer_of(request), reference=reference,
                                               carrier=payload.carrier, tracking_number=payload.tracking_number))


# -- merchants ---------------------------------------------------------------------------------------------------------


@router.get("/merchant/requests", response={200: RequestPageOut, **ERRORS},
            summary="Merchant: the queue, open requests by deadline (all=true: every request, newest first)")
def merchant_list(request: HttpRequest, params: Query[PageIn], all: bool = False) -> Any:
    return _page(selectors.merchant_request_list(actor=actor_of(request), open_only=not all), params)


@router.get("/merchant/requests/{reference}", response={200: RequestDetailOut, **ERRORS},
            summary="Merchant: one request with every step and decision")
def merchant_get(request: HttpRequest, reference: str) -> Any:
    return _detail(selectors.merchant_request_get(actor=actor_of(request), reference=reference))


@router.post("/merchant/requests/{reference}/agree", response={200: RequestOut, **ERRORS},
             summary="Merchant: agree to the amount asked")
def merchant_agree(request: HttpRequest, reference: str) -> Any:
    return _out(services.aftersale_merchant_agree(actor=actor_of(request), reference=reference))


@router.post("/merchant/requests/{reference}/refuse", response={200: RequestOut, **ERRORS},
             summary="Merchant: refuse, with a reason the consumer sees")
def merchant_refuse(request: HttpRequest, reference: str, payload: ReasonIn) -> Any:
    return _out(services.aftersale_merchant_refuse(actor=actor_of(request), reference=reference,
                                                   reason=payload.reason))


@router.post("/merchant/requests/{reference}/propose", response={200: RequestOut, **ERRORS},
             summary="Merchant: propose a partial amount (协商)")
def merchant_propose(request: HttpRequest, reference: str, payload: ProposeIn) -> Any:
    return _out(services.aftersale_merchant_propose(actor=actor_of(request), reference=reference,
                                                    amount_fen=payload.amount_fen, reason=payload.reason))


@router.post("/merchant/requests/{reference}/receive", response={200: RequestOut, **ERRORS},
             summary="Merchant: sign for the returned parcel")
def merchant_receive(request: HttpRequest, reference: str) -> Any:
    return _out(services.aftersale_return_receive(actor=actor_of(request), reference=reference))


@router.post("/merchant/requests/{reference}/inspect", response={200: RequestOut, **ERRORS},
             summary="Merchant: the returned goods passed inspection: refund now")
def merchant_inspect(request: HttpRequest, reference: str) -> Any:
    return _out(services.aftersale_return_inspect(actor=actor_of(request), reference=reference))


# -- operators ---------------------------------------------------------------------------------------------------------


@router.get("/disputes", response={200: RequestPageOut, **ERRORS},
            summary="Operator: escalated disputes, oldest first")
def dispute_list(request: HttpRequest, params: Query[PageIn]) -> Any:
    return _page(selectors.operator_dispute_list(actor=actor_of(request)), params)


@router.post("/disputes/{reference}/decide", response={200: RequestOut, **ERRORS},
             summary="Operator: decide an escalated dispute (signed by the platform organization)")
def dispute_decide(request: HttpRequest, reference: str, payload: DecideIn) -> Any:
    return _out(services.aftersale_operator_decide(actor=actor_of(request), reference=reference,
                                                   approve=payload.approve, reason=payload.reason,
                                                   amount_fen=payload.amount_fen))


# -- return pickups, evidence requests and uploads (docs/returns.md) ---------------------------------------------------


class EvidenceAnswerIn(Schema):
    note: str = Field(description="1–500 characters", examples=["开箱照片见图"])


class EvidenceAskIn(Schema):
    note: str = Field(description="what to add, 1–500 characters", examples=["请拍一张能看到批号的开箱照片"])


class EvidenceRequestOut(Schema):
    asked_by: str = Field(description="merchant or operator")
    note: str
    status: str = Field(description="open, answered, expired or withdrawn")
    asked_at: datetime
    deadline: datetime
    answer_note: str
    answered_at: datetime | None


class PickupBookIn(Schema):
    address_id: int = Field(description="one of the caller's saved addresses (as GET …/pickup lists them)")
    window_start: datetime = Field(description="the start of one of the offered windows (GET …/pickup)")


class PickupWindowOut(Schema):
    start: datetime
    end: datetime


class PickupOut(Schema):
    id: int
    status: str = Field(description="booked, picked_up or cancelled")
    logistics: str = Field(description="the logistics organization collecting the parcel")
    window_start: datetime
    window_end: datetime
    tracking_number: str
    fee_bearer: str = Field(description="who pays the courier: consumer, merchant or programme")
    fee_programme: str
    booked_at: datetime
    picked_up_at: datetime | None


class PickupAddressOut(Schema):
    id: int
    label: str


class PickupOptionsOut(Schema):
    offered: bool = Field(description="the request is an agreed return or exchange")
    logistics: str | None = Field(description="who would collect it; null: ship the parcel yourself")
    windows: list[PickupWindowOut]
    addresses: list[PickupAddressOut]
    pickup: PickupOut | None


class CourierPickupOut(Schema):
    id: int
    reference: str
    status: str
    product_name: str
    merchant: str
    recipient_name: str
    recipient_phone_masked: str
    address: str
    window_start: datetime
    window_end: datetime
    tracking_number: str
    picked_up_at: datetime | None


def _pickup(pickup: ReturnPickup) -> dict[str, Any]:
    return {"id": pickup.pk, "status": pickup.status, "logistics": pickup.logistics.name,
            "window_start": pickup.window_start, "window_end": pickup.window_end,
            "tracking_number": pickup.tracking_number, "fee_bearer": pickup.fee_bearer,
            "fee_programme": pickup.fee_programme, "booked_at": pickup.booked_at, "picked_up_at": pickup.picked_up_at}


def _courier_pickup(pickup: ReturnPickup) -> dict[str, Any]:
    return {"id": pickup.pk, "reference": pickup.request.reference, "status": pickup.status,
            "product_name": pickup.request.line.product_name, "merchant": pickup.request.merchant.name,
            "recipient_name": pickup.recipient_name, "recipient_phone_masked": pickup.recipient_phone_masked,
            "address": pickup.address, "window_start": pickup.window_start, "window_end": pickup.window_end,
            "tracking_number": pickup.tracking_number, "picked_up_at": pickup.picked_up_at}


def _files(media: list[UploadedFile] | None) -> list[tuple[str, bytes]]:
    return [(upload.name or "upload", upload_bytes(upload)) for upload in media or []]


@router.post("", response={201: RequestDetailOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: open a request or claim with photos and a video (multipart)")
def request_open_with_media(
    request: HttpRequest, payload: Form[RequestIn], media: File[list[UploadedFile]] = None  # type: ignore[assignment]
) -> Any:
    """The same request as `POST /requests`, sent as multipart/form-data with up to 9 photos and 1 video under
    `media` (repeat the field per file). Wrong types, too many or too large files are refused and nothing is
    stored."""
    opened = services.aftersale_open(consumer=consumer_of(request), order_number=payload.order_number,
                                     line_id=payload.line_id, kind=payload.kind, reason=payload.reason,
                                     amount_fen=payload.amount_fen, recall_id=payload.recall_id, media=_files(media))
    return Status(201, _detail(selectors.consumer_request_get(consumer=consumer_of(request),
                                                              reference=opened.reference)))


@router.post("/uploads", response={201: list[UploadOut], **ERRORS}, auth=CONSUMER,
             summary="Consumer: upload photos and a video before opening a request (multipart)")
def upload(request: HttpRequest, media: File[list[UploadedFile]]) -> Any:
    """Up to 9 photos and 1 video under `media`, checked and stripped now; name the ids in `upload_ids` of
    `POST /requests`. Wrong types, too many or too large files are refused and nothing is stored."""
    uploads = services.aftersale_upload(consumer=consumer_of(request), media=_files(media))
    return Status(201, [{"id": u.pk, "kind": u.media.kind, "sha256": u.media.sha256} for u in uploads])


@router.post("/requests/{reference}/media", response={200: RequestOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: add the evidence asked for (multipart, while waiting for evidence)")
def request_media(
    request: HttpRequest, reference: str, payload: Form[EvidenceAnswerIn],
    media: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    return _out(services.evidence_answer(consumer=consumer_of(request), reference=reference, note=payload.note,
                                         media=_files(media)))


@router.get("/requests/{reference}/evidence-requests", response={200: list[EvidenceRequestOut], **ERRORS},
            auth=CONSUMER, summary="Consumer: what the merchant or the platform asked to add, and the answers")
def request_evidence_requests(request: HttpRequest, reference: str) -> Any:
    found = selectors.consumer_request_get(consumer=consumer_of(request), reference=reference)
    return list(selectors.request_evidence_requests(found))


@router.get("/requests/{reference}/pickup", response={200: PickupOptionsOut, **ERRORS}, auth=CONSUMER,
            summary="Consumer: the pickup booked, or the windows, addresses and logistics organization on offer")
def request_pickup_options(request: HttpRequest, reference: str) -> Any:
    consumer = consumer_of(request)
    found = selectors.consumer_request_get(consumer=consumer, reference=reference)
    offered = pickup_offered(found)
    logistics = pickup_logistics(found) if offered else None
    pickup = selectors.request_pickup(found)
    return {"offered": offered, "logistics": logistics.name if logistics else None,
            "windows": [{"start": w.start, "end": w.end} for w in pickup_windows()] if logistics else [],
            "addresses": [{"id": a.pk, "label": f"{a.recipient_name} {a.full_address}"}
                          for a in address_list(consumer=consumer)] if logistics else [],
            "pickup": _pickup(pickup) if pickup is not None else None}


@router.post("/requests/{reference}/pickup", response={201: PickupOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: book a courier to collect the agreed return (上门取件)")
def request_pickup_book(request: HttpRequest, reference: str, payload: PickupBookIn) -> Any:
    pickup = services.return_pickup_book(consumer=consumer_of(request), reference=reference,
                                         address_id=payload.address_id, window_start=payload.window_start)
    return Status(201, _pickup(pickup))


@router.post("/requests/{reference}/pickup/cancel", response={200: PickupOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: cancel the booked pickup")
def request_pickup_cancel(request: HttpRequest, reference: str) -> Any:
    return _pickup(services.return_pickup_cancel(consumer=consumer_of(request), reference=reference))


@router.post("/merchant/requests/{reference}/evidence", response={201: EvidenceRequestOut, **ERRORS},
             summary="Merchant: ask the consumer for more photos or video on a claim in its turn (72 h)")
def merchant_evidence_ask(request: HttpRequest, reference: str, payload: EvidenceAskIn) -> Any:
    return Status(201, services.evidence_ask(actor=actor_of(request), reference=reference, note=payload.note))


@router.post("/disputes/{reference}/evidence", response={201: EvidenceRequestOut, **ERRORS},
             summary="Operator: ask the consumer for more photos or video on an escalated claim (72 h)")
def dispute_evidence_ask(request: HttpRequest, reference: str, payload: EvidenceAskIn) -> Any:
    return Status(201, services.evidence_ask(actor=actor_of(request), reference=reference, note=payload.note))


@router.get("/pickups", response={200: list[CourierPickupOut], **ERRORS},
            summary="Logistics: the return pickups assigned to the caller's organization, soonest window first")
def pickup_list(request: HttpRequest) -> Any:
    return [_courier_pickup(p) for p in selectors.logistics_pickup_list(actor=actor_of(request))[:200]]


@router.post("/pickups/{pickup_id}/picked-up", response={200: CourierPickupOut, **ERRORS},
             summary="Logistics: the courier took the parcel (records the EPCIS hand-off on the returned items)")
def pickup_collect(request: HttpRequest, pickup_id: int) -> Any:
    services.return_pickup_collect(actor=actor_of(request), pickup_id=pickup_id)
    return _courier_pickup(selectors.logistics_pickup_get(actor=actor_of(request), pickup_id=pickup_id))
# -- NPS after a closed request (nps.py) -------------------------------------------------------------------------------


class NpsIn(Schema):
    score: int = Field(description="0–10: how likely the consumer is to recommend the shop", examples=[9])
    comment: str = Field("", description="optional, at most 200 characters; operators only, never published")


class NpsOut(Schema):
    reference: str
    score: int
    comment: str
    answered_at: datetime


@router.post("/requests/{reference}/nps", response={201: NpsOut, **ERRORS}, auth=CONSUMER,
             summary="Consumer: answer the one 0–10 question of a closed request (once, within 30 days)")
def request_nps(request: HttpRequest, reference: str, payload: NpsIn) -> Any:
    answer = nps_answer(consumer=consumer_of(request), reference=reference, score=payload.score,
                        comment=payload.comment)
    return Status(201, {"reference": reference, "score": answer.score, "comment": answer.comment,
                        "answered_at": answer.answered_at})
