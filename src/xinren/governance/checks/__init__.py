"""Automatic checks on an application to sell (docs/qualifications.md): each a small pure function with a rule id.

The dataclasses (base.py) are the contract between these checks and the applications service. Every check returns
CheckResult(rule, outcome, message): pass, fail (the applicant must fix something; the message says what) or
manual (a person must look). `application_checks` runs them all and returns them in reading order: the application
first (USCC, duplicates, blacklist, business licence, categories), then each qualification by its index.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xinren.verification.choices import VerificationStatus

from .base import ApplicantInput, CheckContext, CheckResult, Outcome, QualificationInput
from .numbers import normalise_number, number_checks
from .rules import (
    blacklist_check,
    business_licence_check,
    duplicate_check,
    expiry_check,
    holder_check,
    registry_check,
    scope_checks,
)
from .uscc import uscc_check

__all__ = [
    "ApplicantInput",
    "CheckContext",
    "CheckResult",
    "Outcome",
    "QualificationInput",
    "application_checks",
    "qualification_checks",
]


def qualification_checks(applicant: ApplicantInput, index: int, context: CheckContext) -> list[CheckResult]:
    """Every check on the qualification at `index`: number format, dates, holder, duplicates, registry."""
    q = applicant.qualifications[index]
    number = normalise_number(q.number)
    if not number:
        return [CheckResult("licence.number", "fail", _("请填写证照编号"), index)]
    status = context.registry_status(q.kind, number, q.holder_name, q.holder_uscc or applicant.uscc)
    confirmed = status == VerificationStatus.VALID
    results = number_checks(
        q.kind,
        number,
        index,
        applicant_uscc=applicant.uscc.strip().upper(),
        current_year=context.today.year,
        confirmed=confirmed,
    )
    results += expiry_check(q, index, context.today)
    results += holder_check(q, index, applicant)
    duplicate = duplicate_check(q.kind, number, index, context.duplicate_of(q.kind, number))
    if duplicate is not None:
        results.append(duplicate)
    results.append(registry_check(q, index, status))
    return results


def application_checks(applicant: ApplicantInput, context: CheckContext) -> list[CheckResult]:
    """Every check on an application, in the order the applicant should read them."""
    uscc = applicant.uscc.strip().upper()
    results = [uscc_check(uscc)]
    if results[0].outcome == "pass":
        duplicate = duplicate_check("uscc", uscc, None, context.duplicate_of("uscc", uscc))
        if duplicate is not None:
            results.append(duplicate)
    results.append(blacklist_check(context.blacklist_hits(applicant)))
    results.append(business_licence_check(applicant))
    results += scope_checks(applicant)
    for index in range(len(applicant.qualifications)):
        results += qualification_checks(applicant, index, context)
    return results
