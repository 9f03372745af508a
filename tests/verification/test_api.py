"""The verification API: merchants submit credentials and read results about themselves only."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.accounts.choices import Role
from xinren.verification.models import Credential

from ..fixtures.api import call, key_for
from .conftest import csv_row, organic_import

pytestmark = pytest.mark.django_db


def test_submit_and_read_results(merchant, other_merchant, lab, platform):
    # given
    organic_import(csv_row("CN-ORG-2026-000123", merchant))
    client = Client()
    key = key_for(merchant)
    # when
    created = call(client, "post", "/credentials", key=key, body={"kind": "organic", "number": "CN-ORG-2026-000123"})
    results = call(client, "get", "/verification-results", key=key)
    others = call(client, "get", "/verification-results", key=key_for(other_merchant))
    refused = call(client, "post", "/credentials", key=key_for(lab), body={"kind": "organic", "number": "Z"})
    viewer = call(
        client, "post", "/credentials", key=key_for(merchant, Role.VIEWER), body={"kind": "organic", "number": "Z"}
    )
    # then
    assert created.status_code == 201 and created.json()["status"] == "verified"
    assert [(r["number"], r["status"], r["verifier"]) for r in results.json()] == [
        ("CN-ORG-2026-000123", "valid", "registry")
    ]
    assert len(results.json()[0]["leaf_hash"]) == 64
    assert others.json() == []
    assert (refused.status_code, refused.json()["code"]) == (403, "permission.organization_kind")
    assert (viewer.status_code, viewer.json()["code"]) == (403, "permission.role")
    assert Credential.objects.count() == 1


def test_withdraw_and_recheck_are_scoped_to_the_owner(merchant, other_merchant, platform):
    client = Client()
    created = call(client, "post", "/credentials", key=key_for(merchant), body={"kind": "organic", "number": "Q"})
    credential_id = created.json()["id"]
    stranger = call(client, "post", f"/credentials/{credential_id}/withdraw", key=key_for(other_merchant))
    recheck = call(client, "post", f"/credentials/{credential_id}/recheck", key=key_for(merchant))
    withdrawn = call(client, "post", f"/credentials/{credential_id}/withdraw", key=key_for(merchant))
    assert stranger.status_code == 404
    assert (recheck.status_code, recheck.json()["status"]) == (201, "not_found")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")


def test_anonymous_is_refused(db):
    assert call(Client(), "get", "/verification-results").status_code == 401


def test_a_credential_id_beyond_any_database_id_is_refused_not_a_server_error(merchant):
    response = call(Client(), "get", "/verification-results?credential_id=99999999999999999999", key=key_for(merchant))
    assert response.status_code == 422
