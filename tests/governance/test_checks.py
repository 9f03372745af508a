"""The qualification checks: each rule passes on a good input and names what to fix on a bad one."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.governance.checks import CheckResult, application_checks, qualification_checks
from xinren.governance.checks.numbers import number_checks
from xinren.governance.checks.uscc import uscc_check

from .factories_checks import COMPANY, TODAY, USCC, applicant, context, qualification, uscc


def by_rule(results: list[CheckResult], index: int | None = None) -> dict[str, CheckResult]:
    return {r.rule: r for r in results if r.qualification == index}


def test_a_complete_tea_application_passes_every_check():
    results = application_checks(applicant(), context())
    assert [r for r in results if r.outcome != "pass"] == []
    # reading order: the application first, then each qualification in turn
    assert [(r.qualification, r.rule) for r in results] == [
        (None, "uscc.checksum"),
        (None, "blacklist"),
        (None, "scope.business_licence"),
        (None, "scope.covered"),
        (0, "holder.match"),
        (0, "registry.valid"),
        (1, "sc.format"),
        (1, "sc.region"),
        (1, "sc.check_digit"),
        (1, "licence.dates"),
        (1, "holder.match"),
        (1, "registry.valid"),
    ]
    assert results[0].rule == "uscc.checksum"


@pytest.mark.parametrize(
    ("code", "rule", "says"),
    [
        ("91530802MA6K1234", "uscc.length", "应为18位，您填写了16位"),
        (USCC[:-1] + "O", "uscc.character", "“O”"),
        ("Z" + USCC[1:], "uscc.character", "“Z”"),
        (uscc("B1530802MA6K12345"), "uscc.authority", "第1位“B”"),
        (uscc("94530802MA6K12345"), "uscc.category", "第2位“4”"),
        (uscc("Y2530802MA6K12345"), "uscc.category", "第2位“2”"),
        (uscc("91539999MA6K12345"), "uscc.region", "“539999”"),
        ("91530802MA6K12345" + ("0" if USCC[-1] != "0" else "1"), "uscc.checksum", "校验位不符"),
    ],
)
def test_each_uscc_fault_has_its_own_rule_and_message(code, rule, says):
    result = uscc_check(code)
    assert (result.rule, result.outcome) == (rule, "fail")
    assert says in result.message


@pytest.mark.parametrize(
    "body",
    [
        "N2530802MA6K12345",
        "Y1530802MA6K12345",
        "93530802MA6K12345",
        "92530802MA6K12345",
        "11100000MA6K12345",
        "51110228MA6K12345",
    ],
)
def test_every_authority_national_and_withdrawn_regions_are_accepted(body):
    assert uscc_check(uscc(body).lower()).outcome == "pass"


def test_food_production_number_parts():
    ok = {r.rule: r for r in number_checks("food_production", "SC11453080200013", 0, applicant_uscc=USCC,
                                           current_year=2026, confirmed=False)}  # fmt: skip
    assert (ok["sc.format"].outcome, ok["sc.region"].outcome) == ("pass", "pass")
    assert "思茅区" in ok["sc.region"].message
    assert ok["sc.check_digit"].outcome == "manual" and "算法未公开" in ok["sc.check_digit"].message
    confirmed = number_checks("food_production", "sc 1145 3080 2000 13", 0, applicant_uscc=USCC, current_year=2026,
                              confirmed=True)  # fmt: skip
    assert [r.outcome for r in confirmed] == ["pass", "pass", "pass"]
    bad_region = by_rule(number_checks("food_production", "SC11453999900013", 0, applicant_uscc=USCC,
                                       current_year=2026, confirmed=True), 0)  # fmt: skip
    assert bad_region["sc.region"].outcome == "fail" and "539999" in bad_region["sc.region"].message
    for number, says in [("SC1145308020001", "SC 加14位数字"), ("SC33353080200013", "“333”"),
                         ("SC20453080200013", "“204”")]:  # fmt: skip
        [fail] = number_checks("food_production", number, 0, applicant_uscc=USCC, current_year=2026, confirmed=False)
        assert (fail.rule, fail.outcome) == ("sc.format", "fail") and says in fail.message


def test_food_business_number_parts():
    ok = by_rule(number_checks("food_business", "JY15308020012345", 1, applicant_uscc=USCC, current_year=2026,
                               confirmed=False), 1)  # fmt: skip
    assert [ok[r].outcome for r in ("jy.format", "jy.region", "jy.check_digit")] == ["pass", "pass", "manual"]
    [fail] = number_checks("food_business", "JY45308020012345", 1, applicant_uscc=USCC, current_year=2026,
                           confirmed=False)  # fmt: skip
    assert fail.rule == "jy.format" and "“4”" in fail.message
    [fail] = number_checks("food_business", "JY1530802001234", 1, applicant_uscc=USCC, current_year=2026,
                           confirmed=False)  # fmt: skip
    assert fail.rule == "jy.format" and "JY 加14位数字" in fail.message


@pytest.mark.parametrize(
    ("kind", "number", "outcomes"),
    [
        ("drug_business", "滇AA871000001", {"drug.format": "pass", "drug.province": "pass"}),
        ("drug_business", "滇AA8710001", {"drug.format": "pass", "drug.province": "pass"}),
        ("drug_business", "琼CB898510001", {"drug.format": "pass", "drug.province": "manual"}),
        ("drug_business", "滇EA871000001", {"drug.format": "fail"}),
        ("drug_business", "XAA871000001", {"drug.format": "fail"}),
        ("device_filing", "滇昆食药监械经营备20150001号", {"device.format": "pass", "device.province": "pass"}),
        ("device_filing", "滇普药监械经营备20240012号", {"device.format": "pass", "device.province": "pass"}),
        ("device_filing", "川成市场监管械经营备20230001号", {"device.format": "pass", "device.province": "manual"}),
        ("device_filing", "滇昆械经营备20990001号", {"device.format": "fail"}),
        ("device_filing", "昆明械经营备20150001号", {"device.format": "fail"}),
        ("cosmetics_filing", "国妆特字G20200001", {"cosmetics.format": "pass"}),
        ("cosmetics_filing", "国妆特进字J20210456", {"cosmetics.format": "pass"}),
        ("cosmetics_filing", "国妆网备进字（京）2021000001", {"cosmetics.format": "pass"}),
        ("cosmetics_filing", "国妆网备进字(沪)2022000123", {"cosmetics.format": "pass"}),
        ("cosmetics_filing", "滇G妆网备字2021000123", {"cosmetics.format": "pass", "cosmetics.province": "pass"}),
        ("cosmetics_filing", "粤G妆网备字2021000123", {"cosmetics.format": "pass", "cosmetics.province": "manual"}),
        ("cosmetics_filing", "滇G妆网备字1921000123", {"cosmetics.format": "fail"}),
        ("cosmetics_filing", "国妆备字G20200001", {"cosmetics.format": "fail"}),
    ],
)
def test_drug_device_and_cosmetics_numbers(kind, number, outcomes):
    results = number_checks(kind, number, 2, applicant_uscc=USCC, current_year=2026, confirmed=False)
    assert {r.rule: r.outcome for r in results} == outcomes
    assert all(r.qualification == 2 for r in results)


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "rule", "outcome", "says"),
    [
        (dt.date(2024, 1, 1), TODAY - dt.timedelta(days=1), "licence.expired", "fail", "已于 2026-12-06 过期"),
        (dt.date(2024, 1, 1), TODAY + dt.timedelta(days=30), "licence.expiring", "manual", "30 天后"),
        (dt.date(2024, 1, 1), TODAY + dt.timedelta(days=31), "licence.dates", "pass", "有效期内"),
        (dt.date(2024, 1, 1), TODAY, "licence.expiring", "manual", "0 天后"),
        (TODAY + dt.timedelta(days=1), dt.date(2030, 1, 1), "licence.not_yet_valid", "fail", "2026-12-08 还没到"),
    ],
)
def test_expiry(valid_from, valid_until, rule, outcome, says):
    q = qualification("food_production", scope=("tea",), valid_from=valid_from, valid_until=valid_until)
    results = by_rule(qualification_checks(applicant(qualification(), q), 1, context()), 1)
    assert results[rule].outcome == outcome and says in results[rule].message
    assert "食品生产许可证" in results[rule].message


@pytest.mark.parametrize(
    "name", ["云南普洱茶业(集团)有限公司", "云南普洱茶业 （集团） 有限公司", " 云南普洱茶业（集团）有限公司\u3000"]
)
def test_holder_names_match_across_brackets_and_spaces(name):
    q = qualification("food_production", holder_name=name, scope=("tea",))
    assert (
        by_rule(qualification_checks(applicant(qualification(), q), 1, context()), 1)["holder.match"].outcome == "pass"
    )


def test_a_holder_of_another_name_or_code_fails():
    other = uscc("91530802MA6K99999")
    q = qualification("food_production", holder_name="云南普洱茶业有限公司", holder_uscc=other, scope=("tea",))
    results = by_rule(qualification_checks(applicant(qualification(), q), 1, context()), 1)
    assert results["holder.name"].outcome == "fail" and "“云南普洱茶业有限公司”" in results["holder.name"].message
    assert results["holder.uscc"].outcome == "fail" and other in results["holder.uscc"].message
    licence = qualification(number=other)
    assert by_rule(qualification_checks(applicant(licence), 0, context()), 0)["holder.uscc"].outcome == "fail"


def test_scope_names_the_category_and_the_missing_licence():
    # the SC licence does not list honey, and there is nothing for cosmetics
    app = applicant(categories=("tea", "honey", "cosmetics", "fruit"))
    results = [r for r in application_checks(app, context()) if r.rule.startswith("scope.")]
    assert [(r.rule, r.outcome) for r in results] == [
        ("scope.business_licence", "pass"),
        ("scope.covered", "pass"),
        ("scope.missing", "fail"),
        ("scope.missing", "fail"),
        ("scope.covered", "pass"),
    ]
    assert "“蜂蜜" in results[2].message or "蜂" in results[2].message
    assert "食品生产许可证或食品经营许可证" in results[2].message
    assert "化妆品备案" in results[3].message


def test_the_business_licence_is_always_required():
    app = applicant(qualification("food_production", scope=("tea",)), categories=("fruit",))
    [result] = [r for r in application_checks(app, context()) if r.rule == "scope.business_licence"]
    assert result.outcome == "fail" and "营业执照" in result.message


def test_duplicates_and_blacklist_fail_without_naming_the_other_party():
    held = {("uscc", USCC): "organization:7", ("food_production", "SC11453080200013"): "credential:9"}
    ctx = context(duplicate_of=lambda kind, number: held.get((kind, number)), blacklist_hits=lambda a: ("phone",))
    results = application_checks(applicant(), ctx)
    duplicates = [r for r in results if r.rule == "duplicate"]
    assert [(r.qualification, r.details["duplicate_of"]) for r in duplicates] == [
        (None, "organization:7"),
        (1, "credential:9"),
    ]
    assert all("organization" not in r.message and "credential" not in r.message for r in duplicates)
    [blacklist] = [r for r in results if r.rule == "blacklist"]
    assert (
        blacklist.outcome == "fail" and blacklist.details == {"reasons": ["phone"]} and "phone" not in blacklist.message
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("valid", "pass"),
        ("not_found", "manual"),
        ("expired", "fail"),
        ("revoked", "fail"),
        ("mismatch", "fail"),
        (None, "manual"),
    ],
)
def test_registry_status_maps_to_an_outcome(status, outcome):
    ctx = context(registry_status=lambda kind, number, name, code: status)
    results = by_rule(qualification_checks(applicant(), 1, ctx), 1)
    [registry] = [r for rule, r in results.items() if rule.startswith("registry.")]
    assert registry.outcome == outcome
    # an unconfirmed number leaves its unpublished check digit to a person
    assert results["sc.check_digit"].outcome == ("pass" if status == "valid" else "manual")


def test_registry_is_asked_with_the_normalised_number_and_the_applicant_code():
    asked = []
    ctx = context(registry_status=lambda *args: asked.append(args) or "valid")
    q = qualification("food_production", number=" sc1145 3080 2000 13 ", scope=("tea",))
    qualification_checks(applicant(qualification(), q), 1, ctx)
    assert asked == [("food_production", "SC11453080200013", COMPANY, USCC)]


def test_an_empty_number_is_one_failure():
    q = qualification("food_production", number="  ", scope=("tea",))
    assert [(r.rule, r.outcome) for r in qualification_checks(applicant(qualification(), q), 1, context())] == [
        ("licence.number", "fail")
    ]
