"""API keys for each test organization, and small helpers to call /api/v1/ with them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from xinren.accounts.choices import Role
from xinren.accounts.models import Membership, Organization, User
from xinren.accounts.services import api_key_create

from ..factories import UserFactory, actor_for

BASE = "/api/v1"


def key_for(organization: Organization, role: str = Role.STAFF) -> str:
    """A fresh API key (plaintext) for `organization` with `role`."""
    _key, raw = api_key_create(actor=actor_for(organization, Role.ADMIN), name=f"{role} key", role=role)
    return raw


def person(**fields: Any) -> User:
    """A user who can sign in; saved again because a session is only valid for the stored password hash."""
    user = UserFactory(**fields)
    user.save()
    return user


def member(organization: Organization, role: str, **fields: Any) -> User:
    user = person(**fields)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def call(
    client: Client,
    method: str,
    path: str,
    *,
    key: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> Any:
    """Call the API; `body` is sent as JSON unless it is already bytes/str."""
    all_headers = {**(bearer(key) if key else {}), **(headers or {})}
    kwargs: dict[str, Any] = {"headers": all_headers}
    if body is not None:
        kwargs["data"] = body if isinstance(body, (bytes, str)) else json.dumps(body)
        kwargs["content_type"] = content_type
    return getattr(client, method.lower())(f"{BASE}{path}", **kwargs)


@pytest.fixture
def merchant_key(merchant) -> str:  # type: ignore[no-untyped-def]
    return key_for(merchant, Role.STAFF)


@pytest.fixture
def viewer_key(merchant) -> str:  # type: ignore[no-untyped-def]
    return key_for(merchant, Role.VIEWER)


@pytest.fixture
def other_key(other_merchant) -> str:  # type: ignore[no-untyped-def]
    return key_for(other_merchant, Role.STAFF)


@pytest.fixture
def logistics_key(logistics) -> str:  # type: ignore[no-untyped-def]
    return key_for(logistics, Role.STAFF)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an error of the one shape, with this status and code."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    return body
