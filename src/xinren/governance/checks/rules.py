"""Checks of one qualification (dates, holder, duplicates, registry) and of the application (scope, blacklist)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from xinren.catalog.choices import ProductCategory
from xinren.governance.categories import required_alternatives
from xinren.verification.choices import CredentialKind, VerificationStatus

from .base import ApplicantInput, CheckResult, Outcome, QualificationInput

EXPIRY_WARNING_DAYS = 30
_NAME_TABLE = str.maketrans({"（": "(", "）": ")", " ": "", "\u3000": "", "\t": ""})


def same_name(a: str, b: str) -> bool:
    """Legal names compared with full-width and half-width brackets alike and spaces ignored."""
    return a.strip().translate(_NAME_TABLE) == b.strip().translate(_NAME_TABLE)


def _kind_label(kind: str) -> str:
    return str(CredentialKind(kind).label) if kind in CredentialKind.values else kind


def expiry_check(q: QualificationInput, index: int, today: dt.date) -> list[CheckResult]:
    results: list[CheckResult] = []
    if q.valid_from is not None and q.valid_from > today:
        results.append(
            CheckResult(
                "licence.not_yet_valid",
                "fail",
                _("%(kind)s的生效日期 %(date)s 还没到：请在生效后再提交，或核对填写的生效日期")
                % {"kind": _kind_label(q.kind), "date": q.valid_from.isoformat()},
                index,
            )
        )
    if q.valid_until is None:
        return results
    if q.valid_until < today:
        results.append(
            CheckResult(
                "licence.expired",
                "fail",
                _("%(kind)s已于 %(date)s 过期：请上传换发后的有效证照")
                % {"kind": _kind_label(q.kind), "date": q.valid_until.isoformat()},
                index,
                {"valid_until": q.valid_until.isoformat()},
            )
        )
    elif (q.valid_until - today).days <= EXPIRY_WARNING_DAYS:
        results.append(
            CheckResult(
                "licence.expiring",
                "manual",
                _("%(kind)s将于 %(date)s 到期（%(days)s 天后）：请尽快办理延续，审核人员将确认延续进度")
                % {
                    "kind": _kind_label(q.kind),
                    "date": q.valid_until.isoformat(),
                    "days": (q.valid_until - today).days,
                },
                index,
                {"valid_until": q.valid_until.isoformat()},
            )
        )
    elif not results:
        results.append(
            CheckResult("licence.dates", "pass", _("%(kind)s在有效期内") % {"kind": _kind_label(q.kind)}, index)
        )
    return results


def holder_check(q: QualificationInput, index: int, applicant: ApplicantInput) -> list[CheckResult]:
    results: list[CheckResult] = []
    if not same_name(q.holder_name, applicant.company_name):
        results.append(
            CheckResult(
                "holder.name",
                "fail",
                _("%(kind)s上的持有人“%(holder)s”与申请主体“%(company)s”不一致：请上传本主体名下的证照，或核对主体名称")
                % {"kind": _kind_label(q.kind), "holder": q.holder_name, "company": applicant.company_name},
                index,
            )
        )
    uscc = q.holder_uscc.strip().upper()
    if q.kind == CredentialKind.BUSINESS_LICENCE and not uscc:
        uscc = "".join(q.number.split()).upper()  # a business licence's number is the USCC
    if uscc and uscc != applicant.uscc.strip().upper():
        results.append(
            CheckResult(
                "holder.uscc",
                "fail",
                _("%(kind)s上的统一社会信用代码 %(code)s 与申请填写的代码不一致：请核对")
                % {"kind": _kind_label(q.kind), "code": uscc},
                index,
            )
        )
    if not results:
        results.append(CheckResult("holder.match", "pass", _("证照持有人与申请主体一致"), index))
    return results


def duplicate_check(kind: str, number: str, index: int | None, who: str | None) -> CheckResult | None:
    if who is None:
        return None
    if kind == "uscc":
        message = _(
            "该统一社会信用代码已有主体在平台登记或正在申请：如为本企业账号，请用原账号登录；否则请联系平台运营"
        )
    else:
        message = _("这份%(kind)s（编号 %(number)s）已被平台上的其他主体使用：请核对编号，如有疑问请联系平台运营") % {
            "kind": _kind_label(kind),
            "number": number,
        }
    return CheckResult("duplicate", "fail", message, index, {"kind": kind, "number": number, "duplicate_of": who})


REGISTRY_OUTCOMES: dict[str, Outcome] = {
    VerificationStatus.VALID: "pass",
    VerificationStatus.NOT_FOUND: "manual",
    VerificationStatus.EXPIRED: "fail",
    VerificationStatus.REVOKED: "fail",
    VerificationStatus.MISMATCH: "fail",
}


def registry_check(q: QualificationInput, index: int, status: str | None) -> CheckResult:
    label = _kind_label(q.kind)
    if status is None:
        return CheckResult(
            "registry.unavailable",
            "manual",
            _("%(kind)s暂无可自动核验的登记库：审核人员将人工核对") % {"kind": label},
            index,
        )
    messages: dict[str, str] = {
        VerificationStatus.VALID: _("登记库核验通过"),
        VerificationStatus.NOT_FOUND: _("登记库中暂未查到该编号：审核人员将人工核对，您也可以检查编号是否填写有误"),
        VerificationStatus.EXPIRED: _("登记库显示这份%(kind)s已过期或尚未生效：请上传有效证照") % {"kind": label},
        VerificationStatus.REVOKED: _("登记库显示这份%(kind)s已被撤销或暂停：不能以此申请") % {"kind": label},
        VerificationStatus.MISMATCH: _("登记库中该编号的持有人与申请主体不一致：请核对编号和主体名称"),
    }
    outcome = REGISTRY_OUTCOMES.get(status, "manual")
    message = messages.get(status, _("登记库返回未知状态：审核人员将人工核对"))
    return CheckResult(f"registry.{status}", outcome, message, index, {"status": status})


def business_licence_check(applicant: ApplicantInput) -> CheckResult:
    if any(q.kind == CredentialKind.BUSINESS_LICENCE for q in applicant.qualifications):
        return CheckResult("scope.business_licence", "pass", _("已提交营业执照"))
    return CheckResult("scope.business_licence", "fail", _("缺少营业执照：每个类目都需要营业执照，请上传"))


def scope_checks(applicant: ApplicantInput) -> list[CheckResult]:
    """Each category applied for is covered by one alternative whose every kind is held with the category in scope."""
    results: list[CheckResult] = []
    for category in applicant.categories:
        if category not in ProductCategory.values:
            results.append(
                CheckResult("scope.category", "fail", _("未知的类目“%(c)s”：请从列表中选择") % {"c": category})
            )
            continue
        label = str(ProductCategory(category).label)
        alternatives = required_alternatives(category)
        if not alternatives:
            results.append(CheckResult("scope.covered", "pass", _("类目“%(c)s”无需额外许可") % {"c": label}))
            continue
        held = {q.kind for q in applicant.qualifications if category in q.scope}
        if any(all(kind in held for kind in alternative) for alternative in alternatives):
            results.append(CheckResult("scope.covered", "pass", _("类目“%(c)s”已有许可覆盖") % {"c": label}))
            continue
        missing = [[k for k in alternative if k not in held] for alternative in alternatives]
        wanted = _("或").join("+".join(_kind_label(k) for k in kinds) for kinds in missing)
        results.append(
            CheckResult(
                "scope.missing",
                "fail",
                _("类目“%(c)s”需要%(kinds)s，且其经营范围须包含该类目：请上传相应许可证并勾选其覆盖的类目")
                % {"c": label, "kinds": wanted},
                details={"category": category, "missing": missing},
            )
        )
    return results


def blacklist_check(reasons: Sequence[str]) -> CheckResult:
    if not reasons:
        return CheckResult("blacklist", "pass", _("未命中平台拦截名单"))
    return CheckResult(
        "blacklist",
        "fail",
        _("申请信息命中平台拦截名单，暂不能入驻：如有异议请联系平台运营"),
        details={"reasons": list(reasons)},
    )
