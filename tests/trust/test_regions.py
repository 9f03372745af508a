"""Alliances speak for declared GB/T 2260 regions; programmes and badges stay inside them (ADR 0039)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xinren.accounts.choices import OrganizationKind, Role
from xinren.core.audit import AuditEntry
from xinren.core.errors import Conflict, InvalidInput, PermissionDenied
from xinren.core.regions import region_code_from_text, region_full_name, region_within
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry
from xinren.trust.models import AllianceRegion, Programme
from xinren.trust.selectors import labels_console_for, programme_qualifiers
from xinren.trust.services import alliance_regions_declare, programme_create, programme_set_status
from xinren.trust.statements import programme_matches

from ..factories import BatchFactory, OrganizationFactory, ProductFactory, actor_for

pytestmark = pytest.mark.django_db
BADGE = (Path(__file__).resolve().parents[2] / "src/xinren/trust/badges/kunming-dongba.svg").read_bytes()


@pytest.fixture
def kunming_admin(db):  # type: ignore[no-untyped-def]
    """The Kunming alliance (registered in 云南省昆明市) before it declares anything."""
    alliance = OrganizationFactory(
        name="昆明市农产品溯源联盟", slug="kunming-alliance", kind=OrganizationKind.ALLIANCE, region="云南省昆明市"
    )
    return actor_for(alliance, Role.ADMIN)


def _programme(actor, region_code: str, code: str = "kunming-trace") -> Programme:  # type: ignore[no-untyped-def]
    return programme_create(
        actor=actor, code=code, name="昆明溯源", region_code=region_code, required_labels=["handmade"], badge_svg=BADGE
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("云南省楚雄州南华县", "532300"),
        ("云南省楚雄彝族自治州", "532300"),
        ("楚雄", "532300"),
        ("昆明市安宁市八街", "530100"),
        ("云南省普洱市澜沧县景迈山", "530800"),
        ("云南 迪庆州 香格里拉市", "533400"),
        ("云南省", "530000"),
        ("上海市浦东新区", "310000"),
        ("滇西", None),
        ("", None),
    ],
)
def test_an_origin_text_maps_to_its_most_specific_code(text, code):
    assert region_code_from_text(text) == code


def test_within_follows_the_code_prefixes():
    assert region_within("530100", "530000") and region_within("530100", "530100")
    assert not region_within("532300", "530100") and not region_within("530100", "532300")
    assert not region_within("530100", "999999") and not region_within("", "530000")
    assert region_full_name("532300") == "云南省楚雄彝族自治州"


def test_an_alliance_declares_regions_inside_its_registered_region(kunming_admin):
    # when
    declared = alliance_regions_declare(actor=kunming_admin, codes=["530100", " 530100 "])
    # then
    assert declared == ["530100"]
    assert list(AllianceRegion.objects.values_list("alliance__slug", "code")) == [("kunming-alliance", "530100")]
    entry = AuditEntry.objects.filter(action="alliance.regions").get()
    assert entry.data == {"from": [], "to": ["530100"]}


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["532300"], "云南省楚雄彝族自治州 不在本联盟登记的所在地区（云南省昆明市）之内"),
        (["530000"], "云南省 不在本联盟登记的所在地区（云南省昆明市）之内"),
        (["539999"], "地区代码不在 GB/T 2260 行政区划代码表中：539999"),
        (["kunming"], "地区代码不在 GB/T 2260 行政区划代码表中：kunming"),
    ],
)
def test_regions_outside_or_unknown_are_refused_and_nothing_changes(kunming_admin, codes, message):
    # given
    alliance_regions_declare(actor=kunming_admin, codes=["530100"])
    # when
    with pytest.raises(InvalidInput) as caught:
        alliance_regions_declare(actor=kunming_admin, codes=["530100", *codes])
    # then
    assert (caught.value.code, caught.value.message) == ("alliance.regions_invalid", message)
    assert list(AllianceRegion.objects.values_list("code", flat=True)) == ["530100"]


def test_an_alliance_without_a_registered_region_cannot_declare(db):
    actor = actor_for(OrganizationFactory(kind=OrganizationKind.ALLIANCE, region="滇西"), Role.ADMIN)
    with pytest.raises(InvalidInput) as caught:
        alliance_regions_declare(actor=actor, codes=["530100"])
    assert caught.value.message == "平台尚未登记本联盟的所在地区，无法声明地区，请联系平台运营"
    assert AllianceRegion.objects.count() == 0


def test_only_an_alliance_admin_declares(kunming_admin, merchant):
    with pytest.raises(PermissionDenied):
        alliance_regions_declare(actor=actor_for(kunming_admin.organization, Role.STAFF), codes=["530100"])
    with pytest.raises(PermissionDenied):
        alliance_regions_declare(actor=actor_for(merchant, Role.OWNER), codes=["530100"])
    assert AllianceRegion.objects.count() == 0


def test_a_region_in_use_cannot_be_withdrawn(kunming_admin):
    # given
    alliance_regions_declare(actor=kunming_admin, codes=["530100"])
    _programme(kunming_admin, "530100")
    # when
    with pytest.raises(Conflict) as caught:
        alliance_regions_declare(actor=kunming_admin, codes=[])
    # then
    assert caught.value.message == "计划“昆明溯源”使用 云南省昆明市，请先停用该计划再撤回此地区"
    assert list(AllianceRegion.objects.values_list("code", flat=True)) == ["530100"]


def test_the_kunming_alliance_cannot_run_a_chuxiong_programme(kunming_admin):
    # given
    alliance_regions_declare(actor=kunming_admin, codes=["530100"])
    # when
    with pytest.raises(InvalidInput) as outside:
        _programme(kunming_admin, "532300")
    with pytest.raises(InvalidInput) as unknown:
        _programme(kunming_admin, "999999")
    # then
    assert (outside.value.code, outside.value.message) == (
        "programme.region_outside_alliance",
        "楚雄彝族自治州（532300）不在本联盟声明的地区之内（云南省昆明市）",
    )
    assert (unknown.value.code, unknown.value.message) == (
        "programme.region_unknown",
        "地区代码“999999”不在 GB/T 2260 行政区划代码表中",
    )
    assert Programme.objects.count() == 0


def test_a_programme_before_any_declaration_is_refused(kunming_admin):
    with pytest.raises(InvalidInput) as caught:
        _programme(kunming_admin, "530100")
    assert caught.value.message == "昆明市（530100）不在本联盟声明的地区之内（尚未声明任何地区）"
    assert Programme.objects.count() == 0


def test_activation_signs_the_region_code_and_the_declared_regions(kunming_admin):
    # given
    alliance_regions_declare(actor=kunming_admin, codes=["530100"])
    programme = _programme(kunming_admin, "530100")
    # when
    programme_set_status(actor=kunming_admin, programme_id=programme.pk, status="active")
    # then
    programme.refresh_from_db()
    entry = PendingEntry.objects.get(leaf_hash=bytes.fromhex(programme.ledger_leaf_hash))
    statement = json.loads(parse_envelope(bytes(entry.envelope)).payload)
    assert (statement["region"], statement["region_code"], statement["alliance_regions"]) == (
        "云南省昆明市", "530100", ["530100"],
    )
    assert programme_matches(programme, statement)
    # a statement signed before codes matches through the table's reading of its region name
    older = {key: value for key, value in statement.items() if key not in ("region_code", "alliance_regions")}
    assert programme_matches(programme, older)
    assert not programme_matches(programme, {**older, "region": "云南省楚雄州"})


def test_only_products_from_inside_the_region_are_considered(kunming_admin, merchant):
    # given: a Kunming programme, one product from 昆明 and one from 楚雄
    alliance_regions_declare(actor=kunming_admin, codes=["530100"])
    programme = _programme(kunming_admin, "530100")
    programme_set_status(actor=kunming_admin, programme_id=programme.pk, status="active")
    local = BatchFactory(product=ProductFactory(merchant=merchant, origin_region="云南省昆明市安宁市八街"), lot="KM1")
    chuxiong = BatchFactory(product=ProductFactory(merchant=merchant, origin_region="云南省楚雄州南华县"), lot="CX1")
    owner = actor_for(merchant, Role.VIEWER)
    # when
    rows = programme_qualifiers(actor=kunming_admin, programme_id=programme.pk)
    local_view = labels_console_for(actor=owner, product=local.product, batch=local)
    chuxiong_view = labels_console_for(actor=owner, product=chuxiong.product, batch=chuxiong)
    # then
    assert [row["lot"] for row in rows] == ["KM1"]
    assert [p["programme"].code for p in local_view["programmes"]] == ["kunming-trace"]
    assert chuxiong_view["programmes"] == []


def test_an_origin_without_a_division_is_explained_to_the_merchant(merchant):
    # given
    lot = BatchFactory(product=ProductFactory(merchant=merchant, origin_region="滇西山区"), lot="DX1")
    # when
    view = labels_console_for(actor=actor_for(merchant, Role.VIEWER), product=lot.product, batch=lot)
    # then
    assert (view["origin_region_code"], view["programmes"]) == (None, [])
    assert view["origin_problem"] == "商品产地“滇西山区”对应不到行政区划代码，请写明省、市（州），如 云南省楚雄州"
