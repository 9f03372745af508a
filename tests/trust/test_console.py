"""The console pages: merchants see labels and what is missing; alliances manage programmes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from xinren.accounts.choices import OrganizationKind, Role
from xinren.trust.models import AllianceRegion, Programme
from xinren.verification.models import Credential

from ..factories import OrganizationFactory, actor_for
from .conftest import integrate, photo, record

pytestmark = pytest.mark.django_db
BADGE = (Path(__file__).resolve().parents[2] / "src/xinren/trust/badges/kunming-dongba.svg").read_bytes()


def _client(actor) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(actor.user)
    return client


def test_merchant_sees_labels_and_what_is_missing(merchant_actor, platform, product, lot, forest):
    # given
    record(merchant_actor, lot, "harvesting", 30, place=forest)
    photo(merchant_actor, lot)
    integrate()
    client = _client(merchant_actor)
    # when
    home = client.get("/merchant/trust/")
    detail = client.get(f"/merchant/trust/batches/{lot.pk}/")
    # then
    assert home.status_code == 200
    assert "⛰ 产地直采" in home.content.decode()
    text = detail.content.decode()
    assert detail.status_code == 200
    assert "采收 · 南华县野生菌采集点" in text
    assert "至少一段已完成的运输（发货与收货事件）" in text


def test_merchant_submits_a_credential_from_the_console(merchant_actor, platform):
    client = _client(merchant_actor)
    response = client.post("/merchant/trust/", {"kind": "organic", "number": "CN-ORG-1", "holder_name": ""})
    assert response.status_code == 302
    assert list(Credential.objects.values_list("number", "status")) == [("CN-ORG-1", "failed")]
    refused = client.post("/merchant/trust/", {"kind": "halal", "number": "X"})
    assert refused.status_code == 422 and Credential.objects.count() == 1


def test_another_merchants_lot_is_not_found(merchant_actor, other_actor, lot):
    assert _client(other_actor).get(f"/merchant/trust/batches/{lot.pk}/").status_code == 404


def test_alliance_defines_uploads_and_activates(db):
    # given
    alliance = OrganizationFactory(name="昆明溯源联盟", kind=OrganizationKind.ALLIANCE, region="云南省昆明市")
    admin = actor_for(alliance, Role.ADMIN)
    client = _client(admin)
    assert client.get("/merchant/trust/").url == "/merchant/programmes/"
    # when
    declared = client.post("/merchant/programmes/regions/", {"codes": ["530100"]})
    created = client.post(
        "/merchant/programmes/",
        {
            "code": "kunming-trace",
            "name": "昆明溯源",
            "region_code": "530100",
            "description": "",
            "required_labels": ["origin_direct"],
            "min_lab_stars": "",
            "badge": SimpleUploadedFile("badge.svg", BADGE, content_type="image/svg+xml"),
        },
    )
    programme = Programme.objects.get()
    activated = client.post(f"/merchant/programmes/{programme.pk}/status/", {"status": "active"})
    page = client.get(f"/merchant/programmes/{programme.pk}/")
    # then
    assert declared.status_code == 302 and created.status_code == 302 and activated.status_code == 302
    programme.refresh_from_db()
    assert (programme.status, programme.version) == ("active", 1)
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in page.content.decode()


def test_a_bad_badge_shows_on_the_form_and_nothing_is_saved(db):
    alliance = OrganizationFactory(kind=OrganizationKind.ALLIANCE)
    AllianceRegion.objects.create(alliance=alliance, code="530100", declared_at=timezone.now())
    client = _client(actor_for(alliance, Role.STAFF))
    response = client.post(
        "/merchant/programmes/",
        {
            "code": "x-trace",
            "name": "某地溯源",
            "region_code": "530100",
            "required_labels": ["handmade"],
            "badge": SimpleUploadedFile("b.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
        },
    )
    assert response.status_code == 422
    assert "event handler attribute" in response.content.decode()
    assert Programme.objects.count() == 0


def test_other_kinds_are_refused(merchant_actor, lab):
    assert _client(merchant_actor).get("/merchant/programmes/").status_code == 403
    assert _client(actor_for(lab, Role.OWNER)).get("/merchant/trust/").status_code == 403
