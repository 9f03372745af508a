"""API routes of the after-sales requests and claims, mounted at /api/v1/aftersales.

Consumers use their signed-in session (`ConsumerSession`, as the reviews and support APIs) for `/requests…`;
merchants use an API key or a console session for `/merchant/requests…`; operators (members of a platform
organization) decide escalated disputes under `/disputes…`. Another party's request is a 404. Photos and video are
attached through the web form (the evidence pipeline); a claim opened here without a photo goes to the merchant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from xinren.accounts.authentication import CONSUMER, actor_of, consumer_of
from xinren.core.schemas import ErrorOut, PageIn, page

from . import selectors, services
from .models import AfterSaleRequest
from .services.nps import nps_answer

ERRORS: dict[Any, type[Schema]] = {frozenset({400, 401, 403, 404, 409, 422, 429, 503}): ErrorOut}

router = Router(tags=["aftersales"])


class RequestIn(Schema):
    order_number: str = Field(description="one of the caller's orders, delivered")
    line_id: int = Field(description="the order line (its id, as the order API lists it)")
    kind: str = Field(description="refund_only, return_refund, exchange, damaged, counterfeit, quality, missing, late")
    reason: str = Field(description="1–500 characters", examples=["收到时包装破损，部分菌子发霉"])
    amount_fen: int = Field(description="the amount asked, in fen (0 for an exchange); at most what is refundable")
    recall_id: int | None = Field(None, description="set when the request answers a recall")


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
def request_open(request: HttpRequest, payload: RequestIn) -> Any:
    opened = services.aftersale_open(consumer=consumer_of(request), order_number=payload.order_number,
                                     line_id=payload.line_id, kind=payload.kind, reason=payload.reason,
                                     amount_fen=payload.amount_fen, recall_id=payload.recall_id)
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
