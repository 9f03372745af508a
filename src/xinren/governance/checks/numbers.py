"""Format checks of licence and filing numbers, one function per kind (docs/qualifications.md).

Each returns the results for one number: a format failure alone, or the format pass followed by what the parts say
(region, check digit, province). The check digits of the SC and JY numbers are computed by an algorithm the issuing
administration has not published, so the platform cannot verify them: that outcome is "manual" unless the registry
confirms the number.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from xinren.core.regions import PROVINCE_ABBREVIATIONS, division_full_name, division_known, province_of_abbreviation
from xinren.verification.choices import CredentialKind

from .base import CheckResult

_ABBREVIATIONS = "".join(name for names in PROVINCE_ABBREVIATIONS.values() for name in names)
SC = re.compile(r"SC(\d{3})(\d{6})(\d{4})(\d)")
JY = re.compile(r"JY(\d)(\d{6})(\d{6})(\d)")
# 药品经营许可证 (《药品经营和使用质量监督管理办法》, 2024): 省份简称 + 分类代码
# (A 批发, B 零售连锁总部, C 零售连锁门店, D 单体零售; then A 法人, B 非法人) + 4 位地区代码 (the telephone
# area code without its 0, then an adjustment digit) + 5 位顺序号: 9 digits. Licences numbered before 2024 (7 or 8
# digits, e.g. 滇AA8710001) stay valid until they expire and are accepted too.
DRUG = re.compile(rf"([{_ABBREVIATIONS}])([A-D])([AB])(\d{{7,9}})")
# 第二类医疗器械经营备案: 省简称 + 市简称 + 发证部门 (食药监 before 2018, 市场监管 or 药监 after)
# + 械经营备 + 年 + 顺序号 + 号.
DEVICE = re.compile(
    rf"([{_ABBREVIATIONS}])([\u4e00-\u9fff]{{0,4}}?)(?:食药监|药监|市场监管|市监)?械经营备(\d{{4}})(\d{{4,6}})号?"
)
# 化妆品注册/备案: 国产特殊 国妆特字G + 年 + 4 位; 进口特殊 国妆特进字J + 年 + 4 位;
# 进口普通 国妆网备进字（省）+ 年 + 6 位; 国产普通 省简称G妆网备字 + 年 + 6 位.
COSMETICS = (
    re.compile(r"国妆特字G(\d{4})(\d{4})"),
    re.compile(r"国妆特进字J(\d{4})(\d{4})"),
    re.compile(r"国妆网备进字[（(]([\u4e00-\u9fff])[）)](\d{4})(\d{6})"),
    re.compile(rf"([{_ABBREVIATIONS}])G妆网备字(\d{{4}})(\d{{6}})"),
)
SC_FOOD_CATEGORIES = range(1, 33)  # 01 粮食加工品 ... 31 其他食品 (2015), 32 since the 2020 catalogue
SC_ADDITIVE_CATEGORIES = range(1, 4)  # 01 一般食品添加剂, 02 食品用香精, 03 复配食品添加剂
JY_MAIN_TYPES = {"1": "食品销售经营者", "2": "餐饮服务经营者", "3": "单位食堂"}


def normalise_number(number: str) -> str:
    """Upper case, without spaces, with full-width letters, digits and brackets made half-width where it matters."""
    text = "".join(number.split()).upper()
    return text.translate({ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＧＪＹＳＣ"})


def _region(kind_rule: str, region: str, index: int) -> CheckResult:
    if division_known(region):
        return CheckResult(
            f"{kind_rule}.region",
            "pass",
            _("编号中的行政区划代码 %(code)s（%(name)s）有效") % {"code": region, "name": division_full_name(region)},
            index,
            {"region": region},
        )
    return CheckResult(
        f"{kind_rule}.region",
        "fail",
        _("编号中的地区代码“%(code)s”不是行政区划代码表中的县级代码：请核对许可证上的编号") % {"code": region},
        index,
        {"region": region},
    )


def _check_digit(kind_rule: str, confirmed: bool, index: int) -> CheckResult:
    if confirmed:
        return CheckResult(f"{kind_rule}.check_digit", "pass", _("登记库已确认该编号"), index)
    return CheckResult(
        f"{kind_rule}.check_digit",
        "manual",
        _("校验码的算法未公开，平台无法自动核对最后一位：审核人员将对照许可证照片核对"),
        index,
    )


def _format_fail(kind_rule: str, message: str, index: int, number: str) -> list[CheckResult]:
    return [CheckResult(f"{kind_rule}.format", "fail", message, index, {"number": number})]


def food_production_checks(number: str, index: int, *, confirmed: bool = False) -> list[CheckResult]:
    """食品生产许可证: SC + 3 位食品类别 + 6 位行政区划 + 4 位顺序码 + 1 位校验码."""
    match = SC.fullmatch(number)
    if match is None:
        return _format_fail(
            "sc",
            _("食品生产许可证编号应为 SC 加14位数字（如 SC10653012300015）：请按许可证正本核对"),
            index,
            number,
        )
    category, region = match.group(1), match.group(2)
    allowed = {"1": SC_FOOD_CATEGORIES, "2": SC_ADDITIVE_CATEGORIES}.get(category[0])
    if allowed is None or int(category[1:]) not in allowed:
        return _format_fail(
            "sc",
            _("食品生产许可证编号前3位“%(code)s”不是食品（1xx）或食品添加剂（2xx）的类别编码：请核对")
            % {"code": category},
            index,
            number,
        )
    ok = CheckResult("sc.format", "pass", _("食品生产许可证编号格式正确"), index, {"category": category})
    return [ok, _region("sc", region, index), _check_digit("sc", confirmed, index)]


def food_business_checks(number: str, index: int, *, confirmed: bool = False) -> list[CheckResult]:
    """食品经营许可证: JY + 1 位主体业态 + 6 位行政区划 + 6 位顺序码 + 1 位校验码."""
    match = JY.fullmatch(number)
    if match is None:
        return _format_fail(
            "jy",
            _("食品经营许可证编号应为 JY 加14位数字（如 JY15301020012345）：请按许可证正本核对"),
            index,
            number,
        )
    main_type, region = match.group(1), match.group(2)
    if main_type not in JY_MAIN_TYPES:
        return _format_fail(
            "jy",
            _("食品经营许可证编号第1位数字“%(digit)s”不是主体业态代码（1 食品销售、2 餐饮服务、3 单位食堂）：请核对")
            % {"digit": main_type},
            index,
            number,
        )
    ok = CheckResult("jy.format", "pass", _("食品经营许可证编号格式正确"), index, {"main_type": main_type})
    return [ok, _region("jy", region, index), _check_digit("jy", confirmed, index)]


def _province(rule: str, abbreviation: str, applicant_uscc: str, index: int) -> CheckResult | None:
    """Whether the province an abbreviation names is the one of the applicant's USCC; None when not derivable."""
    prefix = province_of_abbreviation(abbreviation)
    region = applicant_uscc[2:4] if len(applicant_uscc) == 18 else ""
    if prefix is None or not region.isdigit() or region == "10":
        return None
    if prefix == region:
        return CheckResult(f"{rule}.province", "pass", _("发证省份与营业执照登记地一致"), index)
    return CheckResult(
        f"{rule}.province",
        "manual",
        _("编号中的省份简称“%(abbr)s”与营业执照登记地（%(province)s）不同：如为异地经营，审核人员将人工核对")
        % {"abbr": abbreviation, "province": division_full_name(region + "0000")},
        index,
        {"abbreviation": abbreviation, "uscc_province": region},
    )


