"""Nicknames: what a consumer may choose, and how every page names a reviewer (masked, never the pseudonym)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.nicknames import (
    consumer_nickname_set,
    default_name,
    nickname_clean,
    nickname_mask,
    reviewer_name,
)
from xinren.core.errors import InvalidInput, PermissionDenied

from ..factories import UserFactory


@pytest.mark.parametrize(("chosen", "shown"), [
    ("王小明", "王**"), ("Alice", "A**"), ("  小 红  ", "小**"), ("é́lan", "é́**"), ("😀开心果", "😀**"),
])
def test_a_nickname_is_shown_by_its_first_character(chosen, shown):  # type: ignore[no-untyped-def]
    assert reviewer_name(nickname=chosen, public_id="u3f2a0000000000a") == shown


def test_without_a_nickname_a_friendly_default_never_the_pseudonym():
    public_id = "u3f2a9b8c7d6e5f4"
    name = reviewer_name(nickname="", public_id=public_id)
    assert name == "信任用户 3F**" == default_name(public_id)
    assert not re.search(r"[0-9a-f]{6}", name)
    assert nickname_mask("") == ""


@pytest.mark.parametrize("value", [
    "a", "一二三四五六七八九十十一十二十三", "13812341234", "小王138 1234 5678", "call 12345",
    "www.example.com", "http://x", "taobao.cn", "加我微信", "qq号", "官方客服", "信任平台", "Admin小号", "me@x",
    "坏\u0000人",
])
def test_a_nickname_with_a_number_a_link_a_contact_or_an_impersonation_is_refused(value):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as caught:
        nickname_clean(value)
    assert (caught.value.code, caught.value.details) == ("consumer.nickname_invalid", {"field": "nickname"})


def test_a_nickname_is_normalised():
    assert nickname_clean("  Ｍａｒｙ　Ｌｅｅ ") == "Mary Lee"
    assert nickname_clean("   ") == ""


@pytest.mark.django_db
def test_a_consumer_sets_and_clears_the_nickname(consumer):
    consumer_nickname_set(actor=consumer, nickname="  王小明 ")
    consumer.refresh_from_db()
    assert consumer.nickname == "王小明"
    consumer_nickname_set(actor=consumer, nickname="")
    consumer.refresh_from_db()
    assert consumer.nickname == ""


@pytest.mark.django_db
def test_a_refused_nickname_changes_nothing(consumer):
    consumer_nickname_set(actor=consumer, nickname="王小明")
    with pytest.raises(InvalidInput):
        consumer_nickname_set(actor=consumer, nickname="加我微信abc")
    consumer.refresh_from_db()
    assert consumer.nickname == "王小明"


@pytest.mark.django_db
def test_only_a_consumer_has_a_nickname():
    staff = UserFactory()
    with pytest.raises(PermissionDenied):
        consumer_nickname_set(actor=staff, nickname="王小明")


@pytest.mark.django_db
def test_the_nickname_page_saves_and_shows_the_masked_name(consumer):
    client = Client()
    client.force_login(consumer)
    response = client.post("/shop/me/nickname/", {"nickname": "王小明"})
    assert response.status_code == 302
    html = client.get("/shop/me/nickname/").content.decode()
    assert "王**" in html
    refused = client.post("/shop/me/nickname/", {"nickname": "13812341234"})
    assert refused.status_code == 422 and "昵称不能包含手机号或连续数字" in refused.content.decode()
    consumer.refresh_from_db()
    assert consumer.nickname == "王小明"
    assert consumer_public_id(consumer) not in html
