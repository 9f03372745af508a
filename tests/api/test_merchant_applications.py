"""/api/v1/merchant-applications: the applicant's own application, and the reviewers' endpoints."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinren.accounts.choices import Role
from xinren.governance.models import MerchantApplication

from ..evidence.samples import png
from ..fixtures.accounts import browser_of, consumer_new
from ..fixtures.api import BASE, bearer, key_for
from ..governance.factories_applications import ID_NUMBER, uscc_new

pytestmark = pytest.mark.django_db
URL = f"{BASE}/merchant-applications"


def _body(uscc: str, scan_id: int | None) -> dict:  # type: ignore[type-arg]
    return {
        "company_name": "昆明滇味茶叶有限公司",
        "uscc": uscc,
        "legal_rep_name": "李四",
        "legal_rep_id_number": ID_NUMBER,
        "contact_phone": "13800001111",
        "categories": ["tea"],
        "qualifications": [
            {"kind": "business_licence", "number": uscc, "holder_name": "昆明滇味茶叶有限公司", "holder_uscc": uscc,
             "scan_id": scan_id},
            {
                "kind": "food_business",
                "number": "JY15301020000001",
                "holder_name": "昆明滇味茶叶有限公司",
                "holder_uscc": uscc,
                "scope": ["tea"],
                "scan_id": scan_id,
            }
        ],
    }


def test_apply_submit_and_approve_through_the_api(platform):
    # given a signed-in person
    browser = browser_of(consumer_new())
    scan = browser.post(f"{URL}/scans", {"file": _upload()})
    assert scan.status_code == 201, scan.content
    uscc = uscc_new()
    # when they apply and submit
    created = browser.post(URL, json.dumps(_body(uscc, scan.json()["id"])), content_type="application/json")
    assert created.status_code == 201, created.content
    public_id = created.json()["public_id"]
    assert created.json()["legal_rep_id_masked"].endswith(ID_NUMBER[-4:])
    assert ID_NUMBER not in created.content.decode()
    assert created.json()["contact_phone_masked"] == "138****1111"
    submitted = browser.post(
        f"{URL}/{public_id}/submit", json.dumps({"legal_rep_id_number": ID_NUMBER}), content_type="application/json"
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["checks"][0]["rule"] == "uscc.checksum"
    # then a reviewer with a platform key sees it in the queue and approves
    headers = bearer(key_for(platform, Role.STAFF))
    queue = browser_of(consumer_new()).get(f"{URL}/queue")
    assert queue.status_code == 403  # a person without a platform membership
    reviewer = Client()
    assert [a["public_id"] for a in reviewer.get(f"{URL}/queue", headers=headers).json()] == [public_id]
    decided = reviewer.post(
        f"{URL}/{public_id}/decision",
        json.dumps({"decision": "approve", "reasons": ["uscc.checksum"]}),
        content_type="application/json",
        headers=headers,
    )
    assert decided.status_code == 200, decided.content
    assert MerchantApplication.objects.get(public_id=public_id).organization is not None


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("jy.png", png(), content_type="image/png")


def test_another_persons_application_is_not_found_and_a_failing_check_is_422():
    owner = browser_of(consumer_new())
    created = owner.post(URL, json.dumps(_body("91530102MA0000001X", None)), content_type="application/json")
    public_id = created.json()["public_id"]
    assert browser_of(consumer_new()).get(f"{URL}/{public_id}").status_code == 404
    refused = owner.post(
        f"{URL}/{public_id}/submit", json.dumps({"legal_rep_id_number": ID_NUMBER}), content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "application.checks_failed"
    assert refused.json()["details"]["checks"][0]["outcome"] == "fail"
    assert MerchantApplication.objects.get(public_id=public_id).status == "draft"


def test_a_merchant_key_cannot_decide(merchant):
    response = _client().post(
        f"{URL}/SQXXXXXXXXXX/decision",
        json.dumps({"decision": "reject", "note": "x"}),
        content_type="application/json",
        headers=bearer(key_for(merchant, Role.STAFF)),
    )
    assert response.status_code == 403


def _client() -> Client:
    return Client()
