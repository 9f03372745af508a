"""The Unified Social Credit Code (统一社会信用代码, GB 32100-2015), checked part by part.

18 characters: 1 registration authority, 1 category of the body under that authority, 6 the GB/T 2260 code of the
registering office's region (100000 for national registration), 9 the body's organization code (GB 11714),
1 check character (accounts/uscc.py). The alphabet has no I, O, S, V or Z.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xinren.accounts.uscc import ALPHABET, uscc_check_char
from xinren.core.regions import division_known

from .base import CheckResult

# Registration authority (1st character) -> the body categories (2nd character) it registers (GB 32100-2015,
# appendix A, and the codes the State Council's USCC office added since: A for the Central Military Commission's
# office, N for agriculture's rural collective economic organisations, Y for every other authority).
AUTHORITY_CATEGORIES: dict[str, str] = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直管的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "123459",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国及港澳台旅游部门常驻代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商/市场监管: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业农村: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}
NATIONAL = "100000"  # bodies registered by a national authority carry no regional code


def uscc_region_ok(region: str) -> bool:
    return region == NATIONAL or division_known(region)


def uscc_check(value: str) -> CheckResult:
    """The first thing wrong with a USCC, or a pass; each failure has its own rule id and message."""
    code = value.strip().upper()
    details = {"uscc": code}
    if len(code) != 18:
        return CheckResult(
            "uscc.length",
            "fail",
            _("统一社会信用代码应为18位，您填写了%(count)s位：请按营业执照逐位核对") % {"count": len(code)},
            details=details,
        )
    bad = [c for c in code if c not in ALPHABET]
    if bad:
        return CheckResult(
            "uscc.character",
            "fail",
            _(
                "统一社会信用代码含有不会出现的字符“%(chars)s”（代码只用数字和除 I、O、S、V、Z 以外的大写字母）："
                "请核对是否把数字 0、1、5、2 看成了字母"
            )
            % {"chars": "".join(dict.fromkeys(bad))},
            details=details,
        )
    categories = AUTHORITY_CATEGORIES.get(code[0])
    if categories is None:
        return CheckResult(
            "uscc.authority",
            "fail",
            _("统一社会信用代码第1位“%(char)s”不是登记管理部门代码：请核对第1位") % {"char": code[0]},
            details=details,
        )
    if code[1] not in categories:
        return CheckResult(
            "uscc.category",
            "fail",
            _("统一社会信用代码第2位“%(char)s”不是该登记管理部门的机构类别代码：请核对前两位") % {"char": code[1]},
            details=details,
        )
    if not uscc_region_ok(code[2:8]):
        return CheckResult(
            "uscc.region",
            "fail",
            _("统一社会信用代码第3至8位“%(region)s”不是行政区划代码：请核对这6位") % {"region": code[2:8]},
            details=details,
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return CheckResult(
            "uscc.checksum",
            "fail",
            _("统一社会信用代码校验位不符：请逐位核对营业执照上的代码，通常是某一位抄错了"),
            details=details,
        )
    return CheckResult("uscc.checksum", "pass", _("统一社会信用代码格式和校验位正确"), details=details)
