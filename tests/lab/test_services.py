"""Issuing and submitting lab reports: validation, permissions, signing into the log, the batch scorecard."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xinren.accounts.choices import Role
from xinren.attest import keys
from xinren.catalog.choices import ProductCategory
from xinren.catalog.services import partner_grant
from xinren.core.errors import DomainError
from xinren.core.models import PageRefresh
from xinren.lab.models import LabMeasurement, LabReport
from xinren.lab.selectors import scorecard_for_batch
from xinren.lab.services import accreditation_normalize, lab_report_issue, lab_report_submit_signed
from xinren.ledger.dsse import key_id_for, parse_envelope, sign_envelope
from xinren.ledger.store.models import PendingEntry

from ..factories import BatchFactory, actor_for

SAMPLED = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
MUSHROOM_RESULTS = [
    {"indicator": "lead", "value": "0.05", "unit": "mg/kg"},
    {"indicator": "cadmium", "value": "ND", "unit": "mg/kg", "lod": "0.003"},
    {"indicator": "total_mercury", "value": "0.01", "unit": "mg/kg"},
]


@pytest.fixture
def lab_actor(lab, merchant_admin):  # type: ignore[no-untyped-def]
    partner_grant(actor=merchant_admin, partner_slug=lab.slug)
    return actor_for(lab, Role.STAFF)


@pytest.fixture
def batch(merchant):  # type: ignore[no-untyped-def]
    return BatchFactory(product__merchant=merchant, product__category=ProductCategory.WILD_MUSHROOM, lot="L20260801")


def _issue(actor, batch, measurements=None, **overrides):  # type: ignore[no-untyped-def]
    fields = {
        "actor": actor, "batch_id": batch.pk, "accreditation": "CNAS L1234", "sample_id": "YN-2026-0001",
        "sampled_at": SAMPLED, "method": "GB 5009.12-2017", "measurements": measurements or MUSHROOM_RESULTS,
    }
    return lab_report_issue(**{**fields, **overrides})


def _counts() -> tuple[int, int, int, int]:
    return (LabReport.objects.count(), LabMeasurement.objects.count(), PendingEntry.objects.count(),
            PageRefresh.objects.count())


def test_issue_stores_signs_and_marks_the_batch_stale(lab_actor, batch):
    # given a lab the merchant granted
    # when
    report = _issue(lab_actor, batch)
    # then the report and its measurements are stored
    assert (report.batch, report.lab, report.accreditation, report.table_version, report.self_signed) == (
        batch, lab_actor.organization, "CNAS L1234", "2026.1", False
    )
    assert [(m.indicator, m.value, m.not_detected) for m in report.measurements.order_by("position")] == [
        ("lead", Decimal("0.05"), False), ("cadmium", None, True), ("total_mercury", Decimal("0.01"), False)
    ]
    # and the full report is signed into the log under the lab's custodial key
    pending = PendingEntry.objects.get(leaf_hash=bytes.fromhex(report.ledger_leaf_hash))
    statement = json.loads(parse_envelope(bytes(pending.envelope)).payload)
    assert pending.statement_type == "lab.report"
    assert pending.signer_key_id == keys._active_custodial(lab_actor.organization).key_id  # type: ignore[union-attr]
    assert {k: v for k, v in statement.items() if k != "time"} == {
        "type": "lab.report",
        "subject": f"http://127.0.0.1:8000/01/{batch.product.gtin}/10/L20260801",
        "report_id": str(report.report_id),
        "lab": f"org:{lab_actor.organization.pk}",
        "accreditation": "CNAS L1234",
        "gtin": batch.product.gtin,
        "lot": "L20260801",
        "sample_id": "YN-2026-0001",
        "sampled_at": "2026-08-20T09:30:00+08:00",
        "method": "GB 5009.12-2017",
        "table_version": "2026.1",
        "measurements": [
            {"indicator": "lead", "value": "0.05", "unit": "mg/kg"},
            {"indicator": "cadmium", "value": "ND", "unit": "mg/kg", "lod": "0.003"},
            {"indicator": "total_mercury", "value": "0.01", "unit": "mg/kg"},
        ],
    }
    # and the batch's pages are queued for re-publication
    assert list(PageRefresh.objects.values_list("kind", "object_id")) == [("batch", batch.pk)]


def test_scorecard_for_batch(settings, lab_actor, batch):
    # given lead at 0.05 of ≤0.3 (16.7 % → 4★), cadmium not detected (5★), mercury at 0.01 of ≤0.1 (10 % → 5★)
    settings.XINREN_RESOLVER = "https://xinren.example"
    report = _issue(lab_actor, batch)
    # when
    card = scorecard_for_batch(batch=batch)
    # then
    assert card is not None
    assert (card["overall_stars"], card["exceeds"], card["table_version"], card["leaf_hash"]) == (
        4, False, "2026.1", report.ledger_leaf_hash
    )
    assert card["lab"] == {"name": "云南食品检测中心", "accreditation": "CNAS L1234"}
    assert [(i["indicator"], i["value"], i["limit"], i["comparator"], i["stars"]) for i in card["indicators"]] == [
        ("lead", "0.05", "0.3", "le", 4), ("cadmium", "ND", "0.2", "le", 5), ("total_mercury", "0.01", "0.1", "le", 5)
    ]
    assert card["indicators"][0]["standard"] == "GB 2762-2022"
    assert card["suggestions"] == [
        {"indicator": "lead", "stars": 4, "target_stars": 5, "comparator": "le", "value": "0.03", "unit": "mg/kg",
         "lifts_overall": True}
    ]
    json.dumps(card)


def test_exceedance_caps_the_overall_grade(lab_actor, batch):
    # given lead above its limit while everything else is clean
    _issue(lab_actor, batch, measurements=[
        {"indicator": "lead", "value": "0.31", "unit": "mg/kg"},
        {"indicator": "cadmium", "value": "ND", "unit": "mg/kg"},
    ])
    # when
    card = scorecard_for_batch(batch=batch)
    # then
    assert card is not None
    assert (card["overall_stars"], card["exceeds"]) == (1, True)
    assert [(i["stars"], i["exceeds"]) for i in card["indicators"]] == [(1, True), (5, False)]


def test_batch_without_report_has_no_scorecard(batch):
    # given / when / then
    assert scorecard_for_batch(batch=batch) is None


@pytest.mark.parametrize(
    ("measurement", "code"),
    [
        ({"indicator": "caffeine", "value": "1", "unit": "mg/kg"}, "lab_report.indicator_unknown"),
        ({"indicator": "aflatoxin_b1", "value": "1", "unit": "μg/kg"}, "lab_report.indicator_unknown"),
        ({"indicator": "lead", "value": "50", "unit": "μg/kg"}, "lab_report.unit_mismatch"),
        ({"indicator": "lead", "value": "-0.01", "unit": "mg/kg"}, "lab_report.value_invalid"),
        ({"indicator": "lead", "value": "NaN", "unit": "mg/kg"}, "lab_report.value_invalid"),
        ({"indicator": "lead", "value": float("nan"), "unit": "mg/kg"}, "lab_report.value_invalid"),
        ({"indicator": "lead", "value": "Infinity", "unit": "mg/kg"}, "lab_report.value_invalid"),
        ({"indicator": "lead", "value": "1000001", "unit": "mg/kg"}, "lab_report.value_invalid"),
        ({"indicator": "lead", "value": "0.0000001", "unit": "mg/kg"}, "lab_report.value_invalid"),
        ({"indicator": "lead", "value": "nd", "unit": "mg/kg"}, "lab_report.value_invalid"),
        ({"indicator": "lead", "value": "ND", "unit": "mg/kg", "lod": "0.5"}, "lab_report.lod_above_limit"),
    ],
)
def test_invalid_measurement_is_refused_and_nothing_stored(lab_actor, batch, measurement, code):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        _issue(lab_actor, batch, measurements=[{"indicator": "cadmium", "value": "ND", "unit": "mg/kg"}, measurement])
    # then
    assert caught.value.code == code
    assert caught.value.details["position"] == 1
    assert _counts() == before


def test_wrong_unit_names_the_expected_unit(lab_actor, batch):
    # given / when
    with pytest.raises(DomainError) as caught:
        _issue(lab_actor, batch, measurements=[{"indicator": "lead", "value": "50", "unit": "μg/kg"}])
    # then
    assert caught.value.details == {"position": 0, "indicator": "lead", "unit": "μg/kg", "expected": "mg/kg"}


def test_duplicate_indicator_and_empty_report_are_refused(lab_actor, batch):
    # given
    before = _counts()
    lead = {"indicator": "lead", "value": "0.1", "unit": "mg/kg"}
    # when / then
    with pytest.raises(DomainError) as caught:
        _issue(lab_actor, batch, measurements=[lead, lead])
    assert caught.value.code == "lab_report.indicator_duplicate"
    with pytest.raises(DomainError) as caught:
        lab_report_issue(actor=lab_actor, batch_id=batch.pk, accreditation="CNAS L1234", sample_id="S",
                         sampled_at=SAMPLED, method="m", measurements=[])
    assert caught.value.code == "lab_report.measurements_required"
    assert _counts() == before


def test_category_without_table_is_refused(lab_actor, merchant):
    # given a handicraft batch
    batch = BatchFactory(product__merchant=merchant, product__category=ProductCategory.HANDICRAFT)
    # when
    with pytest.raises(DomainError) as caught:
        _issue(lab_actor, batch)
    # then
    assert caught.value.code == "lab_report.category_unsupported"
    assert LabReport.objects.count() == 0


def test_lab_without_grant_is_refused(lab, batch):
    # given a lab the merchant never granted
    actor = actor_for(lab, Role.STAFF)
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        _issue(actor, batch)
    # then
    assert (caught.value.code, caught.value.status) == ("lab_report.batch_not_granted", 403)
    assert _counts() == before


def test_revoked_grant_is_refused(lab_actor, batch, merchant):
    # given the merchant revoked the lab's grant
    from xinren.catalog.models import PartnerGrant

    PartnerGrant.objects.filter(owner=merchant).update(revoked_at=SAMPLED)
    # when
    with pytest.raises(DomainError) as caught:
        _issue(lab_actor, batch)
    # then
    assert caught.value.code == "lab_report.batch_not_granted"
    assert LabReport.objects.count() == 0


def test_merchant_cannot_issue_a_lab_report(merchant_actor, batch):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        _issue(merchant_actor, batch)
    # then
    assert (caught.value.code, caught.value.status) == ("permission.organization_kind", 403)
    assert _counts() == before


def test_lab_viewer_cannot_issue(lab, lab_actor, batch):
    # given
    viewer = actor_for(lab, Role.VIEWER)
    # when
    with pytest.raises(DomainError) as caught:
        _issue(viewer, batch)
    # then
    assert caught.value.code == "permission.role"
    assert LabReport.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("CNAS L1234", "CNAS L1234"), ("cnas:l12345", "CNAS L12345"), ("CMA 171512345678", "CMA 171512345678"),
     ("CMA：171512345678", "CMA 171512345678")],
)
def test_accreditation_formats(raw, normalized):
    # given / when / then
    assert accreditation_normalize(raw) == normalized


@pytest.mark.parametrize("raw", ["CNAS 1234", "CNAS L123", "CMA 12345", "ISO 17025", ""])
def test_invalid_accreditation_is_refused(lab_actor, batch, raw):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        _issue(lab_actor, batch, accreditation=raw)
    # then
    assert caught.value.code == "lab_report.accreditation_invalid"
    assert _counts() == before


def test_same_sample_id_twice_is_refused(lab_actor, batch):
    # given
    _issue(lab_actor, batch)
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        _issue(lab_actor, batch)
    # then
    assert caught.value.code == "lab_report.sample_id_taken"
    assert _counts() == before


def test_naive_sampling_time_is_refused(lab_actor, batch):
    # given / when
    with pytest.raises(DomainError) as caught:
        _issue(lab_actor, batch, sampled_at=dt.datetime(2026, 8, 20, 9, 30))
    # then
    assert (caught.value.code, caught.value.details) == ("lab_report.field_invalid", {"field": "sampled_at"})


def _self_signed(organization, batch, **overrides):
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes_raw()
    keys.signing_key_register(actor=actor_for(organization, Role.ADMIN), public_key=public, label="LIMS")
    statement = {
        "type": "lab.report", "subject": f"https://lims.example/01/{batch.product.gtin}/10/{batch.lot}",
        "report_id": str(uuid.UUID(int=7)), "lab": f"org:{organization.pk}", "accreditation": "CMA 171512345678",
        "gtin": batch.product.gtin, "lot": batch.lot, "sample_id": "LIMS-7", "sampled_at": SAMPLED.isoformat(),
        "method": "GB 5009.17-2021", "table_version": "2026.1",
        "measurements": [{"indicator": "total_mercury", "value": "0.02", "unit": "mg/kg"}],
        **overrides,
    }
    return sign_envelope(json.dumps(statement).encode(), key=private, keyid=key_id_for(public)).to_json()


def test_self_signed_report_enters_the_log_as_signed(lab, lab_actor, batch):
    # given a lab with its own key
    envelope = _self_signed(lab, batch)
    # when
    report = lab_report_submit_signed(actor=lab_actor, envelope_bytes=envelope)
    # then
    pending = PendingEntry.objects.get(leaf_hash=bytes.fromhex(report.ledger_leaf_hash))
    assert bytes(pending.envelope) == envelope
    assert (report.self_signed, report.sample_id, str(report.report_id), report.accreditation) == (
        True, "LIMS-7", str(uuid.UUID(int=7)), "CMA 171512345678"
    )
    assert [(m.indicator, m.unit) for m in report.measurements.all()] == [("total_mercury", "mg/kg")]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"measurements": [{"indicator": "lead", "value": "-1", "unit": "mg/kg"}]}, "lab_report.value_invalid"),
        ({"table_version": "1999.1"}, "lab_report.table_version_unknown"),
        ({"type": "trace.event"}, "lab_report.envelope_invalid"),
        ({"lab": "org:999999"}, "lab_report.envelope_invalid"),
        ({"lot": "NOPE"}, "batch.not_found"),
        ({"report_id": "not-a-uuid"}, "lab_report.field_invalid"),
    ],
)
def test_self_signed_report_is_validated_like_an_issued_one(lab, lab_actor, batch, overrides, code):
    # given
    envelope = _self_signed(lab, batch, **overrides)
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        lab_report_submit_signed(actor=lab_actor, envelope_bytes=envelope)
    # then
    assert caught.value.code == code
    assert _counts() == before
