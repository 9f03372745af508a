"""Writes of the after-sales requests and claims (see each module)."""

from .autodecide import claims_decide
from .decisions import (
    aftersale_deadline_pass,
    aftersale_merchant_agree,
    aftersale_merchant_propose,
    aftersale_merchant_refuse,
    aftersale_operator_decide,
    aftersales_sweep,
)
from .evidence_requests import evidence_answer, evidence_ask, evidence_deadline_pass
from .pickups import return_pickup_book, return_pickup_cancel, return_pickup_collect
from .requests import aftersale_cancel, aftersale_escalate, aftersale_open, aftersale_proposal_answer, aftersale_upload
from .returns import aftersale_return_inspect, aftersale_return_receive, aftersale_return_ship, refund_due_apply

__all__ = [
    "aftersale_cancel", "aftersale_deadline_pass", "aftersale_escalate", "aftersale_merchant_agree",
    "aftersale_merchant_propose", "aftersale_merchant_refuse", "aftersale_open", "aftersale_operator_decide",
    "aftersale_proposal_answer", "aftersale_return_inspect", "aftersale_return_receive", "aftersale_return_ship",
    "aftersale_upload", "aftersales_sweep", "claims_decide", "evidence_answer", "evidence_ask",
    "evidence_deadline_pass", "refund_due_apply", "return_pickup_book", "return_pickup_cancel",
    "return_pickup_collect",
]