def _year_ok(year: str, current_year: int) -> bool:
    return 2000 <= int(year) <= current_year


def drug_business_checks(number: str, index: int, applicant_uscc: str) -> list[CheckResult]:
    match = DRUG.fullmatch(number)
    if match is None:
        return _format_fail(
            "drug",
            _("药品经营许可证编号应为 省份简称 + 2位大写字母 + 9位数字（如 滇AA871000001）：请按许可证正本核对"),
            index,
            number,
        )
    form = "2024" if len(match.group(4)) == 9 else "earlier"
    results = [CheckResult("drug.format", "pass", _("药品经营许可证编号格式正确"), index, {"form": form})]
    province = _province("drug", match.group(1), applicant_uscc, index)
    return results + ([province] if province else [])


def device_filing_checks(number: str, index: int, applicant_uscc: str, current_year: int) -> list[CheckResult]:
    match = DEVICE.fullmatch(number)
    if match is None or not _year_ok(match.group(3), current_year):
        return _format_fail(
            "device",
            _(
                "第二类医疗器械经营备案编号应形如 滇昆药监械经营备20240001号"
                "（省、市简称 + 械经营备 + 年份 + 顺序号）：请按备案凭证核对"
            ),
            index,
            number,
        )
    results = [CheckResult("device.format", "pass", _("医疗器械经营备案编号格式正确"), index)]
    province = _province("device", match.group(1), applicant_uscc, index)
    return results + ([province] if province else [])


def cosmetics_filing_checks(number: str, index: int, applicant_uscc: str, current_year: int) -> list[CheckResult]:
    for position, pattern in enumerate(COSMETICS):
        match = pattern.fullmatch(number)
        if match is None:
            continue
        year = match.group(1) if position < 2 else match.group(2)
        if not _year_ok(year, current_year):
            break
        results = [CheckResult("cosmetics.format", "pass", _("化妆品注册/备案编号格式正确"), index)]
        province = _province("cosmetics", match.group(1), applicant_uscc, index) if position == 3 else None
        return results + ([province] if province else [])
    return _format_fail(
        "cosmetics",
        _(
            "化妆品注册/备案编号应形如 国妆特字G20200001、国妆网备进字（京）2021000001"
            " 或 滇G妆网备字2021000123：请按注册证或备案凭证核对"
        ),
        index,
        number,
    )


def number_checks(
    kind: str, number: str, index: int, *, applicant_uscc: str, current_year: int, confirmed: bool
) -> list[CheckResult]:
    """The format checks for one qualification's number; [] for kinds without a known number format."""
    number = normalise_number(number)
    if kind == CredentialKind.FOOD_PRODUCTION:
        return food_production_checks(number, index, confirmed=confirmed)
    if kind == CredentialKind.FOOD_BUSINESS:
        return food_business_checks(number, index, confirmed=confirmed)
    if kind == CredentialKind.DRUG_BUSINESS:
        return drug_business_checks(number, index, applicant_uscc)
    if kind == CredentialKind.DEVICE_FILING:
        return device_filing_checks(number, index, applicant_uscc, current_year)
    if kind == CredentialKind.COSMETICS_FILING:
        return cosmetics_filing_checks(number, index, applicant_uscc, current_year)
    return []
