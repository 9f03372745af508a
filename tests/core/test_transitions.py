"""One transition check for every status table: the move is refused with the context's code, and nothing is missed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import models
from django.utils import translation

from xinren.aftersales.choices import (
    CLAIM_TRANSITIONS,
    PICKUP_TRANSITIONS,
    REQUEST_TRANSITIONS,
    ClaimStatus,
    PickupStatus,
    RequestStatus,
)
from xinren.attest.choices import SIGNING_KEY_TRANSITIONS, SigningKeyStatus
from xinren.care.choices import TICKET_TRANSITIONS, TicketStatus
from xinren.catalog.choices import LABEL_SHEET_TRANSITIONS, PRODUCT_TRANSITIONS, LabelSheetStatus, ProductStatus
from xinren.community.choices import PARTICIPATION_TRANSITIONS, ParticipationStatus
from xinren.core.errors import Conflict
from xinren.core.transitions import TransitionTable, transition_allowed, transition_check
from xinren.evidence.choices import EVIDENCE_TRANSITIONS, EvidenceStatus
from xinren.governance.choices import APPLICATION_TRANSITIONS, ApplicationStatus
from xinren.ledger.store.models import KEY_TRANSITIONS, KeyStatus
from xinren.orders.choices import (
    ORDER_TRANSITIONS,
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    SHIPMENT_TRANSITIONS,
    OrderStatus,
    PaymentStatus,
    RefundStatus,
    ShipmentStatus,
)
from xinren.reviews.choices import FLAG_TRANSITIONS, REVIEW_TRANSITIONS, FlagStatus, ReviewStatus
from xinren.support.choices import CONVERSATION_TRANSITIONS, ConversationStatus
from xinren.trust.choices import PROGRAMME_TRANSITIONS, ProgrammeStatus
from xinren.trust.delisting.choices import DELISTING_TRANSITIONS, DelistingStatus
from xinren.verification.choices import CREDENTIAL_TRANSITIONS, CredentialStatus

SRC = Path(__file__).resolve().parents[2] / "src" / "xinren"

TABLES: dict[str, tuple[TransitionTable, type[models.TextChoices]]] = {
    "PRODUCT_TRANSITIONS": (PRODUCT_TRANSITIONS, ProductStatus),
    "PARTICIPATION_TRANSITIONS": (PARTICIPATION_TRANSITIONS, ParticipationStatus),
    "EVIDENCE_TRANSITIONS": (EVIDENCE_TRANSITIONS, EvidenceStatus),
    "KEY_TRANSITIONS": (KEY_TRANSITIONS, KeyStatus),
    "ORDER_TRANSITIONS": (ORDER_TRANSITIONS, OrderStatus),
    "PAYMENT_TRANSITIONS": (PAYMENT_TRANSITIONS, PaymentStatus),
    "REFUND_TRANSITIONS": (REFUND_TRANSITIONS, RefundStatus),
    "SHIPMENT_TRANSITIONS": (SHIPMENT_TRANSITIONS, ShipmentStatus),
    "PROGRAMME_TRANSITIONS": (PROGRAMME_TRANSITIONS, ProgrammeStatus),
    "CREDENTIAL_TRANSITIONS": (CREDENTIAL_TRANSITIONS, CredentialStatus),
    "SIGNING_KEY_TRANSITIONS": (SIGNING_KEY_TRANSITIONS, SigningKeyStatus),
    "REVIEW_TRANSITIONS": (REVIEW_TRANSITIONS, ReviewStatus),
    "FLAG_TRANSITIONS": (FLAG_TRANSITIONS, FlagStatus),
    "CONVERSATION_TRANSITIONS": (CONVERSATION_TRANSITIONS, ConversationStatus),
    "REQUEST_TRANSITIONS": (REQUEST_TRANSITIONS, RequestStatus),
    "CLAIM_TRANSITIONS": (CLAIM_TRANSITIONS, ClaimStatus),
    "PICKUP_TRANSITIONS": (PICKUP_TRANSITIONS, PickupStatus),
    "LABEL_SHEET_TRANSITIONS": (LABEL_SHEET_TRANSITIONS, LabelSheetStatus),
    "APPLICATION_TRANSITIONS": (APPLICATION_TRANSITIONS, ApplicationStatus),
    "TICKET_TRANSITIONS": (TICKET_TRANSITIONS, TicketStatus),
    "DELISTING_TRANSITIONS": (DELISTING_TRANSITIONS, DelistingStatus),
}


def _sources() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def test_a_move_in_the_table_is_allowed_and_one_outside_it_is_not():
    assert transition_allowed(ORDER_TRANSITIONS, OrderStatus.PENDING_PAYMENT, OrderStatus.PAID) is True
    assert transition_allowed(ORDER_TRANSITIONS, OrderStatus.DELIVERED, OrderStatus.CANCELLED) is False
    assert transition_allowed(ORDER_TRANSITIONS, "no-such-status", OrderStatus.PAID) is False


def test_a_refused_move_is_a_conflict_with_the_code_and_both_states_named():
    # when
    with translation.override("zh-hans"):
        with pytest.raises(Conflict) as caught:
            transition_check(
                SHIPMENT_TRANSITIONS, ShipmentStatus.DELIVERED, ShipmentStatus.IN_TRANSIT,
                code="shipment.transition_invalid", labels=ShipmentStatus,
            )
        message = str(caught.value.message)
    # then
    assert (caught.value.code, caught.value.status) == ("shipment.transition_invalid", 409)
    assert message == "当前状态为“已签收”，不能变为“运输中”"
    assert caught.value.details == {"from": "delivered", "to": "in_transit"}


def test_a_context_keeps_its_own_wording_and_details():
    # when
    with pytest.raises(Conflict) as caught:
        transition_check(
            PARTICIPATION_TRANSITIONS, ParticipationStatus.ACCEPTED, ParticipationStatus.DECLINED,
            code="community.trial_transition", message="这个邀请已经回复过了", details={"status": "accepted"},
        )
    # then
    assert caught.value.as_dict() == {
        "code": "community.trial_transition", "message": "这个邀请已经回复过了", "details": {"status": "accepted"},
    }


def test_an_allowed_move_passes_silently():
    transition_check(PRODUCT_TRANSITIONS, ProductStatus.DRAFT, ProductStatus.ACTIVE, code="product.transition_invalid")


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_has_a_row_for_each_status_and_names_only_known_statuses(name):
    table, statuses = TABLES[name]
    assert set(table) == set(statuses.values)
    assert set().union(*table.values()) <= set(statuses.values)


def test_every_status_table_in_the_code_is_listed_here():
    defined = set(re.findall(r"^([A-Z_]+_TRANSITIONS)\b[^=\n]*=", _sources(), flags=re.M))
    assert defined == set(TABLES)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_status_table_is_checked_through_the_core_check(name):
    assert re.search(rf"transition_(check|allowed)\(\s*{name}\b", _sources())
