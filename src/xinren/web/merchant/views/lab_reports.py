"""A lab's reports in the console: the list, and issuing one with the lab's own PDF (xinren.lab)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.catalog.choices import ProductCategory
from xinren.core.errors import DomainError
from xinren.evidence import errors as evidence_errors
from xinren.evidence.api import upload_bytes
from xinren.lab import errors, selectors, services
from xinren.lab.originals import PdfUpload
from xinren.lab.thresholds import CURRENT_VERSION, INDICATOR_NAMES, TABLES
from xinren.web.public.evidence_sections import lab_report_page_url

from ..console import console_view, form_error, render_console

LAB_KINDS = [OrganizationKind.LAB]
_PDF_ERRORS = (
    evidence_errors.TYPE_UNKNOWN, evidence_errors.TYPE_MISMATCH, evidence_errors.KIND_NOT_ALLOWED,
    evidence_errors.TOO_LARGE, evidence_errors.EMPTY, evidence_errors.PDF_BROKEN, evidence_errors.PDF_ENCRYPTED,
    errors.PDF_UNKNOWN,
)
_MEASUREMENT_ERRORS = (
    errors.CATEGORY_UNSUPPORTED, errors.MEASUREMENTS_REQUIRED, errors.INDICATOR_UNKNOWN, errors.INDICATOR_DUPLICATE,
    errors.UNIT_MISMATCH, errors.VALUE_INVALID, errors.LOD_ABOVE_LIMIT,
)


class LabReportForm(forms.Form):
    batch = forms.TypedChoiceField(label=gettext_lazy("批次"), coerce=int)
    accreditation = forms.CharField(label=gettext_lazy("资质编号"), max_length=64,
                                    help_text=gettext_lazy("CMA 加 12 位数字，或 CNAS 加 L 和 4–5 位数字"))
    sample_id = forms.CharField(label=gettext_lazy("样品编号"), max_length=64)
    sampled_at = forms.DateTimeField(
        label=gettext_lazy("抽样时间"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    sampled_place = forms.CharField(label=gettext_lazy("抽样地点"), max_length=255, required=False)
    method = forms.CharField(label=gettext_lazy("检测方法"), max_length=255)
    measurements = forms.CharField(
        label=gettext_lazy("检测项目"), widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text=gettext_lazy("每行一项：指标代码 检测值 单位 [检出限]；未检出写 ND，例如 lead 0.05 mg/kg 或 "
                               "chlorpyrifos ND mg/kg 0.01"),
    )
    pdf = forms.FileField(
        label=gettext_lazy("报告原件（PDF）"), required=False,
        help_text=gettext_lazy("机构出具的报告 PDF，不超过 10 MiB；元数据和脚本会被去除，其 SHA-256 随报告签名"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    domain_error_fields = {
        **{code: "pdf" for code in _PDF_ERRORS},
        **{code: "measurements" for code in _MEASUREMENT_ERRORS},
        errors.ACCREDITATION_INVALID: "accreditation",
        errors.SAMPLE_ID_TAKEN: "sample_id",
        errors.BATCH_NOT_GRANTED: "batch",
    }

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        batch_field = self.fields["batch"]
        assert isinstance(batch_field, forms.TypedChoiceField)
        batch_field.choices = [
            (batch.pk, f"{batch.product.name} · {batch.lot}") for batch in selectors.lab_batches_granted(actor=actor)
        ]

    def clean_measurements(self) -> list[dict[str, str]]:
        """"lead 0.05 mg/kg [0.01]" per line; the service checks each against the category's table."""
        rows: list[dict[str, str]] = []
        for number, line in enumerate(str(self.cleaned_data["measurements"]).splitlines(), start=1):
            words = line.split()
            if not words:
                continue
            if len(words) not in (3, 4):
                raise forms.ValidationError(
                    _("第 %(line)s 行格式错误：应为“指标代码 检测值 单位”，可再加检出限") % {"line": number}
                )
            row = {"indicator": words[0], "value": words[1], "unit": words[2]}
            if len(words) == 4:
                row["lod"] = words[3]
            rows.append(row)
        return rows


def _indicator_guide() -> list[dict[str, Any]]:
    """What the form's help table lists: per category, each indicator's code, name and unit."""
    return [
        {"category": ProductCategory(category).label if category in ProductCategory.values else category,
         "indicators": [
            {"code": limit.indicator, "name": INDICATOR_NAMES.get(limit.indicator, limit.indicator),
             "unit": limit.unit} for limit in limits]}
        for category, limits in TABLES[CURRENT_VERSION].items()
    ]


def _page(request: HttpRequest, actor: Actor, form: LabReportForm, *, status: int = 200) -> HttpResponse:
    reports = [
        {"report": report, "page_url": lab_report_page_url(str(report.report_id))}
        for report in selectors.lab_reports_of_lab(actor=actor)[:50]
    ]
    context = {"form": form, "reports": reports, "guide": _indicator_guide()}
    return render_console(request, actor, "merchant/lab_reports.html", context, status=status)


@console_view(kinds=LAB_KINDS)
def lab_report_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method != "POST":
        return _page(request, actor, LabReportForm(actor=actor))
    actor.require(role=Role.STAFF, kinds=LAB_KINDS)
    form = LabReportForm(request.POST, request.FILES, actor=actor)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        upload = data["pdf"]
        try:
            services.lab_report_issue(
                actor=actor, batch_id=data["batch"], accreditation=data["accreditation"],
                sample_id=data["sample_id"], sampled_at=data["sampled_at"], method=data["method"],
                measurements=data["measurements"], sampled_place=data["sampled_place"],
                pdf=None if upload is None else PdfUpload(content=upload_bytes(upload), filename=upload.name or ""),
            )
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("检测报告已签名写入透明日志"))
            return redirect(request.path)
    return _page(request, actor, form, status=status)
