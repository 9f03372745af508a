"""Races on PostgreSQL: a merchant joining twice at once gets one membership and one statement; a leave racing the
daily review ends the membership once."""

from __future__ import annotations

from typing import Any

import pytest

from xinren.aftersales.models.programmes import ProgrammeMembership
from xinren.aftersales.programmes.services import (
    ProgrammeTerms,
    programme_edit,
    programme_join,
    programme_leave,
    programme_publish,
    programmes_review,
)
from xinren.core.errors import DomainError
from xinren.ledger.store.models import PendingEntry

from ..concurrency import race
from .test_programmes import TRUST

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _codes(results: list[Any]) -> list[str]:
    return sorted(result.code if isinstance(result, DomainError) else "ok" for result in results)


def test_joining_twice_at_once_makes_one_membership(require_postgres, operator, merchant_actor, product_on_sale):
    # given
    programme = programme_publish(actor=operator, slug="xinren-gou", terms=TRUST)
    # when
    results = race(*(lambda: programme_join(actor=merchant_actor, programme_id=programme.pk) for _ in range(3)))
    # then
    assert _codes(results) == ["ok"] + ["programme.already_member"] * 2
    assert ProgrammeMembership.objects.count() == 1
    assert PendingEntry.objects.filter(statement_type="programme.membership").count() == 1


def test_a_leave_racing_the_review_ends_the_membership_once(require_postgres, operator, merchant_actor,
                                                            product_on_sale):
    # given: a member whose programme now asks for a deposit it does not have
    programme = programme_publish(actor=operator, slug="xinren-gou", terms=TRUST)
    programme_join(actor=merchant_actor, programme_id=programme.pk)
    programme_edit(actor=operator, programme_id=programme.pk, terms=ProgrammeTerms(
        **(TRUST.__dict__ | {"eligibility": {"deposit_min_fen": 100}})))
    # when
    results = race(lambda: programme_leave(actor=merchant_actor, programme_id=programme.pk), programmes_review)
    # then: whichever came first ended it; the other found nothing to end
    membership = ProgrammeMembership.objects.get()
    assert membership.left_at is not None
    assert PendingEntry.objects.filter(statement_type="programme.membership").count() == 2  # start + one end
    assert not isinstance(results[1], DomainError)
