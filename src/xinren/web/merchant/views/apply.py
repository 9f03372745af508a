"""Applying to sell (/merchant/apply/): any signed-in person fills in, saves and submits an application."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import User
from xinren.catalog.choices import ProductCategory
from xinren.core.errors import DomainError, NotFound
from xinren.governance.choices import APPLICATION_EDITABLE, ApplicationStatus, ReviewReason
from xinren.governance.models import MerchantApplication
from xinren.governance.selectors import applications as selectors
from xinren.governance.services import applications as services
from xinren.verification.choices import CredentialKind

QUALIFICATION_ROWS = 3


class ApplicationForm(forms.Form):
    company_name = forms.CharField(label=_("企业名称"), max_length=128, required=False)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    legal_rep_name = forms.CharField(label=_("法定代表人姓名"), max_length=64, required=False)
    legal_rep_id_number = forms.CharField(
        label=_("法定代表人身份证号"),
        max_length=18,
        required=False,
        help_text=_("只保存加密摘要和后四位；提交审核时需再次填写"),
    )
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    categories = forms.MultipleChoiceField(
        label=_("申请品类"), choices=ProductCategory.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class QualificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("证照类型"), choices=[("", "—"), *CredentialKind.choices], required=False)
    number = forms.CharField(label=_("证照编号"), max_length=64, required=False)
    holder_name = forms.CharField(label=_("持有人名称"), max_length=128, required=False)
    holder_uscc = forms.CharField(label=_("持有人统一社会信用代码"), max_length=18, required=False)
    issuer = forms.CharField(label=_("发证机关"), max_length=128, required=False)
    valid_from = forms.DateField(label=_("生效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.MultipleChoiceField(
        label=_("经营范围（品类）"),
        choices=ProductCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scan = forms.FileField(label=_("扫描件（图片或 PDF）"), required=False)
    scan_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _initial(application: MerchantApplication | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if application is None:
        # The business licence comes first: every category needs it, and its number is the company's USCC.
        return {}, [{"kind": CredentialKind.BUSINESS_LICENCE}, *({} for _ in range(QUALIFICATION_ROWS - 1))]
    main = {f: getattr(application, f) for f in ("company_name", "uscc", "legal_rep_name", "categories")}
    main["contact_phone"] = application.contact_phone
    rows: list[dict[str, Any]] = [
        {
            f: getattr(q, f)
            for f in (
                "kind",
                "number",
                "holder_name",
                "holder_uscc",
                "issuer",
                "valid_from",
                "valid_until",
                "scope",
                "scan_id",
            )
        }
        for q in application.qualifications.all()
    ]
    return main, (rows + [{}] * QUALIFICATION_ROWS)[: max(QUALIFICATION_ROWS, len(rows))]


def _data(user: User, form: ApplicationForm, rows: list[QualificationForm]) -> services.ApplicationData:
    main = form.cleaned_data
    qualifications = []
    for row in rows:
        value = dict(row.cleaned_data)
        if not value.get("kind"):
            continue
        if value["kind"] == CredentialKind.BUSINESS_LICENCE:
            # A business licence's number is the USCC and its holder the company: left blank, they are filled in.
            value["number"] = value["number"] or main["uscc"]
            value["holder_name"] = value["holder_name"] or main["company_name"]
            value["holder_uscc"] = value["holder_uscc"] or main["uscc"]
        scan_id = value.get("scan_id")
        if value.get("scan"):
            upload = value["scan"]
            scan_id = services.application_scan_upload(user=user, content=upload.read(), filename=upload.name).pk
        qualifications.append(
            services.QualificationData(
                kind=value["kind"],
                number=value["number"],
                holder_name=value["holder_name"],
                holder_uscc=value["holder_uscc"],
                issuer=value["issuer"],
                valid_from=value["valid_from"],
                valid_until=value["valid_until"],
                scope=tuple(value["scope"]),
                scan_id=scan_id,
            )
        )
    return services.ApplicationData(
        company_name=main["company_name"],
        uscc=main["uscc"],
        legal_rep_name=main["legal_rep_name"],
        legal_rep_id_number=main["legal_rep_id_number"],
        contact_phone=main["contact_phone"],
        categories=tuple(main["categories"]),
        qualifications=tuple(qualifications),
    )


def apply_home(request: HttpRequest) -> HttpResponse:
    """The person's applications, or an offer to sign in / sign up first."""
    if not isinstance(request.user, User):
        return render(request, "merchant/apply/signin.html", {"next": request.path})
    applications = selectors.application_list_for_user(user=request.user)
    return render(request, "merchant/apply/list.html", {"applications": applications})


def apply_edit(request: HttpRequest, public_id: str = "") -> HttpResponse:
    """Fill in, save as a draft, or submit (the automatic checks run at once and are listed)."""
    if not isinstance(request.user, User):
        return redirect("merchant:apply")
    user = request.user
    application = None
    if public_id:
        try:
            application = selectors.application_get_for_user(user=user, public_id=public_id)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
    main, rows_initial = _initial(application)
    checks: list[dict[str, Any]] = [services.check_as_dict(c) for c in application.checks.all()] if application else []
    status = 200
    if request.method == "POST" and (application is None or application.status in APPLICATION_EDITABLE):
        form = ApplicationForm(request.POST)
        rows = [QualificationForm(request.POST, request.FILES, prefix=f"q{i}") for i in range(len(rows_initial))]
        if form.is_valid() and all(r.is_valid() for r in rows):
            try:
                data = _data(user, form, rows)
                if application is None:
                    application = services.application_create(user=user, data=data)
                else:
                    application = services.application_update(user=user, public_id=application.public_id, data=data)
                if "submit" in request.POST:
                    services.application_submit(
                        user=user,
                        public_id=application.public_id,
                        legal_rep_id_number=form.cleaned_data["legal_rep_id_number"],
                    )
                return redirect("merchant:apply_edit", public_id=application.public_id)
            except DomainError as error:
                checks = error.details.get("checks", checks)
                field = str(error.details.get("field", ""))
                form.add_error(field if field in form.fields else None, str(error.message))
                status = error.status
    else:
        form = ApplicationForm(initial=main)
        rows = [QualificationForm(initial=row, prefix=f"q{i}") for i, row in enumerate(rows_initial)]
    decision = application.decisions.first() if application else None
    return render(request, "merchant/apply/form.html", {
        "application": application, "form": form, "rows": rows, "checks": checks,
        "editable": application is None or application.status in APPLICATION_EDITABLE,
        "decision": decision,
        "decision_reasons": _reasons_in_words(application, decision.reasons) if application and decision else [],
        "due_at": _due_at(application),
        "review_hours": selectors.review_hours(),
    }, status=status)  # fmt: skip


def _reasons_in_words(application: MerchantApplication, codes: list[str]) -> list[str]:
    """Each reason a reviewer gave, as the applicant should read it: a review reason's label, or what the automatic
    check of that rule id said."""
    said = {check.rule: check.message for check in application.checks.all()}
    labels = dict(ReviewReason.choices)
    return [str(labels.get(code) or said.get(code) or code) for code in codes]


def _due_at(application: MerchantApplication | None) -> dt.datetime | None:
    if application is None or application.status != ApplicationStatus.SUBMITTED or application.submitted_at is None:
        return None
    return application.submitted_at + dt.timedelta(hours=selectors.review_hours())
