"""Background tasks of the after-sales requests (ADR 0013): deadlines and timed refunds, backed by a sweep."""

from __future__ import annotations

from xinren.core.tasks import background

from .services import decisions, evidence_requests, moves, payers, returns


@background(attempts=5)
def aftersale_deadline_task(*, request_id: int) -> bool:
    """Queued at the merchant's deadline: a request the merchant left unanswered proceeds as agreed."""
    return decisions.aftersale_deadline_pass(request_id=request_id)


@background(attempts=5)
def aftersale_refund_due_task(*, request_id: int) -> bool:
    """Queued at a received return's refund moment (its consumer's level)."""
    return returns.refund_due_apply(request_id=request_id)


@background(attempts=5)
def aftersale_evidence_deadline_task(*, evidence_request_id: int) -> bool:
    """Queued at an evidence request's deadline: a claim left without the evidence asked for closes by its rule."""
    return evidence_requests.evidence_deadline_pass(evidence_request_id=evidence_request_id)


@background(attempts=2, backoff=60)
def aftersales_sweep_task() -> dict[str, int]:
    """Periodic: deadlines passed, refunds due and payouts pending whose own task did not run."""
    return decisions.aftersales_sweep()


@background(attempts=5)
def aftersale_recover_task(*, request_id: int) -> int:
    """Queued with a payout the fund made first: recover it from the merchant (deposit, then settlements)."""
    return payers.recover(request_id=request_id)


@background(attempts=5)
def aftersale_insurer_deadline_task(*, request_id: int) -> bool:
    """Queued at the insurer's deadline: a claim it left unpaid is paid by the fund first."""
    return payers.insurer_deadline_pass(request_id=request_id)


@background(attempts=5)
def aftersale_payout_reversed_task(*, claim_reference: str) -> bool:
    """Queued by the provider's failure notice for a fund or insurer payout: the claim is failed again (retried)."""
    return payers.payout_reversed(claim_reference=claim_reference)


@background(attempts=5)
def aftersale_payouts_task(*, request_ids: list[int]) -> int:
    """Queued with a batch of automatic decisions: ask the provider to pay each recorded refund out, and settle
    each claim (paid / failed). Safe to repeat; the sweep repeats it for anything still paying."""
    for request_id in request_ids:
        moves.payout_finish(request_id)
    return len(request_ids)
