"""Signing in, the home page, the organization switcher and the language switch."""

from __future__ import annotations

from django.test import Client

from xinren.accounts.choices import Role

from ..factories import MembershipFactory, OrganizationFactory, UserFactory


def test_login_page_renders_in_chinese(client: Client):
    # when
    response = client.get("/accounts/login/")
    # then
    assert response.status_code == 200
    assert b'<html lang="zh-hans">' in response.content
    assert "登录商家后台" in response.content.decode()
    assert b'name="username"' in response.content


def test_login_redirects_to_the_console(client: Client, merchant_actor):
    # when
    response = client.post(
        "/accounts/login/", {"username": merchant_actor.user.username, "password": "pass-word-123"}
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/merchant/"


def test_dashboard_requires_login(client: Client, db):
    # when
    response = client.get("/merchant/")
    # then
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/merchant/"


def test_dashboard_shows_the_organization_and_catalog_menu(staff: Client, merchant):
    # when
    response = staff.get("/merchant/")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert merchant.name in html
    assert 'href="/merchant/products/"' in html
    assert 'href="/merchant/events/"' in html
    assert 'href="/merchant/api-keys/"' not in html  # staff are not admins


def test_person_without_membership_is_refused(client: Client, db):
    # given
    client.force_login(UserFactory())
    # when
    response = client.get("/merchant/")
    # then
    assert response.status_code == 403
    assert "你不是任何组织的成员" in response.content.decode()


def test_logistics_menu_hides_catalog(logistics_staff: Client):
    # when
    html = logistics_staff.get("/merchant/").content.decode()
    # then
    assert 'href="/merchant/products/"' not in html
    assert 'href="/merchant/batches/"' not in html
    assert 'href="/merchant/partners/"' not in html
    assert 'href="/merchant/events/new/"' in html


def test_switching_organization_changes_the_actor(client: Client, merchant, logistics):
    # given a person who works for a merchant and a logistics firm
    user = UserFactory()
    MembershipFactory(user=user, organization=merchant, role=Role.STAFF)
    MembershipFactory(user=user, organization=logistics, role=Role.STAFF)
    client.force_login(user)
    assert 'name="organization"' in client.get("/merchant/").content.decode()
    # when
    response = client.post("/merchant/organization/", {"organization": logistics.pk})
    # then
    assert response.status_code == 302
    assert client.session["merchant_organization_id"] == logistics.pk
    assert client.get("/merchant/products/").status_code == 403  # a logistics firm has no catalog


def test_switching_to_a_foreign_organization_is_refused(staff: Client, other_merchant):
    # when
    response = staff.post("/merchant/organization/", {"organization": other_merchant.pk})
    # then
    assert response.status_code == 403
    assert "merchant_organization_id" not in staff.session


def test_stale_organization_choice_falls_back_to_a_membership(staff: Client, merchant):
    # given the session names an organization the person no longer belongs to
    gone = OrganizationFactory()
    session = staff.session
    session["merchant_organization_id"] = gone.pk
    session.save()
    # when
    response = staff.get("/merchant/")
    # then
    assert response.status_code == 200
    assert merchant.name in response.content.decode()


def test_language_switch_renders_english(staff: Client):
    # when
    response = staff.post("/i18n/setlang/", {"language": "en", "next": "/merchant/"})
    # then
    assert response.status_code == 302
    assert response["Location"] == "/merchant/"
    assert response.cookies["django_language"].value == "en"
    assert b'<html lang="en">' in staff.get("/merchant/").content
