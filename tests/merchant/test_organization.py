"""API keys (admins only, shown once) and partner grants (the grant form: tests/catalog/test_grant_console.py)."""

from __future__ import annotations

from django.test import Client

from xinren.accounts.choices import Role
from xinren.accounts.models import ApiKey
from xinren.accounts.services import api_key_authenticate

from ..factories import actor_for, legacy_grant


def test_api_key_is_shown_once(admin: Client, merchant):
    # when
    created = admin.post("/merchant/api-keys/", {"name": "仓库扫码枪", "role": "staff"})
    later = admin.get("/merchant/api-keys/")
    # then
    raw = created.context["new_key"]
    key = ApiKey.objects.get()
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    assert raw.startswith(f"xr_{key.prefix}_")
    assert raw in created.content.decode()
    assert later.status_code == 200
    assert raw not in later.content.decode()
    assert "仓库扫码枪" in later.content.decode()
    assert raw not in str(dict(admin.session))
    actor = api_key_authenticate(raw=raw)
    assert actor is not None
    assert (actor.organization, actor.role) == (merchant, "staff")


def test_revoke_api_key(admin: Client):
    # given
    admin.post("/merchant/api-keys/", {"name": "ERP", "role": "viewer"})
    key = ApiKey.objects.get()
    # when
    response = admin.post(f"/merchant/api-keys/{key.pk}/revoke/")
    # then
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_staff_cannot_manage_api_keys(staff: Client):
    # when
    page = staff.get("/merchant/api-keys/")
    post = staff.post("/merchant/api-keys/", {"name": "ERP", "role": "staff"})
    # then
    assert page.status_code == post.status_code == 403
    assert ApiKey.objects.count() == 0


def test_api_key_cannot_be_admin(admin: Client):
    # when
    response = admin.post("/merchant/api-keys/", {"name": "ERP", "role": "admin"})
    # then
    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["role"]
    assert ApiKey.objects.count() == 0


def test_logistics_has_no_partner_page(logistics_staff: Client):
    # when
    response = logistics_staff.get("/merchant/partners/")
    # then
    assert response.status_code == 403


def test_each_active_key_and_grant_has_one_revoke_button_asking_first(admin: Client, merchant, logistics):
    # given one key and one grant still active, one key revoked
    admin.post("/merchant/api-keys/", {"name": "ERP", "role": "viewer"})
    admin.post("/merchant/api-keys/", {"name": "旧扫码枪", "role": "viewer"})
    old = ApiKey.objects.get(name="旧扫码枪")
    admin.post(f"/merchant/api-keys/{old.pk}/revoke/")
    grant = legacy_grant(actor=actor_for(merchant, Role.ADMIN), partner_slug=logistics.slug)
    key = ApiKey.objects.get(name="ERP")
    # when
    keys = admin.get("/merchant/api-keys/").content.decode()
    partners = admin.get("/merchant/partners/").content.decode()
    english = admin.get("/merchant/api-keys/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    button = '<button type="submit" class="danger small" data-confirm="{}">{}</button></form>'
    assert keys.count('class="danger small"') == 1
    assert f'<form class="inline" method="post" action="/merchant/api-keys/{key.pk}/revoke/">' in keys
    assert button.format("撤销后使用该密钥的系统将无法访问，确定吗？", "撤销") in keys
    assert f'action="/merchant/partners/grants/{grant.pk}/revoke/"' in partners
    assert button.format("确定撤销该授权吗？", "撤销") in partners
    assert button.format(
        "Systems using this key will lose access once it is revoked. Are you sure?", "Revoke"
    ) in english
