"""Authentication (API keys, sessions) and the one error shape, for every kind of failure."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, RequestFactory

from xinren.accounts.choices import OrganizationStatus, Role
from xinren.accounts.models import ApiKey, Membership
from xinren.accounts.services import api_key_revoke
from xinren.api.api import api
from xinren.catalog.models import Product

from ..factories import actor_for
from ..fixtures.api import assert_error, call, key_for, member, person

pytestmark = pytest.mark.django_db

PRODUCT = {"gtin": "6901234567892", "name": "松茸", "category": "wild_mushroom", "origin_region": "云南"}


def test_me_with_bearer_key(client, merchant, merchant_key):
    # given
    key = ApiKey.objects.get(organization=merchant)
    # when
    response = call(client, "GET", "/me", key=merchant_key)
    # then
    assert response.status_code == 200
    assert response.json() == {
        "organization": {
            "id": merchant.pk,
            "slug": "shanye",
            "name": "昆明山野菌菇店",
            "kind": "merchant",
            "status": "active",
        },
        "role": "staff",
        "via": "api_key",
        "user": None,
        "api_key": {"prefix": key.prefix, "name": "staff key", "role": "staff"},
    }
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_me_with_x_api_key_header(client, merchant, viewer_key):
    response = call(client, "GET", "/me", headers={"X-API-Key": viewer_key})
    assert response.status_code == 200
    assert (response.json()["organization"]["slug"], response.json()["role"]) == ("shanye", "viewer")


def test_missing_credentials_is_401(client):
    body = assert_error(call(client, "GET", "/me"), 401, "auth.required")
    assert body["details"] == {}


@pytest.mark.parametrize(
    "header",
    [
        {"Authorization": "Bearer xr_00000000_not-a-real-secret"},
        {"Authorization": "Bearer garbage"},
        {"X-API-Key": "xr_deadbeef_wrong"},
    ],
)
def test_unknown_key_is_401(client, merchant_key, header):
    assert_error(call(client, "GET", "/me", headers=header), 401, "auth.invalid_key")


def test_tampered_key_is_401(client, merchant_key):
    assert_error(call(client, "GET", "/me", key=merchant_key[:-2] + "zz"), 401, "auth.invalid_key")


def test_other_auth_scheme_is_401(client):
    response = call(client, "GET", "/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_error(response, 401, "auth.required")


def test_revoked_key_is_401_and_writes_nothing(client, merchant, merchant_key):
    # given
    admin = actor_for(merchant, Role.ADMIN)
    api_key_revoke(actor=admin, key_id=ApiKey.objects.get(organization=merchant, role=Role.STAFF).pk)
    # when
    read = call(client, "GET", "/me", key=merchant_key)
    write = call(client, "POST", "/products", key=merchant_key, body=PRODUCT)
    # then
    assert_error(read, 401, "auth.invalid_key")
    assert_error(write, 401, "auth.invalid_key")
    assert Product.objects.count() == 0


def test_key_of_suspended_organization_is_401(client, merchant, merchant_key):
    merchant.status = OrganizationStatus.SUSPENDED
    merchant.save()
    assert_error(call(client, "GET", "/me", key=merchant_key), 401, "auth.invalid_key")


def test_session_user_is_mapped_to_their_organization(client, merchant):
    # given
    user = member(merchant, Role.ADMIN, username="xiaoli")
    client.force_login(user)
    # when
    response = call(client, "GET", "/me")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["organization"]["slug"], body["role"], body["via"], body["user"], body["api_key"]) == (
        "shanye",
        "admin",
        "session",
        "xiaoli",
        None,
    )


def test_session_user_chooses_organization_by_header(client, merchant, other_merchant):
    # given: a member of two organizations
    user = member(merchant, Role.STAFF)
    Membership.objects.create(user=user, organization=other_merchant, role=Role.VIEWER)
    client.force_login(user)
    # when
    response = call(client, "GET", "/me", headers={"X-Organization-Id": str(other_merchant.pk)})
    # then
    assert (response.json()["organization"]["slug"], response.json()["role"]) == ("puer", "viewer")


def test_session_follows_the_consoles_organization_choice(client, merchant, other_merchant):
    # given: the person switched the merchant console to their second organization
    user = member(merchant, Role.STAFF)
    Membership.objects.create(user=user, organization=other_merchant, role=Role.VIEWER)
    client.force_login(user)
    session = client.session
    session["merchant_organization_id"] = other_merchant.pk
    session.save()
    # when
    response = call(client, "GET", "/me")
    # then
    assert response.json()["organization"]["slug"] == "puer"


def test_session_ignores_a_stale_console_choice(client, merchant, other_merchant):
    user = member(merchant, Role.STAFF)
    client.force_login(user)
    session = client.session
    session["merchant_organization_id"] = other_merchant.pk
    session.save()
    assert call(client, "GET", "/me").json()["organization"]["slug"] == "shanye"


def test_session_organization_header_must_be_a_number(client, merchant):
    client.force_login(member(merchant, Role.STAFF))
    response = call(client, "GET", "/me", headers={"X-Organization-Id": "shanye"})
    body = assert_error(response, 422, "auth.organization_invalid")
    assert body["details"] == {"header": "X-Organization-Id"}


def test_session_user_cannot_choose_a_foreign_organization(client, merchant, other_merchant):
    user = member(merchant, Role.STAFF)
    client.force_login(user)
    response = call(client, "GET", "/me", headers={"X-Organization-Id": str(other_merchant.pk)})
    assert_error(response, 403, "permission.no_membership")


def test_session_user_without_membership_is_403(client):
    client.force_login(person())
    assert_error(call(client, "GET", "/me"), 403, "permission.no_membership")


def _csrf_client(user) -> tuple[Client, str]:  # type: ignore[no-untyped-def]
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    token = _get_new_csrf_string()
    browser.cookies["csrftoken"] = token
    return browser, token


def test_session_write_needs_csrf_token(merchant):
    # given
    user = member(merchant, Role.STAFF)
    browser, token = _csrf_client(user)
    # when
    refused = call(browser, "POST", "/products", body=PRODUCT)
    # then
    assert_error(refused, 403, "auth.csrf")
    assert Product.objects.count() == 0
    # when
    accepted = call(browser, "POST", "/products", body=PRODUCT, headers={"X-CSRFToken": token})
    # then
    assert accepted.status_code == 201, accepted.content
    assert Product.objects.get().merchant == merchant


def test_api_key_write_needs_no_csrf_token(merchant, merchant_key):
    browser = Client(enforce_csrf_checks=True)
    response = call(browser, "POST", "/products", key=merchant_key, body=PRODUCT)
    assert response.status_code == 201


def test_anonymous_write_is_401_not_csrf_403():
    browser = Client(enforce_csrf_checks=True)
    assert_error(call(browser, "POST", "/products", body=PRODUCT), 401, "auth.required")


def test_unknown_path_is_json_404(client):
    body = assert_error(client.get("/api/v1/no/such/thing"), 404, "not_found")
    assert body["details"] == {"path": "/api/v1/no/such/thing"}


def test_wrong_method_is_json_405(client, merchant_key):
    response = call(client, "DELETE", "/products", key=merchant_key)
    body = assert_error(response, 405, "method_not_allowed")
    assert sorted(body["details"]["allowed"]) == ["GET", "POST"]
    assert sorted(m.strip() for m in response["Allow"].split(",")) == ["GET", "POST"]


def test_unexpected_error_is_500_without_internals(client, merchant_key, monkeypatch):
    # given
    def explode(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr("xinren.catalog.selectors.product_list", explode)
    # when
    response = call(client, "GET", "/products", key=merchant_key)
    # then
    body = assert_error(response, 500, "internal")
    assert body["details"] == {}
    assert b"secret" not in response.content
    assert b"Traceback" not in response.content


def test_body_too_large_is_413(client, merchant_key, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    response = call(client, "POST", "/products", key=merchant_key, body={**PRODUCT, "description": "长" * 100})
    assert_error(response, 413, "request.too_large")
    assert Product.objects.count() == 0


def test_messages_follow_accept_language(client):
    # The source language is zh-hans; English appears once the catalogue is translated.
    chinese = call(client, "GET", "/me")
    english = call(client, "GET", "/me", headers={"Accept-Language": "en"})
    assert chinese["Content-Language"] == "zh-hans"
    assert english["Content-Language"] == "en"
    assert_error(english, 401, "auth.required")


@pytest.mark.parametrize(
    ("exc", "status", "code", "details"),
    [
        (
            DjangoValidationError({"name": [DjangoValidationError("太长", code="max_length")]}),
            422,
            "validation",
            {"errors": [{"loc": ["body", "name"], "type": "max_length", "msg": "太长"}]},
        ),
        (
            DjangoValidationError("不对", code="invalid"),
            422,
            "validation",
            {"errors": [{"loc": ["body"], "type": "invalid", "msg": "不对"}]},
        ),
        (Http404("secret detail"), 404, "not_found", {}),
        (Product.DoesNotExist("secret detail"), 404, "not_found", {}),
        (DjangoPermissionDenied("secret detail"), 403, "permission.denied", {}),
    ],
)
def test_django_exceptions_map_to_the_error_shape(exc, status, code, details):
    # given
    request = RequestFactory().get("/api/v1/anything")
    # when
    response = api.on_exception(request, exc)
    # then
    body = assert_error(response, status, code)
    assert body["details"] == details
    assert b"secret" not in response.content


def test_keys_of_two_organizations_are_independent(client, merchant, other_merchant):
    # given
    mine = key_for(merchant)
    theirs = key_for(other_merchant)
    # when
    me = call(client, "GET", "/me", key=mine).json()
    them = call(client, "GET", "/me", key=theirs).json()
    # then
    assert (me["organization"]["slug"], them["organization"]["slug"]) == ("shanye", "puer")
