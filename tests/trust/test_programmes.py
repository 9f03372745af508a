"""Regional programmes: alliances define them, activation signs the rules, qualifying lots show the badge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xinren.accounts.choices import OrganizationKind, Role
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry
from xinren.trust.models import AllianceRegion, Programme, ProgrammeStatusChange
from xinren.trust.selectors import labels_console_for, labels_for, programme_list, programme_qualifiers
from xinren.trust.services import programme_create, programme_set_status, programme_update

from ..factories import OrganizationFactory, actor_for
from .conftest import NOW, integrate, photo, record

pytestmark = pytest.mark.django_db
BADGE = (Path(__file__).resolve().parents[2] / "src/xinren/trust/badges/kunming-dongba.svg").read_bytes()


@pytest.fixture
def alliance_admin(alliance):  # type: ignore[no-untyped-def]
    return actor_for(alliance, Role.ADMIN)


def _programme(actor, **fields):  # type: ignore[no-untyped-def]
    values = {
        "code": "chuxiong-trace",
        "name": "楚雄溯源",
        "region_code": "532300",
        "description": "楚雄好菌",
        "required_labels": ["origin_direct"],
        "badge_svg": BADGE,
    }
    return programme_create(actor=actor, **{**values, **fields})


def test_activation_signs_the_rules_and_records_the_change(alliance_admin, alliance):
    # given
    programme = _programme(alliance_admin)
    assert (programme.status, programme.version, programme.badge_svg.startswith("<svg")) == ("draft", 0, True)
    # when
    programme_set_status(actor=alliance_admin, programme_id=programme.pk, status="active")
    # then
    programme.refresh_from_db()
    assert (programme.status, programme.version) == ("active", 1)
    entry = PendingEntry.objects.get(leaf_hash=bytes.fromhex(programme.ledger_leaf_hash))
    statement = json.loads(parse_envelope(bytes(entry.envelope)).payload)
    assert statement["type"] == "trust.programme"
    assert statement["subject"].endswith("/programmes/chuxiong-alliance/chuxiong-trace")
    assert (statement["required_labels"], statement["label_rules"], statement["version"]) == (
        ["origin_direct"],
        "labels/2026-11",
        1,
    )
    assert statement["badge_sha256"] == programme.badge_sha256
    change = ProgrammeStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.ledger_leaf_hash) == (
        "draft",
        "active",
        programme.ledger_leaf_hash,
    )


def test_a_qualifying_lot_shows_the_badge_linked_to_its_evidence(alliance_admin, merchant_actor, product, lot, forest):
    # given
    programme = _programme(alliance_admin)
    programme_set_status(actor=alliance_admin, programme_id=programme.pk, status="active")
    record(merchant_actor, lot, "harvesting", 30, place=forest)
    photo(merchant_actor, lot)
    integrate()
    # when
    section = labels_for(product=product, batch=lot)
    # then
    (badge,) = section["badges"]
    assert (badge["name"], badge["alliance"], badge["region"], badge["version"]) == (
        "楚雄溯源",
        "楚雄野生菌产业联盟",
        "云南省楚雄彝族自治州",
        1,
    )
    assert badge["requires"] == ["产地直采"]
    assert badge["badge"].startswith("data:image/svg+xml;base64,")
    assert [e["kind"] for e in badge["evidence"]] == ["trace.event", "evidence.media"]
    assert labels_for(product=product, batch=None) is None
    # when the programme goes back to draft, the badge disappears
    programme_set_status(actor=alliance_admin, programme_id=programme.pk, status="draft")
    assert labels_for(product=product, batch=lot)["badges"] == []


def test_a_lot_outside_the_rules_gets_no_badge_and_the_merchant_sees_why(
    alliance_admin, merchant_actor, product, lot, forest
):
    programme = _programme(alliance_admin, min_lab_stars=4)
    programme_set_status(actor=alliance_admin, programme_id=programme.pk, status="active")
    record(merchant_actor, lot, "harvesting", 30, place=forest)
    photo(merchant_actor, lot)
    integrate()
    assert labels_for(product=product, batch=lot)["badges"] == []
    console = labels_console_for(actor=merchant_actor, product=product, batch=lot)
    (verdict,) = console["programmes"]
    assert verdict["problems"] == ["需要本批次的检测报告（至少 4 星）"]
    rows = programme_qualifiers(actor=alliance_admin, programme_id=programme.pk)
    assert [(r["lot"], r["qualifies"]) for r in rows] == [("NH20261101", False)]


def test_region_must_contain_the_origin(alliance_admin, merchant_actor, product, lot, forest):
    # given: a Yunnan-wide alliance's 昆明 programme; the product comes from 楚雄州
    yunnan = OrganizationFactory(kind=OrganizationKind.ALLIANCE, region="云南省")
    AllianceRegion.objects.create(alliance=yunnan, code="530000", declared_at=NOW)
    alliance_admin = actor_for(yunnan, Role.ADMIN)
    programme = _programme(alliance_admin, region_code="530100")
    programme_set_status(actor=alliance_admin, programme_id=programme.pk, status="active")
    record(merchant_actor, lot, "harvesting", 30, place=forest)
    photo(merchant_actor, lot)
    integrate()
    assert labels_for(product=product, batch=lot)["badges"] == []


def test_a_merchant_cannot_define_a_programme(merchant, product):
    with pytest.raises(PermissionDenied) as caught:
        _programme(actor_for(merchant, Role.OWNER))
    assert caught.value.code == "permission.organization_kind"
    assert Programme.objects.count() == 0


def test_another_alliance_cannot_edit_or_activate(alliance_admin):
    # given
    programme = _programme(alliance_admin)
    stranger = actor_for(OrganizationFactory(kind=OrganizationKind.ALLIANCE), Role.ADMIN)
    # when / then
    with pytest.raises(NotFound):
        programme_update(actor=stranger, programme_id=programme.pk, name="改名", region_code="532300")
    with pytest.raises(NotFound):
        programme_set_status(actor=stranger, programme_id=programme.pk, status="active")
    programme.refresh_from_db()
    assert (programme.name, programme.status) == ("楚雄溯源", "draft")
    assert list(programme_list(actor=stranger)) == []


def test_staff_edits_but_only_an_admin_activates(alliance):
    staff = actor_for(alliance, Role.STAFF)
    programme = _programme(staff)
    with pytest.raises(PermissionDenied):
        programme_set_status(actor=staff, programme_id=programme.pk, status="active")
    programme.refresh_from_db()
    assert programme.status == "draft" and ProgrammeStatusChange.objects.count() == 0


def test_only_drafts_are_edited_and_retired_is_final(alliance_admin):
    programme = _programme(alliance_admin)
    programme_set_status(actor=alliance_admin, programme_id=programme.pk, status="active")
    with pytest.raises(Conflict) as not_editable:
        programme_update(actor=alliance_admin, programme_id=programme.pk, name="新名", region_code="532300")
    programme_set_status(actor=alliance_admin, programme_id=programme.pk, status="retired")
    with pytest.raises(Conflict) as final:
        programme_set_status(actor=alliance_admin, programme_id=programme.pk, status="active")
    assert (not_editable.value.code, final.value.code) == ("programme.not_editable", "programme.transition_invalid")
    programme.refresh_from_db()
    assert (programme.name, programme.status) == ("楚雄溯源", "retired")


def test_input_is_checked(alliance_admin):
    with pytest.raises(InvalidInput) as unknown:
        _programme(alliance_admin, required_labels=["best_in_china"])
    with pytest.raises(InvalidInput) as badge:
        _programme(alliance_admin, badge_svg=b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>')
    with pytest.raises(InvalidInput) as code:
        _programme(alliance_admin, code="Kunming Trace!")
    assert unknown.value.details["unknown"] == ["best_in_china"]
    assert badge.value.code == "programme.badge_svg_invalid"
    assert code.value.details["field"] == "code"
    incomplete = _programme(alliance_admin, badge_svg=None)
    with pytest.raises(InvalidInput) as caught:
        programme_set_status(actor=alliance_admin, programme_id=incomplete.pk, status="active")
    assert caught.value.details["missing"] == ["badge_svg"]
    assert list(Programme.objects.values_list("status", flat=True)) == ["draft"]
