"""Operators read notices, deliveries, preferences and the sandbox's WeChat messages in the admin; nothing there
writes them."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from xinren.notify.models import Delivery, Notification, Preference, SandboxWeChatMessage, WeChatRecipient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Notification, Delivery, Preference, WeChatRecipient, SandboxWeChatMessage])
def test_the_admin_is_read_only(operator, model):
    # given
    operator.user.is_superuser = True
    request = RequestFactory().get("/admin/")
    request.user = operator.user
    model_admin = admin.site._registry[model]
    # then
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request) is False
    assert model_admin.has_delete_permission(request) is False
