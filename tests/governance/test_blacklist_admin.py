"""Operators keep the blacklist: add, lift, import CSV (UTF-8/GB18030); refusals change nothing; pages and API
show masked hints only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import BlacklistEntry, Interception, Organization
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import AuditEntry
from xinren.governance.blacklist import blacklist_add, blacklist_import, blacklist_lift

from ..factories import actor_for, make_uscc
from ..fixtures.accounts import browser_of
from ..fixtures.api import call, key_for
from .factories_blacklist import banned

pytestmark = pytest.mark.django_db

TOMORROW = dt.timedelta(days=1)


def test_an_operator_adds_an_entry_audited_with_the_hint_only(operator: Actor) -> None:
    entry = blacklist_add(
        actor=operator,
        kind="phone",
        value="138 0000 0001",
        reason="  团伙 刷单 ",
        ends_at=clock.now().date() + TOMORROW,
    )
    assert (entry.kind, entry.hint, entry.reason, entry.created_by) == ("phone", "****0001", "团伙 刷单", operator.user)
    audit = AuditEntry.objects.get(action="blacklist.add")
    assert audit.data["hint"] == "****0001"
    assert "13800000001" not in str(audit.data)


@pytest.mark.parametrize(
    ("kind", "value", "reason", "days", "field", "message"),
    [
        ("phone", "13800000001", "", 5, "reason", "请填写原因（2–255 字）"),
        ("phone", "13800000001", "刷单", 0, "ends_at", "截止日期须晚于今天"),
        ("phone", "13800000001", "刷单", -3, "ends_at", "截止日期须晚于今天"),
        ("phone", "2380000000", "刷单", 5, "value", "手机号无效：须为 11 位、以 1 开头"),
        ("uscc", "91530100MA6K0000X0", "刷单", 5, "value", "统一社会信用代码无效：须为 18 位且校验位正确"),
        ("id_number", "110105194912310021", "刷单", 5, "value", "身份证号无效：须为 18 位且校验位正确"),
        ("email", "a@b.c", "刷单", 5, "kind", "请选择黑名单类型"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix_and_nothing_written(
    operator: Actor, kind: str, value: str, reason: str, days: int, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        blacklist_add(
            actor=operator,
            kind=kind,
            value=value,
            reason=reason,
            ends_at=clock.now().date() + dt.timedelta(days=days) - TOMORROW,
        )
    assert (refused.value.details["field"], str(refused.value.message)) == (field, message)
    assert BlacklistEntry.objects.count() == 0
    assert AuditEntry.objects.filter(action__startswith="blacklist").count() == 0


def test_a_live_duplicate_is_refused(operator: Actor) -> None:
    banned(operator, "phone", "13800000001")
    with pytest.raises(Conflict):
        banned(operator, "phone", "+86 13800000001")
    assert BlacklistEntry.objects.count() == 1


@pytest.mark.parametrize("role", [Role.VIEWER])
def test_a_platform_viewer_cannot_add(platform: Organization, role: str) -> None:
    with pytest.raises(PermissionDenied):
        banned(actor_for(platform, role), "phone", "13800000001")
    assert BlacklistEntry.objects.count() == 0


def test_a_merchant_cannot_add_or_lift(operator: Actor, merchant_admin: Actor) -> None:
    entry = banned(operator, "phone", "13800000001")
    with pytest.raises(PermissionDenied):
        banned(merchant_admin, "phone", "13800000002")
    with pytest.raises(PermissionDenied):
        blacklist_lift(actor=merchant_admin, entry_id=entry.pk, reason="误判")
    assert BlacklistEntry.objects.get().lifted_at is None


def test_lifting_keeps_the_entry_with_who_and_why_and_only_once(operator: Actor) -> None:
    entry = banned(operator, "phone", "13800000001")
    with pytest.raises(InvalidInput):
        blacklist_lift(actor=operator, entry_id=entry.pk, reason="")
    lifted = blacklist_lift(actor=operator, entry_id=entry.pk, reason="核实为误判")
    assert (lifted.lift_reason, lifted.lifted_by) == ("核实为误判", operator.user)
    assert lifted.lifted_at is not None
    with pytest.raises(Conflict):
        blacklist_lift(actor=operator, entry_id=entry.pk, reason="再次解除")
    with pytest.raises(NotFound):
        blacklist_lift(actor=operator, entry_id=entry.pk + 99, reason="不存在")
    assert AuditEntry.objects.filter(action="blacklist.lift").count() == 1


def test_a_gb18030_csv_with_chinese_headers_is_imported(operator: Actor) -> None:
    uscc = make_uscc()
    ends = (clock.now().date() + dt.timedelta(days=90)).isoformat()
    data = f"类型,号码,原因,截止日期\nuscc,{uscc},虚假资质,{ends}\nphone,13800000001,团伙刷单,{ends}\n".encode(
        "gb18030"
    )
    result = blacklist_import(actor=operator, data=data)
    assert result.added == 2
    assert sorted(BlacklistEntry.objects.values_list("kind", flat=True)) == ["phone", "uscc"]
    assert AuditEntry.objects.filter(action="blacklist.add").count() == 2


def test_an_import_with_one_bad_row_names_it_and_imports_nothing(operator: Actor) -> None:
    ends = (clock.now().date() + dt.timedelta(days=90)).isoformat()
    data = f"\ufeffkind,value,reason,ends_at\nphone,13800000001,刷单,{ends}\nphone,13800000001,重复,{ends}\n"
    with pytest.raises(InvalidInput) as refused:
        blacklist_import(actor=operator, data=data.encode("utf-8"))
    assert str(refused.value.message) == "第 3 行：该对象已在黑名单中"
    assert BlacklistEntry.objects.count() == 0


def test_the_pages_show_hints_counts_and_let_an_operator_add_and_lift(operator: Actor) -> None:
    assert operator.user is not None
    browser = browser_of(operator.user)
    ends = (clock.now().date() + dt.timedelta(days=30)).isoformat()
    response = browser.post(
        "/operator/blacklist/", {"kind": "phone", "value": "13800000001", "reason": "刷单", "ends_at": ends}
    )
    assert response.status_code == 302
    entry = BlacklistEntry.objects.get()
    Interception.objects.create(stage="order", entry=entry, kind="phone", subject="merchant:1", at=clock.now())
    page = browser.get("/operator/blacklist/").content.decode()
    assert "****0001" in page
    assert "13800000001" not in page
    refused = browser.post(
        "/operator/blacklist/", {"kind": "phone", "value": "13800000002", "reason": "刷单", "ends_at": "2020-01-01"}
    )
    assert refused.status_code == 422
    assert "截止日期须晚于今天" in refused.content.decode()
    assert browser.post(f"/operator/blacklist/{entry.pk}/lift/", {"lift_reason": "误判"}).status_code == 302
    assert BlacklistEntry.objects.get().lifted_at is not None
    log = browser.get("/operator/interceptions/")
    assert log.status_code == 200
    assert 'data-stage="order">1<' in log.content.decode()
    upload = SimpleUploadedFile("bl.csv", f"kind,value,reason,ends_at\nphone,13800000003,刷单,{ends}\n".encode())
    assert browser.post("/operator/blacklist/import/", {"file": upload}).status_code == 302
    assert BlacklistEntry.objects.count() == 2


def test_a_merchant_cannot_open_the_operator_pages(merchant_actor: Actor) -> None:
    assert merchant_actor.user is not None
    assert browser_of(merchant_actor.user).get("/operator/blacklist/").status_code == 403


def test_the_api_adds_lists_and_lifts_for_a_platform_key(
    client, platform: Organization, merchant: Organization
) -> None:  # type: ignore[no-untyped-def]
    key = key_for(platform, Role.STAFF)
    ends = (clock.now().date() + dt.timedelta(days=30)).isoformat()
    created = call(
        client,
        "POST",
        "/operator/blacklist",
        key=key,
        body={"kind": "bank_account", "value": "6222020200112233445", "reason": "洗钱", "ends_at": ends},
    )
    assert created.status_code == 201, created.content
    assert created.json()["hint"] == "****3445"
    listed = call(client, "GET", "/operator/blacklist?live=true", key=key).json()
    assert listed["count"] == 1
    assert "6222020200112233445" not in str(listed)
    lifted = call(client, "POST", f"/operator/blacklist/{created.json()['id']}/lift", key=key, body={"reason": "误判"})
    assert lifted.json()["lifted_at"] is not None
    past = call(
        client,
        "POST",
        "/operator/blacklist",
        key=key,
        body={"kind": "phone", "value": "13800000001", "reason": "x", "ends_at": "2020-01-01"},
    )
    assert past.status_code == 422
    assert call(client, "GET", "/operator/blacklist", key=key_for(merchant, Role.STAFF)).status_code == 403
