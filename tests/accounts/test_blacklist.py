"""Screening identifiers against the blacklist: one query, live entries only, normalised values; proximity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinren.accounts.actors import Actor
from xinren.accounts.blacklist import proximity, screen
from xinren.accounts.choices import Role
from xinren.accounts.keyed import keyed_hash
from xinren.accounts.models import BlacklistEntry, Interception, Membership, Organization
from xinren.core import clock

from ..factories import UserFactory, make_uscc
from ..governance.factories_blacklist import banned

pytestmark = pytest.mark.django_db


def test_a_listed_phone_is_intercepted_and_logged_with_the_subject_only(operator: Actor) -> None:
    # given
    entry = banned(operator, "phone", "13800000001")
    # when the phone is written another way
    result = screen(stage="order", entities={"phone": "+86 138-0000-0001", "uscc": make_uscc()}, subject="merchant:7")
    # then
    assert result.intercepted
    assert result.reasons == ("phone",)
    assert result.entry_ids == (entry.pk,)
    row = Interception.objects.get()
    assert (row.stage, row.entry_id, row.kind, row.subject) == ("order", entry.pk, "phone", "merchant:7")


def test_unlisted_values_pass_and_nothing_is_logged(operator: Actor) -> None:
    banned(operator, "phone", "13800000001")
    result = screen(stage="order", entities={"phone": "13800000002", "device": "cookie:abc"})
    assert result.intercepted is False
    assert Interception.objects.count() == 0


def test_a_kind_does_not_match_another_kinds_value(operator: Actor) -> None:
    # the same characters as a device id do not hit a phone entry
    banned(operator, "phone", "13800000001")
    assert screen(stage="order", entities={"device": "13800000001"}).intercepted is False


def test_lifted_and_ended_entries_do_not_intercept(operator: Actor) -> None:
    # given one entry lifted, one ended yesterday
    lifted = banned(operator, "phone", "13800000001")
    BlacklistEntry.objects.filter(pk=lifted.pk).update(lifted_at=clock.now())
    ended = banned(operator, "phone", "13800000002")
    BlacklistEntry.objects.filter(pk=ended.pk).update(ends_at=clock.now() - dt.timedelta(days=1))
    # then
    assert screen(stage="order", entities={"phone": ["13800000001", "13800000002"]}).intercepted is False


def test_all_entities_of_a_call_are_matched_in_one_query(operator: Actor) -> None:
    uscc = make_uscc()
    banned(operator, "uscc", uscc)
    banned(operator, "device", "cookie:device-0001")
    entities = {"phone": ["13800000001", "13800000002"], "device": "cookie:device-0001", "uscc": [uscc, make_uscc()]}
    with CaptureQueriesContext(connection) as queries:
        result = screen(stage="order", entities=entities)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert result.reasons == ("device", "uscc")
    assert Interception.objects.count() == 2


def test_a_clean_call_costs_exactly_one_query(operator: Actor, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    banned(operator, "phone", "13800000009")
    with django_assert_num_queries(1):
        screen(stage="order", entities={"phone": "13800000001", "device": "cookie:x", "uscc": make_uscc()})


def test_switched_off_screening_asks_nothing(operator: Actor, settings, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    banned(operator, "phone", "13800000001")
    settings.XINREN_INTERCEPTION = False
    with django_assert_num_queries(0):
        assert screen(stage="order", entities={"phone": "13800000001"}).intercepted is False


def test_no_identifiers_no_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        assert screen(stage="listing", entities={"uscc": "", "phone": []}).intercepted is False


def test_an_unknown_stage_or_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        screen(stage="refund", entities={})
    with pytest.raises(ValueError):
        screen(stage="order", entities={"email": "a@b.c"})


def test_entries_hold_only_the_keyed_hash_and_a_masked_hint(operator: Actor) -> None:
    entry = banned(operator, "id_number", "11010519491231002X")
    assert entry.value_hash == keyed_hash("id_number", "11010519491231002X")
    assert entry.hint == "****002X"
    stored = " ".join(str(v) for v in BlacklistEntry.objects.filter(pk=entry.pk).values().get().values())
    assert "110105" not in stored


def test_proximity_counts_live_entries_sharing_the_uscc_or_a_members_phone(
    operator: Actor, merchant: Organization
) -> None:
    # given the merchant's USCC and one member's phone are listed, plus an unrelated phone
    member = UserFactory(phone="13700000001")
    Membership.objects.create(user=member, organization=merchant, role=Role.STAFF)
    assert merchant.uscc
    lifted = banned(operator, "phone", "+8613700000001", reason="重复录入")
    BlacklistEntry.objects.filter(pk=lifted.pk).update(lifted_at=clock.now())
    banned(operator, "uscc", merchant.uscc)
    banned(operator, "phone", "13700000001")
    banned(operator, "phone", "13700000002")
    # then
    assert proximity(merchant) == 2


def test_proximity_of_a_clean_organization_is_zero(operator: Actor, other_merchant: Organization) -> None:
    banned(operator, "phone", "13700000002")
    assert proximity(other_merchant) == 0
